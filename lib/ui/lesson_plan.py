"""Glue for the lesson plan: ready scenarios that open a lesson in a telling state.

Each :class:`Scenario` names a lesson (by its URL, ``lib.catalog``), the values of that
lesson's link keys (``lib.ui.state``, kind ``url``) and a question to put to the room before
the link is opened. Every link opens in presenter mode (``present=1``).
``tests/test_lesson_plan.py`` opens each link and checks that the lesson's widgets hold these
values and that the lesson then shows what the scenario's answer says.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from lib import catalog
from lib.ui.presenter import PRESENT_KEY
from lib.ui.widgets import predict_then_reveal, prediction


@dataclass(frozen=True)
class Scenario:
    slug: str  # names the scenario's widgets: lp_<slug>_guess …
    title: str
    page: str  # the lesson's URL path, e.g. "Decision_Threshold"
    query: dict[str, str]  # the lesson's link keys and the values this scenario opens with
    prompt: str  # one line for the room
    question: str  # asked before the link is opened
    options: tuple[str, ...]
    answer: int
    why: str

    @property
    def lesson(self) -> catalog.Lesson:
        return catalog.lesson(self.page)

    def link_query(self) -> dict[str, str]:
        """The link's query: the scenario's values, in presenter mode."""
        return {**self.query, PRESENT_KEY: "1"}

    @property
    def href(self) -> str:
        """The link's path and query, e.g. ``/Decision_Threshold?thr=0.2&present=1``."""
        return f"/{self.page}?{urlencode(self.link_query())}"


SCENARIOS = (
    Scenario(
        "screening",
        "A threshold for a screening test",
        "Decision_Threshold",
        {"thr": "0.2"},
        "A screening test must not miss malignant tumours: the threshold drops from 0.5 to "
        "0.2. Read recall, precision and the false alarms (FP) in the confusion matrix.",
        "Same model, threshold 0.5 → 0.2. What happens to recall and precision?",
        (
            "Recall rises, precision falls",
            "Both rise",
            "Both fall",
            "Neither: the model did not change",
        ),
        0,
        "More rows pass p ≥ t: fewer misses (FN down, recall up) and more false alarms "
        "(FP up, precision down). The threshold trades one error for the other.",
    ),
    Scenario(
        "accuracy",
        "Accuracy that lies",
        "Metrics_and_Report",
        {"met_minority": "2"},
        "2 % of the rows are the rare class and the “model” always answers the majority. "
        "Scroll to “Accuracy can lie” and read accuracy, then the minority's recall.",
        "A model that always answers “majority”, on data with 2 % rare cases: its accuracy?",
        ("2 %", "50 %", "98 %", "It cannot be computed"),
        2,
        "98 of 100 answers are right, yet it never finds a rare case: the minority's recall "
        "is 0 % and the macro F1 about 0.49. Read per-class recall, not accuracy alone.",
    ),
    Scenario(
        "divergence",
        "A learning rate that diverges",
        "Training_Lab",
        {
            "lab_data": "Breast cancer",
            "lab_std": "false",
            "lab_layers": "0",
            "lab_opt": "SGD",
            "lab_lr": "0.1",
        },
        "Unscaled breast-cancer features (areas in the hundreds), plain SGD, η = 0.1: press "
        "Play and watch the loss. Then switch on “Standardise features”.",
        "Plain SGD with η = 0.1 on features in the hundreds. What does the training loss do?",
        (
            "Falls smoothly",
            "Falls, but slowly",
            "Jumps to thousands and swings",
            "Stays where it started",
        ),
        2,
        "Each step is η times a gradient that grows with the features' scale: it overshoots "
        "the minimum and the loss explodes. Standardising, a smaller η or Adam fixes it.",
    ),
    Scenario(
        "double_softmax",
        "The double-softmax mistake",
        "Multiclass_Cross_Entropy",
        {"ce_z0": "8", "ce_z1": "-4", "ce_z2": "-4", "ce_y": "cat"},
        "The model is sure and right (logits 8, −4, −4; the true class is cat). Compare the "
        "loss on raw logits with the loss after one softmax too many.",
        "Sure and right, but softmax is applied before CrossEntropyLoss. The loss is…",
        (
            "About 0, as on the raw logits",
            "Stuck near 0.55, with tiny gradients",
            "Negative",
            "Infinite",
        ),
        1,
        "CrossEntropyLoss applies log-softmax itself; fed probabilities in [0, 1] it can never "
        "be confident: for 3 classes the loss stays above log(1 + 2/e) ≈ 0.551.",
    ),
    Scenario(
        "flat_tail",
        "The flat tail and the push",
        "Sigmoid",
        {"sig_x": "-6"},
        "z = −6: the model is sure the answer is 0, and the true label is 1. Compare the "
        "sigmoid's slope σ′(z) with the gradient the loss gives (section 4).",
        "σ(−6) is almost flat. Trained with BCEWithLogitsLoss on label 1, how hard is this "
        "confident mistake pushed (dL/dz)?",
        (
            "Hardly: about 0.0025, the flat slope",
            "About −1, the largest push there is",
            "Exactly 0",
            "+6",
        ),
        1,
        "dL/dz = σ(z) − y ≈ −0.998: the log in the loss cancels the flat slope. The flat "
        "tails slow learning with MSE on σ(z), or behind a saturated hidden unit.",
    ),
    Scenario(
        "confident_mistake",
        "A confident mistake",
        "Binary_Cross_Entropy",
        {"bce_p": "0.01", "bce_y": "1"},
        "The model says p = 0.01, but the true label is 1. Read the loss, then drag p towards "
        "0.001.",
        "p = 0.01 for a sample whose label is 1. The binary cross-entropy is about…",
        ("0.01", "0.99", "4.6", "100"),
        2,
        "−log(0.01) ≈ 4.61, and it grows without bound as p → 0: confident mistakes cost the "
        "most, which is what pushes a model hardest.",
    ),
)


def base_url() -> str:
    """The app's address in the learner's browser (empty when unknown, e.g. under AppTest)."""
    url = st.context.url or ""
    page = catalog.lesson("Lesson_Plan").url_path
    return url[: -len(page) - 1] if url.endswith("/" + page) else url.rstrip("/")


def render(scenario: Scenario, base: str = "") -> None:
    """One scenario: its prompt, the question for the room, then the link."""
    with st.container(border=True):
        st.subheader(scenario.title)
        st.markdown(f"**{scenario.lesson.title}.** {scenario.prompt}")
        if predict_then_reveal(scenario.question, scenario.options, key=f"lp_{scenario.slug}"):
            right = scenario.options[scenario.answer]
            guess = prediction(f"lp_{scenario.slug}")
            verdict = "Right." if guess == right else f"The answer: {right}."
            st.success(f"{verdict} {scenario.why}")
        try:
            st.page_link(
                scenario.lesson.path,
                label=f"Open “{scenario.lesson.title}” in this state",
                icon=":material/open_in_new:",
                query_params=scenario.link_query(),
            )
        except StreamlitPageNotFoundError:  # the page run on its own (AppTest): no app around
            pass
        st.code(base + scenario.href, language=None, wrap_lines=True)
