"""Helpers for the tests that run a worker on the embedded broker: offsets of the raw topic."""

from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.settings import Settings


async def committed_offsets(settings: Settings, bootstrap: str) -> dict[int, int | None]:
    """The offsets the worker's consumer group has committed, per raw-topic partition."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=settings.app_id, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = [
            TopicPartition(settings.topic_raw, p) for p in range(settings.topic_partitions)
        ]
        return {tp.partition: await consumer.committed(tp) for tp in partitions}
    finally:
        await consumer.stop()


async def next_offsets(
    settings: Settings, bootstrap: str, total: int, timeout: float = 30.0
) -> dict[int, int]:
    """Last offset + 1 per partition of the raw topic, found by reading its ``total`` messages
    (the embedded broker's ListOffsets answer is wrong for batches of several records)."""
    consumer = AIOKafkaConsumer(
        settings.topic_raw,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen = 0
    last: dict[int, int] = {}
    try:
        deadline = time.monotonic() + timeout
        while seen < total and time.monotonic() < deadline:
            for tp, messages in (await consumer.getmany(timeout_ms=500)).items():
                seen += len(messages)
                last[tp.partition] = max(last.get(tp.partition, -1), messages[-1].offset)
    finally:
        await consumer.stop()
    assert seen == total, f"read {seen} of {total} raw messages"
    return {p: offset + 1 for p, offset in last.items()}


async def wait_committed(
    settings: Settings, bootstrap: str, ends: dict[int, int], timeout: float = 20.0
) -> dict[int, int | None]:
    """The committed offsets once they reach ``ends`` (the worker commits periodically), or as
    they stand when ``timeout`` runs out."""
    deadline = time.monotonic() + timeout
    while True:
        committed = await committed_offsets(settings, bootstrap)
        if all(committed.get(p) == end for p, end in ends.items()) or (time.monotonic() > deadline):
            return committed
        await asyncio.sleep(0.5)
