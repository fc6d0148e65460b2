"""Where each outcome goes: topic, key, value and headers. Pure; the agent only sends.

- clean: key = record id, value = the redacted record, header ``piiredact-policy-version``;
- quarantine and dead-letter: key and value = the original message, unchanged (nothing is
  lost), its headers kept, plus ``piiredact-reason``, ``piiredact-detail`` and the source
  ``piiredact-source-topic`` / ``-partition`` / ``-offset``. Details never carry a value.
"""

from __future__ import annotations

from dataclasses import dataclass

from streams.core import Outcome, Verdict
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
