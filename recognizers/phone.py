"""PHONE_NUMBER: Russian and international telephone numbers.

One linear-time candidate pattern finds digit groups joined by single separators (space, dot,
hyphen) or parenthesised area codes, with an optional leading ``+`` and extension. The candidate
is then judged by its shape:

==========================================================  =====
shape                                                       score
==========================================================  =====
``+`` and a number :mod:`phonenumbers` calls possible        0.95
Russian layout: ``+7``/``8``, then ten digits (``8 916 …``)  0.95
ten bare digits starting with 9 (a Russian mobile)           0.7
phone context word nearby (tel., моб., call, WhatsApp, …)   0.85
North American ``(212) 555-1234`` / ``212-555-1234``          0.7
national trunk ``0…`` with separators, 9-11 digits           0.6
local ``555-1234``, area in parentheses ``(37) 788-063``      0.45-0.6
anything else                                               dropped
==========================================================  =====

Dates (``2021-03-01``, ``01.03.2021``), dotted quads, thousands-grouped amounts
(``1 299 000``), amounts next to a currency and numbers after "order", "заказ", "№", "SKU",
"арт." are dropped unless a phone context word is closer.
"""

from __future__ import annotations

import re
from typing import ClassVar

import phonenumbers

from recognizers.base import Stems, ValidatedPatternRecognizer, currency_adjacent
from recognizers.checksums import ascii_digits

#: A phone number has this many ASCII digits, its extension not counted.
_MIN_DIGITS = 7
_MAX_DIGITS = 15

_SEP = r"[ .\-]"
_GROUP = r"[0-9]{1,12}"
_PAREN = r"\([0-9]{1,5}\)"
#: Every match starts with one of these. Said first, it lets `regex` skip to them; the pattern
#: alone opens with optional parts, so it was tried at every position (1.7 times slower).
FIRST_CHAR_HINT = r"(?=[+(0-9])"
_PHONE = (
    FIRST_CHAR_HINT + r"(?<![0-9+A-Za-z])"
    r"(?:\+[ ]?)?"
    rf"(?:{_PAREN}{_SEP}?)?" + _GROUP + rf"(?:(?:{_SEP}|{_SEP}?{_PAREN}{_SEP}?){_GROUP}){{0,11}}"
    r"(?:[ ]?(?:x|ext\.?|доб\.?)[ ]?[0-9]{1,5})?"
    r"(?![0-9])"
)

# The helpers below run on one candidate or a few characters around it, so the standard
# library's `re` (faster per call than `regex`, no timeout needed) is used for them.
# A separator between two digit groups, where a run of several numbers may be cut.
_CUT = re.compile(r"[ .\-](?=[0-9(+])")
_EXTENSION = re.compile(r"[ ]?(?:x|ext\.?|доб\.?)[ ]?[0-9]{1,5}$")
_DATE = re.compile(
    r"^(?:(?:19|20)[0-9]{2}[.\-/ ](?:0?[1-9]|1[0-2])[.\-/ ](?:0?[1-9]|[12][0-9]|3[01])"
    r"|(?:0?[1-9]|[12][0-9]|3[01])[.\-/ ](?:0?[1-9]|1[0-2])[.\-/ ](?:19|20)[0-9]{2})$"
)
_DOTTED_QUAD = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$")
_THOUSANDS = re.compile(r"^[0-9]{1,3}(?:[ .][0-9]{3})+$")
_NANP = re.compile(
    r"^(?:\+?1[ .\-]?)?(?:\([2-9][0-9]{2}\)[ ]?|[2-9][0-9]{2}[.\-])[0-9]{3}[.\-][0-9]{4}$"
)
_NANP_SPACED = re.compile(r"^\(?[2-9][0-9]{2}\)? [0-9]{3}[ \-][0-9]{4}$")
_LOCAL = re.compile(r"^[0-9]{3}[.\-][0-9]{4}$")
_PAREN_AREA = re.compile(r"^\([0-9]{2,5}\)[ ]?[0-9]{2,4}(?:[ \-][0-9]{2,4}){1,3}$")
_RU = re.compile(r"^(?:\+7|8)[ \-]?\(?[0-9]{3}\)?[ \-]?[0-9]{3}[ \-]?[0-9]{2}[ \-]?[0-9]{2}$")
_RU_MOBILE_BARE = re.compile(r"^9[0-9]{9}$")

_PHONE_CONTEXT = (
    "phone",
    "tel",
    "telephone",
    "mobile",
    "mob",
    "cell",
    "call",
    "fax",
    "whatsapp",
    "viber",
    "telegram",
    "contact",
    "тел",
    "моб",
    "сот",
    "звон",
    "факс",
    "контакт",
    "ватсап",
    "вайбер",
    "телеграм",
)
_NOT_PHONE_CONTEXT = Stems(
    (
        "order",
        "invoice",
        "sku",
        "item",
        "ref",
        "заказ",
        "арт",
        "счет",
        "счёт",
        "накладн",
        "руб",
        "usd",
        "eur",
        "rub",
        "price",
        "цена",
        "стоимост",
    )
)


