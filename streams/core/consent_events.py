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

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import orjson

from streams.core.attribution import Fingerprints, IdentityError, parse_identity
from streams.core.consent import (
    Consent,
    RegistryEntry,
    normalise_subject_ref,
    parse_consent,
    parse_time,
    reads_as_withdrawal,
)
from streams.core.timestamps import format_rfc3339
from streams.errors import ConsentError, InvalidRecord

log = logging.getLogger("piiredact.registry")

MAX_EVENT_BYTES = 65_536
MAX_SUBJECT_REF = 512
#: How far ahead of the worker's clock an event's ``at`` may be and still order as given.
MAX_CLOCK_SKEW = timedelta(minutes=5)
_EVENT_FIELDS = frozenset({"subject_ref", "type", "at", "consent", "identity"})


@dataclass(frozen=True, slots=True)
class ConsentEvent:
    """A valid registry event.

    ``subject_ref`` is normalised (:func:`streams.core.consent.normalise_subject_ref`).
    ``irregular`` names what was not well formed in an event that was applied all the same
    because it reads as a withdrawal or an erasure (field names only: count it, log it).
    ``identity`` is the event's validated ``identity``
    (:func:`streams.core.attribution.parse_identity`;
    on the event or in its consent), clear text for the caller to turn into fingerprints at once
    (:meth:`streams.core.attribution.IdentityIndex.add`) and drop; it is never part of
    ``raw_consent``, so :func:`encode_entry` never stores it.
    """

    subject_ref: str
    type: Literal["consent", "erasure"]
    at: datetime
    consent: Consent | None = None
    raw_consent: dict[str, Any] | None = None
    irregular: tuple[str, ...] = ()
    identity: dict[str, tuple[str, ...]] | None = None

    @property
    def withdraws(self) -> bool:
        """Whether this event is an erasure or a withdrawal (it then takes effect even when
        a future-dated grant is in the registry)."""
        return self.type == "erasure" or (
            self.consent is not None and self.consent.status == "withdrawn"
        )


def _reads_as_erasure(kind: object) -> bool:
    return isinstance(kind, str) and kind.strip().casefold() == "erasure"


def parse_event(
    key: bytes | None, value: bytes | None, now: datetime | None = None
) -> ConsentEvent:
    """Validate one registry message. Raises :class:`InvalidRecord` (reason
    ``bad_consent_event``) naming the field, never a value.

    A grant must be perfect. An event that can be read as a withdrawal or an erasure (type
    ``erasure`` in any case, or a consent that :func:`~streams.core.consent.reads_as_withdrawal`)
    takes effect even with a status, type, scope or jurisdiction in another case, a time
    without a zone (``at`` then becomes ``now``, the worker's clock), unknown fields or a key
    other than its ``subject_ref``: such an event carries ``irregular`` and a warning is
    logged with the field names; without a readable ``subject_ref`` it names its subject by
    the message key. Only when neither can be read is it refused.
    """

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
    kind = doc.get("type")
    raw = doc.get("consent")
    erasure = _reads_as_erasure(kind)
    withdraws = erasure or reads_as_withdrawal(raw)
    irregular: list[str] = []
    raw_subject = doc.get("subject_ref")
    subject_ref = normalise_subject_ref(raw_subject) if isinstance(raw_subject, str) else ""
    if not 0 < len(subject_ref) <= MAX_SUBJECT_REF and withdraws and key is not None:
        # A withdrawal without a readable subject_ref names its subject by the message key.
        subject_ref = normalise_subject_ref(key.decode("utf-8", "replace"))
        irregular.append("subject_ref")
    if not 0 < len(subject_ref) <= MAX_SUBJECT_REF:
        raise bad(f"subject_ref: must be a string of 1-{MAX_SUBJECT_REF} characters")

    def check(ok: bool, name: str, detail: str) -> None:
        if not ok:
            if not withdraws:
                raise bad(detail)
            irregular.append(name)

    check(
        not set(doc) - _EVENT_FIELDS,
        "unknown_fields",
        f"unknown field(s); allowed: {', '.join(sorted(_EVENT_FIELDS))}",
    )
    check(
        key is not None and normalise_subject_ref(key.decode("utf-8", "replace")) == subject_ref,
        "key",
        "the message key must be the subject_ref (the topic is compacted by it)",
    )
    try:
        at = parse_time(doc.get("at"), "at")
    except ConsentError as exc:
        check(False, "at", str(exc))
        at = now if now is not None else datetime.now(UTC)
    if erasure:
        check(kind == "erasure", "type", "type: must be consent or erasure")
        check("consent" not in doc, "consent", "consent: an erasure event carries no consent")
        check("identity" not in doc, "identity", "identity: an erasure event carries none")
        return _event(ConsentEvent(subject_ref, "erasure", at, irregular=tuple(irregular)))
    check(kind == "consent", "type", "type: must be consent or erasure")
    try:
        consent = parse_consent(raw)
    except ConsentError as exc:
        raise bad(str(exc)) from None
    irregular.extend(consent.irregular)
    identity, raw = _split_identity(doc, raw, check)
    return _event(
        ConsentEvent(subject_ref, "consent", at, consent, raw, tuple(irregular), identity)
    )


