"""The producer client: envelope defaults, validation before sending, keys, delivery."""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka import codec as kafka_codec
from pydantic import ValidationError

from streams.client.producer import (
    ProducerSettings,
    RecordProducer,
    SendResult,
    SyncRecordProducer,
    validate_consent,
)
from streams.core.consent import Consent, Jurisdiction
from streams.core.envelope import parse_record
from streams.errors import (
    BrokerError,
    DeliveryError,
    InvalidRecord,
    InvalidRecordError,
    PiiRedactError,
)
from streams.settings import Settings
from streams.testing.broker import EmbeddedBroker, free_port, wait_until_ready

SOURCE = "https://example.com/people/1"
# Synthetic personal data planted in invalid records: no error message may repeat it.
CANARY = "olga.canary@example.ru"
GOOD_CONSENT = {
    "status": "granted",
    "scope": ["processing", "distribution"],
    "purposes": ["research"],
    "valid_from": "2026-01-01T00:00:00Z",
    "valid_until": "2027-01-01T00:00:00+03:00",
    "jurisdiction": "RU",
    "evidence": "form-17",
    "note": "extra fields are passed on",
}


def client(**overrides: Any) -> RecordProducer:
    """A client that is never started: preparing a record needs no broker."""
    return RecordProducer(broker_url="127.0.0.1:9", **overrides)


def consent(**changes: Any) -> dict[str, Any]:
    return {**GOOD_CONSENT, **changes}


def assert_names_field_not_value(exc: BaseException, field: str) -> None:
    text = f"{exc} {exc!r} {exc.args!r}"
    assert field in str(exc), f"{field!r} not named in {exc}"
    assert CANARY not in text and CANARY.upper() not in text
    assert exc.__cause__ is None


# --- validation before sending ----------------------------------------------------------------