class PhoneNumberRecognizer(ValidatedPatternRecognizer):
    """Telephone numbers in Russian, North American and international layouts."""

    ENTITY: ClassVar[str] = "PHONE_NUMBER"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("phone", _PHONE, 0.4),)
    CONTEXT: ClassVar[tuple[str, ...]] = _PHONE_CONTEXT
    MIN_DIGITS: ClassVar[int] = _MIN_DIGITS

    def judge(
        self, text: str, candidates: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        """Like the base, but a run of several numbers (``8 916 … 67 8 916 … 68``) that fails as
        a whole is split at its separators into the longest runs that pass, left to right."""
        found: list[tuple[int, int, float]] = []
        for start, end, _base in candidates:
            found.extend(self._segment(text, start, end))
        return sorted(set(found))

    def _segment(self, text: str, start: int, end: int) -> list[tuple[int, int, float]]:
        if end - start < _MIN_DIGITS:  # most candidates: a short number
            return []
        digits = len(ascii_digits(_EXTENSION.sub("", text[start:end])))
        if digits < _MIN_DIGITS:  # neither the whole nor any piece can be a phone
            return []
        judge = _Judge(self, text, start, end)
        whole = judge.score(text[start:end])
        if whole is not None:
            return [(start, end, whole)]
        if digits <= _MAX_DIGITS:
            return []
        cuts = [m.start() for m in _CUT.finditer(text, start, end)]
        starts = [start, *(c + 1 for c in cuts)]
        ends = [*cuts, end]
        # Digits before each piece, so pieces outside 7-15 digits are skipped without scoring.
        before = [0]
        for piece_start, piece_end in zip(starts, ends, strict=True):
            before.append(before[-1] + len(ascii_digits(text[piece_start:piece_end])))
        found: list[tuple[int, int, float]] = []
        i = 0
        while i < len(starts):
            for j in range(len(ends) - 1, i - 1, -1):
                if (i, j) == (0, len(ends) - 1) or not (
                    _MIN_DIGITS <= before[j + 1] - before[i] <= _MAX_DIGITS
                ):
                    continue
                score = judge.score(text[starts[i] : ends[j]])
                if score is not None:
                    found.append((starts[i], ends[j], score))
                    i = j
                    break
            i += 1
        return found

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        return _Judge(self, text, start, end).score(text[start:end])

    def blocked(self, text: str, start: int, end: int) -> bool:
        """Whether an order/price word or a currency sign is near ``text[start:end]`` (which
        blocks it when no phone word is near)."""
        return _NOT_PHONE_CONTEXT.near(text, start, end, before=24, after=12) or currency_adjacent(
            text, start, end
        )

    def score_shape(self, candidate: str, *, context: bool) -> float | None:
        """The score of ``candidate`` by its layout alone, with or without a phone word near;
        ``None`` when it is no phone."""
        main = _EXTENSION.sub("", candidate)
        digits = ascii_digits(main)
        if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS:
            return None
        if len(digits) == len(main):  # digits only, the commonest: no layout with separators
            if len(main) == 11 and main[0] == "8":  # _RU
                return 0.95
            if context:
                return 0.85
            return 0.7 if _RU_MOBILE_BARE.match(main) else None
        if _DATE.match(main) or _DOTTED_QUAD.match(main):
            return None
        if main.startswith("+"):
            try:
                number = phonenumbers.parse(main, None)
            except phonenumbers.NumberParseException:
                return 0.85 if context else None
            if phonenumbers.is_possible_number(number):
                return 0.95
            return 0.85 if context else None
        if _RU.match(main):
            return 0.95
        if context:
            return 0.85
        if _THOUSANDS.match(main):
            return None
        if _RU_MOBILE_BARE.match(main):
            return 0.7
        if _NANP.match(main) or _NANP_SPACED.match(main):
            return 0.7
        has_separator = any(ch in " .-()" for ch in main)
        if _PAREN_AREA.match(main):
            return 0.6
        if main.startswith(("0", "(0")) and has_separator and 9 <= len(digits) <= 11:
            return 0.6
        if _LOCAL.match(main):
            return 0.45
        return None


class _Judge:
    """Scores the pieces of one candidate: the context is looked up once, and what blocks a
    phone (:meth:`PhoneNumberRecognizer.blocked`) only when a piece would pass without it."""

    __slots__ = ("_blocked", "_context", "_end", "_recognizer", "_start", "_text")

    def __init__(self, recognizer: PhoneNumberRecognizer, text: str, start: int, end: int) -> None:
        self._recognizer = recognizer
        self._text, self._start, self._end = text, start, end
        self._context = recognizer.context_near(text, start, end)
        self._blocked: bool | None = None

    def score(self, candidate: str) -> float | None:
        score = self._recognizer.score_shape(candidate, context=self._context)
        if score is None or self._context:
            return score
        if self._blocked is None:
            self._blocked = self._recognizer.blocked(self._text, self._start, self._end)
        return None if self._blocked else score
