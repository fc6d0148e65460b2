"""RU_SNILS: СНИЛС, страховой номер индивидуального лицевого счёта (Russian individual
insurance account number; the pension and social insurance number).

Issued by the Social Fund (СФР, formerly the Pension Fund ПФР) to every insured person. 11
digits, written ``123-456-789 01``: a 9-digit account number and a 2-digit checksum.

Checksum: multiply the nine digits by 9, 8, …, 1 (left to right) and add. A sum below 100 is
the checksum; 100 and 101 give ``00``; a larger sum is taken modulo 101, and a remainder of 100
again gives ``00``. Numbers up to ``001-001-998`` were issued before the checksum was
introduced and carry none. See https://ru.wikipedia.org/wiki/СНИЛС.

Layouts: ``123-456-789 01``, ``123 456 789 01``, ``123-456-789-01``, ``12345678901``; the first
three groups share one separator. Two check digits pass one random number in a hundred, so a
valid number is certain, except an unseparated one shaped like a Russian mobile
(``89161234567``) or next to an order, price or phone word, which needs a context word
(СНИЛС, страховой, пенсионное, SNILS).
"""

from __future__ import annotations

from typing import ClassVar

from recognizers.checksums import ascii_digits
from recognizers.ru._identifiers import (
    DIGITS_AFTER,
    DIGITS_BEFORE,
    SPACE,
    UNVERIFIED_WITH_CONTEXT,
    IdentifierRecognizer,
    Vocabulary,
    checksum_score,
    is_digits,
    looks_like_decoy,
    looks_like_mobile,
    weighted_sum,
)

#: The highest account number issued without a checksum: 001-001-998.
LAST_UNCHECKED = 1_001_998

_SEP = r"[ \u00a0\-]"
_SNILS = (
    DIGITS_BEFORE
    + rf"[0-9]{{3}}({_SEP}?)[0-9]{{3}}\1[0-9]{{3}}(?:{_SEP}|{SPACE}?-{SPACE}?)?[0-9]{{2}}"
    + DIGITS_AFTER
)

CONTEXT = Vocabulary(
    stems=("снилс", "snils", "страхов", "пенсион", "пфр", "сфр"),
    words=frozenset({"спс"}),
)


def compact(number: str) -> str:
    """``number`` without spaces and hyphens."""
    return number.replace(" ", "").replace("\u00a0", "").replace("-", "")


def calc_checksum(body: str) -> str:
    """The two-digit checksum of a 9-digit СНИЛС account number."""
    if not is_digits(body, 9):
        raise ValueError("a СНИЛС account number is 9 ASCII digits")
    total = weighted_sum(body, range(9, 0, -1))
    if total < 100:
        return f"{total:02d}"
    if total in (100, 101):
        return "00"
    return f"{total % 101 % 100:02d}"


def snils_checksum_applies(digits: str) -> bool:
    """Whether an 11-digit СНИЛС carries a checksum (its number is above 001-001-998)."""
    return is_digits(digits, 11) and int(digits[:9]) > LAST_UNCHECKED


def snils_valid(digits: str) -> bool:
    """Whether ``digits`` (11 ASCII digits, no separators) is a valid СНИЛС. Numbers up to
    001-001-998 have no checksum and are valid by form alone."""
    if not is_digits(digits, 11):
        return False
    if not snils_checksum_applies(digits):
        return True
    return digits[9:] == calc_checksum(digits[:9])


def is_valid(number: str) -> bool:
    """Whether ``number``, spaces and hyphens allowed, is a valid СНИЛС."""
    return snils_valid(compact(number))


class RuSnilsRecognizer(IdentifierRecognizer):
    """СНИЛС in its usual layouts, checksum verified."""

    ENTITY: ClassVar[str] = "RU_SNILS"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("snils", _SNILS, 0.5),)
    VOCABULARY: ClassVar[Vocabulary] = CONTEXT

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        candidate = text[start:end]
        digits = ascii_digits(candidate)
        context = self.context_near(text, start, end)
        if not snils_checksum_applies(digits):
            return UNVERIFIED_WITH_CONTEXT if context else None
        return checksum_score(
            snils_valid(digits),
            context,
            lambda: looks_like_mobile(candidate) or looks_like_decoy(text, start, end),
        )
