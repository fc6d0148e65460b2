"""The policy applied to one record's findings: :func:`decide`. Pure: no detection, no I/O.

The steps, in order, each its own function:

1. :func:`_id_holds_pii`: a finding in the record id that the policy would not keep holds the
   record whole (``pii_in_id``): the id is the output key and cannot be rewritten;
2. :func:`_judge`: per scanned string, findings above the policy's ``min_score``, overlaps merged
   (:func:`recognizers.findings.resolve_overlaps`), each attributed to its person (the record's
   subject, another registered person, or a third party: :mod:`streams.core.people`) and given
   the action that person's consent calls for, and the rule that chose it;
3. :func:`_held`: the record is quarantined if a finding's action is ``quarantine``
   (``policy_quarantine``), a key under ``data`` holds personal data (``pii_in_key``), or a
   pseudonym or an encryption is needed and no key is at hand (``key_unavailable``);
4. :func:`_rewrite`: otherwise each string is rewritten by its actions and the clean record is
   written with its ``redaction`` block.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from recognizers.findings import Finding, resolve_overlaps
from streams.core.actions import Edit, apply_edits
from streams.core.attribution import Person
from streams.core.consent import ConsentSnapshot
from streams.core.envelope import Record, Segment, Slot, render_path, substitute
from streams.core.outcome import (
    PIPELINE_VERSION,
    FindingReport,
    Outcome,
    Reason,
    Verdict,
    quarantine,
)
from streams.core.people import RecordPeople, third_party_consent
from streams.core.policy import Action, Policy, PseudonymScope
from streams.core.pseudonym import Pseudonymiser
from streams.core.reveal import RevealCipher


@dataclass(frozen=True, slots=True)
class RecordContext:
    """What the policy needs besides the findings: the record's consent (its subject's), whose
    consent decides each finding (``people``; without it every finding is a third party's:
    fail closed), the subject's pseudonym key and the reveal cipher (for ``encrypt``)."""

    consent: ConsentSnapshot
    pseudonymiser: Pseudonymiser | None = None
    cipher: RevealCipher | None = None
    people: RecordPeople | None = None

    def consent_of(self, entity_type: str, value: str) -> tuple[Person, ConsentSnapshot]:
        """Whose finding ``value`` is, and the consent that decides it."""
        if self.people is None:
            return Person.THIRD_PARTY, third_party_consent(self.consent)
        return self.people.consent_of(entity_type, value)


#: One finding of a string with the action the policy chose, the rule that chose it and whose
#: consent decided.
Judged = tuple[Finding, Action, str, Person]


def decide(
    record: Record,
    slots: Sequence[Slot],
    id_findings: Sequence[Finding],
    slot_findings: Sequence[Sequence[Finding]],
    policy: Policy,
    context: RecordContext,
) -> Outcome:
    """Apply ``policy`` to the findings of one record (see the module for the steps)."""
    consent = context.consent

    def held(reason: Reason, detail: str, reports: Sequence[FindingReport] = ()) -> Outcome:
        return quarantine(
            record.id, reason, detail, reports, policy_version=policy.version, consent=consent
        )

    id_types = _id_holds_pii(record.id, id_findings, policy, context)
    if id_types:
        return held(Reason.PII_IN_ID, f"record id holds {', '.join(id_types)}")
    judged = [
        _judge(slot.text, findings, policy, context)
        for slot, findings in zip(slots, slot_findings, strict=True)
    ]
    hidden_keys = frozenset(
        slot.text
        for slot, merged in zip(slots, judged, strict=True)
        if slot.kind == "key" and any(a is not Action.KEEP for _f, a, _r, _p in merged)
    )
    reports = [
        FindingReport(
            render_path(slot.segments, hidden_keys),
            f.start,
            f.end,
            f.entity_type,
            round(f.score, 4),
            action.value,
            f.subtype,
            rule,
            person.value,
        )
        for slot, merged in zip(slots, judged, strict=True)
        for f, action, rule, person in merged
    ]
    reason = _held(slots, judged, context)
    if reason is not None:
        return held(*reason, reports)
    return _rewrite(record, slots, judged, reports, policy, context)


