"""Context words, the one mechanism every recognizer weighs context with.

A :class:`Vocabulary` holds words that say what a number near them is: its own type's words
(``паспорт``, ``tel.``, ``card``) or *decoy* words, which say it is something else
(:data:`DECOYS`: ``SKU``, ``артикул``, ``Reference``, ``order``, ``build``, ``appendix``,
``раздел``, ``ГОСТ``, ...). :func:`distance` tells how far the nearest word of a vocabulary
stands from a match, on either side, within a window; a word counts for a match only when no
word of the opposite vocabulary stands nearer:

- :func:`context_decides`: an own word is near and no decoy is nearer (the type is confirmed);
- :func:`decoy_decides`: a decoy is near and no own word is as near (the match is dropped).

A string's JSON key reaches the recognizers as words standing right before it
(:meth:`recognizers.engine.Detector.analyze`), so ``{"phone": ...}`` and ``{"order_id": ...}``
weigh like words in the text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import regex

#: A word: a run of letters (no digits, no underscore), in any script.
WORD = regex.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Vocabulary:
    """Context words: ``stems`` match every word starting with them (``паспорт`` covers
    ``паспорта``); ``words`` match whole words only (``инн`` must not cover ``инновация``);
    ``abbreviations`` match only with their dot (``v.``, ``п.``); ``phrases`` is a regex for
    tokens that are not words (``р/с``). ``dotted`` holds words that count only beside a
    candidate written with a dot (``version 4.15.2.7``, ``раздел 3.2.1``): a software or section
    number is dotted, so such a word says nothing of ``v. 770000000082``, a checksum-valid ИНН."""

    stems: tuple[str, ...] = ()
    words: frozenset[str] = frozenset()
    phrases: regex.Pattern[str] | None = field(default=None)
    abbreviations: frozenset[str] = frozenset()
    dotted: Vocabulary | None = None

    def matches(self, word: str) -> bool:
        """Whether the lower-case ``word`` is one of these context words (an abbreviation
        with its dot: ``v.``)."""
        if word.endswith(".") and word[:-1] in self.abbreviations:
            return True
        if self.dotted is not None and self.dotted.matches(word):
            return True
        return word in self.words or word.startswith(self.stems)

    def mentioned(self, text: str) -> bool:
        """Whether ``text`` holds one of these context words anywhere."""
        if self.pattern is not None and self.pattern.search(text.lower()):
            return True
        if self.dotted is not None and self.dotted.mentioned(text):
            return True
        return self.phrases is not None and self.phrases.search(text) is not None

    def union(self, other: Vocabulary) -> Vocabulary:
        """The words of both (``phrases`` of this one, else of ``other``)."""
        return Vocabulary(
            stems=(*self.stems, *(s for s in other.stems if s not in self.stems)),
            words=self.words | other.words,
            phrases=self.phrases if self.phrases is not None else other.phrases,
            abbreviations=self.abbreviations | other.abbreviations,
            dotted=(
                self.dotted.union(other.dotted)
                if self.dotted is not None and other.dotted is not None
                else self.dotted or other.dotted
            ),
        )

    def all_words(self) -> tuple[str, ...]:
        """Stems and whole words, for Presidio's ``context`` list."""
        extra = self.dotted.all_words() if self.dotted is not None else ()
        return (*self.stems, *sorted(self.words), *extra)

    @functools.cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """A lower-case word that :meth:`matches`, as one pattern over lower-case text: a word
        starting with a stem (to its end), or a whole word. Stems and words that are not all
        letters are left out: a word never holds them."""
        stems = sorted((s for s in self.stems if WORD.fullmatch(s)), key=len, reverse=True)
        words = sorted((w for w in self.words if WORD.fullmatch(w)), key=len, reverse=True)
        parts = []
        if stems:
            parts.append("(?:" + "|".join(map(re.escape, stems)) + r")[^\W\d_]*")
        if words:
            parts.append("(?:" + "|".join(map(re.escape, words)) + r")(?![^\W\d_])")
        dotted = sorted((a for a in self.abbreviations if WORD.fullmatch(a)), key=len, reverse=True)
        if dotted:
            parts.append("(?:" + "|".join(map(re.escape, dotted)) + r")\.")
        if not parts:
            return None
        # Led by the letters a word of the vocabulary starts with, so that the search skips
        # every other position (as recognizers.syntax.hinted does for the recognizers).
        firsts = {w[0] for w in (*stems, *words, *dotted)}
        lead = "(?=[" + "".join(re.escape(c) for c in sorted(firsts)) + "])"
        return re.compile(lead + r"(?<![^\W\d_])(?:" + "|".join(parts) + ")")


def distance(
    text: str,
    start: int,
    end: int,
    vocabulary: Vocabulary,
    *,
    before: int = 48,
    after: int = 24,
) -> int | None:
    """Characters between ``text[start:end]`` and the nearest word of ``vocabulary`` that stands
    at most ``before`` characters to the left or ``after`` to the right, or ``None``; the words
    of ``vocabulary.dotted`` count only when the candidate holds a dot."""
    best = _distance(text, start, end, vocabulary, before, after)
    dotted = vocabulary.dotted
    if dotted is not None and "." in text[start:end]:
        other = _distance(text, start, end, dotted, before, after)
        if other is not None and (best is None or other < best):
            best = other
    return best


#: Texts lower-cased, for the context look-ups of their candidates (every recognizer looks up
#: two vocabularies around each of its candidates in the same few texts); ``None`` for a text
#: whose length lower-casing changes. Up to this many texts of up to so many characters.
_LOWERED: dict[str, str | None] = {}
_LOWERED_TEXTS = 256
_LOWERED_CHARS = 16_384


