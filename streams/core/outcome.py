"""What becomes of one message: :class:`Outcome`, its :class:`Verdict` and :class:`Reason`.

Every message gets exactly one outcome:

- ``clean``: the record with each finding rewritten by the policy, plus a ``redaction`` block;
- ``quarantine``: the record must not be published (the policy says so, personal data sits in
  the record id or in a key of ``data``, detection failed, a pseudonym key is missing, or a
  step of the worker failed on it);
- ``dead_letter``: the message is not a valid record.

An outcome never holds a detected value except inside the clean record's bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from streams.core.consent import ConsentSnapshot
from streams.core.pickling import by_constructor
from streams.core.policy import Action
from streams.errors import InvalidRecord

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
    #: the worker could not read the consent registry up to the moment the batch was taken, so
    #: a withdrawal might be missing; the record is kept whole, never published
    REGISTRY_UNCONFIRMED = "registry_unconfirmed"
    #: a step of the worker raised on this message (a bug, never the record's fault); the
    #: message is kept whole in quarantine so that nothing is lost or published
    WORKER_ERROR = "worker_error"


#: Quarantine reasons after which the record id must not be shown: it holds personal data, or
#: it was never analysed.
_ID_NOT_SHOWN = frozenset(
    {
        Reason.PII_IN_ID.value,
        Reason.DETECTION_ERROR.value,
        Reason.DETECTION_TIMEOUT.value,
        Reason.WORKER_ERROR.value,
        Reason.REGISTRY_UNCONFIRMED.value,
    }
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
    #: Whose consent decided: ``subject``, ``registered`` or ``third_party``.
    person: str | None = None

    def as_dict(self, *, with_rule: bool = True) -> dict[str, Any]:
        """The finding as JSON; ``subtype`` only where the entity has kinds (``RU_INN``),
        ``rule`` (the policy rule that chose the action) unless ``with_rule`` is false, and
        ``person``: whose consent decided (never who they are)."""
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
        if self.person is not None:
            out["person"] = self.person
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


def worker_error(detail: str) -> Outcome:
    """The outcome of a message that a step of the worker failed on: quarantined whole, with no
    record id, consent or findings (none of them can be trusted)."""
    return Outcome(Verdict.QUARANTINE, reason=Reason.WORKER_ERROR.value, detail=detail)


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
                f.person,
            )
            for f in findings
        ),
        policy_version=policy_version,
        consent=consent,
    )


def output_too_large(outcome: Outcome, size: int, limit: int) -> Outcome:
    """A clean ``outcome`` whose message would be ``size`` bytes, over ``limit``, quarantined
    instead (``output_too_large``), with its findings and consent kept for the audit."""
    if outcome.verdict is not Verdict.CLEAN or outcome.record_id is None:
        raise ValueError("only a clean outcome with a record id can be too large to publish")
    return quarantine(
        outcome.record_id,
        Reason.OUTPUT_TOO_LARGE,
        f"the redacted record is {size} bytes, over max_output_bytes ({limit})",
        outcome.findings,
        policy_version=outcome.policy_version,
        consent=outcome.consent,
    )
