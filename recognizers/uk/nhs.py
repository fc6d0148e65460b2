"""UK_NHS: National Health Service numbers of England, Wales and the Isle of Man.

Ten digits, usually written ``943 476 5919`` (3-3-4); the last is a check digit: the first
nine times 10, 9, …, 2, summed, and 11 minus the sum modulo 11 (11 reads as 0, 10 is never
issued) (:mod:`stdnum.gb.nhs`).

One check digit passes one random number in eleven, and 3-3-4 is also the layout of a North
American phone number, so a valid number is certain only near an NHS word (NHS, health,
patient); without one a grouped number is reported at a low score (0.5): still redacted,
but a phone reading of the same digits (0.7) keeps its type. Ten bare digits need the word.
"""

from __future__ import annotations

from typing import ClassVar

from stdnum.gb import nhs as stdnum_nhs

from recognizers.checksums import ascii_digits
from recognizers.ru._identifiers import (
    CERTAIN,
    DIGITS_AFTER,
    DIGITS_BEFORE,
    MISTYPED,
    IdentifierRecognizer,
    Vocabulary,
    looks_like_decoy,
)

#: A valid number without an NHS word.
WITHOUT_CONTEXT = 0.5

# One separator style throughout: space, no-break space, hyphen or none.
_NHS = (
    DIGITS_BEFORE
    + r"(?:[0-9]{3} [0-9]{3} [0-9]{4}|[0-9]{3}-[0-9]{3}-[0-9]{4}|[0-9]{10}"
    + r"|[0-9]{3}\u00a0[0-9]{3}\u00a0[0-9]{4})"
    + DIGITS_AFTER
)

CONTEXT = Vocabulary(
    stems=("nhs", "health", "patient", "medical", "hospital", "gp"),
    words=frozenset({"chi"}),
)


def nhs_valid(candidate: str) -> bool:
    """Whether ``candidate`` (separators allowed) is a valid NHS number."""
    digits = ascii_digits(candidate)
    return len(digits) == 10 and bool(stdnum_nhs.is_valid(digits))


class UkNhsNumberRecognizer(IdentifierRecognizer):
    """A ten-digit NHS number whose mod-11 check digit is right."""

    ENTITY: ClassVar[str] = "UK_NHS"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("nhs", _NHS, 0.5),)
    VOCABULARY: ClassVar[Vocabulary] = CONTEXT

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        candidate = text[start:end]
        context = self.context_near(text, start, end)
        if not nhs_valid(candidate):
            return MISTYPED if context else None
        if context:
            return CERTAIN
        if candidate.isdigit() or looks_like_decoy(text, start, end):
            return None  # ten bare digits are as often an order number or an ИНН
        return WITHOUT_CONTEXT
