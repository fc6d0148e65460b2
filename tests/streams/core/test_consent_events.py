"""Consent registry events: validation, and how they fold into one entry per subject."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from streams.core.consent import ConsentState, resolve
from streams.core.consent_events import apply_event, decode_entry, encode_entry, parse_event
from streams.errors import InvalidRecord

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
SUBJECT = "vk:1001"
GRANT = {"status": "granted", "scope": ["processing"], "jurisdiction": "RU"}


def event(**fields: Any) -> bytes:
    body: dict[str, Any] = {"subject_ref": SUBJECT, "type": "consent", "at": "2026-11-01T00:00:00Z"}
    body.update(fields)
    return orjson.dumps({k: v for k, v in body.items() if v is not None})


def test_a_consent_event() -> None:
    parsed = parse_event(SUBJECT.encode(), event(consent=GRANT))
    assert parsed.type == "consent" and parsed.consent is not None
    assert parsed.raw_consent == GRANT


def test_an_erasure_event() -> None:
    parsed = parse_event(SUBJECT.encode(), event(type="erasure"))
    assert parsed.type == "erasure" and parsed.consent is None


BAD = [
    (SUBJECT.encode(), None, "tombstone"),
    (SUBJECT.encode(), b"{", "not valid JSON"),
    (SUBJECT.encode(), b"[1]", "must be a JSON object"),
    (SUBJECT.encode(), event(consent=GRANT, colour="red"), "unknown field"),
    (b"someone-else", event(consent=GRANT), "message key must be the subject_ref"),
    (None, event(consent=GRANT), "message key must be the subject_ref"),
    (SUBJECT.encode(), event(consent=GRANT, subject_ref=""), "subject_ref"),
    (SUBJECT.encode(), event(consent=GRANT, at="yesterday"), "at: must be an RFC 3339"),
    (SUBJECT.encode(), event(type="grant", consent=GRANT), "type: must be consent or erasure"),
    (SUBJECT.encode(), event(), "consent: must be an object"),
    (SUBJECT.encode(), event(consent={"status": "maybe"}), "consent.status"),
    (SUBJECT.encode(), event(type="erasure", consent=GRANT), "an erasure event carries no"),
    (SUBJECT.encode(), b"{" + b" " * 70_000 + b"}", "limit"),
]


@pytest.mark.parametrize(("key", "value", "fragment"), BAD)
def test_invalid_events_are_rejected_with_the_field(
    key: bytes | None, value: bytes | None, fragment: str
) -> None:
    with pytest.raises(InvalidRecord) as caught:
        parse_event(key, value)
    assert caught.value.reason == "bad_consent_event"
    assert fragment in caught.value.detail
    assert SUBJECT not in caught.value.detail


def test_events_fold_in_order_and_late_ones_are_ignored() -> None:
    grant = parse_event(SUBJECT.encode(), event(consent=GRANT, at="2026-11-01T00:00:00Z"))
    withdraw = parse_event(
        SUBJECT.encode(), event(consent={"status": "withdrawn"}, at="2026-11-10T00:00:00Z")
    )
    entry = apply_event(None, grant, NOW)
    assert entry is not None
    entry = apply_event(entry, withdraw, NOW)
    assert entry is not None
    assert resolve(None, entry, NOW).state is ConsentState.WITHDRAWN
    # The grant again (a late duplicate) must not undo the withdrawal.
    assert apply_event(entry, grant, NOW) is None


def test_erasure_then_a_newer_grant() -> None:
    erase = parse_event(SUBJECT.encode(), event(type="erasure", at="2026-11-05T00:00:00Z"))
    entry = apply_event(None, erase, NOW)
    assert entry is not None and entry.erased_at == NOW and entry.consent is None
    assert resolve(None, entry, NOW).state is ConsentState.WITHDRAWN
    regrant = parse_event(SUBJECT.encode(), event(consent=GRANT, at="2026-11-06T00:00:00Z"))
    entry = apply_event(entry, regrant, NOW)
    assert entry is not None and entry.erased_at == NOW  # keys made before it stay destroyed
    assert resolve(None, entry, NOW).state is ConsentState.PROCESSING


def test_entries_round_trip_through_the_table_encoding() -> None:
    parsed = parse_event(SUBJECT.encode(), event(consent=GRANT))
    entry = apply_event(None, parsed, NOW)
    assert entry is not None
    decoded, raw = decode_entry(encode_entry(entry, parsed.raw_consent))
    assert decoded == entry and raw == GRANT
    with pytest.raises(ValueError, match="malformed"):
        decode_entry(b'{"at": "not a time"}')
