"""The base class of every pattern-based recognizer in this project.

Presidio's :class:`~presidio_analyzer.PatternRecognizer` gives each match to
``validate_result(matched_text)`` without the text around it, and skips a pattern that times out
as if it had found nothing (fail open). Ours differ in two ways:

- :meth:`ValidatedPatternRecognizer.score_match` sees the whole text and the match span, so a
  recognizer can weigh context words ("ИНН", "паспорт", "tel.") against a checksum;
- a pattern that gives up raises :class:`DetectionIncomplete` so the caller can quarantine the
  record instead of publishing a partially analysed one (fail closed).

Patterns run on the standard library's ``re``, rewritten to open with the class of the
characters a match starts with (:func:`recognizers.leading.class_led`: ``re`` then skips to them
in C), or else led by a lookahead hint for them (:func:`recognizers.syntax.hinted`): on these
patterns that is two to four times faster than ``regex``. ``re`` cannot be interrupted, so
such a pass is bounded by the patterns being linear-time (below; ``benchmarks/hostile.py``
measures the worst case) and, in the pipeline, by the detection process's batch timeout, which
kills the process and quarantines the batch. A
recognizer whose patterns may backtrack sets ``TIMEBOXED``: they then run on ``regex`` with
:data:`REGEX_TIMEOUT_SECONDS` per pass, and a timeout raises :class:`DetectionIncomplete`; so
does a pattern only ``regex`` understands.

A subclass declares, at class level, ``ENTITY`` (the entity type it reports), ``PATTERNS``
(name, regex, base score), optionally ``CONTEXT`` (lower-case word stems; a stem matches every
inflected form that starts with it) and overrides :meth:`score_match`.

Regexes must be linear-time: bounded repetition, digit lookarounds instead of ``\\b`` (Cyrillic
letters are word characters, so ``\\b`` fails in ``ИНН7707083893``), ASCII digits ``[0-9]``
instead of ``\\d`` (which also matches Arabic-Indic and other digits).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate
from operator import add
from typing import ClassVar

import regex
from presidio_analyzer import (
    AnalysisExplanation,
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerResult,
)
from presidio_analyzer.nlp_engine import NlpArtifacts

from recognizers.context import (
    DECOYS,
    WORD,
    Vocabulary,
    context_decides,
    decoy_decides,
    distance,
)
from recognizers.leading import class_led
from recognizers.syntax import RE_FLAGS, hinted, parse

__all__ = [
    "SEPARATOR",
    "WORD",
    "DetectionIncomplete",
    "Stems",
    "ValidatedPatternRecognizer",
    "currency_adjacent",
]

#: Upper bound, in seconds, for one pass of a pattern run on ``regex`` (over one string, or over
#: strings joined up to :data:`JOINED_PASS_CHARS`); the scan is then reported incomplete, never
#: partial.
REGEX_TIMEOUT_SECONDS = 5.0


#: The most characters one joined pass covers (a longer string is scanned alone), so that a
#: string's pass is never much longer than the string: at the slowest recognizer's worst case on
#: hostile text (about 0.004 s per KB, ``benchmarks/hostile.py``) a fraction of a second, well
#: inside :data:`REGEX_TIMEOUT_SECONDS` for a timeboxed recognizer; a batch of ordinary records
#: is one pass.
JOINED_PASS_CHARS = 64_000

#: Joins the strings of a batch so that each pattern runs once over all of them
#: (:meth:`ValidatedPatternRecognizer.scan`). No pattern here matches it, and to every pattern's
#: lookarounds it is like the edge of a string (neither a digit, a letter nor punctuation);
#: ``tests/recognizers/test_base.py`` checks both on every recognizer of the registry.
SEPARATOR = "\x00"
_CURRENCY = frozenset("$€₽£¥")


class DetectionIncomplete(RuntimeError):
    """A recognizer could not finish analysing a string; the result must not be trusted."""


class Stems:
    """Context words as lower-case word stems: a stem matches every word that starts with it,
    so ``паспорт`` covers ``паспорта``, ``паспортом``. A :class:`~recognizers.context.Vocabulary`
    of stems alone, kept for the recognizers that need no whole words."""

    __slots__ = ("stems", "vocabulary")

    def __init__(self, stems: Iterable[str]) -> None:
        self.stems = tuple(stems)
        self.vocabulary = Vocabulary(stems=self.stems)

    def near(self, text: str, start: int, end: int, *, before: int = 48, after: int = 24) -> bool:
        """Whether a word starting with one of the stems stands in the ``before`` characters
        left of ``text[start:end]`` or the ``after`` characters right of it, case-insensitively.
        A word cut by the window's edge counts from the edge."""
        found = distance(text, start, end, self.vocabulary, before=before, after=after)
        return found is not None


