"""Consent registry events: validation, and how they fold into one entry per subject."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from streams.core.attribution import IdentityIndex
from streams.core.consent import (
    ConsentState,
    RegistryEntry,
    normalise_subject_ref,
    parse_consent,
    resolve,
)
from streams.core.consent_events import (
    MAX_CLOCK_SKEW,
    apply_event,
    decode_entry,
    encode_entry,
    entry_fingerprints,
    parse_event,
    supersedes,
)
from streams.core.keys import Keyring
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
    assert resolve(None, entry, NOW, subject_ref=SUBJECT).state is ConsentState.WITHDRAWN
    # The grant again (a late duplicate) must not undo the withdrawal.
    assert apply_event(entry, grant, NOW) is None


def test_erasure_then_a_newer_grant() -> None:
    erase = parse_event(SUBJECT.encode(), event(type="erasure", at="2026-11-05T00:00:00Z"))
    entry = apply_event(None, erase, NOW)
    assert entry is not None and entry.erased_at == NOW and entry.consent is None
    assert resolve(None, entry, NOW, subject_ref=SUBJECT).state is ConsentState.WITHDRAWN
    regrant = parse_event(SUBJECT.encode(), event(consent=GRANT, at="2026-11-06T00:00:00Z"))
    entry = apply_event(entry, regrant, NOW)
    assert entry is not None and entry.erased_at == NOW  # keys made before it stay destroyed
    assert resolve(None, entry, NOW, subject_ref=SUBJECT).state is ConsentState.PROCESSING


def test_entries_round_trip_through_the_table_encoding() -> None:
    parsed = parse_event(SUBJECT.encode(), event(consent=GRANT))
    entry = apply_event(None, parsed, NOW)
    assert entry is not None
    decoded, raw = decode_entry(encode_entry(entry, parsed.raw_consent))
    assert decoded == entry and raw == GRANT
    with pytest.raises(ValueError, match="malformed"):
        decode_entry(b'{"at": "not a time"}')


# --- the registry fails closed ------------------------------------------------------------------

GRANTED_AT = "2026-11-01T00:00:00Z"
WITHDRAW_AT = "2026-11-10T00:00:00Z"


def granted_entry() -> RegistryEntry:
    grant = parse_event(
        SUBJECT.encode(),
        event(consent={"status": "granted", "scope": ["distribution"]}, at=GRANTED_AT),
    )
    entry = apply_event(None, grant, NOW)
    assert entry is not None and resolve(None, entry, NOW, subject_ref=SUBJECT).state is (
        ConsentState.DISTRIBUTION
    )
    return entry


def raw_event(key: bytes = SUBJECT.encode(), **fields: Any) -> tuple[bytes, bytes]:
    body: dict[str, Any] = {"subject_ref": SUBJECT, "type": "consent", "at": WITHDRAW_AT}
    body.update(fields)
    return key, orjson.dumps({k: v for k, v in body.items() if v is not None})


WITHDRAWN = {"status": "withdrawn"}

#: Each was dead-lettered before, so the older grant stayed in force and data was published.
IRREGULAR_WITHDRAWALS = [
    (raw_event(consent={"status": "WITHDRAWN"}), "consent.status", "status in capitals"),
    (raw_event(consent={"status": " Withdrawn "}), "consent.status", "status mixed case, spaces"),
    (
        raw_event(consent={"status": "withdrawn", "scope": ["Distribution"]}),
        "consent.scope",
        "scope in another case",
    ),
    (
        raw_event(consent={"status": "withdrawn", "jurisdiction": "ru"}),
        "consent.jurisdiction",
        "jurisdiction in lower case",
    ),
    (
        raw_event(consent={"status": "withdrawn", "withdrawn_at": "2026-11-10T00:00:00"}),
        "consent.withdrawn_at",
        "withdrawn_at without a zone",
    ),
    (
        raw_event(consent={"status": "granted", "withdrawn_at": "2026-11-10T00:00:00"}),
        "consent.withdrawn_at",
        "a grant with an unreadable withdrawn_at reads as a withdrawal",
    ),
    (raw_event(consent=WITHDRAWN, at="2026-11-10T00:00:00"), "at", "event time without a zone"),
    (raw_event(consent=WITHDRAWN, at=None), "at", "event time missing"),
    (raw_event(type="Consent", consent=WITHDRAWN), "type", "type in another case"),
    (raw_event(consent=WITHDRAWN, note="x"), "unknown_fields", "an unknown field"),
    (raw_event(key=b"someone", consent=WITHDRAWN), "key", "the key is not the subject_ref"),
    (raw_event(subject_ref=None, consent=WITHDRAWN), "subject_ref", "subject_ref missing: key"),
    (raw_event(key=b" VK:1001", subject_ref=7, type="erasure"), "subject_ref", "not a string"),
    (raw_event(type="ERASURE"), "type", "erasure in capitals"),
    (raw_event(type="erasure", at="2026-11-10T00:00:00"), "at", "erasure time without a zone"),
    (raw_event(type="erasure", consent=GRANT), "consent", "an erasure carrying a consent"),
]


@pytest.mark.parametrize(
    ("message", "field", "reason"),
    IRREGULAR_WITHDRAWALS,
    ids=[c[-1] for c in IRREGULAR_WITHDRAWALS],
)
def test_an_event_that_reads_as_a_withdrawal_takes_effect(
    message: tuple[bytes, bytes], field: str, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    entry = granted_entry()
    with caplog.at_level(logging.WARNING, logger="piiredact.registry"):
        parsed = parse_event(*message, now=NOW)
    assert field in parsed.irregular and parsed.withdraws
    updated = apply_event(entry, parsed, NOW)
    assert updated is not None, "the withdrawal was ignored"
    assert resolve(None, updated, NOW, subject_ref=SUBJECT).state is ConsentState.WITHDRAWN
    # Reported: a warning naming the field, never the subject or a value.
    assert field in caplog.text and SUBJECT not in caplog.text
    assert "WITHDRAWN" not in caplog.text and "2026-11-10T00" not in caplog.text


PERFECT_GRANTS_ONLY = [
    (raw_event(consent={"status": "GRANTED", "scope": ["processing"]}), "consent.status"),
    (raw_event(consent={"status": "granted", "scope": ["Distribution"]}), "consent.scope"),
    (
        raw_event(consent={"status": "granted", "scope": ["processing"], "jurisdiction": "ru"}),
        "consent.jurisdiction",
    ),
    (raw_event(consent=GRANT, at="2026-11-10T00:00:00"), "at"),
    (raw_event(type="Consent", consent=GRANT), "type"),
    (raw_event(key=b"someone", consent=GRANT), "message key"),
    (raw_event(subject_ref=None, consent=GRANT), "subject_ref"),
]


@pytest.mark.parametrize(("message", "fragment"), PERFECT_GRANTS_ONLY)
def test_a_grant_still_has_to_be_perfect(message: tuple[bytes, bytes], fragment: str) -> None:
    with pytest.raises(InvalidRecord) as caught:
        parse_event(*message, now=NOW)
    assert fragment in caught.value.detail


def test_a_future_dated_grant_does_not_block_a_later_withdrawal() -> None:
    # Local time (UTC+3) labelled Z: the grant says 3 hours ahead of the worker's clock.
    grant = parse_event(
        SUBJECT.encode(),
        event(consent={"status": "granted", "scope": ["distribution"]}, at="2026-11-21T15:00:00Z"),
    )
    entry = apply_event(None, grant, NOW)
    assert entry is not None and entry.future_dated
    assert entry.at == NOW + MAX_CLOCK_SKEW  # clamped for ordering
    later = NOW + timedelta(minutes=1)
    withdraw = parse_event(SUBJECT.encode(), event(consent=WITHDRAWN, at="2026-11-21T12:01:00Z"))
    withdrawn = apply_event(entry, withdraw, later)
    assert withdrawn is not None, "older than the registry's entry, ignored"
    assert resolve(None, withdrawn, later, subject_ref=SUBJECT).state is ConsentState.WITHDRAWN
    # The misdated grant sent again cannot undo the withdrawal...
    assert apply_event(withdrawn, grant, later + timedelta(minutes=1)) is None
    # ...but a correctly dated newer grant can.
    regrant = parse_event(SUBJECT.encode(), event(consent=GRANT, at="2026-11-21T12:02:00Z"))
    assert apply_event(withdrawn, regrant, later + timedelta(minutes=1)) is not None
    # The flag survives the table encoding (a restarted worker orders the same way).
    decoded, _ = decode_entry(encode_entry(entry, grant.raw_consent))
    assert decoded.future_dated and decoded == entry


def test_a_grant_within_the_clock_skew_orders_as_given() -> None:
    grant = parse_event(SUBJECT.encode(), event(consent=GRANT, at="2026-11-21T12:04:00Z"))
    entry = apply_event(None, grant, NOW)
    assert entry is not None and not entry.future_dated
    assert entry.at == datetime(2026, 11, 21, 12, 4, tzinfo=UTC)
    older = parse_event(SUBJECT.encode(), event(consent=WITHDRAWN, at="2026-11-21T12:03:00Z"))
    assert apply_event(entry, older, NOW) is None  # older than a trustworthy entry


SUBJECT_REF_SPELLINGS = [
    ("vk:1001", "as is"),
    ("VK:1001", "scheme in capitals"),
    (" vk:1001 ", "surrounding spaces"),
    ("vk:1001\t", "a trailing tab"),
    ("ＶＫ:１００１", "full-width letters and digits (NFKC)"),
]


@pytest.mark.parametrize(
    ("spelling", "reason"), SUBJECT_REF_SPELLINGS, ids=[c[-1] for c in SUBJECT_REF_SPELLINGS]
)
def test_one_subject_ref_normalisation_for_records_and_events(spelling: str, reason: str) -> None:
    # A withdrawal sent under one spelling reaches records under any other.
    withdraw = parse_event(
        spelling.encode(), event(subject_ref=spelling, consent=WITHDRAWN, at=WITHDRAW_AT)
    )
    assert withdraw.subject_ref == SUBJECT
    registry = {withdraw.subject_ref: granted_entry()}
    updated = apply_event(registry[SUBJECT], withdraw, NOW)
    assert updated is not None
    registry[withdraw.subject_ref] = updated
    for record_ref in (spelling, SUBJECT, "VK:1001 "):
        entry = registry.get(normalise_subject_ref(record_ref))
        snapshot = resolve(
            {"status": "granted", "scope": ["distribution"]}, entry, NOW, subject_ref=record_ref
        )
        assert snapshot.state is ConsentState.WITHDRAWN
    assert normalise_subject_ref(normalise_subject_ref(spelling)) == SUBJECT  # idempotent


def test_a_grant_key_may_differ_from_its_subject_ref_only_by_normalisation() -> None:
    parsed = parse_event(b"vk:1001", event(subject_ref="VK:1001 ", consent=GRANT))
    assert parsed.subject_ref == SUBJECT and not parsed.irregular


def test_identity_never_stays_in_the_stored_consent() -> None:
    identity = {"PERSON": ["Иван Петров"]}
    for message in (
        event(consent={**GRANT, "identity": identity}),
        event(consent=GRANT, identity=identity),
    ):
        parsed = parse_event(SUBJECT.encode(), message)
        assert parsed.identity == {"PERSON": ("Иван Петров",)}
        entry = apply_event(None, parsed, NOW)
        assert entry is not None
        assert "Иван".encode() not in encode_entry(entry, parsed.raw_consent)


def test_a_grant_with_a_bad_identity_is_refused_a_withdrawal_is_not() -> None:
    bad = {"PERSON": ["Иван"]}  # a given name alone identifies nobody
    with pytest.raises(InvalidRecord) as caught:
        parse_event(SUBJECT.encode(), event(consent=GRANT, identity=bad))
    assert caught.value.detail.startswith("identity.PERSON[0]")
    assert "Иван" not in caught.value.detail
    with pytest.raises(InvalidRecord, match="give it once"):
        parse_event(SUBJECT.encode(), event(consent={**GRANT, "identity": bad}, identity=bad))
    withdrawal = parse_event(SUBJECT.encode(), event(consent=WITHDRAWN, identity=bad))
    assert withdrawal.withdraws and withdrawal.identity is None
    assert withdrawal.irregular == ("identity",)


def test_the_table_keeps_fingerprints_never_the_identity() -> None:
    index = IdentityIndex(Keyring("k1", {"k1": bytes(range(32))}))
    parsed = parse_event(
        SUBJECT.encode(), event(consent=GRANT, identity={"PERSON": ["Иван Петров"]})
    )
    assert parsed.identity is not None
    fingerprints = index.add(parsed.subject_ref, parsed.identity)
    entry = apply_event(None, parsed, NOW)
    assert entry is not None
    stored = encode_entry(entry, parsed.raw_consent, fingerprints)
    assert "Иван".encode() not in stored and b"ivan" not in stored
    assert entry_fingerprints(stored) == fingerprints
    assert decode_entry(stored)[0] == entry
    erased = apply_event(entry, parse_event(SUBJECT.encode(), event(type="erasure")), NOW)
    assert erased is not None
    assert entry_fingerprints(encode_entry(erased, None, fingerprints)) is None
    assert entry_fingerprints(encode_entry(entry, parsed.raw_consent)) is None


T0 = datetime(2026, 11, 1, tzinfo=UTC)
T1 = T0 + timedelta(minutes=5)


def _granted(at: datetime, *, future: bool = False) -> RegistryEntry:
    consent = parse_consent({"status": "granted", "scope": ["distribution"]})
    return RegistryEntry(at=at, consent=consent, future_dated=future)


def _withdrawn(at: datetime, *, future: bool = False) -> RegistryEntry:
    return RegistryEntry(at=at, consent=None, future_dated=future)


SUPERSEDES_CASES = [
    (_withdrawn(T1), _granted(T0), False, True, "a later withdrawal replaces a grant"),
    (_granted(T0), _withdrawn(T1), True, False, "an older grant written after it does not"),
    (_granted(T1), _withdrawn(T0), False, True, "a newer grant replaces a withdrawal"),
    (_withdrawn(T0), _granted(T0), False, True, "at the same time the withdrawal wins"),
    (_granted(T0), _withdrawn(T0), True, False, "whichever is written after"),
    (_granted(T0), _granted(T0), True, True, "two grants at once: the one written after"),
    (_granted(T0), _granted(T0), False, False, "two grants at once: not the one before"),
    (_withdrawn(T0), _granted(T1, future=True), False, True, "a withdrawal ends a future grant"),
    (_granted(T1, future=True), _withdrawn(T0), True, False, "a future grant never ends one"),
]


@pytest.mark.parametrize(
    ("candidate", "kept", "written_after", "expected", "reason"),
    SUPERSEDES_CASES,
    ids=[c[-1] for c in SUPERSEDES_CASES],
)
def test_which_of_two_entries_wins(
    candidate: RegistryEntry, kept: RegistryEntry, written_after: bool, expected: bool, reason: str
) -> None:
    now = T1 + timedelta(days=1)
    assert supersedes(candidate, kept, now, written_after=written_after) is expected, reason
