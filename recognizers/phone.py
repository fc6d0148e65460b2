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

from typing import ClassVar

import phonenumbers
import regex

from recognizers.base import ValidatedPatternRecognizer, currency_adjacent, has_context
from recognizers.checksums import ascii_digits

_SEP = r"[ .\-]"
_GROUP = r"[0-9]{1,12}"
_PAREN = r"\([0-9]{1,5}\)"
_PHONE = (
    r"(?<![0-9+A-Za-z])"
    r"(?:\+[ ]?)?"
    rf"(?:{_PAREN}{_SEP}?)?" + _GROUP + rf"(?:(?:{_SEP}|{_SEP}?{_PAREN}{_SEP}?){_GROUP}){{0,11}}"
    r"(?:[ ]?(?:x|ext\.?|доб\.?)[ ]?[0-9]{1,5})?"
    r"(?![0-9])"
)

# A separator between two digit groups, where a run of several numbers may be cut.
_CUT = regex.compile(r"[ .\-](?=[0-9(+])")
_EXTENSION = regex.compile(r"[ ]?(?:x|ext\.?|доб\.?)[ ]?[0-9]{1,5}$")
_DATE = regex.compile(
    r"^(?:(?:19|20)[0-9]{2}[.\-/ ](?:0?[1-9]|1[0-2])[.\-/ ](?:0?[1-9]|[12][0-9]|3[01])"
    r"|(?:0?[1-9]|[12][0-9]|3[01])[.\-/ ](?:0?[1-9]|1[0-2])[.\-/ ](?:19|20)[0-9]{2})$"
)
_DOTTED_QUAD = regex.compile(r"^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$")
_THOUSANDS = regex.compile(r"^[0-9]{1,3}(?:[ .][0-9]{3})+$")
_NANP = regex.compile(
    r"^(?:\+?1[ .\-]?)?(?:\([2-9][0-9]{2}\)[ ]?|[2-9][0-9]{2}[.\-])[0-9]{3}[.\-][0-9]{4}$"
)
_NANP_SPACED = regex.compile(r"^\(?[2-9][0-9]{2}\)? [0-9]{3}[ \-][0-9]{4}$")
_LOCAL = regex.compile(r"^[0-9]{3}[.\-][0-9]{4}$")
_PAREN_AREA = regex.compile(r"^\([0-9]{2,5}\)[ ]?[0-9]{2,4}(?:[ \-][0-9]{2,4}){1,3}$")
_RU = regex.compile(r"^(?:\+7|8)[ \-]?\(?[0-9]{3}\)?[ \-]?[0-9]{3}[ \-]?[0-9]{2}[ \-]?[0-9]{2}$")
_RU_MOBILE_BARE = regex.compile(r"^9[0-9]{9}$")

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
_NOT_PHONE_CONTEXT = (
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


class PhoneNumberRecognizer(ValidatedPatternRecognizer):
    """Telephone numbers in Russian, North American and international layouts."""

    ENTITY: ClassVar[str] = "PHONE_NUMBER"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("phone", _PHONE, 0.4),)
    CONTEXT: ClassVar[tuple[str, ...]] = _PHONE_CONTEXT

    def find(self, text: str) -> list[tuple[int, int, float]]:
        """Like the base, but a run of several numbers (``8 916 … 67 8 916 … 68``) that fails as
        a whole is split at its separators into the longest runs that pass, left to right."""
        found: list[tuple[int, int, float]] = []
        for start, end, _base in self.candidates(text):
            found.extend(self._segment(text, start, end))
        return sorted(set(found))

    def _segment(self, text: str, start: int, end: int) -> list[tuple[int, int, float]]:
        context, blocked = self._context(text, start, end)
        whole = self._score_shape(text[start:end], context=context, blocked=blocked)
        if whole is not None:
            return [(start, end, whole)]
        if len(ascii_digits(_EXTENSION.sub("", text[start:end]))) <= 15:
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
                if (i, j) == (0, len(ends) - 1) or not 7 <= before[j + 1] - before[i] <= 15:
                    continue
                score = self._score_shape(
                    text[starts[i] : ends[j]], context=context, blocked=blocked
                )
                if score is not None:
                    found.append((starts[i], ends[j], score))
                    i = j
                    break
            i += 1
        return found

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        context, blocked = self._context(text, start, end)
        return self._score_shape(text[start:end], context=context, blocked=blocked)

    def _context(self, text: str, start: int, end: int) -> tuple[bool, bool]:
        """(a phone word is near, an order/price word or a currency sign is near and no phone
        word is)."""
        context = self.context_near(text, start, end)
        near_not_phone = has_context(text, start, end, _NOT_PHONE_CONTEXT, before=24, after=12)
        blocked = (near_not_phone or currency_adjacent(text, start, end)) and not context
        return context, blocked

    def _score_shape(self, candidate: str, *, context: bool, blocked: bool) -> float | None:
        main = _EXTENSION.sub("", candidate)
        digits = ascii_digits(main)
        if not 7 <= len(digits) <= 15:
            return None
        if _DATE.match(main) or _DOTTED_QUAD.match(main) or blocked:
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
