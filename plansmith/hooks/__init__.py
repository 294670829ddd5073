"""Git hooks: installing, removing and chaining them (:mod:`.install`, :mod:`.script`) and what each hook
run does (:mod:`.precommit`, reading the index with :mod:`.staged`). Entry points for the command line
are in :mod:`.cli_hooks`.

Kept free of imports: the pre-commit hook imports this package on every commit.
"""
