"""Consent statements: validation, the state they give at a moment, and record vs registry."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from streams.core.consent import (
    NO_SUBJECT_LIMIT,
    ConsentState,
    EvidenceKey,
    Jurisdiction,
    RegistryEntry,
    parse_consent,
    resolve,
)
from streams.errors import ConsentError

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
SUBJECT = "vk:1001"
EVIDENCE = "signed form of Ivanov I.I., passport 4510 123456"  # must never be copied out


def granted(*scope: str, **extra: Any) -> dict[str, Any]:
    return {"status": "granted", "scope": list(scope), **extra}


STATE_CASES = [
    (None, ConsentState.NONE, "no consent at all"),
    ({"status": "none"}, ConsentState.NONE, "status none"),
    (granted("processing"), ConsentState.PROCESSING, "processing only"),
    (granted("processing", "distribution"), ConsentState.DISTRIBUTION, "both uses"),
    (granted("distribution"), ConsentState.DISTRIBUTION, "distribution alone"),
    (granted(), ConsentState.NONE, "granted for nothing"),
    (
        granted("processing", valid_from="2026-12-01T00:00:00Z"),
        ConsentState.NONE,
        "not valid yet",
    ),
    (
        granted("processing", valid_until="2026-11-21T12:00:00Z"),
        ConsentState.EXPIRED,
        "expires exactly now",
    ),
    (
        granted("processing", valid_until="2026-11-21T12:00:01Z"),
        ConsentState.PROCESSING,
        "one second left",
    ),
    (
        granted("distribution", valid_until="2026-11-21T15:00:00+03:00"),
        ConsentState.EXPIRED,
        "an offset is honoured: 15:00+03 is 12:00Z",
    ),
    ({"status": "withdrawn"}, ConsentState.WITHDRAWN, "withdrawn"),
    (
        granted("distribution", withdrawn_at="2026-11-20T00:00:00Z"),
        ConsentState.WITHDRAWN,
        "a past withdrawal beats the grant",
    ),
    (
        granted("distribution", withdrawn_at="2026-12-20T00:00:00Z"),
        ConsentState.DISTRIBUTION,
        "a withdrawal dated in the future has not happened",
    ),
    ({"status": "granted", "scope": ["everything"]}, ConsentState.NONE, "malformed scope"),
    ({"status": "yes"}, ConsentState.NONE, "unknown status"),
    ("granted", ConsentState.NONE, "not an object"),
    (granted("processing", valid_from="yesterday"), ConsentState.NONE, "not a time"),
    (granted("processing", valid_from="2026-02-30T00:00:00Z"), ConsentState.NONE, "no such day"),
    (
        granted(
            "processing", valid_from="2026-06-01T00:00:00Z", valid_until="2026-01-01T00:00:00Z"
        ),
        ConsentState.NONE,
        "ends before it starts",
    ),
    (granted("processing", jurisdiction="US"), ConsentState.NONE, "unknown jurisdiction"),
    (granted("processing", custom={"a": 1}), ConsentState.PROCESSING, "extra fields allowed"),
]


@pytest.mark.parametrize(
    ("consent", "state", "reason"), STATE_CASES, ids=[c[-1] for c in STATE_CASES]
)
def test_record_consent_state(consent: object, state: ConsentState, reason: str) -> None:
    assert resolve(consent, None, NOW, subject_ref=SUBJECT).state is state


def test_purpose_must_be_granted_when_the_policy_names_one() -> None:
    consent = granted("processing", purposes=["research"])
    assert (
        resolve(consent, None, NOW, purpose="research", subject_ref=SUBJECT).state
        is ConsentState.PROCESSING
    )
    assert (
        resolve(consent, None, NOW, purpose="marketing", subject_ref=SUBJECT).state
        is ConsentState.NONE
    )
    assert (
        resolve(granted("processing"), None, NOW, purpose="research", subject_ref=SUBJECT).state
        is ConsentState.NONE
    )


ERROR_CASES = [
    ({"status": "granted", "scope": "processing"}, "consent.scope"),
    ({"status": "granted", "purposes": [""]}, "consent.purposes"),
    ({"status": "granted", "purposes": [EVIDENCE] * 65}, "consent.purposes"),
    ({"status": "granted", "valid_until": EVIDENCE}, "consent.valid_until"),
    ({"status": "granted", "evidence": ["a"]}, "consent.evidence"),
    ({"status": EVIDENCE}, "consent.status"),
    ({"status": "granted", "jurisdiction": EVIDENCE}, "consent.jurisdiction"),
]


@pytest.mark.parametrize(("consent", "field"), ERROR_CASES)
def test_errors_name_the_field_and_never_the_value(consent: dict[str, Any], field: str) -> None:
    with pytest.raises(ConsentError) as caught:
        parse_consent(consent)
    assert str(caught.value).startswith(field)
    assert EVIDENCE not in str(caught.value)


def test_a_malformed_record_consent_is_reported_without_its_value() -> None:
    snapshot = resolve(
        {"status": "granted", "valid_from": EVIDENCE}, None, NOW, subject_ref=SUBJECT
    )
    assert snapshot.state is ConsentState.NONE
    assert snapshot.as_dict()["record_consent_ignored"].startswith("consent.valid_from")
    assert EVIDENCE not in str(snapshot.as_dict())


def test_snapshot_holds_the_statement_but_no_free_text() -> None:
    # Was: purposes copied as sent and an unsalted SHA-256 prefix of the evidence (a phone
    # used as evidence was recovered from it by enumeration). Now: only the policy's own
    # purpose name, a count of the others, and a keyed HMAC of the evidence.
    consent = granted(
        "processing",
        "distribution",
        purposes=["publication", EVIDENCE, "publication"],
        valid_from="2026-01-01T03:00:00+03:00",
        jurisdiction="EU",
        evidence=EVIDENCE,
    )
    snapshot = resolve(
        consent,
        None,
        NOW,
        subject_ref=SUBJECT,
        default_jurisdiction=Jurisdiction.RU,
        purpose="publication",
    )
    key = EvidenceKey("k1", b"\x01" * 32)
    out = snapshot.as_dict(key)
    assert out == {
        "state": "distribution",
        "jurisdiction": "EU",
        "origin": "record",
        "status": "granted",
        "scope": ["distribution", "processing"],
        "purposes": ["publication"],
        "other_purposes": 1,
        "valid_from": "2026-01-01T00:00:00Z",
        "evidence_hmac": out["evidence_hmac"],
    }
    assert out["evidence_hmac"].startswith("k1:") and len(out["evidence_hmac"]) == 3 + 32
    unsalted = hashlib.sha256(EVIDENCE.encode()).hexdigest()
    assert unsalted[:16] not in out["evidence_hmac"]
    assert EvidenceKey("k1", b"\x02" * 32).digest(EVIDENCE) != out["evidence_hmac"]
    assert EVIDENCE not in str(out)
    without_key = snapshot.as_dict()
    assert "evidence_hmac" not in without_key and "evidence_sha256" not in without_key
    assert EVIDENCE not in str(without_key)


def test_purposes_are_only_counted_without_a_policy_purpose() -> None:
    consent = granted("processing", purposes=["research", EVIDENCE])
    out = resolve(consent, None, NOW, subject_ref=SUBJECT).as_dict()
    assert out["purposes"] == [] and out["other_purposes"] == 2


def test_jurisdiction_defaults_to_the_policys() -> None:
    assert resolve(
        None, None, NOW, default_jurisdiction=Jurisdiction.RU, subject_ref=SUBJECT
    ).jurisdiction is (Jurisdiction.RU)
    assert (
        resolve(granted("processing"), None, NOW, subject_ref=SUBJECT).jurisdiction
        is Jurisdiction.OTHER
    )


# --- record and registry ------------------------------------------------------------------------

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def entry(consent: dict[str, Any] | None, at: datetime, erased: bool = False) -> RegistryEntry:
    return RegistryEntry(
        at=at,
        consent=parse_consent(consent) if consent is not None else None,
        erased_at=at if erased else None,
    )


MERGE_CASES = [
    (None, None, ConsentState.NONE, "none", "neither says anything"),
    (None, entry(granted("processing"), T0), ConsentState.PROCESSING, "registry", "registry only"),
    (
        {"status": "none"},
        entry({"status": "withdrawn"}, T0),
        ConsentState.WITHDRAWN,
        "registry",
        "a record without consent takes the registry's withdrawal",
    ),
    (
        granted("distribution"),
        entry({"status": "withdrawn"}, T0),
        ConsentState.WITHDRAWN,
        "registry",
        "no times: the more restrictive wins",
    ),
    (
        granted("distribution", valid_from="2026-06-01T00:00:00Z"),
        entry({"status": "withdrawn"}, T0),
        ConsentState.WITHDRAWN,
        "registry",
        "a record-level grant never overrides a registry withdrawal, even a newer one",
    ),
    (
        granted("distribution", valid_from="2025-06-01T00:00:00Z"),
        entry({"status": "withdrawn"}, T0),
        ConsentState.WITHDRAWN,
        "registry",
        "a grant older than the withdrawal loses",
    ),
    (
        granted("processing", valid_from="2026-01-01T00:00:00Z"),
        entry(granted("distribution"), T0),
        ConsentState.PROCESSING,
        "record",
        "same time: the narrower grant wins",
    ),
    (
        granted("distribution", valid_until="2026-02-01T00:00:00Z"),
        entry(granted("processing"), T0),
        ConsentState.PROCESSING,
        "registry",
        "an expired record consent gives way to the registry's current grant",
    ),
    (
        granted("distribution"),
        entry(None, T0, erased=True),
        ConsentState.WITHDRAWN,
        "registry",
        "an erasure counts as a withdrawal",
    ),
]


@pytest.mark.parametrize(
    ("own", "registry", "state", "origin", "reason"),
    MERGE_CASES,
    ids=[c[-1][:60] for c in MERGE_CASES],
)
def test_record_and_registry(
    own: object, registry: RegistryEntry | None, state: ConsentState, origin: str, reason: str
) -> None:
    snapshot = resolve(own, registry, NOW, subject_ref=SUBJECT)
    assert (snapshot.state, snapshot.origin) == (state, origin)


def test_erasure_is_visible_in_the_snapshot() -> None:
    snapshot = resolve(None, entry(None, T0, erased=True), NOW, subject_ref=SUBJECT)
    assert snapshot.as_dict()["erased"] is True
    assert snapshot.as_dict()["registry_at"] == "2026-01-01T00:00:00Z"


def test_judged_at_the_moment_given() -> None:
    consent = granted("processing", valid_until="2026-11-21T12:00:00Z")
    assert (
        resolve(consent, None, NOW - timedelta(seconds=1), subject_ref=SUBJECT).state
        is ConsentState.PROCESSING
    )
    assert resolve(consent, None, NOW, subject_ref=SUBJECT).state is ConsentState.EXPIRED


# --- fails closed ---------------------------------------------------------------------------------

REGISTRY_GRANT = entry(granted("distribution"), T0)

RECORD_WITHDRAWALS = [
    ({"status": "Withdrawn"}, ["consent.status"], "capitalised"),
    ({"status": "WITHDRAWN"}, ["consent.status"], "capitals"),
    ({"status": " withdrawn\n"}, ["consent.status"], "surrounding spaces"),
    ({"status": "withdrawn", "scope": ["Distribution"]}, ["consent.scope"], "scope case"),
    ({"status": "withdrawn", "jurisdiction": "ru"}, ["consent.jurisdiction"], "jurisdiction case"),
    (
        {"status": "withdrawn", "withdrawn_at": "2026-11-20T10:00:00"},
        ["consent.withdrawn_at"],
        "withdrawn_at without a zone",
    ),
    (
        granted("distribution", withdrawn_at="2026-11-20T10:00:00"),
        ["consent.status", "consent.withdrawn_at"],
        "a grant whose withdrawal time cannot be read",
    ),
]


@pytest.mark.parametrize(
    ("consent", "irregular", "reason"), RECORD_WITHDRAWALS, ids=[c[-1] for c in RECORD_WITHDRAWALS]
)
def test_a_record_consent_that_reads_as_a_withdrawal_is_one(
    consent: dict[str, Any], irregular: list[str], reason: str
) -> None:
    # Was: malformed, so ignored, and the registry's grant applied.
    snapshot = resolve(consent, REGISTRY_GRANT, NOW, subject_ref=SUBJECT)
    assert (snapshot.state, snapshot.origin) == (ConsentState.WITHDRAWN, "record")
    out = snapshot.as_dict()
    assert out["irregular"] == irregular and "record_consent_ignored" not in out
    assert resolve(consent, None, NOW, subject_ref=SUBJECT).state is ConsentState.WITHDRAWN


def test_lenient_reading_keeps_a_case_variant_jurisdiction() -> None:
    parsed = parse_consent({"status": "WITHDRAWN", "jurisdiction": " eu"})
    assert parsed.status == "withdrawn" and parsed.jurisdiction is Jurisdiction.EU
    assert parsed.irregular == ("consent.status", "consent.jurisdiction")


def test_an_irregular_grant_on_a_record_is_still_malformed() -> None:
    snapshot = resolve(
        {"status": "Granted", "scope": ["distribution"]}, None, NOW, subject_ref=SUBJECT
    )
    assert snapshot.state is ConsentState.NONE
    assert snapshot.as_dict()["record_consent_ignored"].startswith("consent.status")


REGISTRY_OVERRIDES = [
    (entry({"status": "withdrawn"}, T0), False, "a registry withdrawal"),
    (entry(None, T0, erased=True), True, "an erasure"),
    (
        entry(granted("distribution", withdrawn_at="2026-01-01T00:00:00Z"), T0),
        False,
        "a registry grant whose withdrawal time has passed",
    ),
]


@pytest.mark.parametrize(
    ("registry", "erased", "reason"), REGISTRY_OVERRIDES, ids=[c[-1] for c in REGISTRY_OVERRIDES]
)
def test_a_newer_record_grant_does_not_override_a_registry_withdrawal(
    registry: RegistryEntry, erased: bool, reason: str
) -> None:
    # Was: the record's grant (valid_from after the registry's entry) was "newer" and won.
    own = granted("processing", "distribution", valid_from="2026-06-01T00:00:00Z")
    snapshot = resolve(own, registry, NOW, subject_ref=SUBJECT)
    assert (snapshot.state, snapshot.origin) == (ConsentState.WITHDRAWN, "registry")
    assert snapshot.erased is erased


def test_a_record_grant_without_a_subject_counts_at_most_as_processing() -> None:
    # Nothing can ever withdraw it: no registry event names the record's subject.
    own = granted("processing", "distribution")
    anonymous = resolve(own, None, NOW, subject_ref=None)
    assert anonymous.state is ConsentState.PROCESSING
    assert anonymous.as_dict()["record_consent_limited"] == NO_SUBJECT_LIMIT
    assert resolve(own, None, NOW, subject_ref=SUBJECT).state is ConsentState.DISTRIBUTION
    narrow = resolve(granted("processing"), None, NOW, subject_ref=None)
    assert narrow.state is ConsentState.PROCESSING and narrow.limited is None