SEND_INVALID_CASES: list[tuple[dict[str, Any], str, str, str]] = [
    ({"source": None}, "missing_field", "source", "no source"),
    ({"source": f"mailto {CANARY}"}, "bad_field", "source", "source is not a URL"),
    ({"source": 42}, "bad_field", "source", "source is not a string"),
    ({"data": [CANARY]}, "bad_field", "data", "data is a list"),
    ({"data": CANARY}, "bad_field", "data", "data is a string"),
    ({"data": {"tags": {CANARY}}}, "bad_field", "data", "a set is not JSON"),
    ({"data": {"when": datetime.now(UTC)}}, "bad_field", "data", "a datetime in data"),
    ({"data": {"score": float("nan")}}, "bad_field", "data", "NaN"),
    ({"data": {"score": float("inf")}}, "bad_field", "data", "infinity"),
    ({"data": {7: CANARY}}, "bad_field", "data", "a key that is not a string"),
    ({"data": {"bio": CANARY + "\ud800"}}, "bad_string", "data", "lone surrogate in a value"),
    ({"data": {CANARY + "\udfff": 1}}, "bad_string", "data", "lone surrogate in a key"),
    ({"subject_ref": CANARY + "\ud83d"}, "bad_string", "subject_ref", "surrogate in subject_ref"),
    ({"source": f"https://x.example/{CANARY}\ud800"}, "bad_string", "source", "surrogate in URL"),
    ({"id": ""}, "bad_field", "id", "empty id"),
    ({"id": "   "}, "bad_field", "id", "blank id"),
    ({"id": CANARY + "\x00"}, "bad_field", "id", "control character in id"),
    ({"id": CANARY * 40}, "bad_field", "id", "id longer than 512 characters"),
    ({"id": 12345}, "bad_field", "id", "id is a number"),
    ({"scraped_at": f"yesterday {CANARY}"}, "bad_field", "scraped_at", "not RFC 3339"),
    ({"scraped_at": "2026-02-30T10:00:00Z"}, "bad_field", "scraped_at", "no such day"),
    ({"scraped_at": "2026-11-21T10:00:00"}, "bad_field", "scraped_at", "no time zone"),
    ({"scraped_at": datetime(2026, 11, 21, 10, 0)}, "bad_field", "scraped_at", "naive datetime"),
    ({"lang": CANARY}, "bad_field", "lang", "not a language tag"),
    ({"subject_ref": [CANARY]}, "bad_field", "subject_ref", "subject_ref is a list"),
    ({"consent": CANARY}, "bad_field", "consent", "consent is a string"),
    ({"consent": {}}, "bad_field", "consent.status", "consent without status"),
    ({"consent": consent(status=CANARY)}, "bad_field", "consent.status", "unknown status"),
    ({"consent": consent(status=True)}, "bad_field", "consent.status", "status not a string"),
    ({"consent": consent(scope=CANARY)}, "bad_field", "consent.scope", "scope not a list"),
    (
        {"consent": consent(scope=["processing", CANARY])},
        "bad_field",
        "consent.scope",
        "unknown scope",
    ),
    ({"consent": consent(purposes=[""])}, "bad_field", "consent.purposes", "empty purpose"),
    ({"consent": consent(purposes=[7])}, "bad_field", "consent.purposes", "purpose a number"),
    (
        {"consent": consent(jurisdiction=CANARY)},
        "bad_field",
        "consent.jurisdiction",
        "unknown jurisdiction",
    ),
    ({"consent": consent(jurisdiction="ru")}, "bad_field", "consent.jurisdiction", "lower case"),
    ({"consent": consent(valid_from=CANARY)}, "bad_field", "consent.valid_from", "not a time"),
    (
        {"consent": consent(valid_until="2026-13-01T00:00:00Z")},
        "bad_field",
        "consent.valid_until",
        "no such month",
    ),
    (
        {"consent": consent(valid_until="2025-12-31T23:59:59Z")},
        "bad_field",
        "consent.valid_until",
        "ends before it starts",
    ),
    (
        {"consent": consent(valid_until="2026-01-01T03:00:00+03:00")},
        "bad_field",
        "consent.valid_until",
        "ends when it starts (same instant, other zone)",
    ),
    (
        {"consent": consent(withdrawn_at=datetime(2026, 3, 1))},
        "bad_field",
        "consent.withdrawn_at",
        "naive datetime",
    ),
    ({"consent": consent(evidence=17)}, "bad_field", "consent.evidence", "evidence not a string"),
    (
        {"consent": Consent(status=CANARY)},
        "bad_field",
        "consent.status",
        "Consent with an unknown status",
    ),
]


@pytest.mark.parametrize(
    ("changes", "reason", "field", "why"),
    SEND_INVALID_CASES,
    ids=[case[3] for case in SEND_INVALID_CASES],
)
def test_prepare_refuses(changes: dict[str, Any], reason: str, field: str, why: str) -> None:
    kwargs: dict[str, Any] = {"data": {"name": "Ivan"}, "source": SOURCE, **changes}
    data = kwargs.pop("data")
    with pytest.raises(InvalidRecordError) as caught:
        client().prepare(data, **kwargs)
    assert caught.value.reason == reason, why
    assert_names_field_not_value(caught.value, field)


LIMIT_CASES: list[tuple[dict[str, int], dict[str, Any], str, str]] = [
    ({"max_record_bytes": 2000}, {"bio": CANARY * 100}, "too_large", "limit 2000"),
    ({"max_string_chars": 50}, {"bio": CANARY * 3}, "string_too_long", "data"),
    ({"max_depth": 3}, {"a": {"b": {"c": CANARY}}}, "too_deep", "data"),
    ({"max_strings": 5}, {f"k{i}": CANARY for i in range(5)}, "too_many_strings", "5"),
]


@pytest.mark.parametrize(("limits", "data", "reason", "named"), LIMIT_CASES)
def test_prepare_applies_the_worker_limits(
    limits: dict[str, int], data: dict[str, Any], reason: str, named: str
) -> None:
    with pytest.raises(InvalidRecordError) as caught:
        client(**limits).prepare(data, source=SOURCE)
    assert caught.value.reason == reason
    assert_names_field_not_value(caught.value, named)


