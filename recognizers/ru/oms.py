"""RU_OMS: полис обязательного медицинского страхования, полис ОМС (Russian compulsory
medical insurance policy), the 16-digit единый номер полиса (ЕНП, unified policy number).

Issued since 2011 by the Federal Compulsory Medical Insurance Fund (ФОМС) through insurers; it
identifies one insured person for life. 16 digits, the last one a check digit computed as the
Fund describes it:

1. take the digits at odd positions counting from the right, the check digit excluded, as one
   number, and double it;
2. take the digits at even positions from the right as one number and write it to the left of
   the doubled number;
3. add up all the digits of the result;
4. the check digit takes that sum up to the next multiple of ten.

Doubling a whole number and adding its digits gives the same sum as doubling each digit and
adding the digits of each product (a carry happens exactly where a digit is 5 or more), so this
is the Luhn check over all 16 digits; :func:`oms_check_digit` follows the Fund's wording and
:func:`oms_valid` uses Luhn.

Older policies (series and number, or the 9-digit temporary certificate) are not covered.

A Luhn check also passes one card number in ten, so a candidate is reported only next to a
context word (полис, ОМС, ЕНП, медицинского страхования): 1.0 with a valid check digit, 0.4
without.
"""

from __future__ import annotations

from typing import ClassVar

from recognizers.checksums import ascii_digits, luhn_valid
from recognizers.ru._identifiers import (
    CERTAIN,
    DIGITS_AFTER,
    DIGITS_BEFORE,
    MISTYPED,
    IdentifierRecognizer,
    Vocabulary,
    is_digits,
)

_SEP = r"[ \u00a0\-]"
_OMS = DIGITS_BEFORE + rf"[0-9]{{4}}({_SEP}?)[0-9]{{4}}\1[0-9]{{4}}\1[0-9]{{4}}" + DIGITS_AFTER

CONTEXT = Vocabulary(
    stems=("полис", "медполис", "медицинск", "страхов", "insurance", "polis"),
    words=frozenset({"омс", "oms", "енп", "смо", "фомс", "тфомс"}),
)


def oms_check_digit(body: str) -> str:
    """The check digit of the first 15 digits of a полис ОМС, in the Fund's own steps."""
    if not is_digits(body, 15):
        raise ValueError("a полис ОМС body is 15 ASCII digits")
    from_right = body[::-1]
    odd = from_right[0::2][::-1]  # positions 1, 3, 5, … from the right, as a number
    even = from_right[1::2][::-1]  # positions 2, 4, 6, … from the right
    joined = even + str(int(odd) * 2)
    total = sum(ord(ch) - 48 for ch in joined)
    return str((10 - total % 10) % 10)


def oms_valid(digits: str) -> bool:
    """Whether ``digits`` (16 ASCII digits, no separators) is a valid полис ОМС number."""
    return is_digits(digits, 16) and luhn_valid(digits)


def is_valid(number: str) -> bool:
    """Whether ``number``, spaces and hyphens allowed, is a valid полис ОМС number."""
    return oms_valid(number.replace(" ", "").replace("\u00a0", "").replace("-", ""))


class RuOmsRecognizer(IdentifierRecognizer):
    """The 16-digit полис ОМС number, next to a context word."""

    ENTITY: ClassVar[str] = "RU_OMS"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("oms", _OMS, 0.5),)
    VOCABULARY: ClassVar[Vocabulary] = CONTEXT

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        if not self.context_near(text, start, end):
            return None
        return CERTAIN if oms_valid(ascii_digits(text[start:end])) else MISTYPED
