"""Plan roots: the pure core and its use everywhere, on real repositories."""