def test_limits_come_from_the_same_environment_as_the_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PIIREDACT_MAX_STRING_CHARS", "10")
    monkeypatch.setenv("PIIREDACT_TOPIC_RAW", "site-a.raw")
    producer = RecordProducer()
    assert producer.topic == "site-a.raw"
    assert producer.settings.limits.max_string_chars == Settings().max_string_chars == 10
    with pytest.raises(InvalidRecordError, match="string_too_long"):
        producer.prepare({"bio": CANARY}, source=SOURCE)


SEND_RECORD_INVALID_CASES: list[tuple[Any, str, str, str]] = [
    (
        {"id": "r1", "source": SOURCE, "data": {}, "extra": CANARY},
        "unknown_field",
        "'extra'",
        "unknown top-level field",
    ),
    (
        {"id": "r1", "source": SOURCE, "data": {}, f"{CANARY} x": 1},
        "unknown_field",
        "<non-identifier>",
        "an unknown field whose name is not an identifier is not repeated",
    ),
    ({"id": "r1", "source": SOURCE, "data": {}, 3: CANARY}, "unknown_field", "int", "int name"),
    ({"id": "r1", "source": SOURCE}, "missing_field", "data", "no data"),
    ({"source": SOURCE, "data": {"x": CANARY}}, "missing_field", "id", "no id: nothing is filled"),
    ([CANARY], "not_object", "record", "not a dict"),
    (
        {"id": "r1", "source": SOURCE, "data": {}, "consent": {"status": "granted", "scope": "x"}},
        "bad_field",
        "consent.scope",
        "consent checked in send_record too",
    ),
    (
        {
            "id": "r1",
            "source": SOURCE,
            "data": {},
            "consent": {"status": "granted", "identity": {"EMAIL_ADDRESS": CANARY}},
        },
        "bad_field",
        "consent.identity.EMAIL_ADDRESS",
        "an identity the worker would ignore, making every value a third party's",
    ),
    (
        {
            "id": "r1",
            "source": SOURCE,
            "data": {},
            "consent": {"status": "granted", "identity": {"PERSON": ["Olga"]}},
        },
        "bad_field",
        "consent.identity.PERSON[0]",
        "a given name alone identifies nobody",
    ),
]


@pytest.mark.parametrize(
    ("record", "reason", "named", "why"),
    SEND_RECORD_INVALID_CASES,
    ids=[case[3] for case in SEND_RECORD_INVALID_CASES],
)
def test_prepare_envelope_refuses(record: Any, reason: str, named: str, why: str) -> None:
    with pytest.raises(InvalidRecordError) as caught:
        client().prepare_envelope(record)
    assert caught.value.reason == reason, why
    assert_names_field_not_value(caught.value, named)


def test_invalid_record_error_is_part_of_the_tree() -> None:
    assert issubclass(InvalidRecordError, InvalidRecord)
    assert issubclass(InvalidRecordError, PiiRedactError)
    assert issubclass(DeliveryError, BrokerError)
    assert issubclass(DeliveryError, PiiRedactError)


def test_valid_consent_passes_and_extra_fields_are_kept() -> None:
    validate_consent(GOOD_CONSENT)
    validate_consent({"status": "none"})
    prepared = client().prepare({"x": 1}, source=SOURCE, consent=GOOD_CONSENT)
    assert orjson.loads(prepared.value)["consent"] == GOOD_CONSENT


def test_the_workers_consent_type_becomes_the_consent_object() -> None:
    given = Consent(
        status="withdrawn",
        scope=frozenset({"distribution", "processing"}),
        purposes=("research",),
        valid_from=datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=3))),
        withdrawn_at=datetime(2026, 5, 1, tzinfo=UTC),
        jurisdiction=Jurisdiction.EU,
    )
    prepared = client().prepare({"x": 1}, source=SOURCE, consent=given)
    assert orjson.loads(prepared.value)["consent"] == {
        "status": "withdrawn",
        "scope": ["distribution", "processing"],
        "purposes": ["research"],
        "valid_from": "2026-01-01T09:00:00Z",
        "withdrawn_at": "2026-05-01T00:00:00Z",
        "jurisdiction": "EU",
    }


