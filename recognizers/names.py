"""What English and Russian name rules share: tokens, letter case, cue phrases, span merging.

A name model (spaCy, natasha) learned names from news: capitalised, inside sentences. Scraped
records also hold names in ALL CAPS (``ПЕТРОВА АННА СЕРГЕЕВНА``), in lowercase (``posted by
gregory haynes``), as a whole field (``Emily Jones``), after a cue (``Dear``, ``Posted by``,
``Комментарий от``) and as ``Last, First``. The rules in :mod:`recognizers.en.names` and
:mod:`recognizers.ru.names` find those from evidence a model does not use: a cue phrase before
the words, and name lists or morphology that say a word is a first name, a surname or a
patronymic, whatever its case.

This module holds the parts that do not depend on the language: a tokenizer that keeps offsets,
the case of a text, cue phrases matched on tokens, and :func:`recase`, which gives a model a
title-case copy of ALL CAPS words of the same length (so offsets stay valid).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from enum import Enum
from typing import Final

import regex

Interval = tuple[int, int]

#: A word: letters with inner apostrophes or hyphens (``O'Neil``, ``Jean-Luc``).
_WORD: Final = regex.compile(r"\p{L}+(?:['’\-]\p{L}+)*")
#: Characters allowed between two words of one name: spaces (a line break ends a name).
_NAME_GAP: Final = regex.compile(r"[ \t\u00a0]{1,3}")
#: Between two words of a name written as a slug (``/u/gregory-haynes``, ``anna_petrova``).
_SLUG_GAP: Final = regex.compile(r"[ \t\u00a0\-_.+]{1,2}")
#: A word split at hyphens too, for slugs.
_SLUG_WORD: Final = regex.compile(r"\p{L}+(?:['’]\p{L}+)*")
#: Characters allowed between a cue and the name after it (``Kind regards,\nAnna Lee``,
#: ``user="anna lee"``).
_CUE_GAP: Final = regex.compile(
    r"[ \t\u00a0]*(?:[:,=?\-–—]|\.)?[ \t\u00a0]*\n?[ \t\u00a0]*[\"'«“]?"
)


class Case(Enum):
    """The letter case of a text's words."""

    MIXED = "mixed"
    UPPER = "upper"
    LOWER = "lower"


class Token:
    """One word of a text with its offsets. A plain class, not a frozen dataclass: the rules
    make one per word of every text, and a frozen dataclass takes three times as long to build
    (its fields are set through ``object.__setattr__``); the attributes are ``Final``."""

    __slots__ = ("end", "lower", "start", "text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start: Final = start
        self.end: Final = end
        self.text: Final = text
        #: The word lower-cased (the rules look most words up so, several times each).
        self.lower: Final = text.lower()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Token):
            return NotImplemented
        return (self.start, self.end, self.text) == (other.start, other.end, other.text)

    def __hash__(self) -> int:
        return hash((self.start, self.end, self.text))

    def __repr__(self) -> str:
        return f"Token(start={self.start!r}, end={self.end!r}, text={self.text!r})"

    @property
    def is_title(self) -> bool:
        """``Smith``, ``McDonald``, ``O'Neil``: a capital first, then some lowercase."""
        return self.text[0].isupper() and any(map(str.islower, self.text[1:]))

    @property
    def is_upper(self) -> bool:
        return self.text.isupper()

    @property
    def is_initial(self) -> bool:
        """One capital letter (followed by a dot in the text: see :func:`tokenize`)."""
        return len(self.text) == 1 and self.text.isupper()

    @property
    def is_letter(self) -> bool:
        """One letter, of either case, followed by a dot (``в.в. ефимов``)."""
        return len(self.text) == 1


def tokenize(text: str, letters: Callable[[str], bool], *, slug: bool = False) -> tuple[Token, ...]:
    """The words of ``text`` whose letters pass ``letters`` (a script test), in order; with
    ``slug``, hyphens split words too.

    A word of one letter is kept only when a dot follows it (an initial, ``J.``, ``в.``); the
    dot is not part of the token.
    """
    tokens = []
    for match in (_SLUG_WORD if slug else _WORD).finditer(text):
        word = match.group()
        if not letters(word):
            continue
        if len(word) == 1 and text[match.end() : match.end() + 1] != ".":
            continue
        tokens.append(Token(match.start(), match.end(), word))
    return tuple(tokens)


#: How many texts' words :func:`cached_words` keeps, and the longest text it keeps them for.
_CACHED_TEXTS: Final = 64
_CACHED_CHARS: Final = 4096

Words = Callable[[str, bool], tuple[Token, ...]]


def cached_words(words: Words) -> Words:
    """``words`` (a text's tokens, split at hyphens too when asked) remembering the last
    :data:`_CACHED_TEXTS` texts of up to :data:`_CACHED_CHARS` characters: the rules ask for
    the words of one text several times (to find names, to recase it for the model, to tell
    its case)."""
    cached = functools.lru_cache(maxsize=_CACHED_TEXTS)(words)

    def remembered(text: str, slug: bool) -> tuple[Token, ...]:
        return words(text, slug) if len(text) > _CACHED_CHARS else cached(text, slug)

    return remembered


#: What may stand between a sentence's end and its first word: spaces, quotes, brackets.
_SENTENCE_LEAD: Final = " \t\u00a0\"'«“(["
_SENTENCE_ENDS: Final = frozenset(".!?\n")


def opens_after(text: str, start: int, *, lead: str, ends: Container[str], reach: int) -> bool:
    """Whether the word at ``start`` opens ``text``, or follows one of ``ends`` with only
    ``lead`` characters between, within ``reach`` characters before it."""
    window = max(0, start - reach)
    before = text[window:start].rstrip(lead)
    if not before:
        return window == 0
    return before[-1] in ends


