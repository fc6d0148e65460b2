"""The scoring the nine-digit US numbers share (SSN ``AAA-GG-SSSS``, ITIN ``9XX-GG-SSSS``).

A valid number in the hyphenated layout with no word of its own type scores above a phone
reading (:data:`LAYOUT_SCORE`), unless a decoy or a booking word stands near: tickets and
bookings share the layout. Near its own word any valid layout is certain; spaced or compact
digits count only there.
"""

from __future__ import annotations

from typing import ClassVar

from recognizers.base import Stems
from recognizers.ru._identifiers import CERTAIN, IdentifierRecognizer, looks_like_decoy

#: A valid number in the hyphenated layout with no word of its type: above a phone's score.
LAYOUT_SCORE = 0.9

#: Booking and ticket numbers share the layout; near these words a number needs its type's word.
BOOKING_WORDS = Stems(
    ("ticket", "билет", "booking", "бронир", "reservation", "confirmation", "seat")
)


class NineDigitRecognizer(IdentifierRecognizer):
    """A nine-digit number scored by layout and context; subclasses say what is valid."""

    NOT_THIS: ClassVar[Stems] = BOOKING_WORDS

    def valid(self, candidate: str) -> bool:
        raise NotImplementedError

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        candidate = text[start:end]
        if not self.valid(candidate):
            return None
        if self.context_near(text, start, end):
            return CERTAIN
        if "-" in candidate and not (
            looks_like_decoy(text, start, end) or self.NOT_THIS.near(text, start, end, before=24)
        ):
            return LAYOUT_SCORE
        return None
