"""Benchmarks: ``python -m bench`` (``make bench``) runs every module here that defines ``run()``."""
