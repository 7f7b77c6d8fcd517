"""One ClassLab server: ``streamlit run``, with the failover handling and the run gate
installed first.

``python -m deploy.serve run app.py --server.port=…`` takes exactly ``streamlit``'s arguments.
It exists so that :func:`lib.ui.failover.install` is in place before the server accepts its
first connection: a replica that has just (re)started may hear, as its very first request, a
tab that was moved to it from a dead replica (see ``lib/ui/failover.py``), and a class that
opens at once must meet the gate that keeps an overloaded process answering
(``lib/ui/run_gate.py``)."""

from __future__ import annotations

import sys

from lib.ui import failover, run_gate


def main(argv: list[str] | None = None) -> None:
    failover.install()
    run_gate.install()
    from streamlit.web import cli

    sys.argv = ["streamlit", *(sys.argv[1:] if argv is None else argv)]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
