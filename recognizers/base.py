"""The base class of every pattern-based recognizer in this project.

Presidio's :class:`~presidio_analyzer.PatternRecognizer` gives each match to
``validate_result(matched_text)`` without the text around it, and skips a pattern that times out
as if it had found nothing (fail open). Ours differ in two ways:

- :meth:`ValidatedPatternRecognizer.score_match` sees the whole text and the match span, so a
  recognizer can weigh context words ("ИНН", "паспорт", "tel.") against a checksum;
- a regex timeout raises :class:`DetectionIncomplete` so the caller can quarantine the record
  instead of publishing a partially analysed one (fail closed).

A subclass declares, at class level, ``ENTITY`` (the entity type it reports), ``PATTERNS``
(name, regex, base score), optionally ``CONTEXT`` (lower-case word stems; a stem matches every
inflected form that starts with it) and overrides :meth:`score_match`.

Regexes must be linear-time: bounded repetition, digit lookarounds instead of ``\\b`` (Cyrillic
letters are word characters, so ``\\b`` fails in ``ИНН7707083893``), ASCII digits ``[0-9]``
instead of ``\\d`` (which also matches Arabic-Indic and other digits).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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

#: Upper bound, in seconds, for one regex scan over one string. Patterns are linear-time, so a
#: timeout means something is badly wrong; the scan is then reported incomplete, never partial.
REGEX_TIMEOUT_SECONDS = 5.0

_WORD = regex.compile(r"[^\W\d_]+")
_CURRENCY = frozenset("$€₽£¥")


class DetectionIncomplete(RuntimeError):
    """A recognizer could not finish analysing a string; the result must not be trusted."""


def has_context(
    text: str,
    start: int,
    end: int,
    stems: Sequence[str],
    *,
    before: int = 48,
    after: int = 24,
) -> bool:
    """Tell whether a word starting with one of ``stems`` stands near ``text[start:end]``.

    Looks ``before`` characters to the left and ``after`` to the right, case-insensitively.
    Stems are matched as word prefixes so that ``паспорт`` covers ``паспорта``, ``паспортом``.
    """
    if not stems:
        return False
    window = text[max(0, start - before) : start] + " " + text[end : end + after]
    for word in _WORD.findall(window.lower()):
        for stem in stems:
            if word.startswith(stem):
                return True
    return False


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
            (name, regex.compile(rx, self.FLAGS), score) for name, rx, score in self.PATTERNS
        )

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        """Return the score of the match ``text[start:end]``, or ``None`` to drop it.

        The default keeps the pattern's base score; subclasses validate checksums, formats and
        context here.
        """
        return base_score

    def subtype(self, text: str, start: int, end: int) -> str | None:
        """The kind of the match, one of :attr:`SUBTYPES`, or ``None`` when there are none."""
        return None

    def context_near(self, text: str, start: int, end: int) -> bool:
        """Whether one of this recognizer's context stems stands near the match."""
        return has_context(text, start, end, self.CONTEXT)

    def candidates(self, text: str) -> Iterator[tuple[int, int, float]]:
        """Every non-empty pattern match as ``(start, end, base score)``, before scoring.

        Raises :class:`DetectionIncomplete` when a pattern times out.
        """
        for name, compiled, base in self._compiled:
            try:
                # Matched in full first, so the timeout bounds the regex alone, not the scoring.
                spans = [m.span() for m in compiled.finditer(text, timeout=REGEX_TIMEOUT_SECONDS)]
            except TimeoutError as exc:
                raise DetectionIncomplete(
                    f"{type(self).__name__}: pattern {name!r} timed out"
                ) from exc
            for start, end in spans:
                if start != end:
                    yield start, end, base

    def find(self, text: str) -> list[tuple[int, int, float]]:
        """Every accepted match as ``(start, end, score)``, duplicates removed.

        Raises :class:`DetectionIncomplete` when a pattern times out.
        """
        found: dict[tuple[int, int], float] = {}
        for start, end, base in self.candidates(text):
            score = self.score_match(text, start, end, base)
            if score is None or score <= 0.0:
                continue
            key = (start, end)
            if score > found.get(key, 0.0):
                found[key] = score
        return [(s, e, sc) for (s, e), sc in sorted(found.items())]

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
