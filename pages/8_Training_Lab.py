import streamlit as st

from lib.lessons.lab import output_and_loss
from lib.ui import lab as lab_ui
from lib.ui.presenter import control_and_figure, presenting
from lib.ui.sidebar import navigation_only
from lib.ui.widgets import Question, mistake, page_header, quiz, try_this

lab_ui.canonical_link()  # lab_lr=10.0 or 1e1 in a hand-edited link means 10: before the check
page_header(
    "Training lab",
    "Train a real PyTorch classifier and watch it learn. Every optimizer step takes a "
    "mini-batch, computes the loss on the model's **logits**, and moves every weight a "
    "little against its gradient, scaled by the learning rate η.",
)
try_this(
    "press **Play** on the Moons data and watch the map, then **Reset**, set the learning "
    "rate to 10 and press Play again.",
    "the loss curve: a smooth descent at η = 0.1; at η = 10 it climbs and jumps, the map "
    "never settles, and the lab warns that the steps overshoot.",
)
navigation_only(
    "The lab chooses its own data on the page. Your dataset choice for the lessons is kept."
)

if not presenting():
    st.latex(
        r"\theta \leftarrow \theta - \eta\,\nabla_\theta \frac{1}{|B|}"
        r"\sum_{i\in B} \ell(f_\theta(x_i), y_i)"
    )
# The key section first (the learning rate, Play and the map); the settings it needs are
# read below it, in the set-up section.
controls, figure = control_and_figure()
st.header("Set up the experiment")
st.caption(
    "The lab picks its own data (so a link to this page restores the whole experiment). One "
    "pass through the training split is one **epoch**. Changing the learning rate keeps the "
    "weights (also while training); changing anything else starts again, because the old "
    "weights no longer fit."
)
settings = lab_ui.settings_form(controls)
if settings is None:
    st.stop()
try:
    lab = lab_ui.current_lab(settings)
except ValueError as error:
    st.error(str(error))
    st.stop()
layer, why = output_and_loss(lab.data.n_classes)
st.markdown(
    f"**Output layer and loss:** {layer}. {why} The model is "
    f"{'a logistic regression' if not settings.hidden else 'an MLP'}: "
    f"`{' → '.join([str(len(lab.data.feature_names)), *map(str, settings.hidden), 'logits'])}`."
)

with controls:
    lab_ui.buttons()
    scrub = lab_ui.scrub_control()
    lab_ui.live_numbers(scrub)
    lab_ui.live_curves(scrub)
with figure:
    lab_ui.live_map(scrub)

st.header("The PyTorch code")
st.markdown(
    "A standalone script for exactly this configuration: the same data, the same "
    "standardisation (with the training split's statistics), the same initialisation and "
    "shuffling from the seed, and your learning-rate changes."
)
lab_ui.code_section(st.session_state[lab_ui.LAB])

mistake(
    "a learning rate that is too large, on unscaled features",
    "With features in the hundreds (breast cancer areas, wine proline) a step of size η "
    "overshoots: the loss grows instead of shrinking and soon overflows to `inf` or `nan`. "
    "Standardise with the *training* split's mean and standard deviation, then pick η on a log "
    "scale (0.001, 0.01, 0.1 …). Adam adapts the step size per weight and is more forgiving.",
)

quiz(
    [
        Question(
            "The training loss keeps falling but the test loss starts rising. What is happening?",
            ("Underfitting", "Overfitting", "The learning rate is too small"),
            1,
            "The model memorises the training points (train loss ↓) and generalises worse "
            "(test loss ↑): more data, a smaller network or weight decay help.",
        ),
        Question(
            "Why does the binary model have one output and use BCEWithLogitsLoss?",
            (
                "One logit z gives P(class 1) = sigmoid(z); the loss applies the sigmoid stably",
                "Because softmax does not work for two classes",
                "To save memory",
            ),
            0,
            "P(class 0) = 1 − P(class 1), so one number is enough, and combining the sigmoid "
            "with the log inside the loss avoids log(0).",
        ),
        Question(
            "With 300 training points and batch size 30, how many optimizer steps is one epoch?",
            ("1", "10", "300"),
            1,
            "An epoch is one pass over the training set: 300 / 30 = 10 mini-batches, one "
            "step each.",
        ),
        Question(
            "Why standardise with the training split's mean and standard deviation only?",
            (
                "It is faster",
                "Using the test split's statistics leaks information about the test set",
                "PyTorch requires it",
            ),
            1,
            "The test set must stay unseen; its statistics would leak into training and make "
            "the test score optimistic.",
        ),
    ],
    key="lab_quiz",
    refresh_every=lab_ui.quiz_refresh(),
)
