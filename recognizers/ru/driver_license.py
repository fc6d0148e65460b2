"""RU_DRIVER_LICENSE: водительское удостоверение (Russian driving licence), series and number.

10 characters, written ``77 12 345678`` or ``7712 345678``: a 4-character series (2-digit
region code, then two digits; licences issued before 2011 have two Cyrillic letters there,
``77 АВ 123456``) and a 6-digit number. See
https://ru.wikipedia.org/wiki/Водительское_удостоверение_(Россия).

There is no check digit and the layout is the passport's, so a candidate is reported only next
to a context word (водительское удостоверение, ВУ, в/у, права, driver's licence), at 0.85, and
never when an order, price or phone word stands closer.
"""

from __future__ import annotations

from typing import ClassVar

import regex

from recognizers.ru._identifiers import (
    DIGITS_AFTER,
    DIGITS_BEFORE,
    SPACE,
    UNVERIFIED_WITH_CONTEXT,
    IdentifierRecognizer,
    Vocabulary,
)

# Cyrillic letters that have Latin look-alikes: the only ones used in series.
_SERIES_LETTERS = "АВЕКМНОРСТУХ"
_LICENSE = (
    DIGITS_BEFORE
    + rf"[0-9]{{2}}{SPACE}?(?:[0-9]{{2}}|[{_SERIES_LETTERS}]{{2}}){SPACE}?[0-9]{{6}}"
    + DIGITS_AFTER
)

CONTEXT = Vocabulary(
    stems=("водител", "удостоверени", "driver", "driving", "licen", "гибдд", "гаи"),
    words=frozenset({"ву", "права", "прав", "правами", "правах"}),
    phrases=regex.compile(r"(?i)(?<![^\W\d_])в\s?/\s?у(?![^\W\d_])"),
)


class RuDriverLicenseRecognizer(IdentifierRecognizer):
    """Russian driving licence series and number, next to a context word."""

    ENTITY: ClassVar[str] = "RU_DRIVER_LICENSE"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("license", _LICENSE, 0.5),)
    VOCABULARY: ClassVar[Vocabulary] = CONTEXT

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        if self.context_near(text, start, end):
            return UNVERIFIED_WITH_CONTEXT
        return None
