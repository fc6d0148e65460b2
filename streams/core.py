"""The pure redaction core: raw messages in, one outcome per message out. No Kafka here.

Every message gets exactly one :class:`Outcome`:

- ``clean``: the record with each finding rewritten by the policy, plus a ``redaction`` block;
- ``quarantine``: the record must not be published (the policy says so, personal data sits in
  the record id or in a key of ``data``, or detection failed);
- ``dead_letter``: the message is not a valid record.

Detection runs once per batch over every string of every record. If it raises, each record is
analysed alone so one bad record cannot hold back the rest; a record whose own analysis fails is
quarantined with reason ``detection_error`` (fail closed). Outputs are deterministic: the same
message always yields the same bytes.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import orjson

from recognizers.engine import Detector, Finding, resolve_overlaps
from streams.actions import Edit, apply_edits
from streams.errors import InvalidRecord
from streams.policy import Action, Policy
from streams.record import (
    Limits,
    Record,
    Segment,
    Slot,
    collect_slots,
    parse_record,
    render_path,
    substitute,
)

log = logging.getLogger("piiredact.core")

PIPELINE_VERSION = "0.1.0"


class Verdict(StrEnum):
    """Where a message goes."""

    CLEAN = "clean"
    QUARANTINE = "quarantine"
    DEAD_LETTER = "dead_letter"


class Reason(StrEnum):
    """Why a record was quarantined (dead-letter reasons come from :class:`InvalidRecord`)."""

    POLICY = "policy_quarantine"
    PII_IN_ID = "pii_in_id"
    PII_IN_KEY = "pii_in_key"
    DETECTION_ERROR = "detection_error"
    DETECTION_TIMEOUT = "detection_timeout"


@dataclass(frozen=True, slots=True)
class FindingReport:
    """One finding as reported: where, what, how sure, and what was done. Never the value."""

    path: str
    start: int
    end: int
    entity_type: str
    score: float
    action: str
    subtype: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The finding as JSON; ``subtype`` only where the entity has kinds (``RU_INN``)."""
        out: dict[str, Any] = {
            "path": self.path,
            "start": self.start,
            "end": self.end,
            "entity_type": self.entity_type,
            "score": self.score,
            "action": self.action,
        }
        if self.subtype is not None:
            out["subtype"] = self.subtype
        return out


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result for one message."""

    verdict: Verdict
    record_id: str | None = None
    value: bytes | None = None
    reason: str | None = None
    detail: str | None = None
    findings: tuple[FindingReport, ...] = field(default=())
    policy_version: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Findings per entity type."""
        return dict(Counter(f.entity_type for f in self.findings))


def dead_letter(error: InvalidRecord) -> Outcome:
    return Outcome(Verdict.DEAD_LETTER, reason=error.reason, detail=error.detail)


def quarantine(
    record_id: str, reason: Reason, detail: str, findings: Sequence[FindingReport] = ()
) -> Outcome:
    return Outcome(
        Verdict.QUARANTINE,
        record_id=record_id,
        reason=reason.value,
        detail=detail,
        findings=tuple(
            FindingReport(
                f.path, f.start, f.end, f.entity_type, f.score, Action.QUARANTINE.value, f.subtype
            )
            for f in findings
        ),
    )


@dataclass(frozen=True, slots=True)
class _Parsed:
    record: Record
    slots: list[Slot]


