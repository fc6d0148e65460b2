"""The worker's agents as plain classes, with sending and acknowledging injected, so batching,
acknowledgement order and retries are tested without a broker (``tests/streams/worker/
test_agents.py``); :mod:`streams.worker.app` wires them to Faust.

- :class:`Delivery`: sends output messages and waits until the broker has acknowledged each,
  retrying with back-off for as long as the worker runs; once the worker is stopping it gives
  up instead (the inputs stay unacknowledged and are read again after the restart).
- :class:`RedactAgent`: per batch of raw messages, prepare (parse once, consent once, keys),
  detect and decide in the detection process, make the outputs, deliver them, and only then
  acknowledge the inputs. The :class:`~streams.worker.overlap.Overlap` overlaps one batch's
  detection with the previous one's delivery; batches are acknowledged in order.
- :class:`ConsentAgent`: folds each consent event into the consent registry; an invalid one is
  dead-lettered.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from aiokafka.errors import MessageSizeTooLargeError

from streams.core.consent import RegistryEntry
from streams.core.consent_events import ConsentEvent, parse_event
from streams.core.keys import KeyBook
from streams.core.outcome import Outcome, Reason, dead_letter
from streams.errors import InvalidRecord
from streams.settings import Settings
from streams.worker.batch import BatchHandler, _ready, _where, source_of
from streams.worker.metrics import Metrics
from streams.worker.overlap import Overlap
from streams.worker.people import PeopleLog
from streams.worker.routing import OutputMessage, SourceMessage, route
from streams.worker.watchdog import Watchdog

log = logging.getLogger("piiredact.worker")

SEND_RETRY_FIRST = 0.5
SEND_RETRY_MAX = 10.0
#: How often a waiting delivery looks whether the worker is stopping.
STOP_POLL_SECONDS = 0.5


class DeliveryAbandoned(Exception):
    """A delivery given up because the worker is stopping (its inputs are read again)."""


#: Sends one message; returns the future of the broker's acknowledgement.
Send = Callable[[OutputMessage], Awaitable[Awaitable[Any]]]
#: Delivers a batch's outputs: returns once the broker has every one of them.
Deliver = Callable[[Sequence[OutputMessage]], Awaitable[None]]
#: Acknowledges one input event (Faust then commits its offset).
Ack = Callable[[Any], Awaitable[Any]]


class Tables(Protocol):
    """What the agents need of the tables: :class:`~streams.worker.tables.ConsentTables`."""

    @property
    def registry(self) -> Mapping[str, RegistryEntry]: ...

    @property
    def people(self) -> PeopleLog | None: ...

    async def key_book(self, subjects: Iterable[str], now: datetime) -> KeyBook | None: ...

    async def current(self) -> bool: ...

    async def apply(self, event: ConsentEvent) -> bool: ...


class Delivery:
    """Sends messages with ``send`` until each is acknowledged; see the module."""

    def __init__(
        self,
        send: Send,
        *,
        stopping: Callable[[], bool],
        max_output_bytes: int,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._send = send
        self._stopping = stopping
        self._max_output_bytes = max_output_bytes
        self._sleep = sleep

    async def __call__(self, messages: Sequence[OutputMessage]) -> None:
        delay = SEND_RETRY_FIRST
        while True:
            try:
                futures = [await self._send(m) for m in messages]
                await self._acknowledged(futures)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._stopping():
                    # Stopping: the inputs stay unacknowledged and are read again after the
                    # restart, so giving up loses nothing, and the shutdown is not held up.
                    log.warning(
                        "sending %d outputs failed (%s) while stopping; left for the restart",
                        len(messages),
                        type(exc).__name__,
                    )
                    raise
                log.warning(
                    "sending %d outputs failed (%s); retrying in %.1fs",
                    len(messages),
                    type(exc).__name__,
                    delay,
                )
                # Faust wraps a refusal by the client in ProducerSendError; the broker's comes
                # through the send's future as it is.
                if isinstance(exc, MessageSizeTooLargeError) or isinstance(
                    exc.__cause__, MessageSizeTooLargeError
                ):
                    log.error(
                        "the broker refused an output as too large: set "
                        "PIIREDACT_MAX_OUTPUT_BYTES (now %d) at or below the broker's and the "
                        "output topics' message size limit",
                        self._max_output_bytes,
                    )
                await self._pause(delay)
                delay = min(delay * 2, SEND_RETRY_MAX)

    async def _acknowledged(self, futures: Sequence[Awaitable[Any]]) -> None:
        """Wait for every acknowledgement (raising the first failure); once the worker is
        stopping, stop waiting (:class:`DeliveryAbandoned`): a produce over a dead connection
        would otherwise hold the shutdown until the producer's request timeout."""
        pending = {asyncio.ensure_future(f) for f in futures}
        while pending:
            done, pending = await asyncio.wait(pending, timeout=STOP_POLL_SECONDS)
            for future in done:
                future.result()
            if pending and self._stopping():
                raise DeliveryAbandoned("the worker is stopping")

    async def _pause(self, seconds: float) -> None:
        """Sleep ``seconds`` before a retry, in short steps, ending early once stopping."""
        left = seconds
        while left > 0 and not self._stopping():
            step = min(left, STOP_POLL_SECONDS)
            await self._sleep(step)
            left -= step


