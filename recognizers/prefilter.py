"""A keyword prefilter for pattern recognizers whose patterns have no cheap gate.

The detector skips strings by their digits and required characters (:class:`recognizers.engine.
Needs`), which says little about patterns led by words: an address needs a street-type word, a
date of birth a birth cue, a profile URL a known host. A :class:`Prefiltered` recognizer's
:meth:`~Prefiltered.prefilter` tells whether a string holds such a necessary keyword; its
patterns then run only over the strings that do, so a batch without addresses costs one cheap
test per string instead of every address pattern.

The cheap test is :func:`literal_trie`: many literal words as one regex whose alternatives
share their prefixes, so ``re`` tries a few branches per position instead of every word. A
recognizer whose prefilter is one pattern declares it as :attr:`Prefiltered.KEYWORDS`. A
pattern that opens with a group of alternatives ``re`` cannot skip ahead by itself is best led
by a lookahead for the characters a match starts with (:func:`recognizers.syntax.hinted`: four
times faster on the Russian street types); on a pattern that opens with a character class or
a literal the lookahead only slows ``re`` down.

A prefilter must be a necessary condition of every finding (a string it rejects would give
none anyway): ``tests/recognizers/test_prefilter.py`` checks that the findings with and without
it are the same on the page corpus, the generated corpus and the decoys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from recognizers.base import ValidatedPatternRecognizer
from recognizers.syntax import holds_non_ascii, parse


def literal_trie(words: Iterable[str]) -> str:
    """A regex matching any of ``words`` (literal text), alternatives grouped by their
    common prefixes: ``Street|Strasse|Suite`` becomes ``S(?:t(?:reet|rasse)|uite)``."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in set(words):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        optional = "" in node
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if optional:
            return "(?:" + body + ")?"
        return body

    return emit(trie)


class Prefiltered(ValidatedPatternRecognizer):
    """A pattern recognizer that runs only over strings its :meth:`prefilter` admits."""

    #: The prefilter as one pattern, when it is one: a string may hold a finding only when this
    #: matches in it (in it lower-cased, with :attr:`KEYWORDS_LOWER`).
    KEYWORDS: ClassVar[str | None] = None
    KEYWORDS_LOWER: ClassVar[bool] = False
    _keywords: ClassVar[re.Pattern[str] | None] = None
    #: What every match of :attr:`KEYWORDS` takes, read off its syntax tree: at least so many
    #: characters, and a character outside ASCII (a Russian street type). A string without
    #: them is refused without a search; most strings of a batch are short keys and values.
    _min_length: ClassVar[int] = 0
    _non_ascii: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = "KEYWORDS" in cls.__dict__ or "KEYWORDS_LOWER" in cls.__dict__
        if own and cls.KEYWORDS is not None:
            cls._keywords = re.compile(cls.KEYWORDS)
            tree = parse(cls.KEYWORDS)
            # Lower-casing may change a string's length (İ): then only the tree's letters
            # count, not its width.
            if tree is not None:
                cls._min_length = 0 if cls.KEYWORDS_LOWER else int(tree.getwidth()[0])
                cls._non_ascii = not tree.state.flags & re.IGNORECASE and holds_non_ascii(
                    list(tree.data)
                )

    def prefilter(self, text: str) -> bool:
        """Whether ``text`` may hold a finding (a necessary condition)."""
        if self._keywords is None:
            raise NotImplementedError
        return self._keywords.search(text.lower() if self.KEYWORDS_LOWER else text) is not None

    def admitted(self, texts: Sequence[str]) -> list[int]:
        """The indices of the ``texts`` that :meth:`prefilter` admits, in order. (One search
        per string: over the strings joined, ``re`` would scan every ASCII string at the width
        of the batch's widest character, which costs more than the calls saved.)"""
        keywords = self._keywords
        if keywords is None:
            admit = self.prefilter
            return [index for index, text in enumerate(texts) if admit(text)]
        least, non_ascii = self._min_length, self._non_ascii
        if least or non_ascii:
            chosen = [
                index
                for index, text in enumerate(texts)
                if len(text) >= least and not (non_ascii and text.isascii())
            ]
            if len(chosen) < len(texts):
                picked = [texts[index] for index in chosen]
                return [chosen[index] for index in self._searched(picked)]
        return self._searched(texts)

    def _searched(self, texts: Sequence[str]) -> list[int]:
        """The indices of the ``texts`` in which :attr:`KEYWORDS` is found."""
        assert self._keywords is not None
        search = self._keywords.search
        if self.KEYWORDS_LOWER:
            return [index for index, text in enumerate(texts) if search(text.lower())]
        return [index for index, text in enumerate(texts) if search(text)]

    def find_indexed(self, texts: Sequence[str]) -> dict[int, list[tuple[int, int, float]]]:
        chosen = self.admitted(texts)
        if not chosen:
            return {}
        if len(chosen) == len(texts):
            return super().find_indexed(texts)
        found = super().find_indexed([texts[index] for index in chosen])
        return {chosen[index]: spans for index, spans in found.items()}

    def find_unfiltered(self, texts: Sequence[str]) -> dict[int, list[tuple[int, int, float]]]:
        """:meth:`find_indexed` without the prefilter (for tests)."""
        return super().find_indexed(texts)
