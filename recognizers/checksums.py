"""Check-digit algorithms shared by several recognizers. ASCII digits only."""

from __future__ import annotations

import re

_NOT_ASCII_DIGITS = re.compile(r"[^0-9]+")
#: Each digit's contribution at a doubled (every second from the right) Luhn position.
_LUHN_DOUBLED = {str(d): (2 * d) if d < 5 else (2 * d - 9) for d in range(10)}


def ascii_digits(text: str) -> str:
    """The ASCII digits of ``text`` in order (``"+7 (916) 123"`` -> ``"7916123"``)."""
    return _NOT_ASCII_DIGITS.sub("", text)


def only_ascii_digits(text: str) -> bool:
    """Whether ``text`` is non-empty and holds ASCII digits only (not ``"٣"`` or ``"²"``)."""
    return text.isascii() and text.isdigit()


def luhn_valid(digits: str) -> bool:
    """Whether a string of ASCII digits passes the Luhn (mod 10) check."""
    if not only_ascii_digits(digits):
        return False
    total = sum(map(int, digits[-1::-2])) + sum(map(_LUHN_DOUBLED.__getitem__, digits[-2::-2]))
    return total % 10 == 0
