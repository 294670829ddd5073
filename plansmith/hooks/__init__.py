"""Git hooks: installing, removing and chaining them (:mod:`.install`, :mod:`.script`) and what each hook
run does (:mod:`.precommit`, reading the index with :mod:`.staged`). The command-line glue, also what the
hook script starts, is :mod:`plansmith.commands.hooks`.

Kept free of imports: the pre-commit hook imports this package on every commit.
It must not import anything or hold logic of its own.
"""
