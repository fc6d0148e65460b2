"""Where each outcome goes: topic, key, value and headers. Pure; the agent only sends.

- clean: key = record id, value = the redacted record, header ``piiredact-policy-version``;
- quarantine and dead-letter: key and value = the original message, unchanged (nothing is
  lost), its headers kept, plus ``piiredact-reason``, ``piiredact-detail`` (at most 1 KB) and
  the source ``piiredact-source-topic`` / ``-partition`` / ``-offset``. Details never carry a
  value;
- audit: one entry per input message, whatever its verdict (:func:`audit_message`).

No message is larger than ``settings.max_output_bytes``, as aiokafka counts it (value, key,
headers and the framing of a batch of one), so the producer never has one refused and retried
forever:

- a clean record that would be larger is quarantined instead (:func:`bounded`, reason
  ``output_too_large``);
- a quarantined or dead-lettered message that would be larger is written without its key, value
  and original headers, plus ``piiredact-value-omitted`` (the value's size). The source headers
  say where the original is, for as long as the source topic keeps it: the only case in which
  the pipeline does not carry a message's bytes itself;
- an audit entry that would be larger lists no findings (``findings_omitted`` says how many;
  ``counts`` stays), and if it is still too large, no key ids (``key_ids_omitted``) and only the
  consent's state, jurisdiction and origin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from aiokafka.record.default_records import DefaultRecordBatchBuilder

from streams.core import PIPELINE_VERSION, Outcome, Verdict
from streams.core.outcome import output_too_large
from streams.settings import Settings

Headers = list[tuple[str, bytes]]

#: The most bytes of ``piiredact-detail`` (a detail names fields, and a field name may be long).
MAX_DETAIL_BYTES = 1024


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


def message_bytes(message: OutputMessage) -> int:
    """What ``message`` weighs against ``max_output_bytes``: its size in a record batch of its
    own, as aiokafka estimates it before it sends (and refuses above ``max_request_size``)."""
    headers: list[tuple[str, bytes | None]] = list(message.headers)
    return int(
        DefaultRecordBatchBuilder.estimate_size_in_bytes(message.key, message.value, headers)
    )


def _capped(text: str, limit: int = MAX_DETAIL_BYTES) -> bytes:
    """``text`` in UTF-8, cut to at most ``limit`` bytes at a character boundary."""
    data = text.encode("utf-8")
    return data if len(data) <= limit else data[:limit].decode("utf-8", "ignore").encode("utf-8")


def bounded(
    outcome: Outcome, source: SourceMessage, settings: Settings
) -> tuple[Outcome, OutputMessage]:
    """``outcome`` as it will be written, and its message (:func:`route`): a clean record whose
    message would be larger than ``settings.max_output_bytes`` is quarantined instead (reason
    ``output_too_large``)."""
    message = route(outcome, source, settings)
    if outcome.verdict is not Verdict.CLEAN:
        return outcome, message
    size = message_bytes(message)
    if size <= settings.max_output_bytes:
        return outcome, message
    held = output_too_large(outcome, size, settings.max_output_bytes)
    return held, route(held, source, settings)


def route(outcome: Outcome, source: SourceMessage, settings: Settings) -> OutputMessage:
    """The message that carries ``outcome`` of ``source``. A clean one is as large as it is
    (see :func:`bounded`); any other goes without its value if it would not fit."""
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
        ("piiredact-detail", _capped(outcome.detail or "")),
        ("piiredact-source-topic", source.topic.encode("utf-8")),
        ("piiredact-source-partition", str(source.partition).encode("ascii")),
        ("piiredact-source-offset", str(source.offset).encode("ascii")),
    ]
    message = OutputMessage(topic, source.key, source.value, headers)
    if message_bytes(message) <= settings.max_output_bytes:
        return message
    ours = [h for h in headers if h[0].startswith("piiredact-")]
    ours.append(("piiredact-value-omitted", str(len(source.value)).encode("ascii")))
    return OutputMessage(topic, None, b"", ours)


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
    message = OutputMessage(settings.topic_audit, key, orjson.dumps(entry), [])
    if message_bytes(message) <= settings.max_output_bytes:
        return message
    entry["findings"], entry["findings_omitted"] = [], len(outcome.findings)
    message = OutputMessage(settings.topic_audit, key, orjson.dumps(entry), [])
    if message_bytes(message) <= settings.max_output_bytes:
        return message
    entry["key_ids"], entry["key_ids_omitted"] = [], len(outcome.key_ids)
    if (consent := entry["consent"]) is not None:
        entry["consent"] = {k: consent[k] for k in ("state", "jurisdiction", "origin")}
    return OutputMessage(settings.topic_audit, key, orjson.dumps(entry), [])
