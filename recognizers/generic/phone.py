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
eleven bare digits ``79…`` (the same, ``+`` left out)         0.7
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

from recognizers.base import ValidatedPatternRecognizer, currency_adjacent
from recognizers.checksums import ascii_digits, only_ascii_digits
from recognizers.context import DECOYS, Vocabulary, decoy_decides

#: A phone number has this many ASCII digits, its extension not counted.
_MIN_DIGITS = 7
_MAX_DIGITS = 15

#: Separators between digit groups; a slash (``8/916/123-45-67``) only counts with a phone word
#: near (:meth:`PhoneNumberRecognizer.shape_scores`).
_SEP = r"[ .\-/]"
_GROUP = r"[0-9]{1,12}"
_PAREN = r"\([0-9]{1,5}\)"
_PHONE = (
    r"(?<![0-9+A-Za-z])"
    r"(?:\+[ ]?)?"
    rf"(?:{_PAREN}{_SEP}?)?" + _GROUP + rf"(?:(?:{_SEP}|{_SEP}?{_PAREN}{_SEP}?){_GROUP}){{0,11}}"
    r"(?:[ ]?(?:x|ext\.?|доб\.?)[ ]?[0-9]{1,5})?"
    r"(?![0-9])"
)

# The helpers below run on one candidate or a few characters around it, so the standard
# library's `re` (faster per call than `regex`, no timeout needed) is used for them.
# A separator between two digit groups, where a run of several numbers may be cut.
_CUT = re.compile(r"[ .\-/](?=[0-9(+])")
#: A space or a slash: the parts between them are tried in a short failing run.
_SPACE_CUT = re.compile(r"[ /](?=[0-9(+])")
#: Up to this many spaces in a short failing run, every part between two of them is tried.
_MAX_SPACES_BOTH_SIDES = 4
#: A letter-and-digit token right before a run (``DK50 0040 …``, an IBAN's country and check).
_GLUED_PREFIX = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}[ ]$")
#: A run of groups of four digits (the last one shorter): how codes, not phones, are written.
_FOUR_GROUPS = re.compile(r"[0-9]{4}(?: [0-9]{4}){2,}(?: [0-9]{1,4})?$")
_EXTENSION = re.compile(r"[ ]?(?:x|ext\.?|доб\.?)[ ]?[0-9]{1,5}$")
_DATE = re.compile(
    r"^(?:(?:19|20)[0-9]{2}[.\-/ ](?:0?[1-9]|1[0-2])[.\-/ ](?:0?[1-9]|[12][0-9]|3[01])"
    r"|(?:0?[1-9]|[12][0-9]|3[01])[.\-/ ](?:0?[1-9]|1[0-2])[.\-/ ](?:19|20)[0-9]{2})$"
)
#: A date with slashes in any order (``6/24/1991``, ``24/06/91``, ``1991/6/24``).
_SLASH_DATE = re.compile(r"^(?:[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4}|[0-9]{4}/[0-9]{1,2}/[0-9]{1,2})$")
_DOTTED_QUAD = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$")
_THOUSANDS = re.compile(r"^[0-9]{1,3}(?:[ .][0-9]{3})+$")
_NANP = re.compile(
    r"^(?:\+?1[ .\-]?)?(?:\([2-9][0-9]{2}\)[ ]?|[2-9][0-9]{2}[.\-])[0-9]{3}[.\-][0-9]{4}$"
)
_NANP_SPACED = re.compile(r"^\(?[2-9][0-9]{2}\)? [0-9]{3}[ \-][0-9]{4}$")
_LOCAL = re.compile(r"^[0-9]{3}[.\-][0-9]{4}$")
_PAREN_AREA = re.compile(r"^\([0-9]{2,5}\)[ ]?[0-9]{2,4}(?:[ \-][0-9]{2,4}){1,3}$")
_RU = re.compile(r"^(?:\+7|8)[ \-]?\(?[0-9]{3}\)?[ \-]?[0-9]{3}[ \-]?[0-9]{2}[ \-]?[0-9]{2}$")
#: A Russian mobile without trunk or ``+``: ``9XXXXXXXXX``, or ``79XXXXXXXXX`` (``+`` left out).
_RU_MOBILE_BARE = re.compile(r"^7?9[0-9]{9}$")

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
#: Near these words (and no phone word as near) a number is no phone: the decoys every
#: recognizer knows (order, SKU, article, reference, version, ...) and prices.
_NOT_PHONE_CONTEXT = DECOYS.union(
    Vocabulary(
        stems=("счет", "счёт", "price", "цена", "стоимост"),
        words=frozenset({"руб", "usd", "eur", "rub"}),
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
        a whole is split at its separators into the longest runs that pass, left to right; in a
        shorter one that fails, the parts between its spaces are tried (:meth:`_among_more`)."""
        found: list[tuple[int, int, float]] = []
        for start, end, _base in candidates:
            found.extend(self._segment(text, start, end))
        return sorted(set(found))

    def _segment(self, text: str, start: int, end: int) -> list[tuple[int, int, float]]:
        if end - start < _MIN_DIGITS:  # most candidates: a short number
            return []
        found = self._pieces(text, start, end)
        if found and (found[0][0] != start or found[-1][1] != end):
            return self._whole_code(text, start, end, found)
        return found

    @staticmethod
    def _whole_code(
        text: str, start: int, end: int, found: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        """A phone found inside a longer run that reads as one code (an IBAN or account
        number: groups of four digits, or a run glued to a letter-and-digit token such as
        ``DK50``) is not read as half a code: the finding covers the whole run, so nothing of
        the code stays visible (the code's own recognizer, where there is one, merges with it)."""
        glued = _GLUED_PREFIX.search(text, max(0, start - 12), start)
        if glued is None and not _FOUR_GROUPS.match(text, start, end):
            return found
        first = glued.start() if glued is not None else start
        return [(first, end, max(score for _s, _e, score in found))]

    def _pieces(self, text: str, start: int, end: int) -> list[tuple[int, int, float]]:
        digits = _digit_count(_without_extension(text[start:end]))
        if digits < _MIN_DIGITS:  # neither the whole nor any piece can be a phone
            return []
        judge = _Judge(self, text, start, end)
        whole = judge.score(text[start:end])
        if whole is not None:
            return [(start, end, whole)]
        if digits <= _MAX_DIGITS:
            # Most such runs hold no space (an ИНН, a date, an IP address): nothing to try.
            piece = text[start:end]
            return self._among_more(text, start, end, judge) if " " in piece or "/" in piece else []
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

    @staticmethod
    def _among_more(text: str, start: int, end: int, judge: _Judge) -> list[tuple[int, int, float]]:
        """For a run of 15 digits or fewer that fails as a whole: its longest part between
        spaces in it that has a phone's layout by itself (``+7 916 123-45-67`` in
        ``+7 916 123-45-67 9-18``, opening hours after it; ``8 916 123-45-67`` in
        ``д. 5 8 916 123-45-67 9``). With more than four spaces, only its beginnings and ends
        are tried. A phone word near does not count here: with one, the first groups of a card
        or an address would pass too."""
        spaces = [m.start() for m in _SPACE_CUT.finditer(text, start, end)]
        starts, ends = [start, *(cut + 1 for cut in spaces)], [*spaces, end]
        if len(spaces) <= _MAX_SPACES_BOTH_SIDES:
            pairs = [(a, b) for i, a in enumerate(starts) for b in ends[i:]]
        else:  # many small groups (hostile input): only what the run begins or ends with
            pairs = [(start, b) for b in ends] + [(a, end) for a in starts]
        pieces = sorted(
            (piece for piece in pairs if piece != (start, end)),
            key=lambda piece: piece[0] - piece[1],  # the longest first, then the leftmost
        )
        for piece_start, piece_end in pieces:
            piece = text[piece_start:piece_end]
            if _digit_count(piece) >= _MIN_DIGITS:
                score = judge.score_by_layout(piece)
                if score is not None:
                    return [(piece_start, piece_end, score)]
        return []

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        return _Judge(self, text, start, end).score(text[start:end])

    def context_vocabularies(self) -> tuple[Vocabulary, ...]:
        return (self._context_vocabulary, _NOT_PHONE_CONTEXT)

    def blocked(self, text: str, start: int, end: int) -> bool:
        """Whether an order/price word or a currency sign is near ``text[start:end]`` (which
        blocks it when no phone word is near)."""
        return decoy_decides(
            text, start, end, self._context_vocabulary, against=_NOT_PHONE_CONTEXT
        ) or currency_adjacent(text, start, end)

    def score_shape(self, candidate: str, *, context: bool) -> float | None:
        """The score of ``candidate`` by its layout alone, with or without a phone word near;
        ``None`` when it is no phone."""
        plain, contextual = self.shape_scores(candidate)
        return contextual if context else plain

    def shape_scores(self, candidate: str) -> tuple[float | None, float | None]:
        """:meth:`score_shape` without and with a phone word near, in one go. The second is
        never ``None`` when the first is not."""
        main = _without_extension(candidate)
        if only_ascii_digits(main):  # digits only, the commonest: no separators
            if not _MIN_DIGITS <= len(main) <= _MAX_DIGITS:
                return _NO_PHONE
            if len(main) == 11 and main[0] == "8":  # _RU
                return _RU_LAYOUT
            bare_mobile = (len(main) == 10 and main[0] == "9") or (  # _RU_MOBILE_BARE
                len(main) == 11 and main.startswith("79")
            )
            return (0.7 if bare_mobile else None), 0.85
        digits = len(ascii_digits(main))
        if not _MIN_DIGITS <= digits <= _MAX_DIGITS:
            return _NO_PHONE
        if _DATE.match(main) or _DOTTED_QUAD.match(main):
            return _NO_PHONE
        if "/" in main:  # paths, fractions and dates are written so too: a phone word decides
            return _NO_PHONE if _SLASH_DATE.match(main) else (None, 0.85)
        if _RU.match(main):  # also a `+7` number: always possible, no need to parse it
            return _RU_LAYOUT
        if main.startswith("+"):
            try:
                number = phonenumbers.parse(main, None)
            except phonenumbers.NumberParseException:
                return None, 0.85
            if phonenumbers.is_possible_number(number):
                return _RU_LAYOUT
            return None, 0.85
        return _layout_score(main, digits), 0.85


_NO_PHONE: tuple[float | None, float | None] = (None, None)
#: Russian layout, or a number phonenumbers calls possible: certain with or without context.
_RU_LAYOUT: tuple[float | None, float | None] = (0.95, 0.95)


def _without_extension(candidate: str) -> str:
    """``candidate`` without its extension (`` доб. 12``, ``x12``, ``ext.12``)."""
    if "x" in candidate or "д" in candidate:  # every extension holds one of them
        return _EXTENSION.sub("", candidate)
    return candidate


def _digit_count(main: str) -> int:
    return len(main) if only_ascii_digits(main) else len(ascii_digits(main))


def _layout_score(main: str, digits: int) -> float | None:
    """The score of ``main`` (no ``+``, no extension, a separator, ``digits`` ASCII digits from 7
    to 15, not a date or a dotted quad) by its layout, with no phone word near. A bare mobile
    (``_RU_MOBILE_BARE``) has no separator: :meth:`PhoneNumberRecognizer.shape_scores` takes it
    before this."""
    if _THOUSANDS.match(main):
        return None
    if _NANP.match(main) or _NANP_SPACED.match(main):
        return 0.7
    if _PAREN_AREA.match(main):
        return 0.6
    has_separator = any(ch in " .-()" for ch in main)
    if main.startswith(("0", "(0")) and has_separator and 9 <= digits <= 11:
        return 0.6
    if _LOCAL.match(main):
        return 0.45
    return None


class _Judge:
    """Scores the pieces of one candidate. The context is looked up once, and only for a piece
    that a phone word would let pass; what blocks a phone (:meth:`PhoneNumberRecognizer.blocked`)
    only when a piece would pass without one."""

    __slots__ = ("_blocked", "_context", "_end", "_recognizer", "_start", "_text")

    def __init__(self, recognizer: PhoneNumberRecognizer, text: str, start: int, end: int) -> None:
        self._recognizer = recognizer
        self._text, self._start, self._end = text, start, end
        self._context: bool | None = None
        self._blocked: bool | None = None

    def score(self, candidate: str) -> float | None:
        plain, contextual = self._recognizer.shape_scores(candidate)
        if contextual is None:
            return None
        if self._context is None:
            self._context = self._recognizer.context_near(self._text, self._start, self._end)
        if self._context:
            return contextual
        if plain is None:
            return None
        if self._blocked is None:
            self._blocked = self._recognizer.blocked(self._text, self._start, self._end)
        return None if self._blocked else plain

    def score_by_layout(self, candidate: str) -> float | None:
        """:meth:`score` for a ``candidate`` that has a phone's layout without a phone word
        near; ``None`` for any other (no context is looked up for it)."""
        plain, _contextual = self._recognizer.shape_scores(candidate)
        return None if plain is None else self.score(candidate)
