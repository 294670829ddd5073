"""What a person sees in a terminal: live progress, tables that fit the width, coloured diffs, the status
dashboard.

Two ways out of every command, chosen once by :func:`plansmith.terminal.display.choose_display`:

* **plain** (stdout is not a TTY, ``--json``, ``NO_COLOR``, ``--quiet``, ``TERM=dumb``): the text
  scripts have always read, made by :mod:`plansmith.terminal.text` without importing ``rich``;
* **rich** (a person at a terminal): :mod:`plansmith.terminal.tables`, :mod:`plansmith.terminal.progress`
  and :mod:`plansmith.terminal.show` draw with ``rich``, imported only then (it costs ~140 ms, which
  the git hook's fast path, ``--json`` and pipes never pay).

Nothing here decides what a command does, reads the repository or runs git: values in, text out.
"""
