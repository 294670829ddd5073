"""plansmith: keeps Markdown implementation plans in shape, git-natively."""

__version__ = "0.1.0"
