"""Reading the consent registry's changelog on a consumer of the worker's own, with a barrier.

A batch may only be judged against a registry that holds every consent entry written before the
batch was taken: a withdrawal acknowledged by the broker one second before a record arrives
must redact that record, whichever worker wrote it. Faust's global table could not promise
that: its changelog reader is paused while the group rebalances and after an assignment it can
go on behind (the fault benchmark saw records published under a consent withdrawn seconds
before). So the registry is read by a :class:`ChangelogFollower`: a plain consumer with no
group, assigned every partition of the changelog from its start, which no rebalance pauses.

The barrier (:meth:`ChangelogFollower.wait_until`) needs the changelog's end as of now. The
embedded broker under-reports ListOffsets, so the end is found by writing: the worker appends a
fence record to every partition (:data:`FENCE_KEY`; the broker's acknowledgement gives its
offset) and waits until the follower has read each. It waits as long as the follower keeps
reading (a worker that starts reads the whole registry first) and gives up after ``patience``
seconds without progress.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Final

from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.kafka_security import kafka_security
from streams.settings import Settings

log = logging.getLogger("piiredact.worker")

#: The key of the fence records in the consent changelog. No subject reference starts with a
#: NUL (they are normalised text), so a fence is never read as an entry.
FENCE_KEY: Final = b"\x00piiredact-fence"
#: How long one fetch waits for new records at the broker (the barrier's usual delay).
FETCH_WAIT_MS: Final = 20
#: How often the follower's consumer refreshes the topic's metadata, so that partitions added
#: to the changelog are read within this long (aiokafka's default is 5 minutes).
METADATA_MAX_AGE_MS: Final = 30_000
#: Seconds between two tries after the follower's consumer failed.
RETRY_SECONDS: Final = 1.0

#: Called with each changelog record read: partition, offset, key, value (``None``: deleted).
OnRecord = Callable[[int, int, bytes, bytes | None], None]


class ChangelogFollower:
    """Every record of ``topic`` from its start, handed to ``on_record`` in offset order per
    partition, for as long as the worker runs; see the module."""

    def __init__(self, settings: Settings, topic: str, on_record: OnRecord) -> None:
        self.settings = settings
        self.topic = topic
        self._on_record = on_record
        #: The offset of the last record read, by partition.
        self.read: dict[int, int] = {}
        self.partitions: tuple[int, ...] = ()
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._progress = asyncio.Event()
        self._starting = asyncio.Lock()
        self._stopped = False
        self.last_progress = time.monotonic()

    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was called (for good)."""
        return self._stopped

    async def start(self) -> None:
        """Connect, assign every partition from the start and begin reading; again, from the
        start, if the reading ended (a failure, logged) or the topic gained partitions. After
        :meth:`stop` it refuses (the worker is shutting down: nothing may wait on it)."""
        async with self._starting:
            if self._stopped:
                raise RuntimeError("the consent changelog follower has been stopped")
            if self._task is not None and not self._task.done():
                consumer = self._consumer
                found = consumer.partitions_for_topic(self.topic) if consumer else None
                if not found or tuple(sorted(found)) == self.partitions:
                    return
                log.warning(
                    "the consent changelog has %d partitions now (was %d); reading it again",
                    len(found),
                    len(self.partitions),
                )
            await self._close()
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self.settings.bootstrap_servers,
                group_id=None,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                fetch_max_wait_ms=FETCH_WAIT_MS,
                metadata_max_age_ms=METADATA_MAX_AGE_MS,
                request_timeout_ms=int(self.settings.consumer_request_timeout * 1000),
                **kafka_security(self.settings).aiokafka_kwargs(),
            )
            try:
                await consumer.start()
                partitions = await self._partitions(consumer)
                assigned = [TopicPartition(self.topic, p) for p in partitions]
                consumer.assign(assigned)
                await consumer.seek_to_beginning(*assigned)
                if self._stopped:  # stopped while connecting
                    raise RuntimeError("the consent changelog follower has been stopped")
            except BaseException:
                with contextlib.suppress(Exception):
                    await consumer.stop()
                raise
            self.partitions = partitions
            self.read = {}
            self._consumer = consumer
            self.last_progress = time.monotonic()
            self._task = asyncio.ensure_future(self._run(consumer))
            self._task.add_done_callback(_log_end)

    async def _partitions(self, consumer: AIOKafkaConsumer) -> tuple[int, ...]:
        found = consumer.partitions_for_topic(self.topic)
        if not found:
            await consumer.topics()  # a metadata request for every topic
            found = consumer.partitions_for_topic(self.topic)
        if not found:
            raise LookupError(f"topic {self.topic} does not exist (run `piiredact topics`)")
        return tuple(sorted(found))

    async def _run(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            try:
                fetched = await consumer.getmany(timeout_ms=500)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the barrier waits; it gives up if this lasts
                log.warning(
                    "reading the consent changelog failed (%s); retrying", type(exc).__name__
                )
                await asyncio.sleep(RETRY_SECONDS)
                continue
            for tp, messages in fetched.items():
                for message in messages:
                    key = message.key
                    if isinstance(key, bytes) and key != FENCE_KEY:
                        self._on_record(tp.partition, message.offset, key, message.value)
                if messages:
                    self.read[tp.partition] = messages[-1].offset
            if fetched:
                self.last_progress = time.monotonic()
                self._progress.set()
                self._progress = asyncio.Event()

    def reached(self, offsets: Mapping[int, int]) -> bool:
        """Whether every partition's record at ``offsets`` (or a later one) has been read."""
        return all(self.read.get(p, -1) >= o for p, o in offsets.items())

    async def wait_until(self, offsets: Mapping[int, int], patience: float) -> bool:
        """Wait until :meth:`reached`; ``False`` once ``patience`` seconds pass in which the
        follower read nothing (counted from the call at the earliest)."""
        started = time.monotonic()
        while not self.reached(offsets):
            if self._stopped or self._task is None or self._task.done():
                return False  # not started, or ended (a bug): the caller fails closed
            quiet_since = max(self.last_progress, started)
            remaining = patience - (time.monotonic() - quiet_since)
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._progress.wait(), remaining)
        return True

    async def stop(self) -> None:
        """Stop reading and close the consumer, for good (:meth:`start` then refuses)."""
        self._stopped = True
        self._progress.set()  # a barrier waiting now gives up at once
        await self._close()

    async def _close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            with contextlib.suppress(Exception):
                await consumer.stop()


def _log_end(task: asyncio.Task[None]) -> None:
    """The reading ended other than by :meth:`ChangelogFollower.stop`: a bug; the barrier fails
    closed until the next :meth:`ChangelogFollower.start` reads the changelog again."""
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        log.error(
            "reading the consent changelog ended (%s); batches are quarantined until it is "
            "read again",
            type(exc).__name__,
        )
