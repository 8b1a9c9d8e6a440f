"""Public alerts in: CAP 1.2 documents and the Atom feeds that list them, read safely."""

from hubbot.channels.cap.parse import CapRejected, is_cap, parse_atom, parse_cap

__all__ = ["CapRejected", "is_cap", "parse_atom", "parse_cap"]
