"""Lesson: label and one-hot encoding (the cheat sheet's letter grades and accommodation)."""

import streamlit as st

from lib.ui import encoding as sections
from lib.ui.presenter import presenting
from lib.ui.sidebar import dataset_picker
from lib.ui.state import current_spec
from lib.ui.widgets import Question, mistake, page_header, quiz, try_this

page_header(
    "Label and one-hot encoding",
    "A neural network only multiplies and adds numbers, so every category must become "
    "numbers first. **Label encoding** gives each of the $K$ categories one integer; "
    "**one-hot encoding** gives each category its own 0/1 column:",
)
try_this(
    "In pitfall 1, type the code order Rental,Dormitory,Other,With Family.",
    "With Family, the odd one out, now gets the last code: accuracy on label codes rises, "
    "while one-hot stays exactly where it was. Label codes forced an order on the model.",
)
if not presenting():
    st.latex(
        r"\text{label: } c_k \mapsto k \in \{0,\dots,K-1\} \qquad "
        r"\text{one-hot: } c_k \mapsto e_k = (0,\dots,\underbrace{1}_{k},\dots,0) \in \{0,1\}^K"
    )
dataset = dataset_picker()

if presenting():  # the key control and its figure open the page on a projector
    sections.render_invented_order()
sections.render_label_encoding()


@st.fragment
def from_one_hot_on() -> None:
    """drop_first (section 2) drives sections 2, 3 and pitfall 2: its change reruns this,
    not the sidebar, section 1 and the quiz. Sections 3 and pitfalls 1 and 3 are fragments
    of their own inside it."""
    drop_first = sections.render_one_hot()
    sections.render_your_dataset(dataset, current_spec(), drop_first)
    st.header("4. The pitfalls, shown")
    if not presenting():
        sections.render_invented_order()
    sections.render_dummy_trap(drop_first)
    sections.render_unseen()


from_one_hot_on()

mistake(
    "label-encoding a nominal feature",
    "Codes 0, 1, 2, 3 for Rental, Dormitory, With Family, Other tell the model that Other is "
    "three times Dormitory and that With Family lies between them. Use label codes for the "
    "**target** and for **truly ordered** features (grades); one-hot encode unordered "
    "features, fit the encoder on training data only, and reuse it on new data.",
)

quiz(
    [
        Question(
            "Which column should you one-hot encode rather than label-encode?",
            ("Letter grade A–F", "Accommodation (Rental, Dormitory, …)", "The class label y"),
            1,
            "Accommodation has no order; label codes would invent one (pitfall 1). Grades are "
            "ordered, and the target only needs class indices 0..K-1 for CrossEntropyLoss.",
        ),
        Question(
            "One-hot encoding a column with 4 categories and drop_first=True creates …",
            ("4 columns", "3 columns", "1 column"),
            1,
            "drop_first removes the first category's column; a row of all zeros stands for it.",
        ),
        Question(
            "A column has 20,000 distinct IDs in 20,000 rows. One-hot encoding it …",
            (
                "is fine: more columns means more information",
                "creates 20,000 mostly-useless columns (1.6 GB as float32)",
                "raises an error in pandas",
            ),
            1,
            "Every ID appears once, so the model memorises rows and learns nothing general; "
            "20,000 × 20,000 × 4 bytes = 1.6 GB. Drop it or group rare values.",
        ),
        Question(
            "OneHotEncoder(handle_unknown='ignore') meets a category it never saw. It …",
            ("raises ValueError", "adds a new column", "encodes the row as all zeros"),
            2,
            "With 'ignore' no column is 1; with the default 'error' transform raises ValueError.",
        ),
    ],
    key="enc_quiz",
)
