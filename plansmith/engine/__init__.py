"""plansmith.engine: the runs that end in proposals. It must not hold logic of its own."""
