"""Consent statements: validation, the state they give at a moment, and record vs registry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from streams.core.consent import ConsentState, Jurisdiction, RegistryEntry, parse_consent, resolve
from streams.errors import ConsentError

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
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
    assert resolve(consent, None, NOW).state is state


def test_purpose_must_be_granted_when_the_policy_names_one() -> None:
    consent = granted("processing", purposes=["research"])
    assert resolve(consent, None, NOW, purpose="research").state is ConsentState.PROCESSING
    assert resolve(consent, None, NOW, purpose="marketing").state is ConsentState.NONE
    assert resolve(granted("processing"), None, NOW, purpose="research").state is ConsentState.NONE


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
    snapshot = resolve({"status": "granted", "valid_from": EVIDENCE}, None, NOW)
    assert snapshot.state is ConsentState.NONE
    assert snapshot.as_dict()["record_consent_ignored"].startswith("consent.valid_from")
    assert EVIDENCE not in str(snapshot.as_dict())


def test_snapshot_holds_the_statement_but_only_a_hash_of_the_evidence() -> None:
    consent = granted(
        "processing",
        "distribution",
        purposes=["publication", "analytics", "analytics"],
        valid_from="2026-01-01T03:00:00+03:00",
        jurisdiction="EU",
        evidence=EVIDENCE,
    )
    out = resolve(consent, None, NOW, default_jurisdiction=Jurisdiction.RU).as_dict()
    assert out == {
        "state": "distribution",
        "jurisdiction": "EU",
        "origin": "record",
        "status": "granted",
        "scope": ["distribution", "processing"],
        "purposes": ["analytics", "publication"],
        "valid_from": "2026-01-01T00:00:00Z",
        "evidence_sha256": out["evidence_sha256"],
    }
    assert len(out["evidence_sha256"]) == 16
    assert EVIDENCE not in str(out)


def test_jurisdiction_defaults_to_the_policys() -> None:
    assert resolve(None, None, NOW, default_jurisdiction=Jurisdiction.RU).jurisdiction is (
        Jurisdiction.RU
    )
    assert resolve(granted("processing"), None, NOW).jurisdiction is Jurisdiction.OTHER


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
        ConsentState.DISTRIBUTION,
        "record",
        "a grant made after the registry's withdrawal wins",
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
    snapshot = resolve(own, registry, NOW)
    assert (snapshot.state, snapshot.origin) == (state, origin)


def test_erasure_is_visible_in_the_snapshot() -> None:
    snapshot = resolve(None, entry(None, T0, erased=True), NOW)
    assert snapshot.as_dict()["erased"] is True
    assert snapshot.as_dict()["registry_at"] == "2026-01-01T00:00:00Z"


def test_judged_at_the_moment_given() -> None:
    consent = granted("processing", valid_until="2026-11-21T12:00:00Z")
    assert resolve(consent, None, NOW - timedelta(seconds=1)).state is ConsentState.PROCESSING
    assert resolve(consent, None, NOW).state is ConsentState.EXPIRED