def _split_identity(
    doc: dict[str, Any], raw: Any, check: Callable[[bool, str, str], None]
) -> tuple[dict[str, tuple[str, ...]] | None, Any]:
    """The event's identity (on the event or in its consent), validated, and the consent
    without it."""
    sent = doc.get("identity")
    if isinstance(raw, dict) and "identity" in raw:
        check(sent is None, "identity", "identity: give it once, on the event or in its consent")
        sent = raw["identity"]
        raw = {k: v for k, v in raw.items() if k != "identity"}  # never stored as sent
    if sent is None:
        return None, raw
    try:
        return parse_identity(sent, "identity"), raw
    except IdentityError as exc:
        check(False, "identity", str(exc))  # a withdrawal stands without it
        return None, raw


def _event(event: ConsentEvent) -> ConsentEvent:
    if event.irregular:
        log.warning(
            "consent %s event read as a withdrawal although not well formed: %s",
            event.type,
            ", ".join(event.irregular),
        )
    return event


def apply_event(
    current: RegistryEntry | None, event: ConsentEvent, now: datetime
) -> RegistryEntry | None:
    """The entry after ``event``; ``None`` when the event is ignored. ``now`` (the worker's
    clock) stamps an erasure (keys made before it are destroyed) and bounds event times.

    - An event's time counts as at most ``now + MAX_CLOCK_SKEW`` (a grant stamped in local
      time labelled ``Z`` is "in the future"); the entry then says ``future_dated``.
    - An event older than ``current`` is ignored (a late duplicate of a grant cannot undo a
      withdrawal), except that a withdrawal or erasure always replaces a future-dated entry:
      its time was not to be trusted.
    - A future-dated grant never replaces a withdrawal or an erasure.
    """
    horizon = now + MAX_CLOCK_SKEW
    future = event.at > horizon
    at = horizon if future else event.at
    if current is not None:
        if at < current.at and not (event.withdraws and current.future_dated):
            return None
        if future and not event.withdraws and current.withdrawn(now):
            return None
    if event.type == "erasure":
        return RegistryEntry(at=at, consent=None, erased_at=now, future_dated=future)
    erased_at = current.erased_at if current is not None else None
    return RegistryEntry(at=at, consent=event.consent, erased_at=erased_at, future_dated=future)


def supersedes(
    candidate: RegistryEntry, kept: RegistryEntry, now: datetime, *, written_after: bool
) -> bool:
    """Whether ``candidate`` replaces ``kept``, two entries for one subject, in whichever order
    a worker reads them (two workers can write one subject's entries: a subject's events may
    arrive under keys spelt differently, and a changelog that gains partitions moves keys).
    The later statement wins, as :func:`apply_event` folds events: a withdrawal or erasure
    always replaces a future-dated entry, a future-dated grant never replaces a withdrawal or
    an erasure; of two made at the same time the withdrawal wins, else the one
    ``written_after`` the other (later in the same changelog partition)."""
    withdraws, kept_withdrawn = candidate.withdrawn(now), kept.withdrawn(now)
    if candidate.future_dated and not withdraws and kept_withdrawn:
        return False
    if withdraws and kept.future_dated and not kept_withdrawn:
        return True
    if candidate.at != kept.at:
        return candidate.at > kept.at
    if withdraws != kept_withdrawn:
        return withdraws
    return written_after


def encode_entry(
    entry: RegistryEntry,
    raw_consent: dict[str, Any] | None,
    fingerprints: Fingerprints | None = None,
) -> bytes:
    """A table value: the entry with the consent as it was sent (validated, without any
    identity) and the subject's identity fingerprints, if any (never the identity)."""
    doc: dict[str, Any] = {"at": format_rfc3339(entry.at), "consent": raw_consent}
    if entry.erased_at is not None:
        doc["erased_at"] = format_rfc3339(entry.erased_at)
    if entry.future_dated:
        doc["future_dated"] = True
    if fingerprints is not None and entry.consent is not None:  # an erasure keeps none
        doc["identity_fingerprints"] = fingerprints.encode()
    return orjson.dumps(doc)


def entry_fingerprints(raw: bytes) -> Fingerprints | None:
    """The identity fingerprints in a table value (see :func:`encode_entry`), to rebuild the
    :class:`~streams.core.attribution.IdentityIndex` on start. Raises ``ValueError``."""
    try:
        doc = orjson.loads(raw)
        stored = doc.get("identity_fingerprints")
    except (orjson.JSONDecodeError, AttributeError):
        raise ValueError("consent table entry is malformed") from None
    return Fingerprints.decode(stored) if stored is not None else None


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
            future_dated=doc.get("future_dated") is True,
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError, ConsentError):
        raise ValueError("consent table entry is malformed") from None
    return entry, raw_consent