def test_consent_times_may_be_aware_datetimes() -> None:
    given = consent(valid_from=datetime(2026, 1, 1, tzinfo=UTC), valid_until=None)
    prepared = client().prepare({"x": 1}, source=SOURCE, consent=given)
    assert orjson.loads(prepared.value)["consent"]["valid_from"] == "2026-01-01T00:00:00Z"
    assert given["valid_from"] == datetime(2026, 1, 1, tzinfo=UTC), "the caller's dict is kept"


# --- the envelope and its defaults ------------------------------------------------------------


def test_defaults_id_is_a_uuid5_of_source_and_data_and_scraped_at_is_now() -> None:
    producer = client()
    before = datetime.now(UTC)
    first = producer.prepare({"b": 2, "a": [1, "x"]}, source=SOURCE)
    again = producer.prepare({"a": [1, "x"], "b": 2}, source=SOURCE)  # key order is irrelevant
    other_data = producer.prepare({"a": [1, "y"], "b": 2}, source=SOURCE)
    other_page = producer.prepare({"a": [1, "x"], "b": 2}, source=SOURCE + "/2")
    assert uuid.UUID(first.id).version == 5
    assert first.id == again.id
    assert len({first.id, other_data.id, other_page.id}) == 3
    record = orjson.loads(first.value)
    assert record["id"] == first.id
    assert record["scraped_at"].endswith("Z")
    stamped = datetime.fromisoformat(record["scraped_at"].replace("Z", "+00:00"))
    assert before - timedelta(seconds=1) <= stamped <= datetime.now(UTC) + timedelta(seconds=1)


def test_given_fields_are_kept_and_aware_datetimes_become_utc() -> None:
    when = datetime(2026, 11, 21, 13, 0, tzinfo=timezone(timedelta(hours=3)))
    prepared = client().prepare(
        {"bio": "Привет"},
        source=SOURCE,
        id="page-1",
        scraped_at=when,
        lang="ru",
        subject_ref="subj-7",
    )
    assert orjson.loads(prepared.value) == {
        "id": "page-1",
        "source": SOURCE,
        "scraped_at": "2026-11-21T10:00:00Z",
        "lang": "ru",
        "subject_ref": "subj-7",
        "data": {"bio": "Привет"},
    }
    assert parse_record(prepared.value).id == "page-1"


def test_integers_wider_than_64_bits_are_sent_exactly() -> None:
    prepared = client().prepare({"n": 2**70, "m": -(2**65)}, source=SOURCE, id="big")
    assert parse_record(prepared.value).data == {"n": 2**70, "m": -(2**65)}


def test_tuples_are_sent_as_lists() -> None:
    prepared = client().prepare({"tags": ("a", ("b",))}, source=SOURCE, id="t")
    assert orjson.loads(prepared.value)["data"] == {"tags": ["a", ["b"]]}


KEY_CASES = [
    ({"id": "page-1"}, b"page-1", "no subject: the record id"),
    (
        {"id": "page-1", "subject_ref": CANARY},
        hashlib.sha256(b"piiredact-subject\x00" + CANARY.encode()).hexdigest().encode(),
        "a subject: SHA-256 of subject_ref, never the reference itself",
    ),
]


@pytest.mark.parametrize(("fields", "key", "why"), KEY_CASES)
def test_message_key(fields: dict[str, Any], key: bytes, why: str) -> None:
    prepared = client().prepare({"x": 1}, source=SOURCE, **fields)
    assert prepared.key == key, why
    assert CANARY.encode() not in prepared.key


def test_one_subject_one_key_and_a_secret_changes_it() -> None:
    plain = client()
    keyed = client(subject_key_secret="s3cret")
    a1 = plain.prepare({"x": 1}, source=SOURCE, subject_ref=CANARY)
    a2 = plain.prepare({"x": 2}, source=SOURCE + "/2", subject_ref=CANARY)
    b = plain.prepare({"x": 1}, source=SOURCE, subject_ref="someone-else")
    k = keyed.prepare({"x": 1}, source=SOURCE, subject_ref=CANARY)
    assert a1.key == a2.key != b.key
    assert k.key not in (a1.key, b.key) and len(k.key) == 64
    assert "s3cret" not in repr(keyed.settings)


