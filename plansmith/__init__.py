"""plansmith: keeps Markdown implementation plans in shape, git-natively.

It must not import anything: ``import plansmith`` has to stay cheap.
"""

__version__ = "0.1.0"
