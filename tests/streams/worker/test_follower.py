"""The consent changelog follower: everything from the start, and the fence barrier."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import ClassVar

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition

from streams.settings import Settings
from streams.worker.follower import FENCE_KEY, ChangelogFollower

pytestmark = pytest.mark.broker

Read = tuple[int, int, bytes, bytes | None]


async def produce(settings: Settings, records: list[tuple[int, bytes, bytes | None]]) -> list[int]:
    """Each ``(partition, key, value)`` to the consent changelog; their offsets."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers)
    await producer.start()
    try:
        topic = settings.changelog_topics[0]
        acks = [await producer.send_and_wait(topic, v, key=k, partition=p) for p, k, v in records]
        return [ack.offset for ack in acks]
    finally:
        await producer.stop()


def test_reads_from_the_start_and_the_barrier_passes_once_the_fences_are_read(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings("follow")
    seen: list[Read] = []

    async def scenario() -> tuple[bool, bool]:
        before = await produce(
            settings, [(0, b"vk:1", b"granted"), (1, b"vk:2", b"granted"), (0, b"vk:1", None)]
        )
        follower = ChangelogFollower(
            settings, settings.changelog_topics[0], lambda *r: seen.append(r)
        )
        await follower.start()
        try:
            assert follower.partitions == (0, 1, 2)
            # Written after the follower started: read as well, in order.
            *_, later = await produce(settings, [(2, b"vk:3", b"withdrawn"), (2, FENCE_KEY, b"")])
            fences = await produce(settings, [(p, FENCE_KEY, b"") for p in (0, 1)])
            passed = await follower.wait_until({0: fences[0], 1: fences[1], 2: later}, 5.0)
            reached = follower.reached({0: before[2]})
        finally:
            await follower.stop()
        return passed, reached

    passed, reached = asyncio.run(scenario())
    assert passed and reached
    assert sorted(seen) == [
        (0, 0, b"vk:1", b"granted"),
        (0, 1, b"vk:1", None),  # a tombstone is handed on as a deletion
        (1, 0, b"vk:2", b"granted"),
        (2, 0, b"vk:3", b"withdrawn"),
    ], "every record but the fences"
    assert [r for r in seen if r[0] == 0] == [(0, 0, b"vk:1", b"granted"), (0, 1, b"vk:1", None)]


def test_the_barrier_gives_up_after_its_patience_without_progress(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings("patience")

    async def scenario() -> tuple[bool, float]:
        follower = ChangelogFollower(settings, settings.changelog_topics[0], lambda *r: None)
        await follower.start()
        try:
            started = time.monotonic()
            passed = await follower.wait_until({0: 10}, 1.0)  # an offset nobody wrote
            return passed, time.monotonic() - started
        finally:
            await follower.stop()

    passed, waited = asyncio.run(scenario())
    assert not passed
    assert waited < 10, "it gave up instead of waiting for ever"


def test_a_follower_not_started_never_passes_the_barrier() -> None:
    follower = ChangelogFollower(Settings(), "nowhere-changelog", lambda *r: None)
    assert asyncio.run(follower.wait_until({0: 0}, 0.1)) is False
    assert asyncio.run(follower.wait_until({}, 0.1)) is True, "nothing to wait for"


def test_a_missing_changelog_topic_is_named(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings("missing")
    follower = ChangelogFollower(settings, "no-such-changelog", lambda *r: None)
    with pytest.raises(LookupError, match="no-such-changelog"):
        asyncio.run(follower.start())


def test_a_stopped_follower_refuses_to_start_again() -> None:
    follower = ChangelogFollower(Settings(), "nowhere-changelog", lambda *r: None)

    async def scenario() -> None:
        await follower.stop()
        with pytest.raises(RuntimeError, match="stopped"):
            await follower.start()  # before it would connect: no broker is needed
        assert await follower.wait_until({0: 0}, 0.1) is False

    asyncio.run(scenario())


class _FakeConsumer:
    """An AIOKafkaConsumer stand-in: the changelog is ``records`` by partition."""

    records: ClassVar[dict[int, list[tuple[bytes, bytes | None]]]] = {}
    made: ClassVar[list[_FakeConsumer]] = []

    def __init__(self, **_kwargs: object) -> None:
        self.assigned: list[TopicPartition] = []
        self.positions: dict[int, int] = {}
        self.stopped = False
        _FakeConsumer.made.append(self)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self.stopped = True

    def partitions_for_topic(self, _topic: str) -> set[int]:
        return set(self.records)

    async def topics(self) -> set[str]:
        return set()

    def assign(self, partitions: list[TopicPartition]) -> None:
        self.assigned = partitions

    async def seek_to_beginning(self, *partitions: TopicPartition) -> None:
        self.positions = {tp.partition: 0 for tp in partitions}

    async def getmany(self, timeout_ms: int) -> dict[TopicPartition, list[SimpleNamespace]]:
        await asyncio.sleep(0.01)
        out = {}
        for tp in self.assigned:
            records = self.records[tp.partition][self.positions[tp.partition] :]
            if records:
                first = self.positions[tp.partition]
                out[tp] = [
                    SimpleNamespace(key=k, value=v, offset=first + i)
                    for i, (k, v) in enumerate(records)
                ]
                self.positions[tp.partition] += len(records)
        return out


@pytest.fixture
def fake_consumer(monkeypatch: pytest.MonkeyPatch) -> type[_FakeConsumer]:
    _FakeConsumer.records = {0: [(b"vk:1", b"granted")], 1: []}
    _FakeConsumer.made = []
    monkeypatch.setattr("streams.worker.follower.AIOKafkaConsumer", _FakeConsumer)
    return _FakeConsumer


def test_a_follower_whose_reading_failed_reads_again_from_the_start(
    fake_consumer: type[_FakeConsumer], caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[Read] = []
    failures = [RuntimeError("bug")]

    def on_record(partition: int, offset: int, key: bytes, value: bytes | None) -> None:
        if failures:
            raise failures.pop()
        seen.append((partition, offset, key, value))

    async def scenario() -> tuple[bool, bool]:
        follower = ChangelogFollower(Settings(), "t-changelog", on_record)
        await follower.start()
        await asyncio.sleep(0.1)
        dead = await follower.wait_until({0: 0}, 0.5)  # the reading ended: fails closed
        await follower.start()  # the next batch starts it again, from the start
        alive = await follower.wait_until({0: 0}, 2.0)
        await follower.stop()
        return dead, alive

    dead, alive = asyncio.run(scenario())
    assert not dead and alive
    assert seen == [(0, 0, b"vk:1", b"granted")]
    assert "reading the consent changelog ended (RuntimeError)" in caplog.text
    assert fake_consumer.made[0].stopped, "the old consumer is closed"


def test_a_follower_reads_partitions_the_changelog_gained(
    fake_consumer: type[_FakeConsumer],
) -> None:
    seen: list[Read] = []

    async def scenario() -> bool:
        follower = ChangelogFollower(Settings(), "t-changelog", lambda *r: seen.append(r))
        await follower.start()
        assert follower.partitions == (0, 1)
        fake_consumer.records[2] = [(b"vk:7", b"withdrawn")]
        await follower.start()
        assert follower.partitions == (0, 1, 2)
        passed = await follower.wait_until({2: 0}, 2.0)
        await follower.stop()
        return passed

    assert asyncio.run(scenario())
    assert (2, 0, b"vk:7", b"withdrawn") in seen


def test_stopping_ends_a_barrier_that_waits(fake_consumer: type[_FakeConsumer]) -> None:
    async def scenario() -> tuple[bool, float]:
        follower = ChangelogFollower(Settings(), "t-changelog", lambda *r: None)
        await follower.start()
        started = time.monotonic()
        waiting = asyncio.ensure_future(follower.wait_until({0: 99}, 30.0))
        await asyncio.sleep(0.1)
        await follower.stop()
        return await waiting, time.monotonic() - started

    passed, waited = asyncio.run(scenario())
    assert not passed and waited < 5
