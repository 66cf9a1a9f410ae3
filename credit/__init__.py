"""雷州市 public-credit (双公示) reporting: the domain, free of any orchestrator."""

__version__ = "0.1.0"
