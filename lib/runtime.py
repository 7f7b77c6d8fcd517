"""Process-wide settings for a server that many learners share.

Nothing here runs on import: ``app.py`` (through every page's header), the CLI and the
benchmarks call :func:`configure_process` explicitly, so a test or a notebook that imports
``lib`` keeps its own settings.
"""

from __future__ import annotations

import numpy as np
import torch


def configure_process() -> None:
    """One intra-op torch thread, numpy on ordinary pages. Idempotent and cheap.

    One server process serves every learner. Small models gain nothing from several
    intra-op threads, and concurrent trainings with the default count oversubscribe the
    cores; ``lib.core.training.single_thread()`` alone cannot guarantee this, since the
    setting is process-wide and overlapping sessions would restore it under each other.
    """
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)
    use_small_pages()


def use_small_pages() -> bool:
    """Have numpy's large arrays use ordinary 4 KiB pages, not 2 MiB transparent huge pages.

    Process-wide (numpy's own switch, also set by ``NUMPY_MADVISE_HUGEPAGE=0``). On virtual
    machines that hand freed memory back to their host ("free page reporting"), a huge page
    is carved from memory the host has already taken back, and zeroing it costs a fault on
    the host too: reading, profiling and preparing a 1,000,000-row CSV spent 0.6–1.2 s in the
    kernel with huge pages and ~0.45 s without, and stopped swinging from run to run. On
    other machines the difference is a few percent either way. Returns whether it was set.
    """
    try:
        np._core.multiarray._set_madvise_hugepage(False)
    except AttributeError:  # a numpy without the switch: leave it as it is
        return False
    return True
