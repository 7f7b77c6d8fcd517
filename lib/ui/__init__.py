"""Streamlit glue shared by the pages: the session-state schema, shared widgets, cached loaders.

This is the only part of ``lib`` that may import streamlit.
"""

import torch

from lib.threads import use_small_pages

# One server process serves every learner. Small models gain nothing from several
# intra-op threads, and concurrent trainings with the default count oversubscribe the
# cores; lib.training.single_thread() alone cannot guarantee this, since the setting is
# process-wide and overlapping sessions would restore it under each other.
torch.set_num_threads(1)

# Large uploads allocate hundreds of MB of numpy arrays; see use_small_pages for why the
# server asks for ordinary pages (process-wide, like the thread count above).
use_small_pages()
