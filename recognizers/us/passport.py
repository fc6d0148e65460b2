"""US_PASSPORT: United States passport book numbers.

Nine digits (books issued before 2021) or a letter and eight digits (the Next Generation
Passport, ``A12345678``). Neither carries a check digit, and nine digits are as often an order,
ticket or account number, so a number is reported only near a passport word (passport,
загранпаспорт) with no order, price or phone word nearer.
"""

from __future__ import annotations

from typing import ClassVar

from recognizers.ru._identifiers import (
    DIGITS_AFTER,
    UNVERIFIED_WITH_CONTEXT,
    IdentifierRecognizer,
    Vocabulary,
)

_PASSPORT = r"(?<![0-9A-Za-z+])(?:[A-Z][0-9]{8}|[0-9]{9})" + DIGITS_AFTER + r"(?![A-Za-z])"

CONTEXT = Vocabulary(
    stems=("passport", "загранпаспорт"),
    words=frozenset({"ppt"}),
)


class UsPassportNumberRecognizer(IdentifierRecognizer):
    """Nine digits, or a letter and eight, next to a passport word."""

    ENTITY: ClassVar[str] = "US_PASSPORT"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("passport", _PASSPORT, 0.5),)
    VOCABULARY: ClassVar[Vocabulary] = CONTEXT

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        if len(set(text[start:end])) == 1:
            return None  # 000000000 is a placeholder
        return UNVERIFIED_WITH_CONTEXT if self.context_near(text, start, end) else None
