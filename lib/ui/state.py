"""Every session, widget and URL key of ClassLab, in one place (like playground's state.ts).

Each :class:`Key` says what a name in ``st.session_state`` (and, for ``kind="url"``, in the
page's link) means, which page uses it, its type and default and, for numbers, its range.

- ``kind="url"``: a widget bound to the link (``bind="query-params"``) or a parameter read
  with ``st.query_params``. The name is a contract with every shared link: renaming one
  breaks the links already handed out. :func:`lib.ui.query.sanitize_query` checks the link's
  values against ``type`` / ``min`` / ``max`` / ``choices`` before any widget reads them.
- ``kind="widget"``: a widget or element key that is not in the link (buttons, charts with
  a selection, mirrors, quiz answers).
- ``kind="object"``: a per-learner value the code keeps in ``st.session_state`` (trainers,
  uploads, memos, flags), never in ``st.cache_resource`` or a module global.

A name with ``{…}`` is a family whose instances the code builds at run time
(``"{quiz}_q{i}"``: one radio per quiz question). ``tests/test_state_schema.py`` reads every
page and ``lib/ui`` module and fails when a key is used that is not declared here, or declared
here and used nowhere; ``tests/test_query_params.py`` checks the declared ranges, defaults and
choices against the widgets the pages draw. To add a key: add one line to ``KEYS``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import streamlit as st

from lib.catalog import LESSONS
from lib.core.datasets import DATASET_NAMES, DatasetSpec
from lib.core.models import ACTIVATIONS
from lib.core.training import OPTIMIZERS
from lib.lessons.lab import LAB_SOURCES
from lib.lessons.metrics import MODELS, NORMALISATIONS
from lib.lessons.softmax import MAX_CLASSES

Kind = Literal["url", "widget", "object"]


def _page(stem: str) -> str:
    """The catalog path of the page whose file name ends in ``_<stem>.py``."""
    (path,) = [lesson.path for lesson in LESSONS if lesson.path.endswith(f"_{stem}.py")]
    return path


HOME = "app.py"
ENCODING = _page("Encoding")
SIGMOID = _page("Sigmoid")
THRESHOLD = _page("Decision_Threshold")
BCE = _page("Binary_Cross_Entropy")
SOFTMAX = _page("Softmax_and_Argmax")
CROSS_ENTROPY = _page("Multiclass_Cross_Entropy")
METRICS = _page("Metrics_and_Report")
LAB = _page("Training_Lab")
YOUR_DATA = _page("Your_Own_Data")
LESSON_PLAN = _page("Lesson_Plan")
ALL_PAGES = (HOME, *(lesson.path for lesson in LESSONS))
# The pages that draw the dataset picker (lib.ui.sidebar.dataset_picker). The sigmoid, BCE,
# softmax and cross-entropy lessons use their own worked examples, and the lab and Your own
# data bring their own data: they only show the navigation (which keeps the choice).
PICKER_PAGES = (HOME, ENCODING, THRESHOLD, METRICS)

TEXT_MAX = 200  # characters a link may put in a text box or a free choice (class, column names)


@dataclass(frozen=True)
class Key:
    """One key: ``name`` in ``st.session_state`` (and, for ``kind="url"``, in the link)."""

    name: str
    pages: tuple[str, ...]
    kind: Kind
    type: type = object
    default: Any = None
    min: float | None = None  # numbers: the smallest value; text: unused
    max: float | None = None  # numbers: the largest value; text: the most characters
    choices: tuple[str, ...] | Callable[[], tuple[str, ...]] | None = None  # as spelt in a link
    meaning: str = ""

    @property
    def is_family(self) -> bool:
        return "{" in self.name

    def allowed(self) -> tuple[str, ...] | None:
        """The link spellings a choice widget accepts (resolved now), or None if open."""
        return self.choices() if callable(self.choices) else self.choices


def _formatted(module: str, attr: str, fmt: Callable[[Any], str] = str, first=()):
    """Choices read from a UI module when needed (no import cycle), spelt as the widget
    writes them into the link (its ``format_func``)."""

    def resolve() -> tuple[str, ...]:
        values = getattr(importlib.import_module(module), attr)
        return tuple(fmt(v) for v in (*first, *values))

    return resolve


def _labels(module: str, attr: str, labels_attr: str, first=("detect",)):
    """A selectbox over ``first + attr`` shown through the ``labels_attr`` dict (yd_enc …)."""

    def resolve() -> tuple[str, ...]:
        mod = importlib.import_module(module)
        labels = getattr(mod, labels_attr)
        return tuple(labels.get(v, v) for v in (*first, *getattr(mod, attr)))

    return resolve


def _u(name, pages, type_, default, lo=None, hi=None, choices=None, meaning=""):
    if pages is not None and isinstance(pages, str):
        pages = (pages,)
    if type_ is str and choices is None and hi is None:
        hi = TEXT_MAX
    return Key(name, pages, "url", type_, default, lo, hi, choices, meaning)


def _w(name, pages, meaning, type_=object):
    return Key(
        name, (pages,) if isinstance(pages, str) else pages, "widget", type_, meaning=meaning
    )


def _o(name, pages, meaning, type_=object):
    return Key(
        name, (pages,) if isinstance(pages, str) else pages, "object", type_, meaning=meaning
    )


_SPEC = DatasetSpec()
_LR = _formatted("lib.ui.lab", "LEARNING_RATES", lambda v: f"{v:g}")
_WD = _formatted("lib.ui.lab", "WEIGHT_DECAYS", lambda v: f"{v:g}")

# fmt: off
KEYS: tuple[Key, ...] = (
    # -- the sidebar (lib/ui/sidebar.py): chosen once, kept on every page ----------------------
    _u("dataset", PICKER_PAGES, str, _SPEC.name, choices=tuple(DATASET_NAMES),
       meaning="The dataset every lesson uses."),
    _u("points", PICKER_PAGES, int, _SPEC.n_samples, 40, 2000,
       meaning="Generated datasets: number of points."),
    _u("noise", PICKER_PAGES, float, _SPEC.noise, 0.0, 1.0,
       meaning="Generated datasets: noise."),
    _u("classes", PICKER_PAGES, int, _SPEC.n_classes, 2, 6,
       meaning="Blobs and Spiral: number of classes."),
    _u("data_seed", PICKER_PAGES, int, _SPEC.seed, 0, 10_000,
       meaning="Generated datasets: the generator's seed."),
    _o("_sidebar_choice", ALL_PAGES,
       "The sidebar's values (dict keyed like SIDEBAR_DEFAULTS), under a key no widget owns so "
       "it survives pages without the picker and goes into every navigation link."),
    # -- presenter mode (lib/ui/presenter.py) ---------------------------------------------------
    _u("present", ALL_PAGES, str, "0", choices=("0", "1", "true", "false", "True", "False"),
       meaning="Presenter mode: large type, prose folded away (1 = on)."),
    _o("session_moved", ALL_PAGES,
       "True when this session began as a tab reconnected from a lost one (lib/ui/failover.py).",
       bool),
    _w("_moved_ack", ALL_PAGES, "The failover notice's Got it button.", bool),
    _w("_present_toggle", ALL_PAGES, "The sidebar's presenter toggle (mirrors ?present).", bool),
    # -- predict-then-reveal (lib/ui/widgets.py predict_then_reveal(key=K) uses K_guess,
    #    K_reveal, K_again, K_revealed, K_prediction); the lesson plan: K = lp_<scenario> ------
    _w("lp_{scenario}", LESSON_PLAN, "A scenario's predict-then-reveal (the key prefix)."),
    _w("lp_{scenario}_guess", LESSON_PLAN, "The room's prediction (radio)."),
    _w("lp_{scenario}_reveal", LESSON_PLAN, "Button: Reveal (once a prediction is picked)."),
    _w("lp_{scenario}_again", LESSON_PLAN, "Button: Ask again (unlocks the prediction)."),
    _o("lp_{scenario}_revealed", LESSON_PLAN, "True once Reveal was pressed.", bool),
    _o("lp_{scenario}_prediction", LESSON_PLAN, "The prediction locked in by Reveal.", str),
    # … and as its callbacks (_reveal, _ask_again) see them, for any K:
    _w("{predict}_guess", ALL_PAGES, "predict_then_reveal's radio (any prefix)."),
    _o("{predict}_revealed", ALL_PAGES, "predict_then_reveal: revealed (any prefix).", bool),
    _o("{predict}_prediction", ALL_PAGES, "predict_then_reveal: locked prediction.", str),
    # -- quizzes (lib/ui/widgets.py quiz) -------------------------------------------------------
    _w("{quiz}_q{i}", ALL_PAGES, "One radio per quiz question: the quiz's key, _q, its index."),
    _w("enc_quiz", ENCODING, "The encoding quiz (its radios are enc_quiz_q0 …)."),
    _w("sig_quiz", SIGMOID, "The sigmoid quiz."),
    _w("thr_quiz", THRESHOLD, "The threshold quiz."),
    _w("bce_quiz", BCE, "The binary cross-entropy quiz."),
    _w("sm_quiz", SOFTMAX, "The softmax quiz."),
    _w("ce_quiz", CROSS_ENTROPY, "The cross-entropy quiz."),
    _w("met_quiz", METRICS, "The metrics quiz."),
    _w("lab_quiz", LAB, "The training lab quiz."),
    _w("yd_quiz", YOUR_DATA, "The Your own data quiz."),
    # -- 1. encoding (lib/ui/encoding.py) -------------------------------------------------------
    _u("enc_order", ENCODING, str, "A,B,C,D,F",
       meaning="Label encoding: the grades, highest code first, comma-separated."),
    _w("enc_map_{order}", ENCODING, "The editable code table for one grade order."),
    _u("enc_drop", ENCODING, bool, False, meaning="One-hot: drop_first."),
    _u("enc_students", ENCODING, bool, False,
       meaning="Your dataset: use the student table (a dataset without categorical features)."),
    _u("enc_col", ENCODING, str, None,
       meaning="Your dataset: the column to encode (the dataset's columns)."),
    _u("enc_nom", ENCODING, str, "Rental,Dormitory,With Family,Other",
       meaning="Pitfall 1: the invented order of the accommodation codes."),
    _u("enc_km", ENCODING, float, 10.0, 2.0, 20.0, meaning="Pitfall 1: 'far' means more km."),
    _w("enc_order_fig", ENCODING, "Pitfall 1's comparison figure."),
    _u("enc_new", ENCODING, str, "Hostel", meaning="Pitfall 3: the unseen category typed."),
    _u("enc_hu", ENCODING, str, "error", choices=("error", "ignore"),
       meaning="Pitfall 3: OneHotEncoder's handle_unknown."),
    # -- 2. sigmoid (lib/ui/sigmoid.py) ---------------------------------------------------------
    _u("sig_x", SIGMOID, float, 2.5, -10.0, 10.0, meaning="The logit z (section 2: feature x)."),
    _u("sig_w", SIGMOID, float, 1.0, -5.0, 5.0, meaning="z = w·x + b: the weight."),
    _u("sig_b", SIGMOID, float, 0.0, -10.0, 10.0, meaning="z = w·x + b: the bias."),
    _w("sig_curve", SIGMOID, "The sigmoid figure."),
    _w("sig_linear", SIGMOID, "The w·x + b figure."),
    _w("sig_slope", SIGMOID, "The derivative figure."),
    # -- 3. decision threshold (pages/3, lib/ui/threshold.py) ----------------------------------
    _u("thr", THRESHOLD, float, 0.5, 0.0, 1.0, meaning="The threshold t."),
    _u("thr_seed", THRESHOLD, int, 0, 0, 10_000, meaning="Split and initial weights' seed."),
    _u("thr_recall", THRESHOLD, float, 0.95, 0.01, 1.0, meaning="Chooser: the target recall."),
    _u("thr_cost", THRESHOLD, float, 5.0, 0.01, 1000.0,
       meaning="Chooser: cost of a false negative ÷ cost of a false positive."),
    _w("thr_pick_f1", THRESHOLD, "Button: move t to the best F1."),
    _w("thr_pick_recall", THRESHOLD, "Button: move t to the target recall."),
    _w("thr_pick_cost", THRESHOLD, "Button: move t to the cheapest cut."),
    # -- 4. binary cross-entropy (pages/4) ------------------------------------------------------
    _u("bce_p", BCE, float, 0.924, 0.001, 0.999, meaning="The predicted probability p."),
    _u("bce_y", BCE, int, 1, choices=("1", "0"), meaning="The true label y."),
    _u("bce_red", BCE, str, "mean", choices=("mean", "sum"), meaning="The batch's reduction."),
    _u("bce_z", BCE, float, 40.0, 0.0, 50.0, meaning="Stability: the logit of a label-0 sample."),
    _u("bce_lr", BCE, float, 0.5, choices=_formatted("lib.ui.bce", "LEARNING_RATES"),
       meaning="SGD picture: the learning rate."),
    _u("bce_bs", BCE, int, 16, choices=_formatted("lib.ui.bce", "BATCH_SIZES"),
       meaning="SGD picture: the mini-batch size."),
    _u("bce_seed", BCE, int, 0, 0, 10_000, meaning="SGD picture: the shuffling seed."),
    _u("bce_step", BCE, int, 15, 0, 60, meaning="SGD picture: the step shown."),
    _w("bce_curves", BCE, "The two loss curves."),
    _w("bce_saturation", BCE, "The saturation figure."),
    _w("bce_sgd", BCE, "The SGD paths figure."),
    # -- 5. softmax and 6. cross-entropy (lib/ui/logit_inputs.py, prefix sm / ce) ---------------
    *(
        key
        for prefix, page in (("sm", SOFTMAX), ("ce", CROSS_ENTROPY))
        for key in (
            _u(f"{prefix}_typed", page, str, "",
               meaning="Exact logits typed (comma-separated); replaces the sliders."),
            _u(f"{prefix}_k", page, int, 3, 2, MAX_CLASSES, meaning="Number of classes."),
            *(_u(f"{prefix}_name{i}", page, str, None,
                 meaning=f"The name of class {i} (cleaned and made unique by the lesson).")
              for i in range(MAX_CLASSES)),
            *(_u(f"{prefix}_z{i}", page, float, None, -10.0, 10.0,
                 meaning=f"The logit of class {i}.") for i in range(MAX_CLASSES)),
        )
    ),
    _u("sm_temp", SOFTMAX, float, 2.0, 0.1, 5.0, meaning="The temperature T."),
    _u("sm_shift", SOFTMAX, float, 5.0, -1000.0, 1000.0,
       meaning="The constant added to every logit."),
    _u("sm_dom", SOFTMAX, str, None, meaning="The class whose logit is pushed (a class name)."),
    _u("sm_sz", SOFTMAX, float, 1.5, -10.0, 10.0, meaning="Sigmoid vs 2-class softmax: z."),
    _u("ce_y", CROSS_ENTROPY, str, None, meaning="The true class (a class name)."),
    _u("ce_ls", CROSS_ENTROPY, float, 0.0, 0.0, 0.5, meaning="label_smoothing ε."),
    _u("ce_batch", CROSS_ENTROPY, int, 4, 2, 8, meaning="The batch size N."),
    _u("ce_seed", CROSS_ENTROPY, int, 0, 0, 10_000, meaning="Seed of the other samples."),
    # -- 7. metrics (pages/7, lib/ui/metrics.py) ------------------------------------------------
    _u("met_model", METRICS, str, next(iter(MODELS)), choices=tuple(MODELS),
       meaning="The model trained."),
    _u("met_seed", METRICS, int, 0, 0, 9999, meaning="Split, initial weights and batches."),
    _u("met_norm", METRICS, str, NORMALISATIONS[0], choices=tuple(NORMALISATIONS),
       meaning="The confusion matrix's normalisation."),
    _u("met_class", METRICS, str, None, meaning="The class for precision / recall / F1."),
    _u("met_true", METRICS, str, None, meaning="Drill-down: the true class (a class name)."),
    _u("met_pred", METRICS, str, None, meaning="Drill-down: the predicted class."),
    _u("met_minority", METRICS, int, 5, 1, 50, meaning="Accuracy can lie: the rare class's %."),
    _w("met_cm_chart", METRICS, "The confusion matrix; its selection picks the drill-down cell."),
    _w("met_imb_chart", METRICS, "The always-the-majority confusion matrix."),
    _w("met_use_iris", METRICS, "Button: switch the dataset to a multiclass one."),
    # -- 8. training lab (lib/ui/lab.py) ----------------------------------------------------------
    _u("lab_data", LAB, str, LAB_SOURCES[0], choices=tuple(LAB_SOURCES), meaning="The data."),
    _u("lab_points", LAB, int, 300, 40, 2000, meaning="Generated data: points."),
    _u("lab_noise", LAB, float, 0.2, 0.0, 1.0, meaning="Generated data: noise."),
    _u("lab_classes", LAB, int, 3, 2, 6, meaning="Blobs and Spiral: classes."),
    _u("lab_split", LAB, float, 0.25, 0.1, 0.5, meaning="The test share."),
    _u("lab_dseed", LAB, int, 0, 0, 10_000, meaning="The data's (and split's) seed."),
    _u("lab_std", LAB, bool, True, meaning="Standardise the features."),
    _u("lab_layers", LAB, int, 2, 0, 6, meaning="Hidden layers."),
    _u("lab_units", LAB, int, 8, 1, 64, meaning="Units per hidden layer."),
    _u("lab_act", LAB, str, "ReLU", choices=tuple(ACTIVATIONS), meaning="The activation."),
    _u("lab_opt", LAB, str, OPTIMIZERS[0], choices=tuple(OPTIMIZERS), meaning="The optimizer."),
    _u("lab_lr", LAB, float, 0.1, choices=_LR, meaning="The learning rate (log scale)."),
    _u("lab_bs", LAB, int, 16, choices=_formatted(
        "lib.ui.lab", "BATCH_SIZES", lambda v: "full" if v == 0 else str(v)),
       meaning="The batch size ('full' = the whole training split)."),
    _u("lab_wd", LAB, float, 0.0, choices=_WD, meaning="Weight decay."),
    _u("lab_seed", LAB, int, 0, 0, 10_000, meaning="Initial weights and shuffling."),
    _u("lab_norms", LAB, bool, False, meaning="Show the weight and gradient norms."),
    _w("lab_play", LAB, "Button: Play."),
    _w("lab_pause", LAB, "Button: Pause."),
    _w("lab_step", LAB, "Button: +1 batch."),
    _w("lab_epoch", LAB, "Button: +1 epoch."),
    _w("lab_reset", LAB, "Button: Reset."),
    _w("lab_regions", LAB, "The decision regions / confusion matrix figure."),
    _o("lab_trainer", LAB, "The learner's Lab (model, optimizer, history, generator)."),
    _o("lab_running", LAB, "True while Play is on.", bool),
    _o("lab_notice", LAB, "A message for the next run (why the model was reset).", str),
    _o("lab_figure", LAB, "(weights shown, figure): the last regions figure, redrawn on change."),
    _o("lab_upload", LAB, "(file, options, preprocessing) → the uploaded CSV's matrices."),
    _o("lab_remote", LAB, "The lab's job in the worker pool while Play trains there (RemoteRun)."),
    _o("lab_layer", LAB, "(the lab's data, its points drawn once): laid over each live map."),
    # -- 9. your own data (lib/ui/upload.py, lib/ui/own_training.py) -----------------------------
    _u("yd_enc", YOUR_DATA, str, "detect",
       choices=_labels("lib.tabular.reading", "ENCODINGS", "ENCODING_LABELS"),
       meaning="Reading: the encoding (as labelled in the box)."),
    _u("yd_sep", YOUR_DATA, str, "detect",
       choices=_labels("lib.tabular.reading", "DELIMITER_NAMES", "DELIMITER_NAMES"),
       meaning="Reading: the separator (by name)."),
    _u("yd_dec", YOUR_DATA, str, "detect", choices=("detect", ".", ","),
       meaning="Reading: the decimal mark."),
    _u("yd_head", YOUR_DATA, str, "detect", choices=("detect", "yes", "no"),
       meaning="Reading: is the first row a header."),
    _u("yd_target", YOUR_DATA, str, None, meaning="The column to predict (a column name)."),
    _w("yd_feat_{target}", YOUR_DATA, "The feature columns chosen for one target."),
    _u("yd_test", YOUR_DATA, float, 0.25, 0.1, 0.5, meaning="The test share."),
    _u("yd_seed", YOUR_DATA, int, 0, 0, 10_000, meaning="Split and training seed."),
    _u("yd_hidden", YOUR_DATA, str, "none (logistic regression)",
       choices=_formatted("lib.ui.upload", "HIDDEN_CHOICES"), meaning="The network's layers."),
    _u("yd_epochs", YOUR_DATA, int, 0, 0, 5000, meaning="Epochs (0 = automatic)."),
    _u("yd_thr", YOUR_DATA, float, 0.5, 0.01, 0.99, meaning="Binary targets: the threshold."),
    _w("yd_file", YOUR_DATA, "The file uploader."),
    _w("yd_example", YOUR_DATA, "Button: use the example student table."),
    _w("yd_train", YOUR_DATA, "Button: Train / Resume."),
    _w("yd_pause", YOUR_DATA, "Button: Pause."),
    _w("yd_finish", YOUR_DATA, "Button: Finish now."),
    _w("yd_reset", YOUR_DATA, "Button: Reset."),
    _w("yd_dl_model", YOUR_DATA, "Download: the model file."),
    _w("yd_dl_script", YOUR_DATA, "Download: the script."),
    _w("yd_dl_pred", YOUR_DATA, "Download: the test predictions."),
    _w("yd_repeat", YOUR_DATA, "Button: repeat the training over 5 seeded splits."),
    _w("yd_repeat_chart", YOUR_DATA, "The strip plot of the repeated splits' accuracies."),
    _o("upload_bytes", (YOUR_DATA, LAB), "(name, bytes, sha256, file id) of the upload."),
    _o("upload_result", YOUR_DATA, "(job key, evaluation) of the finished training."),
    _o("yd_parsed", (YOUR_DATA, LAB),
       "lib.ui.upload.ParsedUpload: (digest, reading options) → parsed table and profile."),
    _o("yd_prepared", (YOUR_DATA, LAB),
       "lib.ui.upload.PreparedUpload: (digest, frame shape/names/types, settings) → target, "
       "features, preprocessed split."),
    _o("yd_budget", YOUR_DATA, "This session's uploads so far: file ids and bytes (a budget)."),
    _o("yd_repeats", YOUR_DATA, "(job key, RepeatSummary) of the repeated splits."),
    _o("yd_downloads", YOUR_DATA, "Model file, script and predictions for the current result."),
    _o("yd_run", YOUR_DATA, "(job key, TrainingRun) of the live training."),
    _o("yd_running", YOUR_DATA, "True while the training runs.", bool),
    _o("yd_notice", YOUR_DATA, "A message for the next run (why the model was discarded).", str),
)
# fmt: on

SCHEMA: dict[str, Key] = {key.name: key for key in KEYS}


def url_keys(page: str | None = None) -> tuple[Key, ...]:
    """The link's keys: all of them, or those of one page (``"app.py"``, ``"pages/…"``)."""
    return tuple(k for k in KEYS if k.kind == "url" and (page is None or page in k.pages))