def _id_holds_pii(
    record_id: str, findings: Sequence[Finding], policy: Policy, context: RecordContext
) -> list[str]:
    """The entity types found in the record id that the policy would not keep, sorted."""
    return sorted(
        {
            f.entity_type
            for f in findings
            if f.score >= policy.min_score
            and _action(record_id, f, policy, context)[0] is not Action.KEEP
        }
    )


def _action(
    text: str, finding: Finding, policy: Policy, context: RecordContext
) -> tuple[Action, str, Person]:
    """The action for one finding of ``text`` under the consent of the person it belongs to,
    the rule that chose it, and that person. A pseudonym is made with the record subject's
    key, so another person's value that would be pseudonymised is redacted (unless pseudonyms
    use one global key)."""
    value = text[finding.start : finding.end]
    person, consent = context.consent_of(finding.entity_type, value)
    action, rule = policy.decide(finding.entity_type, finding.subtype, consent)
    if (
        action is Action.PSEUDONYMISE
        and person is not Person.SUBJECT
        and policy.pseudonym_scope is PseudonymScope.SUBJECT
    ):
        action = Action.REDACT
    return action, rule, person


def _judge(
    text: str, findings: Sequence[Finding], policy: Policy, context: RecordContext
) -> list[Judged]:
    """One string's findings above ``min_score``, overlaps merged, each with its action."""
    accepted = [f for f in findings if f.score >= policy.min_score]
    return [(f, *_action(text, f, policy, context)) for f in resolve_overlaps(accepted)]


def _held(
    slots: Sequence[Slot], judged: Sequence[Sequence[Judged]], context: RecordContext
) -> tuple[Reason, str] | None:
    """Why the record must be quarantined, if it must: the policy quarantines a finding, a key
    under ``data`` holds personal data, or a pseudonym or an encryption is needed without a
    key."""
    quarantine_types: set[str] = set()
    key_types: set[str] = set()
    pseudonymised = encrypted = False
    for slot, merged in zip(slots, judged, strict=True):
        for finding, action, _rule, _person in merged:
            if action is Action.QUARANTINE:
                quarantine_types.add(finding.entity_type)
            elif slot.kind == "key" and action is not Action.KEEP:
                key_types.add(finding.entity_type)
            pseudonymised = pseudonymised or action is Action.PSEUDONYMISE
            encrypted = encrypted or action is Action.ENCRYPT
    if quarantine_types:
        return Reason.POLICY, f"policy quarantines {', '.join(sorted(quarantine_types))}"
    if key_types:
        return Reason.PII_IN_KEY, f"a key under data holds {', '.join(sorted(key_types))}"
    if pseudonymised and context.pseudonymiser is None:
        return Reason.KEY_UNAVAILABLE, "no pseudonymisation key for this record"
    if encrypted and context.cipher is None:
        return Reason.KEY_UNAVAILABLE, "no reveal key to encrypt with"
    return None


def _rewrite(
    record: Record,
    slots: Sequence[Slot],
    judged: Sequence[Sequence[Judged]],
    reports: Sequence[FindingReport],
    policy: Policy,
    context: RecordContext,
) -> Outcome:
    """The clean record: every string rewritten by its actions, plus the ``redaction`` block."""
    rewritten: dict[tuple[Segment, ...], Any] = {}
    pseudonymised = False
    for slot, merged in zip(slots, judged, strict=True):
        edits = [
            Edit(f.start, f.end, f.entity_type, a)
            for f, a, _r, _p in merged
            if a is not Action.KEEP
        ]
        pseudonymised = pseudonymised or any(e.action is Action.PSEUDONYMISE for e in edits)
        if not edits or slot.kind == "key":
            continue
        rewritten[slot.segments] = apply_edits(
            slot.text, edits, policy, context.pseudonymiser, context.cipher
        )

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
    consent = context.consent
    out["redaction"] = {
        "pipeline_version": PIPELINE_VERSION,
        "policy_version": policy.version,
        "consent": consent.as_dict(),
        "key_ids": list(key_ids),
        "findings": [r.as_dict() for r in reports],
        "counts": dict(sorted(counts.items())),
    }
    if context.people is not None and context.people.identity_ignored is not None:
        out["redaction"]["identity_ignored"] = context.people.identity_ignored
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
    writes them exactly (see :func:`streams.core.envelope.parse_record`, which reads them
    exactly)."""
    try:
        return orjson.dumps(out)
    except orjson.JSONEncodeError:
        text = json.dumps(out, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8")
