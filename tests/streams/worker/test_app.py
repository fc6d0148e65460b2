"""The worker on the embedded broker: every message gets exactly one outcome, nothing leaks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import orjson
import pytest

from recognizers.engine import Detector
from streams.cli.reveal import reveal_record
from streams.core.consent import ConsentSnapshot, ConsentState, Jurisdiction
from streams.core.keys import Keyring, load_keyring
from streams.core.policy import DEFAULT_POLICY, parse_policy
from streams.core.reveal import RevealCipher
from streams.errors import KeyringError
from streams.settings import MIN_OUTPUT_BYTES, Settings
from streams.testing.broker import EmbeddedBroker
from streams.testing.demo import demo_messages
from streams.testing.harness import (
    Collected,
    Message,
    collect,
    produce,
    start_worker,
    stop_worker,
    write_demo_keyring,
)
from streams.testing.samples import MALFORMED
from streams.worker.app import create_app
from tests.streams.worker._kafka import committed_offsets, next_offsets

pytestmark = pytest.mark.broker

# Records that must be quarantined, with the reason each must get.
QUARANTINED: tuple[tuple[dict[str, object], str], ...] = (
    (
        {"id": "user-olga.sokolova@example.ru", "source": "https://x.example/1", "data": {}},
        "pii_in_id",
    ),
    (
        {
            "id": "mailing-list-7",
            "source": "https://x.example/2",
            "data": {"subscribers": {"dmitry.volkov@example.com": "active"}},
        },
        "pii_in_key",
    ),
)
QUARANTINE_CANARIES = ("olga.sokolova@example.ru", "dmitry.volkov@example.com")


def through_worker(
    broker: EmbeddedBroker,
    settings: Settings,
    messages: Sequence[Message],
    expected: set[bytes],
    tmp_path: Path,
    *,
    timeout: float,
    settle: bool = False,
) -> Collected:
    """Publish ``messages`` to a worker and read the outputs until every ``expected`` key has
    one (with ``settle``, again 2 s later, so that duplicates would show); the worker must then
    stop with exit code 0. Its log's end is printed, for a failing test."""
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        asyncio.run(produce(broker.bootstrap_servers, settings.topic_raw, messages))
        collected = asyncio.run(
            collect(
                broker.bootstrap_servers,
                settings,
                lambda c: expected <= set(c.keys()),
                timeout=timeout,
                alive=lambda: worker.poll() is None,
            )
        )
        if settle:
            time.sleep(2)
            collected = asyncio.run(
                collect(broker.bootstrap_servers, settings, lambda c: expected <= set(c.keys()), 60)
            )
        assert stop_worker(worker) == 0
    finally:
        stop_worker(worker)
        print((tmp_path / "worker.log").read_text(errors="replace")[-3000:])
    return collected


