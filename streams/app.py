"""The Faust app and its agent: raw topic in, clean / quarantine / dead-letter topics out.

Delivery is at-least-once:

1. the agent takes a batch of messages without acknowledging them (``noack_take``);
2. detection runs in a worker thread, off the event loop, so heartbeats keep flowing; a batch
   that exceeds ``detection_timeout`` is quarantined whole;
3. every outcome is sent and the agent waits until the broker has acknowledged each one,
   retrying failed sends with back-off for as long as the worker runs;
4. only then are the input messages acknowledged, so Faust commits their offsets.

A crash anywhere before step 4 means the batch is read again after restart; its outputs may then
appear twice, byte-identical (the core is deterministic), keyed by record id.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import faust

from recognizers.engine import Detector
from recognizers.registry import build_detector
from streams.core import Outcome, Reason, Redactor, Verdict
from streams.policy import Policy, load_policy
from streams.record import Limits
from streams.routing import OutputMessage, SourceMessage, route
from streams.settings import Settings

log = logging.getLogger("piiredact.worker")

_SEND_RETRY_FIRST = 0.5
_SEND_RETRY_MAX = 10.0


def limits_from(settings: Settings) -> Limits:
    """The record limits configured in ``settings``."""
    return Limits(
        max_record_bytes=settings.max_record_bytes,
        max_depth=settings.max_depth,
        max_strings=settings.max_strings,
        max_string_chars=settings.max_string_chars,
    )


def source_of(event: Any) -> SourceMessage:
    """The input message behind a Faust event."""
    message = event.message
    raw_headers = message.headers or []
    items = raw_headers.items() if isinstance(raw_headers, dict) else raw_headers
    headers = [(str(k), bytes(v) if v is not None else b"") for k, v in items]
    value = message.value if message.value is not None else b""
    return SourceMessage(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key,
        value=bytes(value),
        headers=headers,
    )


class BatchHandler:
    """Processes one batch: detection off the loop with a time budget, then routing."""

    def __init__(self, redactor: Redactor, settings: Settings) -> None:
        self.redactor = redactor
        self.settings = settings
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="piiredact-detect")

    async def outcomes(self, sources: Sequence[SourceMessage]) -> list[Outcome]:
        """One outcome per message; never raises for a detection failure or timeout."""
        raws = [s.value for s in sources]
        loop = asyncio.get_running_loop()
        job = loop.run_in_executor(self._executor, self.redactor.redact_batch, raws)
        try:
            return await asyncio.wait_for(
                asyncio.shield(job), timeout=self.settings.detection_timeout
            )
        except TimeoutError:
            log.warning(
                "detection exceeded %.1fs for a batch of %d messages from %s; quarantined",
                self.settings.detection_timeout,
                len(sources),
                _where(sources),
            )
            outcomes = self.redactor.unanalysed(
                raws,
                Reason.DETECTION_TIMEOUT,
                f"detection exceeded {self.settings.detection_timeout:g}s",
            )
            # Let the stuck analysis finish before taking more work, so jobs cannot pile up.
            await asyncio.gather(job, return_exceptions=True)
            return outcomes

    def messages(
        self, sources: Sequence[SourceMessage], outcomes: Sequence[Outcome]
    ) -> list[OutputMessage]:
        """The output messages for a batch, logging quarantines and dead letters."""
        out: list[OutputMessage] = []
        for source, outcome in zip(sources, outcomes, strict=True):
            if outcome.verdict is not Verdict.CLEAN:
                log.info(
                    "%s: topic=%s partition=%d offset=%d id=%s reason=%s types=%s",
                    outcome.verdict.value,
                    source.topic,
                    source.partition,
                    source.offset,
                    outcome.record_id if outcome.reason != Reason.PII_IN_ID else "<hidden>",
                    outcome.reason,
                    ",".join(f"{k}:{v}" for k, v in sorted(outcome.counts.items())) or "-",
                )
            out.append(route(outcome, source, self.settings))
        return out

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _where(sources: Sequence[SourceMessage]) -> str:
    parts = sorted({(s.topic, s.partition) for s in sources})
    return ", ".join(f"{t}[{p}]" for t, p in parts)


def create_app(
    settings: Settings,
    *,
    detector: Detector | None = None,
    policy: Policy | None = None,
) -> faust.App:
    """The worker's Faust app. Loads the policy (fails fast if invalid) and the detector."""
    policy = policy if policy is not None else load_policy(settings.policy_file)
    detector = detector if detector is not None else build_detector(names=settings.detect_names)
    handler = BatchHandler(Redactor(detector, policy, limits_from(settings)), settings)

    app = faust.App(
        settings.app_id,
        broker=settings.broker_url,
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=min(3.0, settings.session_timeout / 3),
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        web_enabled=settings.web_enabled,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        datadir=str(settings.data_dir),
        autodiscover=False,
        topic_allow_declare=False,
        topic_partitions=settings.topic_partitions,
        value_serializer="raw",
        key_serializer="raw",
    )
    raw_topic = app.topic(settings.topic_raw, key_type=bytes, value_type=bytes)
    outputs = {
        name: app.topic(name, key_type=bytes, value_type=bytes) for name in settings.output_topics
    }
    totals: Counter[str] = Counter()

    async def deliver(messages: Sequence[OutputMessage]) -> None:
        delay = _SEND_RETRY_FIRST
        while True:
            try:
                futures = [
                    await outputs[m.topic].send(key=m.key, value=m.value, headers=m.headers)
                    for m in messages
                ]
                await asyncio.gather(*futures)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "sending %d outputs failed (%s); retrying in %.1fs",
                    len(messages),
                    type(exc).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, _SEND_RETRY_MAX)

    @app.agent(raw_topic, concurrency=1, name="redact")
    async def redact(stream: faust.StreamT[Any]) -> None:
        # noack_take is on the concrete Stream, not on the StreamT interface.
        batches = cast(faust.Stream[Any], stream).noack_take
        async for events in batches(settings.batch_size, within=settings.batch_timeout):
            sources = [source_of(event) for event in events]
            outcomes = await handler.outcomes(sources)
            await deliver(handler.messages(sources, outcomes))
            for event in events:
                await stream.ack(event)
            totals.update(o.verdict.value for o in outcomes)
            log.debug("batch done: %d messages; totals %s", len(events), dict(totals))

    return app
