"""The presentation layer: pure functions from values to text (tables, commit message prose).

It sits below ``git_backend/`` and the engine, which draw their commit bodies and dry-run tables with
it, and below ``terminal/``, which re-exports what scripts have always imported from there. It must not
run git, read files, write to a stream or import ``rich``: values in, text out. It may import the plan
core (``plan/``) and ``errors``, nothing above them.
"""