class RedactAgent:
    """The raw topic's agent; see the module. ``clock`` gives the moment consent is judged at."""

    def __init__(
        self,
        handler: BatchHandler,
        tables: Tables,
        deliver: Deliver,
        *,
        watchdog: Watchdog,
        metrics: Metrics,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.handler = handler
        self.tables = tables
        self.deliver = deliver
        self.watchdog = watchdog
        self.metrics = metrics
        self.clock = clock
        self.totals: Counter[str] = Counter()

    async def run(self, batches: AsyncIterator[Sequence[Any]], ack: Ack) -> None:
        """Process every batch of events from ``batches``; ``ack`` acknowledges one event.

        Batch N+1 is taken and prepared while N is detected, and N is delivered while N+1 is
        detected. On shutdown a batch whose detection has ended is delivered, so its inputs are
        acknowledged; one still being detected is read again after the restart.
        """
        overlap: Overlap[list[Outcome]] = Overlap()
        try:
            async for events in batches:
                started = time.monotonic()
                sources = [source_of(event) for event in events]
                self.watchdog.taken(len(sources))
                await overlap.submit(
                    await self.prepare(sources),
                    functools.partial(self.finish, events, sources, started, ack),
                )
        finally:
            await overlap.close()

    async def prepare(
        self, sources: Sequence[SourceMessage]
    ) -> Callable[[], Awaitable[list[Outcome]]]:
        """The batch's detection step: each message parsed once and its consent resolved once
        at one moment, the keys its subjects need made, then detection and the policy. If
        preparing fails, every record of the batch is quarantined (fail closed: no consent is
        known, so nothing may be published)."""
        handler = self.handler
        try:
            if not await self.tables.current():
                log.warning(
                    "the consent registry is not current; a batch of %d messages from %s is "
                    "quarantined",
                    len(sources),
                    _where(sources),
                )
                return functools.partial(
                    _ready,
                    handler.unprepared(
                        sources, "consent registry not current", Reason.REGISTRY_UNCONFIRMED
                    ),
                )
            now = self.clock()
            prepared = handler.prepare(sources, self.tables.registry, now)
            book = await self.tables.key_book(handler.redactor.subjects_wanting_keys(prepared), now)
            people = self.tables.people
            return functools.partial(handler.outcomes, sources, prepared, book, now, people)
        except Exception as exc:
            log.error(
                "preparing a batch of %d messages from %s failed (%s); quarantined",
                len(sources),
                _where(sources),
                type(exc).__name__,
            )
            return functools.partial(
                _ready, handler.unprepared(sources, "preparing its batch failed")
            )

    async def finish(
        self,
        events: Sequence[Any],
        sources: Sequence[SourceMessage],
        started: float,
        ack: Ack,
        detected: list[Outcome],
    ) -> None:
        """Make the batch's outputs, deliver them, then acknowledge its inputs, in order."""
        outcomes, messages = self.handler.messages(sources, detected)
        try:
            await self.deliver(messages)
        except DeliveryAbandoned:
            # Stopping with the broker silent: the inputs stay unacknowledged (read again after
            # the restart), and the agent ends as a stopping agent should, without crashing.
            return
        for event in events:
            await ack(event)
        self.watchdog.delivered(len(events))
        self.metrics.observe_batch(outcomes, time.monotonic() - started)
        self.totals.update(o.verdict.value for o in outcomes)
        log.debug("batch done: %d messages; totals %s", len(events), dict(self.totals))


class ConsentAgent:
    """The consent topic's agent: each event folded into the registry, or dead-lettered."""

    def __init__(
        self, tables: Tables, deliver: Deliver, *, metrics: Metrics, settings: Settings
    ) -> None:
        self.tables = tables
        self.deliver = deliver
        self.metrics = metrics
        self.settings = settings

    async def handle(self, source: SourceMessage) -> None:
        """Apply one consent event (or dead-letter it); returns once the broker has its entry."""
        try:
            parsed = parse_event(source.key, source.value)
        except InvalidRecord as error:
            log.warning(
                "consent event dead-lettered: topic=%s partition=%d offset=%d reason=%s",
                source.topic,
                source.partition,
                source.offset,
                error.detail,
            )
            await self.deliver([route(dead_letter(error), source, self.settings)])
            self.metrics.observe_consent_event("invalid", "dead_letter")
            return
        applied = await self.tables.apply(parsed)
        self.metrics.observe_consent_event(parsed.type, "applied" if applied else "ignored")
        log.info(
            "consent event %s: type=%s partition=%d offset=%d",
            "applied" if applied else "older than the registry's entry, ignored",
            parsed.type,
            source.partition,
            source.offset,
        )
