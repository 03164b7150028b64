"""platewarden: automatic licence plate recognition that is accountable by design."""

__version__ = "0.1.0"