def currency_adjacent(text: str, start: int, end: int) -> bool:
    """Whether a currency sign stands right before or after ``text[start:end]`` (one space
    allowed): ``$1299``, ``12 500 ₽``."""
    before = text[max(0, start - 2) : start].strip()
    after = text[end : end + 2].strip()
    return bool(before and before[-1] in _CURRENCY) or bool(after and after[0] in _CURRENCY)


class ValidatedPatternRecognizer(PatternRecognizer):
    """A pattern recognizer that scores each match with its context and fails closed."""

    ENTITY: ClassVar[str]
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]]
    CONTEXT: ClassVar[tuple[str, ...]] = ()
    #: Kinds this recognizer tells apart within its entity (e.g. an organisation's or a
    #: person's ИНН); a policy may give each its own action as ``ENTITY/kind``.
    SUBTYPES: ClassVar[tuple[str, ...]] = ()
    #: No finding of this recognizer holds fewer ASCII digits. The detector skips strings with
    #: fewer; a recognizer whose own ``find`` or ``candidates`` hides its patterns from the
    #: detector's analysis declares it here (``tests/benchmarks/test_engine.py`` checks it).
    MIN_DIGITS: ClassVar[int] = 0
    #: Whether each pattern's matches may overlap (``regex``'s ``overlapped``): every start
    #: position is tried, not only the end of the previous match.
    OVERLAPPED: ClassVar[bool] = False
    #: Run the patterns on ``regex`` with a timeout per pass instead of on ``re``: for patterns
    #: that may backtrack (see the module's docstring).
    TIMEBOXED: ClassVar[bool] = False
    LANGUAGE: ClassVar[str] = "xx"
    FLAGS: ClassVar[int] = regex.DOTALL | regex.MULTILINE

    def __init__(self) -> None:
        super().__init__(
            supported_entity=self.ENTITY,
            patterns=[Pattern(name, rx, score) for name, rx, score in self.PATTERNS],
            context=list(self.CONTEXT),
            supported_language=self.LANGUAGE,
            name=type(self).__name__,
            global_regex_flags=self.FLAGS,
        )
        self._compiled = tuple(
            (name, self._compile(rx), score) for name, rx, score in self.PATTERNS
        )
        self._context_vocabulary = self.context_vocabulary()

    def _compile(self, pattern: str) -> re.Pattern[str] | regex.Pattern[str]:
        """``pattern`` compiled for :meth:`scan`: on ``re``, led by its first character class
        (:func:`recognizers.leading.class_led`) or else by its hint, or on ``regex`` when this
        recognizer is :attr:`TIMEBOXED` or ``re`` would read the pattern otherwise."""
        if self.TIMEBOXED or parse(pattern, self.FLAGS) is None:
            return regex.compile(pattern, self.FLAGS)
        flags = self.FLAGS & RE_FLAGS
        led = class_led(pattern, flags)
        return re.compile(hinted(pattern, flags) if led is None else led, flags)

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        """Return the score of the match ``text[start:end]``, or ``None`` to drop it.

        The default keeps the pattern's base score; subclasses validate checksums, formats and
        context here.
        """
        return base_score

    def subtype(self, text: str, start: int, end: int) -> str | None:
        """The kind of the match, one of :attr:`SUBTYPES`, or ``None`` when there are none."""
        return None

    def context_vocabulary(self) -> Vocabulary:
        """This recognizer's own context words: the stems of :attr:`CONTEXT`."""
        return Vocabulary(stems=self.CONTEXT)

    def context_vocabularies(self) -> tuple[Vocabulary, ...]:
        """Every vocabulary this recognizer weighs, its own and the decoys: a string's context
        (its JSON key) matters to it only when it holds one of their words."""
        return (self._context_vocabulary, DECOYS)

    def context_near(self, text: str, start: int, end: int) -> bool:
        """Whether one of this recognizer's context words stands near the match and no decoy
        word (:data:`recognizers.context.DECOYS`) stands nearer."""
        return context_decides(text, start, end, self._context_vocabulary, against=DECOYS)

    def decoy_near(
        self, text: str, start: int, end: int, *, before: int = 24, after: int = 12
    ) -> bool:
        """Whether a decoy word (``SKU``, ``Reference``, ``build``, ``раздел``, ...) stands near
        the match and none of this recognizer's context words stands as near."""
        return decoy_decides(text, start, end, self._context_vocabulary, before=before, after=after)

    def scan(self, texts: Sequence[str]) -> dict[int, list[tuple[int, int, float]]]:
        """Every non-empty pattern match in ``texts`` as ``(start, end, base score)``, by the
        index of its string (strings without one are left out), pattern by pattern, in the
        order the regex finds them.

        All of ``texts`` are joined with :data:`SEPARATOR` and each pattern runs once over the
        whole: one regex call per pattern and batch instead of one per string, which is most of
        a regex's cost on short strings. The result is what scanning each string alone gives:
        a match is taken back into its string's coordinates, and a match that reaches a
        separator sends every string it covers part of to a pass of its own.

        A pass covers at most :data:`JOINED_PASS_CHARS` characters (or one longer string
        alone), so the regex timeout a string is judged by is never used up by its neighbours.
        Raises :class:`DetectionIncomplete` when a pattern times out.
        """
        if sum(map(len, texts)) + len(texts) - len(SEPARATOR) <= JOINED_PASS_CHARS:
            return self._scan_group(texts)  # the common case: the whole batch in one pass
        out: dict[int, list[tuple[int, int, float]]] = {}
        group: list[str] = []
        first = size = 0
        for index, text in enumerate(texts):
            if group and size + len(text) > JOINED_PASS_CHARS:
                out.update(self._scan_group(group, first))
                group, first, size = [], index, 0
            group.append(text)
            size += len(text) + len(SEPARATOR)
        if group:
            out.update(self._scan_group(group, first))
        return out

    def _scan_group(
        self, texts: Sequence[str], first: int = 0
    ) -> dict[int, list[tuple[int, int, float]]]:
        """:meth:`scan` of ``texts`` in one pass, indices counted from ``first``."""
        lengths = [len(text) for text in texts]
        step = len(SEPARATOR)
        offsets = list(accumulate([length + step for length in lengths[:-1]], initial=0))
        ends = list(map(add, offsets, lengths))
        out, redo = self._scan_joined(SEPARATOR.join(texts), offsets, ends)
        for index in redo:  # one string alone has no separator to reach
            alone = self._scan_group([texts[index]]).get(0)
            if alone:
                out[index] = alone
            else:
                out.pop(index, None)
        if first:
            return {first + index: matches for index, matches in out.items()}
        return out

    def _scan_joined(
        self, joined: str, offsets: Sequence[int], ends: Sequence[int]
    ) -> tuple[dict[int, list[tuple[int, int, float]]], set[int]]:
        """Matches in ``joined``, split into the strings at ``offsets`` (each ending before
        ``ends``), and the strings to scan alone because a match crossed out of them."""
        out: dict[int, list[tuple[int, int, float]]] = {}
        redo: set[int] = set()
        for name, compiled, base in self._compiled:
            for start, end in self._spans(name, compiled, joined):
                if start == end:
                    continue
                index = bisect_right(offsets, start) - 1
                if end > ends[index]:  # reaches the separator: not what the string alone gives
                    # Every string it covers part of is scanned again alone; the scan resumes
                    # after the match, so the next string is found as if alone.
                    redo.update(range(index, bisect_right(offsets, end - 1)))
                    continue
                first = offsets[index]
                match = (start - first, end - first, base)
                matches = out.get(index)
                if matches is None:
                    out[index] = [match]
                else:
                    matches.append(match)
        return out, redo

    def _spans(
        self, name: str, compiled: re.Pattern[str] | regex.Pattern[str], text: str
    ) -> list[tuple[int, int]]:
        """Every match of one pattern in ``text``, matched in full before any is scored (so a
        timeout bounds the regex alone, not the scoring)."""
        if isinstance(compiled, re.Pattern):
            if not self.OVERLAPPED:
                return [m.span() for m in compiled.finditer(text)]
            spans = []
            match = compiled.search(text)
            while match is not None:  # every start position, as ``regex``'s ``overlapped``
                spans.append(match.span())
                match = compiled.search(text, match.start() + 1)
            return spans
        try:
            return [
                m.span()
                for m in compiled.finditer(
                    text, overlapped=self.OVERLAPPED, timeout=REGEX_TIMEOUT_SECONDS
                )
            ]
        except TimeoutError as exc:
            raise DetectionIncomplete(f"{type(self).__name__}: pattern {name!r} timed out") from exc

    def expand(
        self, text: str, matches: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        """The candidates to score from the pattern matches in ``text``; the matches
        themselves unless a recognizer also tries parts of them."""
        return matches

    def judge(
        self, text: str, candidates: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        """Every accepted candidate in ``text`` as ``(start, end, score)``, sorted, duplicates
        removed (the highest score of a span wins)."""
        found: dict[tuple[int, int], float] = {}
        for start, end, base in candidates:
            score = self.score_match(text, start, end, base)
            if score is None or score <= 0.0:
                continue
            key = (start, end)
            if score > found.get(key, 0.0):
                found[key] = score
        return [(s, e, sc) for (s, e), sc in sorted(found.items())]

    def find_indexed(self, texts: Sequence[str]) -> dict[int, list[tuple[int, int, float]]]:
        """:meth:`find` for each of ``texts`` that has a finding, by its index, with one regex
        pass per pattern for all.

        Raises :class:`DetectionIncomplete` when a pattern times out.
        """
        found: dict[int, list[tuple[int, int, float]]] = {}
        for index, matches in self.scan(texts).items():
            text = texts[index]
            accepted = self.judge(text, self.expand(text, matches))
            if accepted:
                found[index] = accepted
        return found

    def find(self, text: str) -> list[tuple[int, int, float]]:
        """Every accepted match in ``text`` as ``(start, end, score)``, duplicates removed.

        Raises :class:`DetectionIncomplete` when a pattern times out.
        """
        return self.find_indexed([text]).get(0, [])

    def analyze(
        self,
        text: str,
        entities: list[str] | None = None,
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """Presidio's entry point, so these recognizers also work inside ``AnalyzerEngine``."""
        if entities and self.ENTITY not in entities:
            return []
        return [
            RecognizerResult(
                entity_type=self.ENTITY,
                start=start,
                end=end,
                score=score,
                analysis_explanation=AnalysisExplanation(
                    recognizer=type(self).__name__, original_score=score
                ),
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: type(self).__name__,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                },
            )
            for start, end, score in self.find(text)
        ]

    @staticmethod
    def certain() -> float:
        """The score of a match whose checksum or structure proves it."""
        return float(EntityRecognizer.MAX_SCORE)
