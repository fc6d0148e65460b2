"""Where each outcome goes: topic, key, value and headers. Pure; the agent only sends.

- clean: key = record id, value = the redacted record, header ``piiredact-policy-version``;
- quarantine and dead-letter: key and value = the original message, unchanged (nothing is
  lost), its headers kept, plus ``piiredact-reason``, ``piiredact-detail`` and the source
  ``piiredact-source-topic`` / ``-partition`` / ``-offset``. Details never carry a value;
- audit: one entry per input message, whatever its verdict (:func:`audit_message`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from streams.core import PIPELINE_VERSION, Outcome, Verdict
from streams.settings import Settings

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class SourceMessage:
    """An input message and where it came from."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: Headers


@dataclass(frozen=True, slots=True)
class OutputMessage:
    """One message to write."""

    topic: str
    key: bytes | None
    value: bytes
    headers: Headers


def route(outcome: Outcome, source: SourceMessage, settings: Settings) -> OutputMessage:
    """The message that carries ``outcome`` of ``source``."""
    if outcome.verdict is Verdict.CLEAN:
        if outcome.value is None or outcome.record_id is None:
            raise ValueError("a clean outcome needs a value and a record id")
        return OutputMessage(
            settings.topic_clean,
            outcome.record_id.encode("utf-8"),
            outcome.value,
            [("piiredact-policy-version", (outcome.policy_version or "").encode("utf-8"))],
        )
    topic = (
        settings.topic_quarantine
        if outcome.verdict is Verdict.QUARANTINE
        else settings.topic_deadletter
    )
    headers = [h for h in source.headers if not h[0].startswith("piiredact-")]
    headers += [
        ("piiredact-reason", (outcome.reason or "unknown").encode("utf-8")),
        ("piiredact-detail", (outcome.detail or "").encode("utf-8")),
        ("piiredact-source-topic", source.topic.encode("utf-8")),
        ("piiredact-source-partition", str(source.partition).encode("ascii")),
        ("piiredact-source-offset", str(source.offset).encode("ascii")),
    ]
    return OutputMessage(topic, source.key, source.value, headers)


def audit_message(outcome: Outcome, source: SourceMessage, settings: Settings) -> OutputMessage:
    """The audit entry for ``outcome``: what was decided and why, never a detected value.

    Keyed by record id; a record whose id holds personal data, or was never analysed (detection
    failed or timed out), is written with no key and ``"id": null``.
    """
    record_id = outcome.shown_id
    entry: dict[str, Any] = {
        "id": record_id,
        "verdict": outcome.verdict.value,
        "reason": outcome.reason,
        "pipeline_version": PIPELINE_VERSION,
        "policy_version": outcome.policy_version,
        "consent": outcome.consent.as_dict() if outcome.consent is not None else None,
        "key_ids": list(outcome.key_ids),
        "findings": [f.as_dict() for f in outcome.findings],
        "counts": dict(sorted(outcome.counts.items())),
        "source": {"topic": source.topic, "partition": source.partition, "offset": source.offset},
    }
    key = record_id.encode("utf-8") if record_id is not None else None
    return OutputMessage(settings.topic_audit, key, orjson.dumps(entry), [])
