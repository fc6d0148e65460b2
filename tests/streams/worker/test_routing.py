"""Routing outcomes to topics: clean records are re-keyed, everything else travels unchanged."""

from __future__ import annotations

import orjson
import pytest
from aiokafka.record.default_records import DefaultRecordBatchBuilder

from streams.core import FindingReport, Outcome, Reason, Verdict, dead_letter, quarantine
from streams.core.consent import Consent, ConsentSnapshot, ConsentState, Jurisdiction
from streams.errors import InvalidRecord
from streams.settings import MIN_OUTPUT_BYTES, Settings
from streams.worker.routing import (
    MAX_DETAIL_BYTES,
    OutputMessage,
    SourceMessage,
    audit_message,
    bounded,
    message_bytes,
    route,
)

SETTINGS = Settings(
    topic_raw="t.raw",
    topic_clean="t.clean",
    topic_quarantine="t.quarantine",
    topic_deadletter="t.deadletter",
)

ORIGINAL_VALUE = (
    b'{"id": "rec-1", "source": "https://example.com/", "data": {"e": "x@example.com"}}'
)


def source(
    headers: list[tuple[str, bytes]] | None = None, key: bytes | None = b"k-1"
) -> SourceMessage:
    return SourceMessage(
        topic="t.raw",
        partition=3,
        offset=12345,
        key=key,
        value=ORIGINAL_VALUE,
        headers=[("trace-id", b"abc"), ("content-type", b"application/json")]
        if headers is None
        else headers,
    )


def test_clean() -> None:
    outcome = Outcome(
        Verdict.CLEAN,
        record_id="запись-1",
        value=b'{"id":"rec-1"}',
        policy_version="site-a-2026-11",
    )
    assert route(outcome, source(), SETTINGS) == OutputMessage(
        topic="t.clean",
        key="запись-1".encode(),
        value=b'{"id":"rec-1"}',
        headers=[("piiredact-policy-version", b"site-a-2026-11")],
    )


INCOMPLETE_CLEAN_CASES = [
    (Outcome(Verdict.CLEAN, record_id="rec-1"), "no value"),
    (Outcome(Verdict.CLEAN, value=b"{}"), "no record id"),
]


@pytest.mark.parametrize(
    ("outcome", "reason"), INCOMPLETE_CLEAN_CASES, ids=[c[-1] for c in INCOMPLETE_CLEAN_CASES]
)
def test_clean_needs_value_and_id(outcome: Outcome, reason: str) -> None:
    with pytest.raises(ValueError, match="clean outcome"):
        route(outcome, source(), SETTINGS)


FINDING = FindingReport('data["<hidden>"]', 0, 5, "EMAIL_ADDRESS", 1.0, "quarantine")

NOT_CLEAN_CASES = [
    (
        quarantine("rec-1", Reason.PII_IN_KEY, "a key under data holds EMAIL_ADDRESS", [FINDING]),
        "t.quarantine",
        b"pii_in_key",
        b"a key under data holds EMAIL_ADDRESS",
        "quarantined for a key",
    ),
    (
        quarantine("rec-1", Reason.DETECTION_TIMEOUT, "detection took over 30 s"),
        "t.quarantine",
        b"detection_timeout",
        b"detection took over 30 s",
        "quarantined unanalysed",
    ),
    (
        dead_letter(InvalidRecord("not_json", "message is not valid JSON at character 3")),
        "t.deadletter",
        b"not_json",
        b"message is not valid JSON at character 3",
        "dead-lettered",
    ),
    (
        Outcome(Verdict.DEAD_LETTER),
        "t.deadletter",
        b"unknown",
        b"",
        "an outcome without reason or detail still routes",
    ),
]


@pytest.mark.parametrize(
    ("outcome", "topic", "reason_header", "detail_header", "why"),
    NOT_CLEAN_CASES,
    ids=[c[-1] for c in NOT_CLEAN_CASES],
)
def test_not_clean_keeps_the_original(
    outcome: Outcome, topic: str, reason_header: bytes, detail_header: bytes, why: str
) -> None:
    routed = route(outcome, source(), SETTINGS)
    assert routed == OutputMessage(
        topic=topic,
        key=b"k-1",
        value=ORIGINAL_VALUE,
        headers=[
            ("trace-id", b"abc"),
            ("content-type", b"application/json"),
            ("piiredact-reason", reason_header),
            ("piiredact-detail", detail_header),
            ("piiredact-source-topic", b"t.raw"),
            ("piiredact-source-partition", b"3"),
            ("piiredact-source-offset", b"12345"),
        ],
    )


