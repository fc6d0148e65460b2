"""The pure redaction core: raw messages in, one outcome per message out. No Kafka here.

Every message gets exactly one :class:`Outcome`:

- ``clean``: the record with each finding rewritten by the policy, plus a ``redaction`` block;
- ``quarantine``: the record must not be published (the policy says so, personal data sits in
  the record id or in a key of ``data``, detection failed, or a pseudonym key is missing);
- ``dead_letter``: the message is not a valid record.

Each record's consent (its own ``consent`` field and the registry's entry for its
``subject_ref``) is resolved once per batch at one moment ``now``; the policy turns consent and
entity type into an action per finding and names the rule that fired. Every valid record also
yields an audit entry (policy version, rule per finding, consent snapshot, key ids; never a
value).

Detection runs once per batch over every string of every record. If it raises, each record is
analysed alone so one bad record cannot hold back the rest; a record whose own analysis fails is
quarantined with reason ``detection_error`` (fail closed). Outputs are deterministic: the same
message always yields the same bytes.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import orjson

from recognizers.engine import Detector, Finding, resolve_overlaps
from streams.actions import Edit, apply_edits
from streams.consent import ConsentSnapshot, RegistryEntry
from streams.errors import InvalidRecord, PiiRedactError
from streams.keys import KeyBook
from streams.pickling import by_constructor
from streams.policy import Action, Policy
from streams.pseudonym import Pseudonymiser
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
    KEY_UNAVAILABLE = "key_unavailable"
    OUTPUT_TOO_LARGE = "output_too_large"


#: Quarantine reasons after which the record id must not be shown: it holds personal data, or
#: it was never analysed.
_ID_NOT_SHOWN = frozenset(
    {Reason.PII_IN_ID.value, Reason.DETECTION_ERROR.value, Reason.DETECTION_TIMEOUT.value}
)


@by_constructor
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
    rule: str | None = None

    def as_dict(self, *, with_rule: bool = True) -> dict[str, Any]:
        """The finding as JSON; ``subtype`` only where the entity has kinds (``RU_INN``),
        ``rule`` (the policy rule that chose the action) unless ``with_rule`` is false."""
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
        if with_rule and self.rule is not None:
            out["rule"] = self.rule
        return out


@by_constructor
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
    consent: ConsentSnapshot | None = None
    key_ids: tuple[str, ...] = ()

    @property
    def shown_id(self) -> str | None:
        """The record id where it may be shown (logs, audit): ``None`` when the id holds
        personal data or was never analysed (detection failed or timed out)."""
        if self.reason in _ID_NOT_SHOWN:
            return None
        return self.record_id

    @property
    def counts(self) -> dict[str, int]:
        """Findings per entity type."""
        return dict(Counter(f.entity_type for f in self.findings))


def dead_letter(error: InvalidRecord) -> Outcome:
    return Outcome(Verdict.DEAD_LETTER, reason=error.reason, detail=error.detail)


def quarantine(
    record_id: str,
    reason: Reason,
    detail: str,
    findings: Sequence[FindingReport] = (),
    *,
    policy_version: str | None = None,
    consent: ConsentSnapshot | None = None,
) -> Outcome:
    return Outcome(
        Verdict.QUARANTINE,
        record_id=record_id,
        reason=reason.value,
        detail=detail,
        findings=tuple(
            FindingReport(
                f.path,
                f.start,
                f.end,
                f.entity_type,
                f.score,
                Action.QUARANTINE.value,
                f.subtype,
                f.rule,
            )
            for f in findings
        ),
        policy_version=policy_version,
        consent=consent,
    )


@dataclass(frozen=True, slots=True)
class RecordContext:
    """What the policy needs besides the findings: the consent and the pseudonym key."""

    consent: ConsentSnapshot
    pseudonymiser: Pseudonymiser | None = None


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
    context: RecordContext,
) -> Outcome:
    """Apply ``policy`` to the findings of one record. Pure: no detection, no I/O."""
    consent = context.consent

    def held(reason: Reason, detail: str, reports: Sequence[FindingReport] = ()) -> Outcome:
        return quarantine(
            record.id, reason, detail, reports, policy_version=policy.version, consent=consent
        )

    kept_id = [
        f
        for f in id_findings
        if f.score >= policy.min_score
        and policy.decide(f.entity_type, f.subtype, consent)[0] is not Action.KEEP
    ]
    if kept_id:
        types = ", ".join(sorted({f.entity_type for f in kept_id}))
        return held(Reason.PII_IN_ID, f"record id holds {types}")

    hidden_keys: set[str] = set()
    merged_per_slot: list[list[tuple[Finding, Action, str]]] = []
    quarantine_types: set[str] = set()
    key_types: set[str] = set()
    for slot, findings in zip(slots, slot_findings, strict=True):
        accepted = [f for f in findings if f.score >= policy.min_score]
        merged = [
            (f, *policy.decide(f.entity_type, f.subtype, consent))
            for f in resolve_overlaps(accepted)
        ]
        merged_per_slot.append(merged)
        for finding, action, _rule in merged:
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
            rule,
        )
        for slot, merged in zip(slots, merged_per_slot, strict=True)
        for f, action, rule in merged
    ]
    if quarantine_types:
        types = ", ".join(sorted(quarantine_types))
        return held(Reason.POLICY, f"policy quarantines {types}", reports)
    if key_types:
        types = ", ".join(sorted(key_types))
        return held(Reason.PII_IN_KEY, f"a key under data holds {types}", reports)
    pseudonymised = any(
        a is Action.PSEUDONYMISE for merged in merged_per_slot for _f, a, _r in merged
    )
    if pseudonymised and context.pseudonymiser is None:
        return held(Reason.KEY_UNAVAILABLE, "no pseudonymisation key for this record", reports)

    rewritten: dict[tuple[Segment, ...], Any] = {}
    for slot, merged in zip(slots, merged_per_slot, strict=True):
        edits = [
            Edit(f.start, f.end, f.entity_type, a) for f, a, _r in merged if a is not Action.KEEP
        ]
        if not edits or slot.kind == "key":
            continue
        rewritten[slot.segments] = apply_edits(slot.text, edits, policy, context.pseudonymiser)

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
    key_ids = (
        (context.pseudonymiser.key_id,)
        if pseudonymised and context.pseudonymiser is not None
        else ()
    )
    out["redaction"] = {
        "pipeline_version": PIPELINE_VERSION,
        "policy_version": policy.version,
        "consent": consent.as_dict(),
        "key_ids": list(key_ids),
        "findings": [r.as_dict() for r in reports],
        "counts": dict(sorted(counts.items())),
    }
    return Outcome(
        Verdict.CLEAN,
        record_id=record.id,
        value=_dumps(out),
        findings=tuple(reports),
        policy_version=policy.version,
        consent=consent,
        key_ids=key_ids,
    )


def _dumps(out: dict[str, Any]) -> bytes:
    """``out`` as JSON. orjson cannot write integers wider than 64 bits; the standard library
    writes them exactly (see :func:`streams.record.parse_record`, which reads them exactly)."""
    try:
        return orjson.dumps(out)
    except orjson.JSONEncodeError:
        text = json.dumps(out, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Redactor:
    """Turns batches of raw messages into outcomes with one detector and one policy.

    ``keys`` makes pseudonyms (required when the policy pseudonymises; without it such records
    are quarantined with ``key_unavailable``). ``clock`` gives the moment consent is judged at.
    """

    def __init__(
        self,
        detector: Detector,
        policy: Policy,
        limits: Limits = Limits(),  # noqa: B008
        *,
        keys: KeyBook | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.detector = detector
        self.policy = policy
        self.limits = limits
        self.keys = keys
        self.clock = clock

    def parse(self, raw: bytes) -> _Parsed | Outcome:
        """The parsed record with its slots, or a dead-letter outcome."""
        try:
            record = parse_record(raw, self.limits)
            return _Parsed(record, collect_slots(record, self.limits))
        except InvalidRecord as error:
            return dead_letter(error)

    def consent_of(
        self, record: Record, registry: Mapping[str, RegistryEntry], now: datetime
    ) -> ConsentSnapshot:
        """The consent that applies to ``record`` at ``now``."""
        entry = registry.get(record.subject_ref) if record.subject_ref is not None else None
        return self.policy.consent(record.consent, entry, now)

    def _context(
        self,
        record: Record,
        registry: Mapping[str, RegistryEntry],
        keys: KeyBook | None,
        now: datetime,
    ) -> RecordContext:
        consent = self.consent_of(record, registry, now)
        pseudonymiser: Pseudonymiser | None = None
        if keys is not None and self.policy.may_pseudonymise(consent):
            try:
                pseudonymiser = keys.for_subject(record.subject_ref, now)
            except PiiRedactError as exc:  # a damaged or unreadable key: fail closed
                # Not the record id: it may itself hold personal data (not analysed yet).
                log.warning("a pseudonym key is unusable (%s); record quarantined", exc)
        return RecordContext(consent, pseudonymiser)

    def redact_batch(
        self,
        raws: Sequence[bytes],
        *,
        registry: Mapping[str, RegistryEntry] | None = None,
        keys: KeyBook | None = None,
        now: datetime | None = None,
    ) -> list[Outcome]:
        """One outcome per message, in order. Never raises for a detection failure.

        ``registry`` holds the consent registry's entries by subject, ``keys`` overrides the
        redactor's key book for this batch, ``now`` the moment consent is judged at.
        """
        moment = now if now is not None else self.clock()
        book = keys if keys is not None else self.keys
        entries: Mapping[str, RegistryEntry] = registry if registry is not None else {}
        parsed = [self.parse(raw) for raw in raws]
        valid = [p for p in parsed if isinstance(p, _Parsed)]
        contexts = {id(p): self._context(p.record, entries, book, moment) for p in valid}
        results: dict[int, Outcome] = {}
        try:
            decided = self._detect_and_decide(valid, contexts)
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
                    results[id(p)] = self._detect_and_decide([p], contexts)[0]
                except Exception as one_exc:
                    log.warning(
                        "detection failed for one record (%s); quarantined",
                        type(one_exc).__name__,
                    )
                    results[id(p)] = quarantine(
                        p.record.id,
                        Reason.DETECTION_ERROR,
                        f"detector raised {type(one_exc).__name__}",
                        policy_version=self.policy.version,
                        consent=contexts[id(p)].consent,
                    )
        return [results[id(p)] if isinstance(p, _Parsed) else p for p in parsed]

    def unanalysed(self, raws: Sequence[bytes], reason: Reason, detail: str) -> list[Outcome]:
        """Outcomes for messages whose detection did not finish: valid records are quarantined
        with ``reason``, invalid ones dead-lettered as usual."""
        outcomes: list[Outcome] = []
        for raw in raws:
            p = self.parse(raw)
            outcomes.append(
                p
                if isinstance(p, Outcome)
                else quarantine(p.record.id, reason, detail, policy_version=self.policy.version)
            )
        return outcomes

    def _detect_and_decide(
        self, batch: Sequence[_Parsed], contexts: Mapping[int, RecordContext]
    ) -> list[Outcome]:
        texts: list[str] = []
        names: list[str | None] = []
        for p in batch:
            texts.append(p.record.id)
            names.append(None)
            for slot in p.slots:
                texts.append(slot.text)
                names.append(_nearest_key(slot))
        findings = self.detector.analyze(texts, names) if texts else []
        outcomes: list[Outcome] = []
        cursor = 0
        for p in batch:
            id_findings = findings[cursor]
            slot_findings = findings[cursor + 1 : cursor + 1 + len(p.slots)]
            cursor += 1 + len(p.slots)
            outcomes.append(
                decide(p.record, p.slots, id_findings, slot_findings, self.policy, contexts[id(p)])
            )
        return outcomes


def _nearest_key(slot: Slot) -> str | None:
    """The key of the object a value under ``data`` sits in (through any lists), which says what
    the value is (``{"phone": "4951234567"}``); ``None`` for a key itself and outside ``data``."""
    if slot.kind == "key" or slot.segments[0] != "data":
        return None
    for segment in reversed(slot.segments[1:]):
        if isinstance(segment, str):
            return segment
    return None
