"""RU_OGRN: ОГРН, основной государственный регистрационный номер (primary state registration
number of a Russian legal entity).

Assigned when an organisation enters the Unified State Register of Legal Entities (ЕГРЮЛ). 13
digits:

- 1: record type, ``1`` or ``5`` for an ОГРН (``2``, ``6``-``9`` number other register entries,
  ГРН, which are not an ОГРН);
- 2-3: the last two digits of the year of registration (``02`` onwards, when the register
  began);
- 4-5: region code; 6-7: tax office code; 8-12: record number;
- 13: check digit, the first 12 digits as a number, modulo 11, modulo 10.

See https://ru.wikipedia.org/wiki/Основной_государственный_регистрационный_номер.

A valid number with a context word (ОГРН, OGRN, ЕГРЮЛ, регистрационный) is certain. Without
one it must also have a plausible year (not in the future, which rules out millisecond
timestamps such as ``1700000000000``) and region, and not be next to an order, SKU or barcode
word.
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

_OGRN = DIGITS_BEFORE + r"[0-9]{13}" + DIGITS_AFTER

#: ОГРН record types (first digit).
RECORD_TYPES = frozenset("15")

CONTEXT = Vocabulary(
    stems=("огрн", "ogrn", "егрюл", "регистрационн", "госрегистрац", "psrn"),
)


def compact(number: str) -> str:
    """``number`` without spaces and hyphens."""
    return number.replace(" ", "").replace("\u00a0", "").replace("-", "")


def calc_check_digit(body: str) -> str:
    """The check digit of the first 12 digits of an ОГРН."""
    if not is_digits(body, 12):
        raise ValueError("an ОГРН body is 12 ASCII digits")
    return str(int(body) % 11 % 10)


def ogrn_valid(digits: str) -> bool:
    """Whether ``digits`` (13 ASCII digits, no separators) is a valid ОГРН: record type 1 or 5
    and a matching check digit."""
    if not is_digits(digits, 13) or digits[0] not in RECORD_TYPES:
        return False
    return digits[12] == calc_check_digit(digits[:12])


def is_valid(number: str) -> bool:
    """Whether ``number``, spaces and hyphens allowed, is a valid ОГРН."""
    return ogrn_valid(compact(number))


def plausible(digits: str) -> bool:
    """Whether the year (2002 to this year) and the region (not ``00``) of an ОГРН make sense."""
    year = int(digits[1:3])
    return 2 <= year <= THIS_YEAR and digits[3:5] != "00"


class RuOgrnRecognizer(IdentifierRecognizer):
    """ОГРН of legal entities, 13 digits, check digit verified."""

    ENTITY: ClassVar[str] = "RU_OGRN"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("ogrn", _OGRN, 0.5),)
    VOCABULARY: ClassVar[Vocabulary] = CONTEXT

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        digits = text[start:end]
        return checksum_score(
            ogrn_valid(digits),
            self.context_near(text, start, end),
            lambda: not plausible(digits) or looks_like_decoy(text, start, end),
        )
