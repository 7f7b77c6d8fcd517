"""Dispatch ``python -m bench NAME [args]`` to ``bench/NAME.py``'s ``main(argv)``."""

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMES = sorted(p.stem for p in Path(__file__).parent.glob("*.py") if not p.stem.startswith("_"))


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in NAMES:
        print(f"usage: python -m bench {{{','.join(NAMES)}}} [options]")
        return 2
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    module = importlib.import_module(f"bench.{argv[0]}")
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
