"""custreg: a self-hostable customer register."""

__version__ = "0.1.0"
