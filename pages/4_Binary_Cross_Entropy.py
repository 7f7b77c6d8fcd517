import streamlit as st

from lib.plots import bce as fig
from lib.ui import bce as lesson
from lib.ui.sidebar import dataset_picker
from lib.ui.widgets import code_panel, mistake, page_header, quiz

page_header(
    "Binary cross-entropy",
    "Binary cross-entropy (BCE) scores a predicted probability p of class 1 against the true "
    "label y. It is small when p agrees with y and grows without bound for a confident mistake.",
)
st.latex(
    r"\text{BCE}(p, y) = -\big[\,y \log p + (1 - y)\log(1 - p)\,\big]"
    r" = \begin{cases} -\log p & y = 1 \\ -\log(1 - p) & y = 0 \end{cases}"
)
dataset_picker()


def render_curves() -> tuple[float, int]:
    st.header("One prediction, one loss")
    left, right = st.columns([3, 1])
    p = left.slider(
        "predicted probability p of class 1",
        0.001,
        0.999,
        0.924,
        0.001,
        format="%.3f",
        key="bce_p",
        bind="query-params",
    )
    y = right.radio("true label y", (1, 0), key="bce_y", bind="query-params", horizontal=True)
    st.plotly_chart(fig.bce_curves_figure(p, y), key="bce_curves")
    for col, (name, value) in zip(st.columns(3), lesson.three_losses(p, y).items(), strict=True):
        col.metric(name, f"{value:.4f}")
    st.caption(
        "The same number three ways. `BCEWithLogitsLoss` gets the logit z = log(p/(1−p)), "
        "which is what a ClassLab model returns."
    )
    code_panel(lesson.losses_code(p, y), "The code: by hand, nn.BCELoss, nn.BCEWithLogitsLoss")
    return p, y


def render_batch(p: float, y: int) -> None:
    st.header("A batch: per-sample losses and the reduction")
    reduction = st.radio(
        "reduction", ("mean", "sum"), key="bce_red", bind="query-params", horizontal=True
    )
    logits, targets = lesson.batch_rows(p, y)
    table, reduced = lesson.batch_table(logits, targets, reduction)
    st.dataframe(table, hide_index=True)
    st.metric(f"batch loss (reduction='{reduction}')", f"{reduced:.4f}")
    st.caption(
        "The first row is your prediction from above; the loss of a batch is the "
        "mean of its rows by default (the sum grows with the batch size)."
    )
    code_panel(lesson.batch_code(logits, targets, reduction), "The code for this batch")


def render_stability() -> None:
    st.header("Why ClassLab trains on logits")
    z = st.slider(
        "logit z of a sample whose true label is 0",
        0.0,
        50.0,
        40.0,
        0.5,
        key="bce_z",
        bind="query-params",
    )
    result = lesson.saturation(z)
    for col, (name, (loss, grad)) in zip(st.columns(2), result.items(), strict=True):
        col.metric(f"{name}: loss", f"{loss:.4f}")
        col.metric(f"{name}: gradient d loss / d z", f"{grad:.4f}")
    st.markdown(
        "In float32, σ(z) rounds to exactly 1 once z ≳ 17, so log(1 − p) = log 0: `BCELoss` "
        "clamps it at −100 and the gradient through the saturated sigmoid is **0**: the model "
        "is maximally wrong and learns nothing. `BCEWithLogitsLoss` computes "
        "max(z, 0) − z·y + log(1 + e^−|z|) from the logit: loss z, gradient σ(z) − y = 1."
    )
    st.plotly_chart(
        fig.saturation_figure(z, lesson.saturation_curves(0, 50.0)), key="bce_saturation"
    )
    code_panel(lesson.saturation_code(z), "The autograd code for these numbers")


def render_sgd() -> None:
    st.header("SGD in one picture")
    st.markdown(
        "A 1-feature logistic model z = w·x + b on 200 points. The contour is the mean BCE over "
        "all points for every (w, b). All three paths start at the ✕ with the same learning "
        "rate; they differ only in how many points each step's gradient sees."
    )
    c1, c2, c3 = st.columns(3)
    lr = c1.select_slider(
        "learning rate", lesson.LEARNING_RATES, 0.5, key="bce_lr", bind="query-params"
    )
    batch = c2.select_slider(
        "mini-batch size", lesson.BATCH_SIZES, 16, key="bce_bs", bind="query-params"
    )
    seed = c3.number_input("shuffle seed", 0, 10_000, 0, key="bce_seed", bind="query-params")
    step = st.slider("step", 0, lesson.STEPS, 15, key="bce_step", bind="query-params")
    picture = lesson.cached_picture(float(lr), int(batch), int(seed))
    st.plotly_chart(fig.sgd_figure(picture, step), key="bce_sgd")
    st.dataframe(fig.path_table(picture, step), hide_index=True)
    code_panel(
        lesson.sgd_code(float(lr), int(batch), int(seed), step), "The code for the three paths"
    )


p, y = render_curves()
render_batch(p, y)
render_stability()
render_sgd()
mistake(
    "sigmoid + BCELoss, and 'SGD uses one random point'",
    "The cheat sheet pairs a sigmoid output with `nn.BCELoss`. Models here return **logits** and "
    "train with `nn.BCEWithLogitsLoss`: same loss, but exact where sigmoid + `BCELoss` saturates. "
    "It also defines SGD as using *a single randomly chosen data point*: that is one special "
    "case. `optim.SGD` is only the update rule; the `DataLoader`'s `batch_size` decides how many "
    "points a step sees, and in practice that is a mini-batch (e.g. 32), not one point.",
)
quiz(lesson.QUESTIONS, key="bce_quiz")
