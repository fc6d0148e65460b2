"""Check-digit algorithms shared by several recognizers. ASCII digits only."""

from __future__ import annotations

import re

_ASCII_DIGITS = frozenset("0123456789")
_NOT_ASCII_DIGITS = re.compile(r"[^0-9]+")


def ascii_digits(text: str) -> str:
    """The ASCII digits of ``text`` in order (``"+7 (916) 123"`` -> ``"7916123"``)."""
    return _NOT_ASCII_DIGITS.sub("", text)


def luhn_valid(digits: str) -> bool:
    """Whether a string of ASCII digits passes the Luhn (mod 10) check."""
    if not digits or any(ch not in _ASCII_DIGITS for ch in digits):
        return False
    total = 0
    for index, ch in enumerate(reversed(digits)):
        value = ord(ch) - 48
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0
