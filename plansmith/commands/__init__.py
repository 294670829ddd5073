"""One module per ``plansmith`` command: the glue from parsed arguments to the engine, nothing more.

Each module offers
- ``main(args) -> int``: what ``plansmith COMMAND`` runs once :mod:`plansmith.cli` has parsed the
  arguments; it prints for people (or one JSON document) and returns the exit status;
- functions that compute the command's JSON document without printing (``analyze_document``,
  ``validate_document``, ...), so that other front ends (an MCP server) return the same shapes.

Command modules raise :mod:`plansmith.errors` exceptions and let them reach the one boundary in
``cli.py``, which maps them to exit codes and error documents; they never catch them to print. (The
git hook's own process entry, :func:`plansmith.commands.hooks.main_hooks`, is the one other boundary:
git, not a person, reads its exit status.) The engine's logic stays in ``engine/``, ``git_backend/``,
``hooks/``, ``daemon/`` and ``service.py``; nothing here runs git or parses plans itself.

Kept free of imports: every command module imports its heavy dependencies inside its functions so that
``plansmith validate`` and the git hook start fast.
"""
