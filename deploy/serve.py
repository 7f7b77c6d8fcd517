"""One ClassLab server: ``streamlit run``, with the failover handling and the run gate
installed first, and an allocator that gives memory back.

``python -m deploy.serve run app.py --server.port=…`` takes exactly ``streamlit``'s arguments.
It exists so that :func:`lib.ui.failover.install` is in place before the server accepts its
first connection: a replica that has just (re)started may hear, as its very first request, a
tab that was moved to it from a dead replica (see ``lib/ui/failover.py``), and a class that
opens at once must meet the gate that keeps an overloaded process answering
(``lib/ui/run_gate.py``).

Memory (``python -m bench soak``): Streamlit runs each session's script in a thread of its
own, and glibc gives threads up to 8 malloc arenas per core, each keeping what was freed in
it; Arrow's mimalloc pool keeps freed segments too. After three learners with 30 MB files had
left, the server kept +57 % of its memory. Two arenas, Arrow on the system allocator and
large blocks in their own mappings (given back on free) keep it at the level reached once
the first large upload has been through. These are environment variables read when the
process starts, so the server re-executes itself once with them set (a value already in the
environment is kept).
"""

from __future__ import annotations

import os
import sys

ALLOCATOR = {
    "MALLOC_ARENA_MAX": "2",
    "MALLOC_MMAP_THRESHOLD_": str(1024 * 1024),
    "ARROW_DEFAULT_MEMORY_POOL": "system",
}


def _with_allocator_settings() -> None:
    """Re-execute this server once with :data:`ALLOCATOR` in its environment (Linux: the
    settings are glibc's, and elsewhere ``os.execve`` does not replace the process)."""
    if os.environ.get("CLASSLAB_ALLOCATOR_SET") == "1" or not sys.platform.startswith("linux"):
        return
    env = {**ALLOCATOR, **os.environ, "CLASSLAB_ALLOCATOR_SET": "1"}
    os.execve(sys.executable, [sys.executable, "-m", "deploy.serve", *sys.argv[1:]], env)


def main(argv: list[str] | None = None) -> None:
    if argv is None:
        _with_allocator_settings()
    from lib.ui import failover, run_gate

    failover.install()
    run_gate.install()
    from streamlit.web import cli

    sys.argv = ["streamlit", *(sys.argv[1:] if argv is None else argv)]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