def _lowered(text: str) -> str | None:
    """``text`` lower-cased when that keeps every offset, else ``None`` (also for a text
    longer than :data:`_LOWERED_CHARS`: lower-casing all of it for each candidate would make
    the look-ups quadratic; :func:`_distance` lower-cases its windows one by one)."""
    if len(text) > _LOWERED_CHARS:
        return None
    try:
        return _LOWERED[text]
    except KeyError:
        pass
    lower = text.lower()
    value = lower if len(lower) == len(text) else None
    if len(_LOWERED) >= _LOWERED_TEXTS:
        _LOWERED.clear()
    _LOWERED[text] = value
    return value


def _distance(
    text: str, start: int, end: int, vocabulary: Vocabulary, before: int, after: int
) -> int | None:
    best: int | None = None
    low = max(0, start - before)
    high = min(len(text), end + after)
    pattern = vocabulary.pattern
    # The lower-case text to search, and where ``text`` starts in it: all of it (kept for the
    # text's other candidates), or for a long text the window and the character before it
    # (so a word the window's edge cuts is not a word of it, as in the whole text).
    lowered: str | None = None
    base = 0
    if pattern is not None:
        lowered = _lowered(text)
        if lowered is None and len(text) > _LOWERED_CHARS:
            base = max(0, low - 1)
            window = text[base:high].lower()
            lowered = window if len(window) == high - base else None
    if pattern is None:
        pass
    elif lowered is not None:
        # One pattern over each side of the window in the lower-case text.
        nearest = None
        for match in pattern.finditer(lowered, low - base, start - base):
            nearest = match  # later matches are nearer
        if nearest is not None:
            best = start - base - nearest.end()
        found = pattern.search(lowered, end - base, high - base)
        if found is not None and (best is None or found.start() + base - end < best):
            best = found.start() + base - end
    else:  # lower-casing changed a length (a rare letter such as İ): word by word
        for match in WORD.finditer(text, low, start):
            if vocabulary.matches(match.group().lower()):
                best = start - match.end()  # later matches are nearer
        for match in WORD.finditer(text, end, high):
            if vocabulary.matches(match.group().lower()):
                gap = match.start() - end
                if best is None or gap < best:
                    best = gap
                break
    if vocabulary.phrases is not None:
        for match in vocabulary.phrases.finditer(text, low, start):
            gap = start - match.end()
            if best is None or gap < best:
                best = gap
        found = vocabulary.phrases.search(text, end, high)
        if found is not None:
            gap = found.start() - end
            if best is None or gap < best:
                best = gap
    return best


#: Decoy words: near one of them a number is a product, order, document, section or software
#: number, not personal data. Stems match every word starting with them, words whole words only.
DECOYS = Vocabulary(
    stems=(
        "order",
        "invoice",
        "sku",
        "item",
        "track",
        "barcode",
        "referen",
        "ticket",
        "version",
        "build",
        "release",
        "firmware",
        "isbn",
        "issn",
        "артикул",
        "накладн",
        "трек",
        "штрихкод",
        "штрих",
        "гост",
        "снип",
        "квитанц",
        "тикет",
        "отправлени",
        "верси",
        "сборк",
        "релиз",
        "прошивк",
    ),
    words=frozenset(
        {
            # "заказ" but not "заказчик" (customer): "ИНН заказчика" is a context.
            "заказ",
            "заказа",
            "заказу",
            "заказом",
            "заказе",
            "заказы",
            "заказов",
            "заказам",
            "заказах",
            "арт",
            "ean",
            "gtin",
            "upc",
            "ref",
            "iso",
            "rfc",
        }
    ),
    # Document-section and figure numbers, and what abbreviations label, are written with dots
    # (``раздел 3.2.1``, ``v. 2.0``, ``п. 4.1``): beside an undotted number these words say
    # nothing, and a checksum-valid identifier after ``v.`` or ``п.`` is still redacted (fail
    # closed). Build and version words label undotted build numbers too, so they stay above.
    dotted=Vocabulary(
        stems=(
            "appendix",
            "section",
            "chapter",
            "paragraph",
            "clause",
            "figure",
            "раздел",
            "пункт",
            "глав",
            "параграф",
            "приложени",
            "рисун",
            "таблиц",
        ),
        # Abbreviations only with their dot (``v. 4.15.2.7``, ``п. 3.2.1``): a bare ``V`` or
        # ``п`` (a JSON key, an initial) says nothing.
        abbreviations=frozenset(
            {"v", "ver", "rev", "sec", "fig", "рис", "табл", "п", "пп", "ст", "гл", "разд", "прил"}
        ),
    ),
)


def context_decides(
    text: str,
    start: int,
    end: int,
    own: Vocabulary,
    *,
    against: Vocabulary = DECOYS,
    before: int = 48,
    after: int = 24,
) -> bool:
    """Whether a word of ``own`` stands near ``text[start:end]`` and no word of ``against``
    stands nearer."""
    mine = distance(text, start, end, own, before=before, after=after)
    if mine is None:
        return False
    other = distance(text, start, end, against, before=before, after=after)
    return other is None or mine <= other


def decoy_decides(
    text: str,
    start: int,
    end: int,
    own: Vocabulary,
    *,
    against: Vocabulary = DECOYS,
    before: int = 24,
    after: int = 12,
) -> bool:
    """Whether a word of ``against`` (decoys) stands near ``text[start:end]`` and no word of
    ``own`` stands as near."""
    other = distance(text, start, end, against, before=before, after=after)
    if other is None:
        return False
    mine = distance(text, start, end, own, before=before, after=after)
    return mine is None or other < mine