def test_every_message_gets_one_outcome_and_no_planted_value_reaches_clean(
    broker: EmbeddedBroker, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings("e2e", batch_size=16)
    samples, messages = demo_messages(120, seed=11)
    messages += [(r["id"].encode(), orjson.dumps(r)) for r, _ in QUARANTINED]  # type: ignore[union-attr]
    expected = {key for key, _ in messages if key is not None}
    assert len(expected) == len(messages), "test keys must be unique"

    collected = through_worker(
        broker, settings, messages, expected, tmp_path, timeout=180, settle=True
    )

    counts = collected.keys()
    assert set(counts) == expected
    assert [k for k, n in counts.items() if n != 1] == [], "each message exactly once"

    clean_blob = b"\n".join(v for values in collected.clean.values() for v in values)
    for sample in samples:
        for canary in sample.canaries:
            assert canary.encode() not in clean_blob, f"{sample.record['id']} leaked a value"
    for canary in QUARANTINE_CANARIES:
        assert canary.encode() not in clean_blob

    _check_dead_letters(collected, settings)
    _check_quarantine(collected)
    _check_clean_records(collected, samples_ids={s.record["id"] for s in samples})
    _check_audit(collected, samples, total=len(messages))

    committed = asyncio.run(committed_offsets(settings, broker.bootstrap_servers))
    ends = asyncio.run(next_offsets(settings, broker.bootstrap_servers, len(messages)))
    assert committed == ends, "offsets are committed up to the end once all outcomes are written"


def _check_audit(collected: Collected, samples: list, total: int) -> None:
    """One audit entry per input message; clean ones keyed by id and matching the record's
    redaction block; no planted value anywhere in the audit topic."""
    entries = [orjson.loads(v) for values in collected.audit.values() for v in values]
    assert len(entries) == total
    for key, values in collected.clean.items():
        [audit] = [orjson.loads(v) for v in collected.audit[key]]
        block = orjson.loads(values[0])["redaction"]
        assert audit["verdict"] == "clean"
        assert audit["policy_version"] == block["policy_version"]
        assert audit["consent"] == block["consent"]
        assert audit["findings"] == block["findings"]
        assert audit["key_ids"] == block["key_ids"]
    assert sum(e["verdict"] == "dead_letter" for e in entries) == len(MALFORMED)
    audit_blob = b"\n".join(v for values in collected.audit.values() for v in values)
    for sample in samples:
        for _entity, value in sample.planted:
            assert value.encode() not in audit_blob


def _check_dead_letters(collected: Collected, settings: Settings) -> None:
    for index, (raw, reason) in enumerate(MALFORMED):
        entries = collected.dead_letter[f"malformed-{index}".encode()]
        assert len(entries) == 1
        value, headers = entries[0]
        assert value == raw, "the original message is kept unchanged"
        assert headers["piiredact-reason"] == reason.encode()
        assert headers["piiredact-source-topic"] == settings.topic_raw.encode()
        assert int(headers["piiredact-source-partition"]) in range(3)
        assert int(headers["piiredact-source-offset"]) >= 0


def _check_quarantine(collected: Collected) -> None:
    for record, reason in QUARANTINED:
        entries = collected.quarantine[str(record["id"]).encode()]
        value, headers = entries[0]
        assert orjson.loads(value) == record
        assert headers["piiredact-reason"] == reason.encode()
        for canary in QUARANTINE_CANARIES:
            assert canary.encode() not in headers["piiredact-detail"]


def _check_clean_records(collected: Collected, samples_ids: set[str]) -> None:
    for key, values in collected.clean.items():
        record = orjson.loads(values[0])
        assert record["id"] == key.decode()
        assert record["id"] in samples_ids
        block = record["redaction"]
        assert block["policy_version"] == "builtin-consent-3"
        assert sum(block["counts"].values()) == len(block["findings"])
        consent = ConsentSnapshot(
            ConsentState(block["consent"]["state"]),
            Jurisdiction(block["consent"]["jurisdiction"]),
            block["consent"]["origin"],
        )
        if "subject_ref" not in record:
            assert consent.state is ConsentState.NONE
        for finding in block["findings"]:
            fields = {"path", "start", "end", "entity_type", "score", "action", "rule", "person"}
            if finding["entity_type"] == "RU_INN":
                fields.add("subtype")
            assert set(finding) == fields
            # Nobody is registered here: a finding is the subject's or a third party's.
            assert finding["person"] in ("subject", "third_party")
            judged = (
                consent
                if finding["person"] == "subject"
                else ConsentSnapshot(ConsentState.THIRD_PARTY, consent.jurisdiction, "none")
            )
            action, rule = DEFAULT_POLICY.decide(
                finding["entity_type"], finding.get("subtype"), judged
            )
            assert (finding["action"], finding["rule"]) == (action.value, rule)


def test_outputs_too_large_to_write_are_bounded_and_the_worker_goes_on(
    broker: EmbeddedBroker, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    """With the smallest max_output_bytes: a record whose redacted form would not fit is
    quarantined (not retried forever), a dead letter too large goes without its value, and the
    records around them are delivered as usual."""
    settings = make_settings("big", max_output_bytes=MIN_OUTPUT_BYTES, detect_names=False)
    emails = " ".join(f"user{i}@mail.example" for i in range(400))  # ~8 KB of text
    many = {"id": "many-findings", "source": "https://x.example/m", "data": {"text": emails}}
    small = {"id": "small", "source": "https://x.example/s", "data": {"text": "a@b.example"}}
    junk = b"\xff" * (MIN_OUTPUT_BYTES + 1)  # not UTF-8: a dead letter
    messages = [
        (b"many-findings", orjson.dumps(many)),
        (b"junk", junk),
        (b"small", orjson.dumps(small)),
    ]
    expected = {b"many-findings", b"small", b""}  # the dead letter goes without its key
    collected = through_worker(broker, settings, messages, expected, tmp_path, timeout=120)

    [(value, headers)] = collected.quarantine[b"many-findings"]
    assert value == orjson.dumps(many), "the original, whole: it fits"
    assert headers["piiredact-reason"] == b"output_too_large"
    [(value, headers)] = collected.dead_letter[b""]
    assert value == b"" and headers["piiredact-value-omitted"] == str(len(junk)).encode()
    assert headers["piiredact-reason"] == b"not_utf8"
    assert int(headers["piiredact-source-offset"]) >= 0
    assert b"small" in collected.clean
    [audit] = [orjson.loads(v) for v in collected.audit[b"many-findings"]]
    assert (audit["verdict"], audit["reason"]) == ("quarantine", "output_too_large")
    assert audit["findings"] == [] and audit["findings_omitted"] == 400
    assert audit["counts"] == {"EMAIL_ADDRESS": 400}


ENCRYPTING_POLICY = """\
version: encrypt-e2e-1
default_action: redact
rules:
  - id: mail-reversible
    entities: [EMAIL_ADDRESS]
    action: encrypt
"""


def test_encrypted_values_reach_clean_and_reveal_to_the_originals(
    broker: EmbeddedBroker, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(ENCRYPTING_POLICY)
    reveal_keys = write_demo_keyring(tmp_path / "reveal-keys.json")
    settings = make_settings(
        "enc", policy_file=policy, reveal_keys_file=reveal_keys, detect_names=False
    )
    records = [
        {"id": f"enc-{i}", "source": "https://x.example/e", "data": {"text": f"mail {email}"}}
        for i, email in enumerate(("olga.sokolova@example.ru", "dmitry.volkov@example.com"))
    ]
    messages = [(str(r["id"]).encode(), orjson.dumps(r)) for r in records]
    collected = through_worker(
        broker, settings, messages, {k for k, _ in messages}, tmp_path, timeout=120
    )
    cipher = RevealCipher(load_keyring(reveal_keys, None))  # type: ignore[arg-type]
    for original in records:
        [value] = collected.clean[str(original["id"]).encode()]
        assert b"@example" not in value
        clean = orjson.loads(value)
        assert clean["redaction"]["findings"][0]["action"] == "encrypt"
        assert reveal_record(clean, cipher).record["data"] == original["data"]


def test_a_policy_that_encrypts_without_reveal_keys_stops_the_worker(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings("enc-nokeys")
    with pytest.raises(KeyringError, match="no reveal keyring"):
        create_app(
            settings,
            detector=Detector([], []),
            policy=parse_policy(ENCRYPTING_POLICY),
            keyring=Keyring.generate(),
        )


def test_a_stopping_producer_gives_up_undelivered_outputs_in_bounded_time(
    make_settings: Callable[..., Settings],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """What the producer still holds when the worker stops belongs to unacknowledged inputs,
    so neither Faust's flush before its last commit nor the producer's stop waits out the
    request timeout for a broker that refuses produce requests."""
    from faust.transport.drivers import aiokafka as faust_aiokafka  # noqa: PLC0415

    from streams.worker import app as worker_app  # noqa: PLC0415

    app = create_app(
        make_settings("bounded-stop"), detector=Detector([], []), keyring=Keyring.generate()
    )
    producer = app.producer
    assert isinstance(producer, worker_app.BoundedStopProducer)
    assert isinstance(app.consumer, worker_app.BoundedStopConsumer)
    flushed: list[str] = []

    async def never_delivered(self: object) -> None:
        flushed.append("waited")
        await asyncio.sleep(60)

    async def delivered(self: object) -> None:
        flushed.append("delivered")

    monkeypatch.setattr(worker_app, "STOP_WAIT_SECONDS", 0.2)
    monkeypatch.setattr(faust_aiokafka.Producer, "flush", delivered)
    asyncio.run(producer.flush())  # running: a flush is Faust's, unbounded
    assert flushed == ["delivered"]
    monkeypatch.setattr(faust_aiokafka.Producer, "flush", never_delivered)
    monkeypatch.setattr(faust_aiokafka.Producer, "on_stop", never_delivered)
    setattr(app, worker_app.STOPPING, True)
    started = time.monotonic()
    asyncio.run(producer.flush())
    asyncio.run(producer.on_stop())
    assert time.monotonic() - started < 30
    assert flushed[:2] == ["delivered", "waited"]
    assert caplog.text.count("given up") == 2