# --- settings ---------------------------------------------------------------------------------

BROKER_URL_CASES = [
    ("kafka://127.0.0.1:9092", "127.0.0.1:9092", "the worker's form"),
    ("kafka://h1:9092;h2:9093", "h1:9092,h2:9093", "several, worker's separator"),
    ("h1:9092, h2:9093", "h1:9092,h2:9093", "aiokafka's form"),
]


@pytest.mark.parametrize(("url", "servers", "why"), BROKER_URL_CASES)
def test_broker_url_forms(url: str, servers: str, why: str) -> None:
    assert ProducerSettings(broker_url=url).bootstrap_servers == servers, why


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("broker_url", "kafka://", "host:port"),
        ("producer_compression", "brotli", "gzip"),
        ("producer_linger_ms", -1, "greater than or equal"),
        ("producer_request_timeout", 0, "greater than"),
    ],
)
def test_bad_settings_are_refused(field: str, value: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ProducerSettings(**{field: value})


@pytest.mark.skipif(kafka_codec.has_lz4(), reason="lz4 codec installed")
def test_a_codec_without_its_package_is_refused_with_the_fix() -> None:
    with pytest.raises(ValidationError, match="use gzip or none"):
        ProducerSettings(producer_compression="lz4")


# --- delivery errors --------------------------------------------------------------------------


async def test_unreachable_broker_fails_fast_on_start() -> None:
    port = free_port()
    started = time.monotonic()
    with pytest.raises(BrokerError) as caught:
        async with RecordProducer(broker_url=f"127.0.0.1:{port}", producer_request_timeout=2):
            pass
    assert time.monotonic() - started < 10
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert "KafkaConnectionError" in str(caught.value)
    with pytest.raises(BrokerError), SyncRecordProducer(broker_url=f"kafka://127.0.0.1:{port}"):
        pass


async def test_sending_before_start_is_an_error() -> None:
    producer = client()
    with pytest.raises(BrokerError, match="not started"):
        await producer.send({"x": 1}, source=SOURCE)
    with pytest.raises(BrokerError, match="not started"):
        SyncRecordProducer(broker_url="127.0.0.1:9").send({"x": 1}, source=SOURCE)


def test_invalid_record_is_refused_before_anything_is_sent() -> None:
    # Not started: a send that got as far as the broker would fail with BrokerError instead.
    with pytest.raises(InvalidRecordError):
        SyncRecordProducer(broker_url="127.0.0.1:9").send({"x": 1}, source="nope")


@pytest.mark.broker
def test_broker_gone_is_a_delivery_error_within_the_request_timeout(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    log = tmp_path_factory.mktemp("gone") / "broker.log"
    broker = EmbeddedBroker(log_file=log)
    broker.start()
    try:
        asyncio.run(wait_until_ready(broker.bootstrap_servers))
        with SyncRecordProducer(
            broker_url=broker.url, topic_raw="gone.raw", producer_request_timeout=2
        ) as producer:
            assert producer.send({"x": 0}, source=SOURCE).topic == "gone.raw"
            broker.stop()
            started = time.monotonic()
            with pytest.raises(DeliveryError) as caught:
                producer.send({"bio": CANARY}, source=SOURCE, id="rec-lost")
            assert time.monotonic() - started < 10
            assert caught.value.record_id == "rec-lost"
            assert "rec-lost" in str(caught.value)
            assert caught.value.error_type in str(caught.value)
            assert CANARY not in str(caught.value)
            pending = producer.send({"x": 2}, source=SOURCE, id="rec-pending", wait=False)
            with pytest.raises(DeliveryError, match="rec-pending"):
                pending.result(timeout=15)
    finally:
        broker.stop()


# --- on the broker ----------------------------------------------------------------------------


async def read_back(bootstrap: str, topic: str, count: int, timeout: float = 30.0) -> list[Any]:
    """Every message of ``topic`` from the start, until ``count`` are seen or time runs out
    (the embedded broker's end offsets are unreliable, so the count decides)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: list[Any] = []
    try:
        deadline = time.monotonic() + timeout
        while len(seen) < count and time.monotonic() < deadline:
            for messages in (await consumer.getmany(timeout_ms=300)).values():
                seen.extend(messages)
    finally:
        await consumer.stop()
    return seen


def check_messages(messages: list[Any], sent: dict[str, SendResult], subjects: set[str]) -> None:
    assert len(messages) == len(sent)
    by_id = {orjson.loads(m.value)["id"]: m for m in messages}
    assert set(by_id) == set(sent)
    for record_id, result in sent.items():
        message = by_id[record_id]
        record = parse_record(message.value)
        assert (message.partition, message.offset) == (result.partition, result.offset)
        if record.subject_ref is not None:
            assert record.subject_ref in subjects
            assert (
                message.key
                == hashlib.sha256(b"piiredact-subject\x00" + record.subject_ref.encode())
                .hexdigest()
                .encode()
            )
        else:
            assert message.key == record_id.encode()
        if not record_id.startswith("built-"):  # send_record fills in no defaults
            assert record.scraped_at is not None and record.scraped_at.endswith("Z")


@pytest.mark.broker
@pytest.mark.parametrize("compression", ["gzip", "none"])
async def test_async_client_round_trip(
    broker: EmbeddedBroker, make_settings: Callable[..., Settings], compression: str
) -> None:
    settings = await asyncio.to_thread(make_settings, f"prod-async-{compression}")
    subjects = {"subj-a", "subj-b"}
    sent: dict[str, SendResult] = {}
    async with RecordProducer(
        broker_url=broker.url,
        topic_raw=settings.topic_raw,
        producer_compression=compression,
        producer_linger_ms=20,
    ) as producer:
        for i in range(10):
            result = await producer.send(
                {"n": i, "bio": "Иван Петров, тел. +7 916 123-45-67" * 20},
                source=f"https://example.com/p/{i}",
                subject_ref=f"subj-{'ab'[i % 2]}" if i < 6 else None,
                consent=GOOD_CONSENT if i % 3 == 0 else None,
            )
            sent[result.id] = result
        futures = [
            await producer.send({"n": i}, source=SOURCE, id=f"nowait-{i}", wait=False)
            for i in range(10)
        ]
        for future in futures:
            result = await future
            sent[result.id] = result
        result = await producer.send_record(
            {"id": "built-1", "source": SOURCE, "data": {"x": 1}, "lang": "en"}
        )
        sent[result.id] = result
        await producer.flush()
    messages = await read_back(broker.bootstrap_servers, settings.topic_raw, len(sent))
    check_messages(messages, sent, subjects)
    # One subject, one partition, offsets in the order sent.
    for subject in subjects:
        mine = [m for m in messages if orjson.loads(m.value).get("subject_ref") == subject]
        assert len({m.partition for m in mine}) == 1
        ns = [orjson.loads(m.value)["data"]["n"] for m in sorted(mine, key=lambda m: m.offset)]
        assert ns == sorted(ns)


@pytest.mark.broker
def test_sync_client_from_several_threads(
    broker: EmbeddedBroker, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings("prod-sync")
    sent: dict[str, SendResult] = {}
    lock = threading.Lock()
    with SyncRecordProducer(broker_url=broker.url, topic_raw=settings.topic_raw) as producer:

        def worker(thread: int) -> None:
            for i in range(8):
                result = producer.send(
                    {"thread": thread, "i": i},
                    source=f"https://example.com/t/{thread}/{i}",
                    subject_ref=f"subj-{thread}" if i % 2 else None,
                )
                with lock:
                    sent[result.id] = result

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        pending = producer.send({"last": True}, source=SOURCE, wait=False)
        producer.flush()
        assert pending.done()
        sent[pending.result().id] = pending.result()
        built = producer.send_record({"id": "built-2", "source": SOURCE, "data": {}})
        sent[built.id] = built
    assert len(sent) == 4 * 8 + 2
    messages = asyncio.run(read_back(broker.bootstrap_servers, settings.topic_raw, len(sent)))
    check_messages(messages, sent, {f"subj-{n}" for n in range(4)})