HEADER_CASES = [
    ([], ["piiredact-reason"], "no incoming headers"),
    (
        [("piiredact-reason", b"old"), ("piiredact-source-offset", b"1"), ("x", b"1")],
        ["x", "piiredact-reason"],
        "earlier piiredact headers are replaced, others kept",
    ),
    (
        [("piiredact-policy-version", b"v0"), ("x", b"1"), ("x", b"2")],
        ["x", "x", "piiredact-reason"],
        "repeated foreign headers are kept as they are",
    ),
]


@pytest.mark.parametrize(
    ("incoming", "expected_start", "reason"), HEADER_CASES, ids=[c[-1] for c in HEADER_CASES]
)
def test_piiredact_headers_are_not_duplicated(
    incoming: list[tuple[str, bytes]], expected_start: list[str], reason: str
) -> None:
    outcome = quarantine("rec-1", Reason.POLICY, "policy quarantines CREDIT_CARD")
    routed = route(outcome, source(incoming), SETTINGS)
    names = [name for name, _ in routed.headers]
    assert names[: len(expected_start)] == expected_start
    for name in names:
        if name.startswith("piiredact-"):
            assert names.count(name) == 1
    assert dict(routed.headers)["piiredact-reason"] == b"policy_quarantine"
    assert dict(routed.headers)["piiredact-source-offset"] == b"12345"
    assert incoming == source(incoming).headers, "the incoming headers are not modified"


def test_a_message_without_key_keeps_no_key() -> None:
    outcome = dead_letter(InvalidRecord("missing_field", "id: required"))
    routed = route(outcome, source(key=None), SETTINGS)
    assert routed.key is None
    assert routed.topic == "t.deadletter"


# --- no output larger than max_output_bytes -------------------------------------------------------

SMALL = SETTINGS.model_copy(update={"max_output_bytes": MIN_OUTPUT_BYTES})
FINDING = FindingReport("data.text", 0, 13, "EMAIL_ADDRESS", 1.0, "redact", rule="default")


def clean_outcome(value_bytes: int, findings: int = 1) -> Outcome:
    return Outcome(
        Verdict.CLEAN,
        record_id="rec-1",
        value=b"x" * value_bytes,
        findings=(FINDING,) * findings,
        policy_version="v1",
    )


def test_message_bytes_is_what_the_producer_checks_against_its_request_limit() -> None:
    message = OutputMessage("t", b"key", b"value", [("h", b"12"), ("hé", b"3")])
    headers: list[tuple[str, bytes | None]] = list(message.headers)
    assert message_bytes(message) == DefaultRecordBatchBuilder.estimate_size_in_bytes(
        b"key", b"value", headers
    )
    empty = message_bytes(OutputMessage("t", None, b"", []))
    assert empty > 0, "a batch of one has its framing"
    many = OutputMessage("t", None, b"", [("", b"")] * 10_000)
    assert message_bytes(many) >= empty + 10_000, "every header counts, even an empty one"


def test_a_clean_record_that_fits_stays_clean() -> None:
    outcome = clean_outcome(MIN_OUTPUT_BYTES - 200)  # the rest: id, header, batch framing
    result, message = bounded(outcome, source(), SMALL)
    assert result is outcome
    assert message == route(outcome, source(), SMALL)
    assert message_bytes(message) <= MIN_OUTPUT_BYTES


def test_a_clean_record_too_large_to_write_is_quarantined_with_its_findings() -> None:
    outcome = clean_outcome(MIN_OUTPUT_BYTES, findings=3)
    result, routed = bounded(outcome, source(), SMALL)
    assert result.verdict is Verdict.QUARANTINE
    assert result.reason == "output_too_large"
    assert (
        result.detail is not None and f"over max_output_bytes ({MIN_OUTPUT_BYTES})" in result.detail
    )
    assert (result.record_id, result.policy_version) == ("rec-1", "v1")
    assert [f.action for f in result.findings] == ["quarantine"] * 3
    assert (routed.topic, routed.value) == ("t.quarantine", ORIGINAL_VALUE), "the original"
    assert bounded(outcome, source(), SETTINGS)[0] is outcome, "the default limit is 1,000,000"


