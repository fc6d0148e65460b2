"""The consent registry: events on the compacted ``consent.events`` topic, one entry per subject.

An event is a JSON object keyed (Kafka key) by the subject reference::

    {"subject_ref": "vk:1234", "type": "consent", "at": "2026-11-21T10:00:00Z",
     "consent": {"status": "granted", "scope": ["processing"], ...}}
    {"subject_ref": "vk:1234", "type": "consent", "at": "...",
     "consent": {"status": "withdrawn", "withdrawn_at": "..."}}
    {"subject_ref": "vk:1234", "type": "erasure", "at": "2026-11-22T08:00:00Z"}

``at`` is when the statement was made. The worker folds events into a table by subject:
an event older than the entry it would replace is ignored (a late duplicate cannot undo a
withdrawal); a consent event replaces the statement; an erasure removes the statement (the
subject counts as withdrawn until a newer grant) and destroys the subject's pseudonym key.

Ordering: an event applies to records processed after the worker has consumed it; records
already in flight keep the state they were judged with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import orjson

from streams.core.consent import Consent, RegistryEntry, parse_consent, parse_time
from streams.core.timestamps import format_rfc3339
from streams.errors import ConsentError, InvalidRecord

MAX_EVENT_BYTES = 65_536
MAX_SUBJECT_REF = 512
_EVENT_FIELDS = frozenset({"subject_ref", "type", "at", "consent"})


@dataclass(frozen=True, slots=True)
class ConsentEvent:
    """A valid registry event."""

    subject_ref: str
    type: Literal["consent", "erasure"]
    at: datetime
    consent: Consent | None = None
    raw_consent: dict[str, Any] | None = None


def parse_event(key: bytes | None, value: bytes | None) -> ConsentEvent:
    """Validate one registry message. Raises :class:`InvalidRecord` (reason
    ``bad_consent_event``) naming the field, never a value."""

    def bad(detail: str) -> InvalidRecord:
        return InvalidRecord("bad_consent_event", detail)

    if value is None:
        raise bad("an empty value (tombstone) is not an event; send an erasure event")
    if len(value) > MAX_EVENT_BYTES:
        raise bad(f"event has {len(value)} bytes, limit {MAX_EVENT_BYTES}")
    try:
        doc = orjson.loads(value)
    except orjson.JSONDecodeError:
        raise bad("event is not valid JSON") from None
    if not isinstance(doc, dict):
        raise bad("event must be a JSON object")
    unknown = set(doc) - _EVENT_FIELDS
    if unknown:
        raise bad(f"unknown field(s); allowed: {', '.join(sorted(_EVENT_FIELDS))}")
    subject_ref = doc.get("subject_ref")
    if not isinstance(subject_ref, str) or not 0 < len(subject_ref) <= MAX_SUBJECT_REF:
        raise bad(f"subject_ref: must be a string of 1-{MAX_SUBJECT_REF} characters")
    if key is None or key != subject_ref.encode("utf-8"):
        raise bad("the message key must be the subject_ref (the topic is compacted by it)")
    kind = doc.get("type")
    try:
        at = parse_time(doc.get("at"), "at")
    except ConsentError as exc:
        raise bad(str(exc)) from None
    if kind == "erasure":
        if "consent" in doc:
            raise bad("consent: an erasure event carries no consent")
        return ConsentEvent(subject_ref, "erasure", at)
    if kind != "consent":
        raise bad("type: must be consent or erasure")
    raw = doc.get("consent")
    try:
        consent = parse_consent(raw)
    except ConsentError as exc:
        raise bad(str(exc)) from None
    return ConsentEvent(subject_ref, "consent", at, consent, raw)


def apply_event(
    current: RegistryEntry | None, event: ConsentEvent, now: datetime
) -> RegistryEntry | None:
    """The entry after ``event``; ``None`` when the event is older than ``current`` and is
    ignored. ``now`` stamps an erasure (keys made before it are destroyed)."""
    if current is not None and event.at < current.at:
        return None
    if event.type == "erasure":
        return RegistryEntry(at=event.at, consent=None, erased_at=now)
    erased_at = current.erased_at if current is not None else None
    return RegistryEntry(at=event.at, consent=event.consent, erased_at=erased_at)


def encode_entry(entry: RegistryEntry, raw_consent: dict[str, Any] | None) -> bytes:
    """A table value: the entry with the consent as it was sent (validated)."""
    doc: dict[str, Any] = {"at": format_rfc3339(entry.at), "consent": raw_consent}
    if entry.erased_at is not None:
        doc["erased_at"] = format_rfc3339(entry.erased_at)
    return orjson.dumps(doc)


def decode_entry(raw: bytes) -> tuple[RegistryEntry, dict[str, Any] | None]:
    """A table value back as an entry (and its consent as sent). Raises ``ValueError``."""
    try:
        doc = orjson.loads(raw)
        raw_consent = doc.get("consent")
        consent = parse_consent(raw_consent) if raw_consent is not None else None
        erased = doc.get("erased_at")
        entry = RegistryEntry(
            at=parse_time(doc["at"], "at"),
            consent=consent,
            erased_at=parse_time(erased, "erased_at") if erased is not None else None,
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError, ConsentError):
        raise ValueError("consent table entry is malformed") from None
    return entry, raw_consent
