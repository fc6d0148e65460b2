"""No message stalls the worker: each stall cause on the embedded broker.

Faults are injected into a real worker process (and its detection process) by a
``sitecustomize`` module put on ``PYTHONPATH``: it wraps one function of each stage so that it
raises on messages carrying that stage's marker. Production code holds no test hook. Every
message must get exactly one outcome, and messages after a failing one must flow.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from streams.settings import Settings
from streams.testing.broker import EmbeddedBroker
from streams.testing.harness import Collected, Message, collect, produce, start_worker, stop_worker
from tests.conftest import REPO

pytestmark = pytest.mark.broker

SITECUSTOMIZE = """
import os

stages = set(filter(None, os.environ.get("FAULT_INJECT_STAGES", "").split(",")))


def _wrap(owner, name, hit):
    original = getattr(owner, name)

    def wrapped(*args, **kwargs):
        if hit(*args, **kwargs):
            raise RuntimeError("injected fault")
        return original(*args, **kwargs)

    setattr(owner, name, wrapped)


if stages:
    import streams.worker.batch as batch
    import streams.core.redactor as core
    from recognizers.engine import Detector

    if "parse" in stages:
        _wrap(core, "parse_record", lambda raw, *a, **k: b"BOOM-parse" in raw)
    if "consent" in stages:
        _wrap(core.Redactor, "consent_of", lambda self, record, *a: "BOOM-consent" in repr(record))
    if "detect" in stages:
        _wrap(
            Detector, "analyze", lambda self, texts, *a, **k: any("BOOM-detect" in t for t in texts)
        )
    if "policy" in stages:
        _wrap(core, "decide", lambda record, *a: "BOOM-policy" in repr(record))
    if "route" in stages:
        _wrap(batch, "bounded", lambda outcome, source, s: b"BOOM-route" in source.value)
    if "audit" in stages:
        _wrap(
            batch,
            "audit_message",
            lambda outcome, *a: "BOOM-audit" in (outcome.record_id or ""),
        )
    if "prepare" in stages:
        _wrap(
            core.Redactor,
            "prepare",
            lambda self, raws, *a: any(b"BOOM-prepare" in r for r in raws),
        )
    if "deliver" in stages:
        from faust.transport.drivers.aiokafka import Producer

        clean = os.environ["PIIREDACT_TOPIC_CLEAN"]
        original_send = Producer.send

        async def send(self, topic, *args, **kwargs):
            if topic == clean:
                raise RuntimeError("injected delivery fault")
            return await original_send(self, topic, *args, **kwargs)

        Producer.send = send
"""


@pytest.fixture
def faults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Arm the given comma-separated stages for workers started after the call."""
    folder = tmp_path / "faults"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE)
    monkeypatch.setenv("PYTHONPATH", f"{folder}:{REPO}")

    def arm(stages: str) -> None:
        monkeypatch.setenv("FAULT_INJECT_STAGES", stages)

    return arm


def record(record_id: str, text: str = "call +7 916 123-45-67", **fields: Any) -> Message:
    doc: dict[str, Any] = {"id": record_id, "source": "https://x.example/p", "data": {"t": text}}
    doc.update(fields)
    return record_id.encode(), orjson.dumps(doc)


def raw_record(record_id: str, body: str) -> Message:
    """A message written by hand: JSON escapes that orjson would never produce."""
    head = f'{{"id":"{record_id}","source":"https://x.example/p","data":{{"t":"x"}},'
    return record_id.encode(), (head + body + "}").encode()


def outcome_of(collected: Collected, key: bytes) -> tuple[str, str]:
    """(topic kind, reason) of the one outcome of ``key``."""
    if key in collected.clean:
        return "clean", ""
    for kind, topic in (
        ("quarantine", collected.quarantine),
        ("dead_letter", collected.dead_letter),
    ):
        if key in topic:
            _value, headers = topic[key][0]
            return kind, headers["piiredact-reason"].decode()
    return "none", ""


@pytest.fixture
def worker_settings(make_settings: Callable[..., Settings]) -> Iterator[Callable[..., Settings]]:
    def make(prefix: str, **overrides: object) -> Settings:
        return make_settings(
            prefix, detect_names=False, session_timeout=10, batch_timeout=0.1, **overrides
        )

    yield make


def run_through(
    broker: EmbeddedBroker,
    settings: Settings,
    phases: list[list[Message]],
    log: Path,
    also: frozenset[bytes] = frozenset(),
) -> Collected:
    """Publish each phase once the one before has all its outcomes (and the keys in ``also``,
    messages published before); the worker must then stop cleanly. Returns every output read."""
    worker = start_worker(settings, log)
    collected = Collected()
    try:
        wanted: set[bytes] = set(also)
        for phase in phases:
            asyncio.run(produce(broker.bootstrap_servers, settings.topic_raw, phase))
            wanted |= {key for key, _value in phase if key is not None}
            collected = asyncio.run(
                collect(
                    broker.bootstrap_servers,
                    settings,
                    lambda c, w=frozenset(wanted): w <= set(c.keys()),  # type: ignore[misc]
                    timeout=120,
                    alive=lambda: worker.poll() is None,
                )
            )
            missing = wanted - set(collected.keys())
            assert not missing, f"no outcome for {sorted(missing)}; log:\n{log.read_text()[-3000:]}"
        assert stop_worker(worker) == 0, log.read_text()[-3000:]
    finally:
        if worker.poll() is None:
            worker.kill()
    return collected


