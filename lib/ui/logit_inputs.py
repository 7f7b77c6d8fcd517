"""The logit controls shared by the softmax and cross-entropy lessons.

2–6 classes, each with an editable name and a logit slider (−10..10); a text box takes exact
logits of any size (e.g. ``1000, 0, -1000``) and then replaces the sliders. Every control is
bound to the URL under ``<prefix>_…`` keys.
"""

from __future__ import annotations

import streamlit as st

from lib.lessons import softmax as sl
from lib.text import md_literal

URL = {"bind": "query-params"}


def logit_inputs(prefix: str) -> tuple[list[float], list[str]]:
    """Draw the controls and return (logits, display names); names are cleaned and unique."""
    head, rows = st.container(), st.container()
    typed_text = st.text_input(
        "Or type exact logits, any size (replaces the sliders; clear it to go back)",
        key=f"{prefix}_typed",
        placeholder="e.g. 1000, 0, -1000",
        **URL,
    )
    try:
        typed = sl.parse_logits(typed_text)
    except ValueError as error:
        st.error(md_literal(str(error)))  # the message quotes the learner's text
        typed = None
    if typed is None:
        k = head.slider(
            "Number of classes", sl.MIN_CLASSES, sl.MAX_CLASSES, 3, key=f"{prefix}_k", **URL
        )
    else:
        k = len(typed)
        head.info(f"Using your {k} typed logits: {', '.join(sl.num(v) for v in typed)}.")
    raw_names, sliders = [], []
    for i in range(k):
        name_col, logit_col = rows.columns([1, 3])
        raw_names.append(
            name_col.text_input(
                f"Name of class {i}", sl.DEFAULT_NAMES[i], key=f"{prefix}_name{i}", **URL
            )
        )
        if typed is None:
            sliders.append(
                logit_col.slider(
                    f"Logit z{i}",
                    -10.0,
                    10.0,
                    sl.DEFAULT_LOGITS[i],
                    0.1,
                    key=f"{prefix}_z{i}",
                    **URL,
                )
            )
        else:
            logit_col.markdown(f"z{i} = **{sl.num(typed[i])}** (typed)")
    names, notes = sl.clean_class_names(raw_names)
    for note in notes:
        rows.warning(md_literal(note))  # notes quote the names as typed
    return (typed if typed is not None else sl.clean_logits(sliders)), names