def decide(
    record: Record,
    slots: Sequence[Slot],
    id_findings: Sequence[Finding],
    slot_findings: Sequence[Sequence[Finding]],
    policy: Policy,
) -> Outcome:
    """Apply ``policy`` to the findings of one record. Pure: no detection, no I/O."""
    kept_id = [
        f
        for f in id_findings
        if f.score >= policy.min_score
        and policy.action_for(f.entity_type, f.subtype) is not Action.KEEP
    ]
    if kept_id:
        types = ", ".join(sorted({f.entity_type for f in kept_id}))
        return quarantine(record.id, Reason.PII_IN_ID, f"record id holds {types}")

    hidden_keys: set[str] = set()
    merged_per_slot: list[list[tuple[Finding, Action]]] = []
    quarantine_types: set[str] = set()
    key_types: set[str] = set()
    for slot, findings in zip(slots, slot_findings, strict=True):
        accepted = [f for f in findings if f.score >= policy.min_score]
        merged = [
            (f, policy.action_for(f.entity_type, f.subtype)) for f in resolve_overlaps(accepted)
        ]
        merged_per_slot.append(merged)
        for finding, action in merged:
            pii_in_key = slot.kind == "key" and action is not Action.KEEP
            if pii_in_key:
                # Hidden in every reported path, whichever way the record goes.
                hidden_keys.add(slot.text)
            if action is Action.QUARANTINE:
                quarantine_types.add(finding.entity_type)
            elif pii_in_key:
                key_types.add(finding.entity_type)

    frozen_hidden = frozenset(hidden_keys)
    reports = [
        FindingReport(
            render_path(slot.segments, frozen_hidden),
            f.start,
            f.end,
            f.entity_type,
            round(f.score, 4),
            action.value,
            f.subtype,
        )
        for slot, merged in zip(slots, merged_per_slot, strict=True)
        for f, action in merged
    ]
    if quarantine_types:
        types = ", ".join(sorted(quarantine_types))
        return quarantine(record.id, Reason.POLICY, f"policy quarantines {types}", reports)
    if key_types:
        types = ", ".join(sorted(key_types))
        return quarantine(record.id, Reason.PII_IN_KEY, f"a key under data holds {types}", reports)

    rewritten: dict[tuple[Segment, ...], Any] = {}
    for slot, merged in zip(slots, merged_per_slot, strict=True):
        edits = [Edit(f.start, f.end, f.entity_type, a) for f, a in merged if a is not Action.KEEP]
        if not edits or slot.kind == "key":
            continue
        rewritten[slot.segments] = apply_edits(slot.text, edits, policy)

    out: dict[str, Any] = {"id": record.id, "source": rewritten.get(("source",), record.source)}
    if record.scraped_at is not None:
        out["scraped_at"] = record.scraped_at
    if record.lang is not None:
        out["lang"] = record.lang
    if record.subject_ref is not None:
        out["subject_ref"] = rewritten.get(("subject_ref",), record.subject_ref)
    data_edits = {k: v for k, v in rewritten.items() if k[0] == "data"}
    out["data"] = substitute(record.data, data_edits) if data_edits else record.data
    counts = Counter(r.entity_type for r in reports)
    out["redaction"] = {
        "pipeline_version": PIPELINE_VERSION,
        "policy_version": policy.version,
        "findings": [r.as_dict() for r in reports],
        "counts": dict(sorted(counts.items())),
    }
    return Outcome(
        Verdict.CLEAN,
        record_id=record.id,
        value=_dumps(out),
        findings=tuple(reports),
        policy_version=policy.version,
    )


def _dumps(out: dict[str, Any]) -> bytes:
    """``out`` as JSON. orjson cannot write integers wider than 64 bits; the standard library
    writes them exactly (see :func:`streams.record.parse_record`, which reads them exactly)."""
    try:
        return orjson.dumps(out)
    except orjson.JSONEncodeError:
        text = json.dumps(out, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8")


class Redactor:
    """Turns batches of raw messages into outcomes with one detector and one policy."""

    def __init__(self, detector: Detector, policy: Policy, limits: Limits = Limits()) -> None:  # noqa: B008
        self.detector = detector
        self.policy = policy
        self.limits = limits

    def parse(self, raw: bytes) -> _Parsed | Outcome:
        """The parsed record with its slots, or a dead-letter outcome."""
        try:
            record = parse_record(raw, self.limits)
            return _Parsed(record, collect_slots(record, self.limits))
        except InvalidRecord as error:
            return dead_letter(error)

    def redact_batch(self, raws: Sequence[bytes]) -> list[Outcome]:
        """One outcome per message, in order. Never raises for a detection failure."""
        parsed = [self.parse(raw) for raw in raws]
        valid = [p for p in parsed if isinstance(p, _Parsed)]
        results: dict[int, Outcome] = {}
        try:
            decided = self._detect_and_decide(valid)
            for p, outcome in zip(valid, decided, strict=True):
                results[id(p)] = outcome
        except Exception as exc:
            log.warning(
                "detection failed for a batch of %d records (%s); retrying one by one",
                len(valid),
                type(exc).__name__,
            )
            for p in valid:
                try:
                    results[id(p)] = self._detect_and_decide([p])[0]
                except Exception as one_exc:
                    log.warning(
                        "detection failed for record %s (%s); quarantined",
                        p.record.id,
                        type(one_exc).__name__,
                    )
                    results[id(p)] = quarantine(
                        p.record.id,
                        Reason.DETECTION_ERROR,
                        f"detector raised {type(one_exc).__name__}",
                    )
        return [results[id(p)] if isinstance(p, _Parsed) else p for p in parsed]

    def unanalysed(self, raws: Sequence[bytes], reason: Reason, detail: str) -> list[Outcome]:
        """Outcomes for messages whose detection did not finish: valid records are quarantined
        with ``reason``, invalid ones dead-lettered as usual."""
        outcomes: list[Outcome] = []
        for raw in raws:
            p = self.parse(raw)
            outcomes.append(
                p if isinstance(p, Outcome) else quarantine(p.record.id, reason, detail)
            )
        return outcomes

    def _detect_and_decide(self, batch: Sequence[_Parsed]) -> list[Outcome]:
        texts: list[str] = []
        for p in batch:
            texts.append(p.record.id)
            texts.extend(slot.text for slot in p.slots)
        findings = self.detector.analyze(texts) if texts else []
        outcomes: list[Outcome] = []
        cursor = 0
        for p in batch:
            id_findings = findings[cursor]
            slot_findings = findings[cursor + 1 : cursor + 1 + len(p.slots)]
            cursor += 1 + len(p.slots)
            outcomes.append(decide(p.record, p.slots, id_findings, slot_findings, self.policy))
        return outcomes
