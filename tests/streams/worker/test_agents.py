"""The agents without a broker: batching, acknowledgement order, retries, consent events.

Sending, acknowledging and detection are fakes in this process; the broker tests
(test_app.py, test_stalls.py, ...) run the same classes inside a real worker.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

from recognizers.engine import Detector
from recognizers.registry import build_detector
from streams.core import Outcome, Prepared, Redactor
from streams.core.consent import RegistryEntry
from streams.core.consent_events import ConsentEvent
from streams.core.keys import KeyBook
from streams.core.policy import DEFAULT_POLICY
from streams.settings import Settings
from streams.worker.agents import ConsentAgent, Delivery, DeliveryAbandoned, RedactAgent
from streams.worker.batch import BatchHandler, source_of
from streams.worker.metrics import Metrics
from streams.worker.people import PeopleLog
from streams.worker.routing import OutputMessage
from streams.worker.watchdog import Watchdog

NOW = datetime(2026, 12, 1, tzinfo=UTC)
SETTINGS = Settings()


class InProcess:
    """Detection in this process, recording each batch it was given."""

    def __init__(self) -> None:
        self.redactor = Redactor(build_detector(names=False), DEFAULT_POLICY)
        self.batches: list[list[str]] = []

    async def judge(
        self,
        prepared: Sequence[Prepared],
        keys: KeyBook | None,
        now: datetime,
        people: PeopleLog | None = None,
    ) -> list[Outcome]:
        self.batches.append([p.record.id for p in prepared])
        await asyncio.sleep(0)
        known = people.snapshot() if people is not None else None
        return self.redactor.judge(prepared, keys, now, known)

    def close(self) -> None:
        pass


@dataclass
class FakeTables:
    entries: dict[str, RegistryEntry]
    applied: list[ConsentEvent]
    people: PeopleLog | None = None
    is_current: bool = True

    @property
    def registry(self) -> Mapping[str, RegistryEntry]:
        return self.entries

    async def key_book(self, subjects: Iterable[str], now: datetime) -> KeyBook | None:
        return None

    async def current(self) -> bool:
        return self.is_current

    async def apply(self, event: ConsentEvent) -> bool:
        self.applied.append(event)
        return True


def event(offset: int, value: bytes, key: bytes | None = None) -> Any:
    message = SimpleNamespace(
        topic="raw", partition=0, offset=offset, key=key, value=value, headers=[]
    )
    return SimpleNamespace(message=message)


def record(offset: int, text: str = "write to ivan.petrov@example.ru") -> Any:
    body = {"id": f"r-{offset}", "source": "https://x.example/", "data": {"t": text}}
    return event(offset, orjson.dumps(body), f"r-{offset}".encode())


async def batches_of(events: list[Any], size: int) -> AsyncIterator[Sequence[Any]]:
    """The events in batches, as the stream gives them; the stream then stays open a moment
    (a stream that ends is a shutdown, which cancels a detection still running)."""
    for start in range(0, len(events), size):
        yield events[start : start + size]
    await asyncio.sleep(0.2)


class Journal:
    """Records what was delivered and acknowledged, in order."""

    def __init__(self) -> None:
        self.log: list[tuple[str, Any]] = []
        self.clean: list[bytes] = []

    async def deliver(self, messages: Sequence[OutputMessage]) -> None:
        await asyncio.sleep(0)
        clean = [m for m in messages if m.topic == SETTINGS.topic_clean]
        self.clean.extend(m.value for m in clean)
        self.log.append(("deliver", [m.key for m in clean]))

    async def ack(self, ev: Any) -> None:
        self.log.append(("ack", ev.message.offset))


def agent(journal: Journal, detection: InProcess, tables: FakeTables | None = None) -> RedactAgent:
    handler = BatchHandler(
        Redactor(Detector([], []), DEFAULT_POLICY), SETTINGS, detection=detection
    )
    return RedactAgent(
        handler,
        tables or FakeTables({}, []),
        journal.deliver,
        watchdog=Watchdog(60),
        metrics=Metrics(),
        clock=lambda: NOW,
    )


def test_inputs_are_acknowledged_only_after_their_outputs_and_in_order() -> None:
    journal, detection = Journal(), InProcess()
    events = [record(i) for i in range(7)]
    redact = agent(journal, detection)
    asyncio.run(redact.run(batches_of(events, 3), journal.ack))
    assert detection.batches == [["r-0", "r-1", "r-2"], ["r-3", "r-4", "r-5"], ["r-6"]]
    kinds = [kind for kind, _ in journal.log]
    assert kinds == ["deliver", "ack", "ack", "ack"] * 2 + ["deliver", "ack"]
    assert [v for k, v in journal.log if k == "ack"] == list(range(7))
    delivered = [v for k, v in journal.log if k == "deliver"]
    assert delivered == [[b"r-0", b"r-1", b"r-2"], [b"r-3", b"r-4", b"r-5"], [b"r-6"]]
    assert redact.watchdog.pending == 0


def test_a_batch_whose_preparation_fails_is_quarantined_and_the_next_flows() -> None:
    journal, detection = Journal(), InProcess()

    class Broken(FakeTables):
        calls = 0

        async def key_book(self, subjects: Iterable[str], now: datetime) -> KeyBook | None:
            Broken.calls += 1
            if Broken.calls == 1:
                raise RuntimeError("table unreadable")
            return None

    redact = agent(journal, detection, Broken({}, []))
    asyncio.run(redact.run(batches_of([record(i) for i in range(4)], 2), journal.ack))
    assert detection.batches == [["r-2", "r-3"]], "the failed batch never reached detection"
    delivered = [v for k, v in journal.log if k == "deliver"]
    assert delivered == [[], [b"r-2", b"r-3"]], "the failed batch went to quarantine, not clean"
    assert [v for k, v in journal.log if k == "ack"] == [0, 1, 2, 3]
    assert redact.totals == {"quarantine": 2, "clean": 2}


def test_a_batch_is_quarantined_whole_when_the_registry_is_not_current() -> None:
    """A withdrawal may be missing from a registry that is not current: nothing may be kept,
    so nothing is published; every input still gets its outcome."""
    journal, detection = Journal(), InProcess()
    held: list[bytes] = []
    deliver = journal.deliver

    async def deliver_all(messages: Sequence[OutputMessage]) -> None:
        held.extend(
            dict(m.headers)["piiredact-reason"]
            for m in messages
            if m.topic == SETTINGS.topic_quarantine
        )
        await deliver(messages)

    journal.deliver = deliver_all  # type: ignore[method-assign]
    redact = agent(journal, detection, FakeTables({}, [], is_current=False))
    asyncio.run(redact.run(batches_of([record(i) for i in range(3)], 3), journal.ack))
    assert detection.batches == [], "nothing was judged"
    assert journal.clean == []
    assert held == [b"registry_unconfirmed"] * 3
    assert [v for k, v in journal.log if k == "ack"] == [0, 1, 2]


def test_consent_is_judged_once_with_the_registry_before_detection() -> None:
    journal, detection = Journal(), InProcess()
    granted = {
        "status": "granted",
        "scope": ["processing", "distribution"],
        "valid_from": "2025-01-01T00:00:00Z",
    }
    body = {
        "id": "c-1",
        "source": "https://x.example/",
        "subject_ref": "vk:7",
        "consent": granted,
        "data": {"t": "ivan.petrov@example.ru"},
    }
    tables = FakeTables({"vk:7": RegistryEntry(at=NOW, consent=None, erased_at=NOW)}, [])
    redact = agent(journal, detection, tables)
    asyncio.run(redact.run(batches_of([event(0, orjson.dumps(body), b"c-1")], 1), journal.ack))
    # The registry's erasure is newer than the record's grant: the value is not kept.
    assert detection.batches == [["c-1"]]
    [clean] = journal.clean
    assert b"ivan.petrov@example.ru" not in clean
    assert orjson.loads(clean)["redaction"]["consent"]["state"] == "withdrawn"


def test_delivery_retries_until_the_broker_acknowledges() -> None:
    attempts: list[bytes | None] = []
    sleeps: list[float] = []

    async def send(m: OutputMessage) -> Any:
        attempts.append(m.key)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if len(attempts) <= 2:
            future.set_exception(ConnectionError("broker away"))
        else:
            future.set_result(None)
        return future

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    deliver = Delivery(send, stopping=lambda: False, max_output_bytes=1_000_000, sleep=sleep)
    asyncio.run(deliver([OutputMessage("clean", b"k", b"v", [])]))
    assert attempts == [b"k", b"k", b"k"]
    # Back-off doubles (0.5 s, then 1 s), slept in steps that look whether the worker stops.
    assert sum(sleeps) == 1.5 and max(sleeps) <= 0.5


def test_delivery_gives_up_once_the_worker_is_stopping() -> None:
    async def send(m: OutputMessage) -> Any:
        raise ConnectionError("broker away")

    deliver = Delivery(send, stopping=lambda: True, max_output_bytes=1_000_000)
    with pytest.raises(ConnectionError):
        asyncio.run(deliver([OutputMessage("clean", b"k", b"v", [])]))


def test_an_invalid_consent_event_is_dead_lettered_and_a_valid_one_applied() -> None:
    journal = Journal()
    sent: list[OutputMessage] = []

    async def deliver(messages: Sequence[OutputMessage]) -> None:
        sent.extend(messages)

    tables = FakeTables({}, [])
    consent = ConsentAgent(tables, deliver, metrics=Metrics(), settings=SETTINGS)
    good = orjson.dumps({"subject_ref": "vk:1", "type": "erasure", "at": "2026-11-30T00:00:00Z"})
    asyncio.run(consent.handle(source_of(event(0, b"{not json", b"vk:1"))))
    asyncio.run(consent.handle(source_of(event(1, good, b"vk:1"))))
    assert [m.topic for m in sent] == [SETTINGS.topic_deadletter]
    assert [e.type for e in tables.applied] == ["erasure"]
    assert journal.log == []


def test_on_shutdown_a_batch_still_in_detection_is_neither_delivered_nor_acknowledged() -> None:
    journal = Journal()

    class Slow(InProcess):
        async def judge(
            self,
            prepared: Sequence[Prepared],
            keys: KeyBook | None,
            now: datetime,
            people: PeopleLog | None = None,
        ) -> list[Outcome]:
            if prepared[0].record.id == "r-2":
                await asyncio.sleep(30)
            return await super().judge(prepared, keys, now, people)

    async def ends_at_once() -> AsyncIterator[Sequence[Any]]:
        yield [record(0), record(1)]
        await asyncio.sleep(0.2)
        yield [record(2)]

    redact = agent(journal, Slow())
    asyncio.run(asyncio.wait_for(redact.run(ends_at_once(), journal.ack), 10))
    assert [v for k, v in journal.log if k == "ack"] == [0, 1]
    assert redact.watchdog.pending == 1, "the last batch is left for the next worker"


def test_a_delivery_waiting_on_a_silent_broker_ends_once_the_worker_stops() -> None:
    stopping = False

    async def send(m: OutputMessage) -> Any:
        return asyncio.get_running_loop().create_future()  # never acknowledged (half-open)

    async def scenario() -> None:
        nonlocal stopping
        deliver = Delivery(send, stopping=lambda: stopping, max_output_bytes=1_000_000)
        task = asyncio.ensure_future(deliver([OutputMessage("clean", b"k", b"v", [])]))
        await asyncio.sleep(1.2)
        assert not task.done(), "it waits while the worker runs"
        stopping = True
        with pytest.raises(DeliveryAbandoned):
            await asyncio.wait_for(task, 2)

    asyncio.run(scenario())


def test_a_delivery_abandoned_on_stopping_leaves_its_inputs_unacknowledged() -> None:
    journal, detection = Journal(), InProcess()

    async def abandoned(messages: Sequence[OutputMessage]) -> None:
        raise DeliveryAbandoned("the worker is stopping")

    redact = agent(journal, detection)
    redact.deliver = abandoned
    asyncio.run(redact.run(batches_of([record(0), record(1)], 1), journal.ack))  # no raise
    assert journal.log == [], "nothing acknowledged: both are read again after the restart"
    assert redact.watchdog.pending == 2