def opens_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens ``text`` or a sentence in it."""
    return opens_after(text, start, lead=_SENTENCE_LEAD, ends=_SENTENCE_ENDS, reach=8)


#: A letter of one script right beside a letter of another (``Jоhn``, ``Пeтров``).
_MIXED_SCRIPTS: Final = regex.compile(
    r"\p{Latin}(?=[^\P{L}\p{Latin}])|[^\P{L}\p{Latin}](?=\p{Latin})"
)


def mixes_scripts(text: str) -> bool:
    """Whether a word of ``text`` mixes Latin letters with letters of another script: a name
    written with look-alike letters, which no one script's rules read whole."""
    return _MIXED_SCRIPTS.search(text) is not None


def text_case(tokens: Sequence[Token]) -> Case:
    """:attr:`Case.UPPER` when no word has a lowercase letter, :attr:`Case.LOWER` when none
    has a capital, else :attr:`Case.MIXED` (words of one letter do not count)."""
    letters = "".join(t.text for t in tokens if len(t.text) > 1)
    if not letters:
        return Case.MIXED
    if not any(map(str.islower, letters)):
        return Case.UPPER
    if not any(map(str.isupper, letters)):
        return Case.LOWER
    return Case.MIXED


def joined(text: str, left: Token, right: Token, *, slug: bool = False) -> bool:
    """Whether ``right`` follows ``left`` as the next word of one name (spaces only between
    them, or the dot of an initial and spaces; with ``slug`` also ``-``, ``_``, ``.``)."""
    gap = text[left.end : right.start]
    if slug:
        return _SLUG_GAP.fullmatch(gap) is not None
    if left.is_letter and gap.startswith("."):
        gap = gap[1:]
        if not gap:
            return True  # ``Ф.Б.``
    return _NAME_GAP.fullmatch(gap) is not None


def end_of(text: str, token: Token) -> int:
    """The end of ``token`` in a name: after the dot of an initial."""
    if token.is_letter and text[token.end : token.end + 1] == ".":
        return token.end + 1
    return token.end


class Cues:
    """Cue phrases (``posted by``, ``комментарий от``): a name may follow each, after spaces
    and at most one of ``: , - – — .``. Matched on lowercased tokens."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._phrases: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            words = tuple(phrase.lower().split())
            self._phrases.setdefault(words[-1], []).append(words)

    def before(self, text: str, tokens: Sequence[Token], index: int) -> bool:
        """Whether a cue phrase ends right before ``tokens[index]``."""
        if index == 0:
            return False
        last = tokens[index - 1]
        candidates = self._phrases.get(last.lower)
        if not candidates:
            return False
        if not _CUE_GAP.fullmatch(text[end_of(text, last) : tokens[index].start]):
            return False
        for words in candidates:
            first = index - len(words)
            if first < 0:
                continue
            if all(tokens[first + k].lower == word for k, word in enumerate(words)):
                return True
        return False


def after(text: str, tokens: Sequence[Token], index: int, words: frozenset[str]) -> bool:
    """Whether ``tokens[index]`` is followed by one of ``words`` (``wrote``, ``пишет``),
    after spaces and at most a colon or a comma."""
    following = index + 1
    if following >= len(tokens) or tokens[following].lower not in words:
        return False
    return (
        _POST_GAP.fullmatch(text[end_of(text, tokens[index]) : tokens[following].start]) is not None
    )


_POST_GAP: Final = regex.compile(r"[ \t\u00a0]*[:,]?[ \t\u00a0]*")


def table_cells(text: str, header_words: Iterable[str]) -> Iterator[tuple[int, int, bool]]:
    """The cells of a table of delimited rows (``;``, tab, ``|`` or ``,``, the same number of
    them on every row): ``(start, end, named)`` for each non-empty cell, ``named`` when the
    cell is below a first-row cell that holds one of ``header_words`` (``last_name``,
    ``фамилия``). Nothing for a text of one row or rows of different widths."""
    lines = text.split("\n")
    if len(lines) < 2:
        return
    head = lines[0]
    delimiter = max(";\t|,", key=head.count)
    width = head.count(delimiter)
    if width < 1 or any(line.count(delimiter) != width for line in lines if line.strip()):
        return
    words = tuple(word.lower() for word in header_words)
    named = [any(w in cell.lower() for w in words) for cell in head.split(delimiter)]
    offset = 0
    for row, line in enumerate(lines):
        position = offset
        for column, cell in enumerate(line.split(delimiter)):
            stripped = cell.strip()
            if stripped:
                start = position + cell.index(stripped)
                yield start, start + len(stripped), row > 0 and named[column]
            position += len(cell) + 1
        offset += len(line) + 1


def recase(text: str, tokens: Iterable[Token], wanted: Callable[[Token], bool]) -> str:
    """``text`` with each ALL CAPS token that ``wanted`` accepts in title case, when that keeps
    its length (so every offset into the copy is an offset into ``text``)."""
    pieces: list[str] = []
    position = 0
    for token in tokens:
        if len(token.text) < 2 or not token.is_upper or not wanted(token):
            continue
        titled = token.text[0] + token.text[1:].lower()
        if len(titled) != len(token.text):
            continue
        pieces.append(text[position : token.start])
        pieces.append(titled)
        position = token.end
    if not pieces:
        return text
    pieces.append(text[position:])
    return "".join(pieces)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Overlapping or touching intervals joined, sorted."""
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]
