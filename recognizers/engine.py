"""The detector: every recognizer over a batch of strings, findings per string.

Pattern recognizers run over every string. NER recognizers run, batched, only over the strings
their :meth:`~recognizers.ner.NerRecognizer.wants` accepts (a capitalised word in their script),
so a string mixing Latin and Cyrillic goes to both models and a string of digits to neither.
Identical strings in one batch are analysed once.

Errors propagate: a recognizer that raises or gives up
(:class:`~recognizers.base.DetectionIncomplete`) fails the whole call, and the caller must
treat every string of the batch as unanalysed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from recognizers.base import ValidatedPatternRecognizer
from recognizers.ner import NerRecognizer


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected entity: ``text[start:end]`` is of ``entity_type`` with ``score`` in [0, 1]."""

    start: int
    end: int
    entity_type: str
    score: float
    recognizer: str
    #: the kind within the entity type (``organisation`` / ``person`` for ``RU_INN``), if any
    subtype: str | None = None


class Detector:
    """Runs a fixed set of recognizers (see :func:`recognizers.registry.build_detector`)."""

    def __init__(
        self,
        patterns: Sequence[ValidatedPatternRecognizer],
        ner: Sequence[NerRecognizer],
    ) -> None:
        self._patterns = tuple(patterns)
        self._ner = tuple(ner)

    @property
    def entity_types(self) -> frozenset[str]:
        """Every entity type this detector can report."""
        types = {r.ENTITY for r in self._patterns} | {r.ENTITY for r in self._ner}
        return frozenset(types)

    @property
    def recognizer_names(self) -> tuple[str, ...]:
        """The recognizers in the order they run."""
        return tuple(type(r).__name__ for r in (*self._patterns, *self._ner))

    def analyze(self, texts: Sequence[str]) -> list[list[Finding]]:
        """Findings for each of ``texts``, in order, sorted by position; may overlap."""
        unique = list(dict.fromkeys(texts))
        found: dict[str, list[Finding]] = {text: [] for text in unique}
        for recognizer in self._patterns:
            name = type(recognizer).__name__
            entity = recognizer.ENTITY
            for text in unique:
                found[text].extend(
                    Finding(start, end, entity, score, name, recognizer.subtype(text, start, end))
                    for start, end, score in recognizer.find(text)
                )
        for model in self._ner:
            wanted = [text for text in unique if model.wants(text)]
            if not wanted:
                continue
            name = type(model).__name__
            for text, spans in zip(wanted, model.analyze_batch(wanted), strict=True):
                found[text].extend(
                    Finding(start, end, model.ENTITY, score, name) for start, end, score in spans
                )
        for findings in found.values():
            findings.sort(key=lambda f: (f.start, -f.end, f.entity_type))
        return [list(found[text]) for text in texts]


def resolve_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """Merge overlapping findings into one finding over their union.

    The merged finding takes the entity type of its strongest member (highest score, then the
    longest span, then the type name), so redacting the result leaves no fragment of any member
    behind.
    """
    ordered = sorted(findings, key=lambda f: (f.start, -f.end))
    merged: list[Finding] = []
    group: list[Finding] = []
    group_end = -1

    def flush() -> None:
        if not group:
            return
        best = max(group, key=lambda f: (f.score, f.end - f.start, f.entity_type))
        start = min(f.start for f in group)
        merged.append(
            Finding(start, group_end, best.entity_type, best.score, best.recognizer, best.subtype)
        )
        group.clear()

    for finding in ordered:
        if group and finding.start < group_end:
            group.append(finding)
            group_end = max(group_end, finding.end)
            continue
        flush()
        group.append(finding)
        group_end = finding.end
    flush()
    return merged
