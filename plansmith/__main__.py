"""``python -m plansmith`` and the ``plansmith`` console script.

It must not hold logic of its own: it only calls :func:`plansmith.cli.main`.
"""

from __future__ import annotations

import sys


def main() -> None:
    # lazy: ``python -m plansmith`` imports the parser only when it runs (start-up budget)
    from plansmith.cli import main as cli_main

    sys.exit(cli_main())


if __name__ == "__main__":
    main()
