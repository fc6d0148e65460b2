"""A keyword prefilter for pattern recognizers whose patterns have no cheap gate.

The detector skips strings by their digits and required characters (:class:`recognizers.engine.
Needs`), which says little about patterns led by words: an address needs a street-type word, a
date of birth a birth cue, a profile URL a known host. A :class:`Prefiltered` recognizer's
:meth:`~Prefiltered.prefilter` tells whether a string holds such a necessary keyword; its
patterns then run only over the strings that do, so a batch without addresses costs one cheap
test per string instead of every address pattern.

The cheap test is :func:`literal_trie`: many literal words as one regex whose alternatives
share their prefixes, so ``re`` tries a few branches per position instead of every word
(:class:`Substrings` runs one over the lower-cased string).

A prefilter must be a necessary condition of every finding (a string it rejects would give
none anyway): ``tests/recognizers/test_prefilter.py`` checks that the findings with and without
it are the same on the page corpus, the generated corpus and the decoys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from recognizers.base import ValidatedPatternRecognizer


class Substrings:
    """Whether a string, lower-cased, holds one of some substrings (one :func:`literal_trie`
    search)."""

    __slots__ = ("_search", "words")

    def __init__(self, words: Iterable[str]) -> None:
        self.words = tuple(sorted({w.lower() for w in words}))
        self._search = re.compile(literal_trie(self.words)).search

    def __call__(self, text: str) -> bool:
        return self._search(text.lower()) is not None


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

    def prefilter(self, text: str) -> bool:
        """Whether ``text`` may hold a finding (a necessary condition)."""
        raise NotImplementedError

    def find_indexed(self, texts: Sequence[str]) -> dict[int, list[tuple[int, int, float]]]:
        admit = self.prefilter
        chosen = [index for index, text in enumerate(texts) if admit(text)]
        if not chosen:
            return {}
        if len(chosen) == len(texts):
            return super().find_indexed(texts)
        found = super().find_indexed([texts[index] for index in chosen])
        return {chosen[index]: spans for index, spans in found.items()}

    def find_unfiltered(self, texts: Sequence[str]) -> dict[int, list[tuple[int, int, float]]]:
        """:meth:`find_indexed` without the prefilter (for tests)."""
        return super().find_indexed(texts)