def test_a_quarantined_message_too_large_goes_without_key_value_and_foreign_headers() -> None:
    big = SourceMessage("t.raw", 3, 12345, b"k-1", b"v" * MIN_OUTPUT_BYTES, [("trace-id", b"a")])
    outcome = quarantine("rec-1", Reason.POLICY, "policy quarantines CREDIT_CARD")
    routed = route(outcome, big, SMALL)
    assert (routed.topic, routed.key, routed.value) == ("t.quarantine", None, b"")
    headers = dict(routed.headers)
    assert "trace-id" not in headers
    assert headers["piiredact-value-omitted"] == str(MIN_OUTPUT_BYTES).encode()
    assert headers["piiredact-reason"] == b"policy_quarantine"
    assert (headers["piiredact-source-partition"], headers["piiredact-source-offset"]) == (
        b"3",
        b"12345",
    ), "where the original still is"
    assert message_bytes(routed) <= MIN_OUTPUT_BYTES
    fits = route(outcome, big, SETTINGS)
    assert fits.value == big.value and "piiredact-value-omitted" not in dict(fits.headers)


def test_a_message_with_too_many_headers_goes_without_them() -> None:
    headers = [("trace", b"")] * 5_000  # small values, but framing for each
    big = SourceMessage("t.raw", 0, 7, b"k", b"{}", headers)
    routed = route(quarantine("rec-1", Reason.POLICY, "policy"), big, SMALL)
    assert "trace" not in dict(routed.headers)
    assert message_bytes(routed) <= MIN_OUTPUT_BYTES


def test_a_detail_is_capped_at_a_character_boundary() -> None:
    long_name = "поле" * 1000  # 8,000 bytes of UTF-8
    outcome = dead_letter(InvalidRecord("unknown_field", f"{long_name}: not allowed"))
    detail = dict(route(outcome, source(), SETTINGS).headers)["piiredact-detail"]
    assert len(detail) <= MAX_DETAIL_BYTES
    assert detail.decode("utf-8").startswith("поле"), "still valid UTF-8"


def test_a_dead_letter_too_large_goes_without_its_value() -> None:
    big = SourceMessage("t.raw", 0, 7, None, b"\xff" * (MIN_OUTPUT_BYTES + 1), [])
    routed = route(dead_letter(InvalidRecord("not_utf8", "not UTF-8")), big, SMALL)
    assert (routed.topic, routed.value) == ("t.deadletter", b"")
    assert dict(routed.headers)["piiredact-value-omitted"] == str(MIN_OUTPUT_BYTES + 1).encode()


def test_an_audit_entry_too_large_lists_no_findings_but_keeps_counts() -> None:
    many = clean_outcome(10, findings=500)
    entry = orjson.loads(audit_message(many, source(), SMALL).value)
    assert entry["findings"] == [] and entry["findings_omitted"] == 500
    assert entry["counts"] == {"EMAIL_ADDRESS": 500}
    assert message_bytes(audit_message(many, source(), SMALL)) <= MIN_OUTPUT_BYTES
    few = orjson.loads(audit_message(clean_outcome(10, findings=2), source(), SMALL).value)
    assert len(few["findings"]) == 2 and "findings_omitted" not in few


def test_an_audit_entry_still_too_large_keeps_only_the_consents_state() -> None:
    # Purposes are no longer copied out (only counted), so a large snapshot is made here with
    # a long reason for ignoring the record's own consent instead.
    consent = Consent(status="granted", purposes=tuple(f"p{i}-" + "x" * 250 for i in range(64)))
    snapshot = ConsentSnapshot(
        ConsentState.DISTRIBUTION, Jurisdiction.RU, "record", consent, malformed="x" * 20_000
    )
    outcome = Outcome(
        Verdict.CLEAN,
        record_id="r" * 512,
        value=b"{}",
        findings=(FINDING,) * 3,
        consent=snapshot,
        key_ids=("k1",),
    )
    assert message_bytes(audit_message(outcome, source(), SETTINGS)) > MIN_OUTPUT_BYTES
    routed = audit_message(outcome, source(), SMALL)
    assert message_bytes(routed) <= MIN_OUTPUT_BYTES
    entry = orjson.loads(routed.value)
    assert entry["consent"] == {"state": "distribution", "jurisdiction": "RU", "origin": "record"}
    assert (entry["key_ids"], entry["key_ids_omitted"]) == ([], 1)
    assert (entry["findings_omitted"], entry["counts"]) == (3, {"EMAIL_ADDRESS": 3})
    assert entry["id"] == "r" * 512
