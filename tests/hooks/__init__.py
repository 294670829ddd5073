"""Tests of plansmith.hooks: real git repositories, real commits, the installed hook script."""
