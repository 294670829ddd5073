"""plansmith.daemon: the always-on watcher (start at :mod:`plansmith.daemon.loop`, whose docstring is
the theory of operation). Importing the package must stay cheap: it imports nothing.
It must not hold logic of its own."""
