"""RU_OGRNIP: ОГРНИП, основной государственный регистрационный номер индивидуального
предпринимателя (primary state registration number of a Russian sole proprietor).

Assigned when a person registers as a sole proprietor in the Unified State Register of
Individual Entrepreneurs (ЕГРИП); it identifies a person, so it is personal data. 15 digits:

- 1: record type, ``3`` for an ОГРНИП (``4`` numbers other register entries, ГРНИП);
- 2-3: the last two digits of the year of registration (``04`` onwards, when the register
  began);
- 4-5: region code; 6-14: record number;
- 15: check digit, the first 14 digits as a number, modulo 13, modulo 10.

See https://ru.wikipedia.org/wiki/ОГРНИП.

A valid number with a context word (ОГРНИП, OGRNIP, ЕГРИП, ИП, предприниматель) is certain.
Without one it must also have a plausible year and region and not be next to an order, SKU or
phone word.
"""

from __future__ import annotations

from typing import ClassVar

from recognizers.ru._identifiers import (
    DIGITS_AFTER,
    DIGITS_BEFORE,
    THIS_YEAR,
    IdentifierRecognizer,
    Vocabulary,
    checksum_score,
    is_digits,
    looks_like_decoy,
)

_OGRNIP = DIGITS_BEFORE + r"[0-9]{15}" + DIGITS_AFTER

#: ОГРНИП record type (first digit).
RECORD_TYPE = "3"

CONTEXT = Vocabulary(
    stems=("огрнип", "ogrnip", "егрип", "предпринимат", "регистрационн", "ogrn", "огрн"),
    words=frozenset({"ип", "пбоюл"}),
)


def compact(number: str) -> str:
    """``number`` without spaces and hyphens."""
    return number.replace(" ", "").replace("\u00a0", "").replace("-", "")


def calc_check_digit(body: str) -> str:
    """The check digit of the first 14 digits of an ОГРНИП."""
    if not is_digits(body, 14):
        raise ValueError("an ОГРНИП body is 14 ASCII digits")
    return str(int(body) % 13 % 10)


def ogrnip_valid(digits: str) -> bool:
    """Whether ``digits`` (15 ASCII digits, no separators) is a valid ОГРНИП: record type 3 and
    a matching check digit."""
    if not is_digits(digits, 15) or digits[0] != RECORD_TYPE:
        return False
    return digits[14] == calc_check_digit(digits[:14])


def is_valid(number: str) -> bool:
    """Whether ``number``, spaces and hyphens allowed, is a valid ОГРНИП."""
    return ogrnip_valid(compact(number))


def plausible(digits: str) -> bool:
    """Whether the year (2004 to this year) and the region (not ``00``) of an ОГРНИП make
    sense."""
    year = int(digits[1:3])
    return 4 <= year <= THIS_YEAR and digits[3:5] != "00"


class RuOgrnipRecognizer(IdentifierRecognizer):
    """ОГРНИП of sole proprietors, 15 digits, check digit verified."""

    ENTITY: ClassVar[str] = "RU_OGRNIP"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("ogrnip", _OGRNIP, 0.5),)
    VOCABULARY: ClassVar[Vocabulary] = CONTEXT

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        digits = text[start:end]
        return checksum_score(
            ogrnip_valid(digits),
            self.context_near(text, start, end),
            lambda: not plausible(digits) or looks_like_decoy(text, start, end),
        )
