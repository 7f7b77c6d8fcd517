import streamlit as st

from lib.ui import bce as lesson
from lib.ui.presenter import presenting
from lib.ui.sidebar import navigation_only
from lib.ui.widgets import mistake, page_header, quiz, try_this

page_header(
    "Binary cross-entropy",
    "Binary cross-entropy (BCE) scores a predicted probability p of class 1 against the true "
    "label y. It is small when p agrees with y and grows without bound for a confident mistake.",
)
try_this(
    "Set the true label y to 0 (the model's p = 0.924 is now a mistake), then drag p to 0.999.",
    "The diamond climbs the dashed curve −log(1 − p) from 2.58 to 6.91: the more confident "
    "the mistake, the larger the loss, without limit.",
)
if not presenting():
    st.latex(
        r"\text{BCE}(p, y) = -\big[\,y \log p + (1 - y)\log(1 - p)\,\big]"
        r" = \begin{cases} -\log p & y = 1 \\ -\log(1 - p) & y = 0 \end{cases}"
    )
navigation_only("This lesson makes its own data; the dataset you picked is kept for the others.")

lesson.prediction_sections()
lesson.render_stability()
lesson.render_sgd()
mistake(
    "'SGD uses one random point'",
    "The cheat sheet defines SGD as using *a single randomly chosen data point*: that is one "
    "special case. `optim.SGD` is only the update rule; the `DataLoader`'s `batch_size` "
    "decides how many points a step sees, and in practice that is a mini-batch (e.g. 32), "
    "not one point. The cheat sheet's other pairing, a sigmoid output with `nn.BCELoss`, is "
    "valid; it only loses the gradient for very confident outputs (section 3), which is why "
    "ClassLab's models return logits and train with `nn.BCEWithLogitsLoss`.",
)
quiz(lesson.QUESTIONS, key="bce_quiz")
