"""Consent on the bundled broker: grant, withdrawal, re-grant and erasure on the consent topic
change what happens to the same person's later records, and the latency is measured."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer

from streams.settings import Settings
from streams.testing.broker import EmbeddedBroker
from streams.testing.harness import Collected, collect, produce, start_worker, stop_worker

pytestmark = pytest.mark.broker

SUBJECT = "vk:424242"
EMAIL = "olga.sokolova@example.ru"
PHONE = "+7 916 555-12-34"


def record(record_id: str) -> bytes:
    return orjson.dumps(
        {
            "id": record_id,
            "source": "https://vk.example.ru/id424242",
            "subject_ref": SUBJECT,
            "data": {"about": f"Пишите на {EMAIL}, тел. {PHONE}."},
        }
    )


def consent_event(at: str, consent: dict[str, Any] | None = None) -> tuple[bytes, bytes]:
    body: dict[str, Any] = {"subject_ref": SUBJECT, "at": at}
    if consent is None:
        body["type"] = "erasure"
    else:
        body.update(type="consent", consent=consent)
    return SUBJECT.encode(), orjson.dumps(body)


PROCESSING = {"status": "granted", "scope": ["processing"], "jurisdiction": "RU"}


class Flow:
    """Publishes to the worker and reads its outcomes, timing how fast consent applies."""

    def __init__(self, broker: EmbeddedBroker, settings: Settings) -> None:
        self.broker = broker
        self.settings = settings
        self.probes = 0
        self.events_sent: list[float] = []  # wall-clock time each event was acknowledged

    def send_records(self, *ids: str) -> None:
        messages = [(i.encode(), record(i)) for i in ids]
        asyncio.run(produce(self.broker.bootstrap_servers, self.settings.topic_raw, messages))

    def send_event(self, event: tuple[bytes, bytes]) -> None:
        asyncio.run(produce(self.broker.bootstrap_servers, self.settings.topic_consent, [event]))
        self.events_sent.append(time.time())

    def outputs(self, done: Callable[[Collected], bool], timeout: float = 60) -> Collected:
        return asyncio.run(collect(self.broker.bootstrap_servers, self.settings, done, timeout))

    def clean(self, record_id: str) -> dict[str, Any]:
        key = record_id.encode()
        got = self.outputs(lambda c: key in c.clean)
        return orjson.loads(got.clean[key][0])  # type: ignore[no-any-return]

    def until_state(self, state: str, timeout: float = 30) -> tuple[dict[str, Any], float]:
        """Publish a probe record every 0.1 s after an event until one is judged under
        ``state``; returns it and the seconds from the event to that probe's publication."""
        started = time.monotonic()
        sent: dict[str, float] = {}
        deadline = started + timeout
        while time.monotonic() < deadline:
            self.probes += 1
            probe = f"probe-{self.probes}"
            sent[probe] = time.monotonic()
            self.send_records(probe)
            got = self.outputs(lambda c, p=probe: p.encode() in c.clean)
            for name, at in sorted(sent.items(), key=lambda kv: kv[1]):
                values = got.clean.get(name.encode())
                if values is None:
                    continue
                out = orjson.loads(values[0])
                if out["redaction"]["consent"]["state"] == state:
                    return out, at - started
            time.sleep(0.1)
        raise AssertionError(f"no record judged {state} within {timeout}s")


def tokens(out: dict[str, Any]) -> list[str]:
    return [w.strip(",.") for w in out["data"]["about"].split() if w.startswith("<")]


