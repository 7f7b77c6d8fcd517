"""The learning path: every page, its title and what it teaches, in order.

``app.py`` draws the cards from this list; the tests and ``python -m bench pages`` walk it,
so a new page is added here once and is checked everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Lesson:
    path: str  # relative to the repository root
    title: str  # the page's st.title
    icon: str  # a Material icon bundled with Streamlit (no emoji font needed)
    teaches: str
    part: str

    @property
    def url_path(self) -> str:
        """The page's address under the app: pages/3_Decision_Threshold.py → Decision_Threshold.

        Page URLs are a contract with shared links (the lesson plan's scenarios among them).

        >>> lesson("Decision_Threshold").url_path
        'Decision_Threshold'
        """
        return PurePosixPath(self.path).stem.split("_", 1)[1]


LESSONS = (
    Lesson(
        "pages/1_Encoding.py",
        "Label and one-hot encoding",
        ":material/tag:",
        "Turn categories into numbers without inventing an order.",
        "Binary classification",
    ),
    Lesson(
        "pages/2_Sigmoid.py",
        "The sigmoid",
        ":material/show_chart:",
        "Squash any score into a probability between 0 and 1.",
        "Binary classification",
    ),
    Lesson(
        "pages/3_Decision_Threshold.py",
        "Decision threshold",
        ":material/tune:",
        "Move the threshold and watch the confusion matrix, ROC and PR move with it.",
        "Binary classification",
    ),
    Lesson(
        "pages/4_Binary_Cross_Entropy.py",
        "Binary cross-entropy",
        ":material/trending_down:",
        "Why confident mistakes cost so much, and why PyTorch trains on logits.",
        "Binary classification",
    ),
    Lesson(
        "pages/5_Softmax_and_Argmax.py",
        "Softmax and argmax",
        ":material/bar_chart:",
        "From K logits to K probabilities to one predicted class.",
        "Multiclass classification",
    ),
    Lesson(
        "pages/6_Multiclass_Cross_Entropy.py",
        "Multiclass cross-entropy",
        ":material/target:",
        "−log of the probability of the true class, and its gradient.",
        "Multiclass classification",
    ),
    Lesson(
        "pages/7_Metrics_and_Report.py",
        "Metrics and the classification report",
        ":material/grid_on:",
        "Accuracy, precision, recall, F1, macro vs weighted, and when accuracy lies.",
        "Evaluation",
    ),
    Lesson(
        "pages/8_Training_Lab.py",
        "Training lab",
        ":material/science:",
        "Train a real PyTorch classifier live and watch it learn.",
        "Putting it together",
    ),
    Lesson(
        "pages/9_Your_Own_Data.py",
        "Your own data",
        ":material/upload_file:",
        "Upload a CSV and go from raw columns to a trained, evaluated model.",
        "Putting it together",
    ),
    Lesson(
        "pages/10_Lesson_Plan.py",
        "Lesson plan",
        ":material/co_present:",
        "For instructors: links that open each lesson in a telling state, with a question for the room.",
        "For instructors",
    ),
)


def lesson(url_path: str) -> Lesson:
    """The page at ``/url_path`` (e.g. "Training_Lab"); KeyError names the known ones."""
    for candidate in LESSONS:
        if candidate.url_path == url_path:
            return candidate
    raise KeyError(f"No page {url_path!r}; known: {[c.url_path for c in LESSONS]}")
