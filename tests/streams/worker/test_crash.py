"""A worker killed or stopped mid-stream loses nothing and publishes nothing unredacted.

Several thousand generated records (plus records that must be quarantined and messages that
must be dead-lettered, all holding canaries) are published to the raw topic; a worker process
(names off, so it runs fast) starts on them and is stopped in the middle of the stream, after
some outputs have appeared and before all have, then started again. In the end:

- every input has an outcome on the clean, quarantine or dead-letter topic;
- an input that has more than one (at-least-once: its batch was read again after the crash)
  has byte-identical outputs each time;
- no canary is on the clean topic;
- the consumer group's committed offsets reach the end of every raw partition.

``SIGKILL`` is a crash; ``SIGTERM`` is a graceful stop, which must end the process within
30 s with exit code 0.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaConsumer

from streams.settings import Settings
from streams.testing.broker import EmbeddedBroker
from streams.testing.harness import Collected, collect, produce, start_worker, stop_worker
from streams.testing.samples import generate
from tests.streams.worker._kafka import committed_offsets, next_offsets, wait_committed

pytestmark = pytest.mark.broker

RECORDS = 3_000
#: The worker is stopped once it has committed offsets and given this many outcomes ...
STOP_AFTER = 300
#: ... or, failing a commit, this many.
STOP_AT_LATEST = 2_400

EMAIL = "olga.sokolova@example.ru"
PHONE = "+7 916 123-45-67"
#: Messages that must not reach the clean topic, with the topic each must reach.
EXTRA: tuple[tuple[bytes, bytes, str], ...] = (
    (
        b"extra-pii-in-id",
        orjson.dumps({"id": f"user-{EMAIL}", "source": "https://x.example/1", "data": {}}),
        "quarantine",
    ),
    (
        b"extra-pii-in-key",
        orjson.dumps(
            {"id": "extra-pii-in-key", "source": "https://x.example/2", "data": {EMAIL: 1}}
        ),
        "quarantine",
    ),
    (b"extra-not-json", b'{"id": "x", "data": {"t": "' + EMAIL.encode() + b'"', "dead_letter"),
    (
        b"extra-repeated-key",
        b'{"id": "extra-repeated-key", "source": "https://x.example/3", '
        b'"data": {"t": "' + PHONE.encode() + b'", "t": "ok"}}',
        "dead_letter",
    ),
)
EXTRA_CANARIES = (EMAIL, PHONE)


@dataclass
class Inputs:
    messages: list[tuple[bytes, bytes]]
    canaries: list[str]

    @property
    def keys(self) -> set[bytes]:
        return {key for key, _ in self.messages}


def inputs() -> Inputs:
    samples = list(generate(RECORDS - len(EXTRA), seed=29))
    messages = [(s.record["id"].encode(), orjson.dumps(s.record)) for s in samples]
    messages += [(key, value) for key, value, _ in EXTRA]
    canaries = [c for s in samples for c in s.canaries] + list(EXTRA_CANARIES)
    assert len({key for key, _ in messages}) == len(messages), "keys are unique"
    return Inputs(messages, canaries)


def read(
    broker: EmbeddedBroker,
    settings: Settings,
    done: Callable[[Collected], bool],
    timeout: float,
    alive: Callable[[], bool] = lambda: True,
) -> Collected:
    return asyncio.run(collect(broker.bootstrap_servers, settings, done, timeout, alive))


async def watch(
    settings: Settings,
    bootstrap: str,
    keys: set[bytes],
    alive: Callable[[], bool],
    timeout: float = 60.0,
) -> tuple[int, dict[int, int | None]]:
    """Wait until the worker is mid-stream: at least :data:`STOP_AFTER` inputs have an outcome
    and it has committed offsets (so the restart resumes from them), or :data:`STOP_AT_LATEST`
    have an outcome. Returns the outcomes seen and the committed offsets."""
    consumer = AIOKafkaConsumer(
        settings.topic_clean,
        settings.topic_quarantine,
        settings.topic_deadletter,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: set[bytes] = set()
    committed: dict[int, int | None] = {}
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and alive():
            for messages in (await consumer.getmany(timeout_ms=200)).values():
                seen.update(m.key or b"" for m in messages)
            count = len(seen & keys)
            if count >= STOP_AFTER:
                committed = await committed_offsets(settings, bootstrap)
                if any(committed.values()) or count >= STOP_AT_LATEST:
                    return count, committed
    finally:
        await consumer.stop()
    raise AssertionError(f"the worker gave {len(seen & keys)} outcomes, then stopped or stalled")


def interrupted_run(
    broker: EmbeddedBroker,
    settings: Settings,
    tmp_path: Path,
    interrupt: Callable[[subprocess.Popen[bytes]], None],
) -> tuple[Inputs, Collected, int]:
    """Publish, start a worker, ``interrupt`` it mid-stream, restart it, read every outcome.

    Returns the inputs, the outputs and how many inputs had an outcome when interrupted.
    """
    data = inputs()
    log = tmp_path / "worker.log"
    asyncio.run(produce(broker.bootstrap_servers, settings.topic_raw, data.messages))
    worker = start_worker(settings, log)
    try:
        at_interrupt, before = asyncio.run(
            watch(settings, broker.bootstrap_servers, data.keys, lambda: worker.poll() is None)
        )
        interrupt(worker)
        print(f"interrupted after {at_interrupt} outcomes; committed offsets then: {before}")
        worker = start_worker(settings, log)
        read(
            broker,
            settings,
            lambda c: data.keys <= set(c.keys()),
            timeout=60,
            alive=lambda: worker.poll() is None,
        )
        time.sleep(2)  # duplicates, if any, have time to arrive
        collected = read(broker, settings, lambda c: data.keys <= set(c.keys()), timeout=30)
        ends = asyncio.run(next_offsets(settings, broker.bootstrap_servers, len(data.messages)))
        committed = asyncio.run(wait_committed(settings, broker.bootstrap_servers, ends))
        assert committed == ends, "committed offsets reach the end of every raw partition"
    finally:
        stop_worker(worker)
        print(log.read_text(errors="replace")[-4000:])
    return data, collected, at_interrupt


def check_outcomes(data: Inputs, collected: Collected, at_interrupt: int) -> int:
    """The checks of the module docstring; returns how many inputs were output twice or more."""
    assert STOP_AFTER <= at_interrupt < len(data.messages), (
        f"the worker was stopped after {at_interrupt} of {len(data.messages)} outcomes: "
        "not mid-stream"
    )
    counts = collected.keys()
    assert data.keys <= set(counts), f"no outcome for {sorted(data.keys - set(counts))[:10]}"
    outputs: dict[bytes, set[tuple[str, bytes, tuple[tuple[str, bytes], ...]]]] = {}
    for key, values in collected.clean.items():
        outputs.setdefault(key, set()).update(("clean", v, ()) for v in values)
    for name, topic in (
        ("quarantine", collected.quarantine),
        ("dead_letter", collected.dead_letter),
    ):
        for key, entries in topic.items():
            outputs.setdefault(key, set()).update(
                (name, v, tuple(sorted(h.items()))) for v, h in entries
            )
    differing = [key for key, variants in outputs.items() if len(variants) != 1]
    assert differing == [], f"outputs of one input differ between deliveries: {differing[:10]}"
    for key, _value, topic in EXTRA:
        [(name, _, _)] = outputs[key]
        assert name == topic, key
    clean_blob = b"\n".join(v for values in collected.clean.values() for v in values)
    leaked = [c for c in data.canaries if c.encode() in clean_blob]
    assert leaked == [], f"on the clean topic: {leaked[:10]}"
    return sum(1 for n in counts.values() if n > 1)


def test_sigkill_mid_stream_loses_nothing(
    broker: EmbeddedBroker, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings("crash-kill", detect_names=False)
    started = time.monotonic()

    def kill(worker: subprocess.Popen[bytes]) -> None:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    data, collected, at_kill = interrupted_run(broker, settings, tmp_path, kill)
    duplicated = check_outcomes(data, collected, at_kill)
    print(
        f"SIGKILL after {at_kill} of {len(data.messages)} outcomes; {duplicated} inputs output "
        f"twice or more (byte-identical); {time.monotonic() - started:.1f}s"
    )


def test_sigterm_mid_stream_stops_cleanly_and_loses_nothing(
    broker: EmbeddedBroker, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings("crash-term", detect_names=False)
    started = time.monotonic()
    stopped: dict[str, float | int | None] = {}

    def terminate(worker: subprocess.Popen[bytes]) -> None:
        asked = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        try:
            stopped["code"] = worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            stopped["code"] = None
            worker.kill()
            worker.wait()
        stopped["seconds"] = time.monotonic() - asked

    data, collected, at_stop = interrupted_run(broker, settings, tmp_path, terminate)
    duplicated = check_outcomes(data, collected, at_stop)
    print(
        f"SIGTERM after {at_stop} of {len(data.messages)} outcomes: exit code {stopped['code']} "
        f"after {stopped['seconds']:.1f}s; {duplicated} inputs output twice or more; "
        f"{time.monotonic() - started:.1f}s"
    )
    assert stopped["code"] == 0, f"the worker did not stop cleanly on SIGTERM: {stopped}"
