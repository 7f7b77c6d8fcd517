import streamlit as st

from lib.ui import sigmoid as lesson
from lib.ui.presenter import presenting
from lib.ui.sidebar import navigation_only
from lib.ui.widgets import mistake, page_header, quiz, try_this

page_header(
    "The sigmoid",
    "A binary classifier ends with one number, a **logit** z (any real value). The sigmoid "
    "squashes it into a probability between 0 and 1: the probability of class 1.",
)
try_this(
    "Drag z to 8 (click the slider, then press → a few times), and read section 4.",
    "σ(z) flattens near 1 and its slope σ′(z) drops to almost 0, yet the loss's gradient "
    "for the label 0 stays near 1: a confident mistake still gets the largest push.",
)
if not presenting():
    st.latex(r"\sigma(z) = \frac{1}{1 + e^{-z}}")
navigation_only("This lesson draws its own curves; the dataset you picked is kept for the others.")

lesson.lesson()

mistake(
    "a sigmoid twice: nn.Sigmoid() in the model and BCEWithLogitsLoss",
    "Two pairings are valid. The cheat sheet ends its model with `nn.Sigmoid()` and trains "
    "with `nn.BCELoss`; ClassLab's models return **logits** and train with "
    "`nn.BCEWithLogitsLoss`, which applies the sigmoid inside and stays exact for very "
    "confident outputs (see the binary cross-entropy lesson). Mixing them squashes twice: "
    "with `nn.Sigmoid()` in the model, `BCEWithLogitsLoss` sees σ(σ(z)), which stays between "
    "0.5 and 0.73 whatever the model learns, so a label 0 can never be fit well. Call "
    "`torch.sigmoid(logits)` only to read a probability, e.g. to apply a threshold.",
)
quiz(lesson.QUESTIONS, key="sig_quiz")
