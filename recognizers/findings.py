"""What a recognizer reports: :class:`Finding`, and how overlapping findings merge.

Plain data, no Presidio: the pure redaction core (:mod:`streams.core`) imports this module and
nothing else of :mod:`recognizers` but :mod:`recognizers.entities`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


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
    #: whether a context word of this type stands near (``паспорт`` before a passport): set for
    #: findings that overlap one of another type, so that :func:`resolve_overlaps` can weigh it
    context: bool = False


def resolve_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """Merge overlapping findings into one finding over their union.

    The merged finding takes the entity type of its strongest member (one with its own type's
    context word near first, then the highest score, then the longest span, then the type
    name), so ``паспорт 8068756734`` is a passport even where the number could be a phone, and
    redacting the result leaves no fragment of any member behind.
    """
    ordered = sorted(findings, key=lambda f: (f.start, -f.end))
    merged: list[Finding] = []
    group: list[Finding] = []
    group_end = -1

    def flush() -> None:
        if not group:
            return
        best = max(group, key=lambda f: (f.context, f.score, f.end - f.start, f.entity_type))
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
