"""US_ITIN: United States Individual Taxpayer Identification Numbers.

Nine digits written like an SSN, ``9XX-GG-SSSS``: the area starts with 9 and the group is
70-88, 90-92 or 94-99 (:mod:`stdnum.us.itin`); issued by the IRS to people who cannot
have an SSN. The same scoring as :mod:`recognizers.us.ssn`: hyphenated and valid scores above a
phone reading, certain near an ITIN word; spaced or compact only near one.
"""

from __future__ import annotations

from typing import ClassVar

from stdnum.us import itin as stdnum_itin

from recognizers.base import Stems
from recognizers.checksums import ascii_digits
from recognizers.ru._identifiers import (
    CERTAIN,
    DIGITS_AFTER,
    DIGITS_BEFORE,
    IdentifierRecognizer,
    Vocabulary,
    looks_like_decoy,
)

#: A valid number in the hyphenated layout with no ITIN word: above a phone's score.
LAYOUT_SCORE = 0.9

_ITIN = (
    DIGITS_BEFORE
    + r"9(?:[0-9]{2}-[0-9]{2}-[0-9]{4}|[0-9]{2}[ \u00a0][0-9]{2}[ \u00a0][0-9]{4}|[0-9]{8})"
    + DIGITS_AFTER
)

#: Booking and ticket numbers share the layout; near these words a number needs the ITIN word.
NOT_ITIN = Stems(("ticket", "билет", "booking", "бронир", "reservation", "confirmation", "seat"))

CONTEXT = Vocabulary(
    stems=("itin", "taxpayer", "individual taxpayer"),
    words=frozenset({"tin", "tax", "irs"}),
)


def itin_valid(candidate: str) -> bool:
    """Whether ``candidate`` (separators allowed) is a valid ITIN."""
    digits = ascii_digits(candidate)
    return len(digits) == 9 and bool(stdnum_itin.is_valid(digits))


class UsItinNumberRecognizer(IdentifierRecognizer):
    """A nine-digit ITIN with a valid area and group."""

    ENTITY: ClassVar[str] = "US_ITIN"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("itin", _ITIN, 0.5),)
    VOCABULARY: ClassVar[Vocabulary] = CONTEXT

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        candidate = text[start:end]
        if not itin_valid(candidate):
            return None
        if self.context_near(text, start, end):
            return CERTAIN
        if "-" in candidate and not (
            looks_like_decoy(text, start, end) or NOT_ITIN.near(text, start, end, before=24)
        ):
            return LAYOUT_SCORE
        return None
