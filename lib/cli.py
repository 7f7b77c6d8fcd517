"""``python -m lib.cli``: the command line kept where learners and scripts know it.

The implementation is :mod:`lib.tabular.cli`.
"""

import sys

from lib.tabular.cli import main

if __name__ == "__main__":
    sys.exit(main())
