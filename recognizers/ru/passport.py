"""RU_PASSPORT: паспорт гражданина Российской Федерации (the internal passport of a Russian
citizen), series and number.

10 digits, written ``45 05 678901``, ``4505 678901`` or ``серия 45 05 № 678901``:

- the 4-digit **series**: digits 1-2 are the region (ОКАТО code) where the blank went, digits
  3-4 the last two digits of the year the blank was printed (``97`` onwards, when the current
  passport was introduced);
- the 6-digit **number** of the blank.

There is no check digit, so a candidate needs one of:

- a context word (паспорт, серия, выдан, удостоверяющий личность, passport, pasport): score
  0.9, or 0.4 if the series year is impossible (probably mistyped); where the number could also
  be a phone, the context word makes it a passport (:func:`recognizers.engine.resolve_overlaps`);
- a plausible series year, no order, price or phone word nearby, and either the strict spaced
  layout ``DD DD DDDDDD``, a ``№`` between series and number, or a separated ``DDDD DDDDDD``
  after the word "номер": score 0.6.

A bare ten-digit number is not a passport. See https://ru.wikipedia.org/wiki/Паспорт_гражданина_Российской_Федерации.
"""

from __future__ import annotations

from typing import ClassVar

import regex

from recognizers.checksums import ascii_digits
from recognizers.ru._identifiers import (
    DIGITS_AFTER,
    DIGITS_BEFORE,
    MISTYPED,
    NOT_PERSONAL,
    SPACE,
    THIS_YEAR,
    IdentifierRecognizer,
    Vocabulary,
    distance,
    is_digits,
    looks_like_decoy,
)

#: A structurally plausible passport next to a context word.
WITH_CONTEXT = 0.9
#: A structurally plausible passport in the strict layout, no context word.
LAYOUT_ONLY = 0.6

_MARK = r"(?:№|N[oо]?\.?|(?i:номер|ном\.))"
_PASSPORT = (
    DIGITS_BEFORE
    + rf"[0-9]{{2}}{SPACE}?[0-9]{{2}}"
    + rf"(?:{SPACE}{{0,2}}[,;]?{SPACE}{{0,2}}{_MARK}:?{SPACE}{{0,2}}|{SPACE}{{0,2}})"
    + r"[0-9]{6}"
    + DIGITS_AFTER
)
_STRICT = regex.compile(rf"^[0-9]{{2}}{SPACE}[0-9]{{2}}{SPACE}[0-9]{{6}}$")
_HAS_MARK = regex.compile(_MARK)

CONTEXT = Vocabulary(
    stems=("паспорт", "passport", "pasport", "выдан", "удостоверяющ"),
    words=frozenset({"серия", "серии", "серию", "серией", "сер", "дул"}),
)
#: "номер" says little on its own (order, track, phone numbers): it lets a separated series and
#: number through at :data:`LAYOUT_ONLY`, and only when no "not personal data" word is near.
WEAK_CONTEXT = Vocabulary(stems=("номер",))


def series_year_plausible(series: str) -> bool:
    """Whether digits 3-4 of a 4-digit passport series are a year the current passport blank
    existed: 1997 to next year (blanks are printed ahead)."""
    year = int(series[2:4])
    return year >= 97 or year <= THIS_YEAR + 1


class RuPassportRecognizer(IdentifierRecognizer):
    """Series and number of the Russian internal passport, by context or strict layout."""

    ENTITY: ClassVar[str] = "RU_PASSPORT"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("passport", _PASSPORT, 0.5),)
    VOCABULARY: ClassVar[Vocabulary] = CONTEXT

    def context_vocabularies(self) -> tuple[Vocabulary, ...]:
        return (*super().context_vocabularies(), WEAK_CONTEXT)

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        candidate = text[start:end]
        digits = ascii_digits(candidate)
        plausible = series_year_plausible(digits[:4]) and digits[4:] != "000000"
        if self.context_near(text, start, end):
            return WITH_CONTEXT if plausible else MISTYPED
        if not plausible or looks_like_decoy(text, start, end):
            return None
        if _STRICT.match(candidate) or _HAS_MARK.search(candidate):
            return LAYOUT_ONLY
        separated = not is_digits(candidate)
        weak = distance(text, start, end, WEAK_CONTEXT) is not None
        if separated and weak and distance(text, start, end, NOT_PERSONAL) is None:
            return LAYOUT_ONLY
        return None