def test_grant_withdrawal_regrant_and_erasure(
    broker: EmbeddedBroker, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings("flow", batch_size=4, batch_timeout=0.05, detect_names=False)
    worker = start_worker(settings, tmp_path / "worker.log")
    flow = Flow(broker, settings)
    latencies: dict[str, float] = {}
    try:
        # 1. No consent anywhere: redacted (silence is never consent).
        flow.send_records("r0")
        out = flow.clean("r0")
        assert out["redaction"]["consent"] == {
            "state": "none",
            "jurisdiction": "RU",
            "origin": "none",
        }
        assert out["data"]["about"] == "Пишите на <EMAIL_ADDRESS>, тел. <PHONE_NUMBER>."

        # 2. A grant for processing on the consent topic: later records are pseudonymised.
        flow.send_event(consent_event("2026-11-01T00:00:00Z", PROCESSING))
        out, latencies["grant"] = flow.until_state("processing")
        first_tokens = tokens(out)
        assert [t.split(":")[0] for t in first_tokens] == ["<EMAIL_ADDRESS", "<PHONE_NUMBER"]
        assert out["redaction"]["consent"]["origin"] == "registry"
        assert out["redaction"]["key_ids"] == ["demo-1"]
        flow.send_records("r1")
        assert tokens(flow.clean("r1")) == first_tokens, "same person, same value: same token"

        # 3. Withdrawal: redacted again, at once.
        flow.send_event(consent_event("2026-11-10T00:00:00Z", {"status": "withdrawn"}))
        out, latencies["withdrawal"] = flow.until_state("withdrawn")
        assert out["data"]["about"] == "Пишите на <EMAIL_ADDRESS>, тел. <PHONE_NUMBER>."
        assert {f["rule"] for f in out["redaction"]["findings"]} == {"withdrawn"}

        # A late copy of the old grant does not undo the withdrawal.
        flow.send_event(consent_event("2026-11-01T00:00:00Z", PROCESSING))
        flow.send_records("r2")
        assert flow.clean("r2")["redaction"]["consent"]["state"] == "withdrawn"

        # 4. A new grant: the subject's key survived the withdrawal, tokens link up again.
        flow.send_event(consent_event("2026-11-15T00:00:00Z", PROCESSING))
        out, latencies["regrant"] = flow.until_state("processing")
        assert tokens(out) == first_tokens

        # 5. Erasure: the key is destroyed; the subject counts as withdrawn.
        flow.send_event(consent_event("2026-11-20T00:00:00Z"))
        out, latencies["erasure"] = flow.until_state("withdrawn")
        assert out["redaction"]["consent"]["erased"] is True
        assert EMAIL not in orjson.dumps(out).decode()

        # 6. Granted again after the erasure: a fresh key, tokens unlinkable to the old ones.
        flow.send_event(consent_event("2026-11-20T12:00:00Z", PROCESSING))
        out, latencies["grant-after-erasure"] = flow.until_state("processing")
        new_tokens = tokens(out)
        assert len(new_tokens) == 2 and set(new_tokens).isdisjoint(first_tokens)

        # An invalid event is dead-lettered, never applied.
        flow.send_event((SUBJECT.encode(), b'{"subject_ref": "vk:424242", "type": "maybe"}'))
        got = flow.outputs(
            lambda c: any(
                h.get("piiredact-reason") == b"bad_consent_event"
                for entries in c.dead_letter.values()
                for _, h in entries
            )
        )
        assert got.dead_letter

        assert stop_worker(worker) == 0
    finally:
        stop_worker(worker)
        print((tmp_path / "worker.log").read_text(errors="replace")[-3000:])

    keys_log = asyncio.run(_read_topic(broker.bootstrap_servers, settings.changelog_topics[1]))
    values = [v for k, v in keys_log if k == SUBJECT.encode()]
    assert values.count(None) == 1, "the erasure wrote one tombstone for the subject's key"
    assert values[0] is not None and values[-1] is not None, "a key before and a new one after"
    assert values[0] != values[-1]

    audit = got.audit
    blob = b"\n".join(v for vs in audit.values() for v in vs)
    assert EMAIL.encode() not in blob and PHONE.encode() not in blob
    assert b'"state":"processing"' in blob and b'"state":"withdrawn"' in blob

    # Ordering is "applies to records processed after the event is consumed", not "published
    # after": a record can overtake an event. Reported, not asserted.
    print(f"probes judged under the previous state: {flow.probes - len(latencies)}")
    applied = _applied_times((tmp_path / "worker.log").read_text(errors="replace"))
    assert len(applied) == len(flow.events_sent)
    delays = sorted(a - s for a, s in zip(applied, flow.events_sent, strict=True))
    print(f"consent event acknowledged -> applied by the worker: {[f'{d:.3f}' for d in delays]} s")
    assert all(-0.05 < d < 10 for d in delays)


def _applied_times(log: str) -> list[float]:
    """Wall-clock times of the worker's "consent event ..." log lines, in order."""
    times: list[float] = []
    for line in log.splitlines():
        match = re.match(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3})\]", line)
        if match and "consent event" in line:
            stamp = datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S").timestamp()
            times.append(stamp + int(match[2]) / 1000)
    return times


async def _read_topic(bootstrap: str, topic: str) -> list[tuple[bytes | None, bytes | None]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    out: list[tuple[bytes | None, bytes | None]] = []
    try:
        idle = 0
        while idle < 4:
            batch = await consumer.getmany(timeout_ms=500)
            idle = 0 if batch else idle + 1
            for messages in batch.values():
                out.extend((m.key, m.value) for m in messages)
    finally:
        await consumer.stop()
    return out
