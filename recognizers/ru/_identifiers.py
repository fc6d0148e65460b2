"""Shared pieces of the Russian identifier recognizers (private to ``recognizers.ru``).

The recognizers of identifiers with a check digit (ИНН, СНИЛС, ОГРН, ОГРНИП) decide the same
way:

=====================================================  ==========================
the candidate                                          score
=====================================================  ==========================
checksum valid, context word nearby                    1.0 (:data:`CERTAIN`)
checksum valid, no context, not a decoy                1.0
checksum valid, no context, looks like a decoy         dropped
checksum invalid, context word nearby                  0.4 (:data:`MISTYPED`)
checksum invalid, no context                           dropped
=====================================================  ==========================

Those whose check digit is too weak or absent (полис ОМС, bank account without a БИК, driving
licence, passport) need a context word or a strict layout; see each module.

A *context word* counts only if no "not personal data" word (order, SKU, phone, price, …)
stands closer to the number. A *decoy* is a number next to such a word, glued to letters that
are not a context word (``abc7707083893``), next to a currency sign, or shaped like a timestamp
or a bare Russian mobile number.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from recognizers.base import ValidatedPatternRecognizer, currency_adjacent
from recognizers.checksums import only_ascii_digits
from recognizers.context import DECOYS, Vocabulary, distance
from recognizers.context import context_decides as _context_decides

__all__ = ["DECOYS", "NOT_PERSONAL", "Vocabulary", "distance"]

#: The score of a number whose checksum (or structure and context together) proves it.
CERTAIN = 1.0
#: A number with a context word but a wrong checksum: probably a mistyped identifier, which is
#: still personal data.
MISTYPED = 0.4
#: A number without a checksum, in the right layout, next to a context word.
UNVERIFIED_WITH_CONTEXT = 0.85

#: Digit-run boundaries: no digit, no ``+`` (``+79161234567``) and no decimal part on either
#: side (``0.1234567890``, ``7707083893.50``). Never ``\\b``: ``ИНН7707083893`` must match.
DIGITS_BEFORE = r"(?<![0-9+])(?<![0-9][.,\-])"
DIGITS_AFTER = r"(?![0-9])(?![.,\-][0-9])"

#: Spaces a number may be grouped with: ASCII space and the no-break space.
SPACE = "[ \u00a0]"

#: This year's last two digits; identifiers that carry a year cannot come from the future.
THIS_YEAR = datetime.date.today().year % 100


def is_digits(text: str, length: int | None = None) -> bool:
    """Whether ``text`` is non-empty, only ASCII digits, and ``length`` long if given."""
    if length is not None and len(text) != length:
        return False
    return only_ascii_digits(text)


#: Words that say a number is not personal data: the decoys every recognizer knows (order,
#: SKU, version, section, ...), and prices, timestamps and telephone numbers.
NOT_PERSONAL = DECOYS.union(
    Vocabulary(
        stems=(
            "price",
            "timestamp",
            "epoch",
            "phone",
            "mobile",
            "цена",
            "стоимост",
            "сумм",
            "тел",
            "моб",
            "сотов",
            "факс",
            "звон",
        ),
        words=frozenset(
            {"руб", "рублей", "usd", "eur", "rub", "ts", "time", "tel", "fax", "whatsapp", "viber"}
        ),
    )
)


def context_decides(
    text: str,
    start: int,
    end: int,
    own: Vocabulary,
    *,
    before: int = 48,
    after: int = 24,
) -> bool:
    """Whether a word of ``own`` stands near the number and no :data:`NOT_PERSONAL` word
    stands nearer (:func:`recognizers.context.context_decides`)."""
    return _context_decides(text, start, end, own, against=NOT_PERSONAL, before=before, after=after)


def looks_like_decoy(text: str, start: int, end: int) -> bool:
    """Whether the number next to ``text[start:end]`` reads as something other than an
    identifier: a "not personal data" word close by, a currency sign next to it, or letters
    glued to it (``abc7707083893``; call this only when no context word was found)."""
    if distance(text, start, end, NOT_PERSONAL, before=24, after=12) is not None:
        return True
    if (start > 0 and text[start - 1].isalpha()) or (end < len(text) and text[end].isalpha()):
        return True
    return currency_adjacent(text, start, end)


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def looks_like_timestamp(digits: str) -> bool:
    """Whether a digit string reads as a machine timestamp: Unix seconds (10 digits, 2001-2033)
    or milliseconds (13 digits), or compact ``YYYYMMDDhh[mm[ss]]`` (10, 12 or 14 digits)."""
    if len(digits) in (10, 13) and digits[0] == "1":
        return True
    if len(digits) not in (10, 12, 14) or not is_digits(digits):
        return False
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if not 1970 <= year <= 2099 or not _valid_date(year, month, day):
        return False
    parts = [int(digits[i : i + 2]) for i in range(8, len(digits), 2)]
    limits = (23, 59, 59)
    return all(part <= limit for part, limit in zip(parts, limits, strict=False))


def looks_like_mobile(candidate: str) -> bool:
    """Whether an unseparated digit string is a bare Russian mobile number: ``9XXXXXXXXX`` or
    ``79XXXXXXXXX`` / ``89XXXXXXXXX``. Those are left to the phone recognizer."""
    if len(candidate) == 10:
        return candidate[0] == "9"
    if len(candidate) == 11:
        return candidate[0] in "78" and candidate[1] == "9"
    return False


def weighted_sum(digits: Iterable[str], weights: Iterable[int]) -> int:
    """The sum of each ASCII digit times its weight."""
    return sum((ord(ch) - 48) * weight for ch, weight in zip(digits, weights, strict=False))


def checksum_score(valid: bool, context: bool, unlike: Callable[[], bool]) -> float | None:
    """The score of an identifier with a check digit, as in the table above: ``unlike`` (asked
    only for a valid number without context) tells whether it reads as something else."""
    if not valid:
        return MISTYPED if context else None
    if context or not unlike():
        return CERTAIN
    return None


class IdentifierRecognizer(ValidatedPatternRecognizer):
    """A recognizer whose context is a :class:`Vocabulary`: a context word counts only when no
    :data:`NOT_PERSONAL` word stands nearer. Presidio's ``CONTEXT`` list derives from it."""

    VOCABULARY: ClassVar[Vocabulary]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "VOCABULARY" in cls.__dict__:
            cls.CONTEXT = cls.VOCABULARY.all_words()

    def context_vocabulary(self) -> Vocabulary:
        return self.VOCABULARY

    def context_vocabularies(self) -> tuple[Vocabulary, ...]:
        return (self.VOCABULARY, NOT_PERSONAL)

    def context_near(self, text: str, start: int, end: int) -> bool:
        return context_decides(text, start, end, self.VOCABULARY)