# -- names the code refers to ----------------------------------------------------------------
DATASET_KEY = SCHEMA["dataset"].name
N_SAMPLES_KEY = SCHEMA["points"].name
NOISE_KEY = SCHEMA["noise"].name
N_CLASSES_KEY = SCHEMA["classes"].name
DATA_SEED_KEY = SCHEMA["data_seed"].name
SIDEBAR_CHOICE = SCHEMA["_sidebar_choice"].name

SIDEBAR_DEFAULTS = {
    name: SCHEMA[name].default
    for name in (DATASET_KEY, N_SAMPLES_KEY, NOISE_KEY, N_CLASSES_KEY, DATA_SEED_KEY)
}

# Per-learner objects, name → meaning (kept for readers of the old table).
OBJECT_KEYS = {k.name: k.meaning for k in KEYS if k.kind == "object"}


def spec_from(values: dict) -> DatasetSpec:
    """A DatasetSpec from sidebar values keyed like ``SIDEBAR_DEFAULTS``."""
    values = {**SIDEBAR_DEFAULTS, **values}
    return DatasetSpec(
        name=values[DATASET_KEY],
        n_samples=int(values[N_SAMPLES_KEY]),
        noise=float(values[NOISE_KEY]),
        n_classes=int(values[N_CLASSES_KEY]),
        seed=int(values[DATA_SEED_KEY]),
    )


def current_spec() -> DatasetSpec:
    """The dataset chosen in the sidebar (defaults before the sidebar is drawn).

    Call it after ``dataset_picker()``; a page that needs fallbacks should use the returned
    dataset's ``spec`` instead.
    """
    return spec_from(st.session_state.get(SIDEBAR_CHOICE, {}))
