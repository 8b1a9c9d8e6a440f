"""Whole numbers as people type them (ids, counts, amounts), read within a bound."""

from __future__ import annotations

# Ids and counts beyond this name nothing that exists: reading them stops here, well short of
# SQLite's 2**63 - 1 and of Python's slow conversion of thousands of digits.
MAX_NUMBER = 10**15


def parse_number(text: str, most: int = MAX_NUMBER) -> int | None:
    """'12' -> 12; None for anything that is not a whole number from 0 to `most` in digits.

    Digits of any script count ('٣' is 3), as int() reads them; a superscript '²' is not one,
    nor a sign, a decimal point or an underscore, which int() would take.
    """
    digits = text.strip()
    if not digits.isdecimal():
        return None
    digits = digits.lstrip("0") or "0"
    if len(digits) > len(str(most)):
        return None
    value = int(digits)
    return value if value <= most else None
