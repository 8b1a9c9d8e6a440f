"""hubbot: keeps a community emergency hub talking when a disaster hits."""

__version__ = "0.1.0"
