"""``python -m plansmith.hooks install|uninstall|run HOOK``: what the installed hook script starts.

It must not hold logic of its own: it only calls :mod:`plansmith.commands.hooks`.
"""

from __future__ import annotations

import sys

from plansmith.commands.hooks import main_hooks

if __name__ == "__main__":
    sys.exit(main_hooks(sys.argv[1:]))