# (message, expected (kind, reason), the stall cause it stands for)
PER_MESSAGE: tuple[tuple[Message, tuple[str, str], str], ...] = (
    (
        raw_record("sur-evidence", '"consent":{"status":"granted","evidence":"form-\\ud800"}'),
        ("dead_letter", "bad_string"),
        "lone surrogate in consent.evidence",
    ),
    (
        raw_record("sur-purposes", '"consent":{"status":"granted","purposes":["r\\udc00"]}'),
        ("dead_letter", "bad_string"),
        "lone surrogate in consent.purposes",
    ),
    (
        raw_record("sur-status", '"consent":{"status":"granted\\ud800"}'),
        ("dead_letter", "bad_string"),
        "lone surrogate in consent.status",
    ),
    (
        raw_record("sur-window", '"consent":{"status":"granted","valid_from":"2025\\udc00"}'),
        ("dead_letter", "bad_string"),
        "lone surrogate in a consent time",
    ),
    (
        raw_record("sur-juris", '"consent":{"status":"granted","jurisdiction":"R\\ud800"}'),
        ("dead_letter", "bad_string"),
        "lone surrogate in consent.jurisdiction",
    ),
    (
        (b"huge-number", b'{"id":"huge-number","source":"https://x.example/p","data":{"n":1e400}}'),
        ("dead_letter", "bad_number"),
        "1e400 was published as null",
    ),
    (record("boom-1", "BOOM-parse"), ("quarantine", "worker_error"), "the parser raises"),
    (record("boom-2", "BOOM-consent"), ("quarantine", "worker_error"), "consent raises"),
    (record("boom-3", "BOOM-detect"), ("quarantine", "detection_error"), "detection raises"),
    (record("boom-4", "BOOM-policy"), ("quarantine", "worker_error"), "the policy raises"),
    (record("boom-5", "BOOM-route"), ("quarantine", "worker_error"), "routing raises"),
    (record("BOOM-audit-6"), ("quarantine", "worker_error"), "the audit entry raises"),
)


def test_every_stall_cause_gets_one_outcome_and_later_messages_flow(
    broker: EmbeddedBroker,
    worker_settings: Callable[..., Settings],
    faults: Callable[[str], None],
    tmp_path: Path,
) -> None:
    faults("parse,consent,detect,policy,route,audit,prepare")
    settings = worker_settings("stall")
    before = [record(f"before-{i}") for i in range(5)]
    bad = [message for message, _expected, _why in PER_MESSAGE]
    after = [record(f"after-{i}") for i in range(5)]
    prepare = [record("boom-prepare", "BOOM-prepare")]
    last = [record(f"last-{i}") for i in range(5)]
    collected = run_through(
        broker, settings, [before + bad + after, prepare, last], tmp_path / "worker.log"
    )
    counts = collected.keys()
    assert all(n == 1 for n in counts.values()), counts
    for message, expected, why in PER_MESSAGE:
        assert outcome_of(collected, message[0] or b"") == expected, why
    assert outcome_of(collected, b"boom-prepare") == ("quarantine", "worker_error")
    for key, _value in before + after + last:
        assert outcome_of(collected, key or b"") == ("clean", ""), key
        assert b"916 123-45-67" not in collected.clean[key or b""][0]
    # Every message also has its audit entry (the failed ones under no id).
    audited = sum(len(v) for v in collected.audit.values())
    assert audited == len(before + bad + after + prepare + last)


def test_a_worker_that_cannot_deliver_fails_livez_and_exits_to_be_restarted(
    broker: EmbeddedBroker,
    worker_settings: Callable[..., Settings],
    faults: Callable[[str], None],
    tmp_path: Path,
) -> None:
    faults("deliver")
    settings = worker_settings("stuck", stall_timeout=6, detection_timeout=3)
    log = tmp_path / "worker.log"
    worker = start_worker(settings, log)
    try:
        asyncio.run(
            produce(
                broker.bootstrap_servers, settings.topic_raw, [record(f"s-{i}") for i in range(3)]
            )
        )
        code = worker.wait(timeout=120)
    finally:
        if worker.poll() is None:
            worker.kill()
    text = log.read_text()
    assert code == 70, text[-3000:]
    assert "worker stalled" in text
    assert "916 123-45-67" not in text  # the stall report names no value
    # Nothing was acknowledged: a healthy worker of the same group delivers every record.
    faults("")
    keys = frozenset(f"s-{i}".encode() for i in range(3))
    collected = run_through(broker, settings, [[]], tmp_path / "second.log", also=keys)
    assert keys <= set(collected.clean)


def test_sigterm_while_deliveries_are_retried_ends_the_worker_in_bounded_time(
    broker: EmbeddedBroker,
    worker_settings: Callable[..., Settings],
    faults: Callable[[str], None],
    tmp_path: Path,
) -> None:
    faults("deliver")
    settings = worker_settings("term", shutdown_timeout=15)
    log = tmp_path / "worker.log"
    worker = start_worker(settings, log)
    keys = [f"t-{i}".encode() for i in range(3)]
    try:
        asyncio.run(
            produce(
                broker.bootstrap_servers, settings.topic_raw, [record(k.decode()) for k in keys]
            )
        )
        deadline = time.monotonic() + 120
        while "retrying" not in log.read_text() and time.monotonic() < deadline:
            assert worker.poll() is None, log.read_text()[-3000:]
            time.sleep(0.5)
        assert "retrying" in log.read_text()
        started = time.monotonic()
        code = stop_worker(worker, timeout=60)
        took = time.monotonic() - started
    finally:
        if worker.poll() is None:
            worker.kill()
    assert code in (0, 75), log.read_text()[-3000:]
    assert took < 15 + 10, took  # the shutdown deadline, plus the process's own exit
    # The records were never acknowledged: the next worker delivers each of them.
    faults("")
    collected = run_through(broker, settings, [[]], tmp_path / "second.log", also=frozenset(keys))
    assert set(keys) <= set(collected.clean), collected.keys()
