"""The Faust app and its agents: raw topic in, clean / quarantine / dead-letter / audit out.

Two global tables (every worker holds all of each, fed by a compacted changelog):

- ``consent``: the consent registry. The ``consent`` agent folds events from the consent
  topic into it (:mod:`streams.core.consent_events`); invalid events go to the dead-letter topic.
- ``subject-keys``: each subject's pseudonym key, wrapped under the keyring
  (:mod:`streams.core.keys`). The ``redact`` agent creates a key the first time a subject needs one
  and waits until the broker has stored it before using it; an erasure deletes it.

Delivery is at-least-once:

1. the agent takes a batch of messages without acknowledging them (``noack_take``);
   it reads each record's consent entry and makes missing subject keys (stored before use);
2. detection runs in a child process (:mod:`streams.worker.detection`), off the event loop, so
heartbeats    keep flowing; a batch that exceeds ``detection_timeout`` is quarantined whole and the
   process killed and restarted (one that dies is retried once, then quarantined);
3. every outcome is sent and the agent waits until the broker has acknowledged each one,
   retrying failed sends with back-off for as long as the worker runs;
4. only then are the input messages acknowledged, so Faust commits their offsets.

Steps 3 and 4 of one batch run while the next batch is in step 2, and step 1 of a batch runs
while the one before it is detected, so the detection process goes from one batch to the next
without waiting (:mod:`streams.worker.pipeline`). At most one batch is being detected and one
delivered, and a batch's outputs are sent only after the previous batch's inputs are
acknowledged.

A crash anywhere before step 4 means the batch is read again after restart; its outputs may then
appear twice, byte-identical (the core is deterministic), keyed by record id.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

import faust
from aiokafka.errors import MessageSizeTooLargeError

from recognizers.engine import Detector
from streams.core.consent_events import parse_event
from streams.core.keys import Keyring, require_keyring
from streams.core.outcome import Outcome, dead_letter
from streams.core.policy import Policy, load_policy
from streams.core.redactor import Redactor
from streams.core.reveal import RevealCipher, require_reveal_keyring
from streams.errors import InvalidRecord
from streams.kafka_security import KafkaSecurity, kafka_security
from streams.settings import Settings
from streams.value_logs import keep_values_out_of_logs
from streams.worker.batch import BatchHandler, _ready, _where, source_of, subject_refs
from streams.worker.detection import RedactorFactory
from streams.worker.metrics import Metrics
from streams.worker.pipeline import Pipeline
from streams.worker.routing import OutputMessage, SourceMessage, route
from streams.worker.tables import ConsentTables
from streams.worker.watchdog import EXIT_SHUTDOWN_TIMEOUT, EXIT_STALLED, Watchdog, exit_after
from streams.worker.web import consumer_lag, install_endpoints, liveness

log = logging.getLogger("piiredact.worker")

#: How long the producer waits for more outputs before it sends a request.
PRODUCER_LINGER_SECONDS = 0.005
#: The most bytes the producer puts in one partition's batch. Aiokafka's default (16 KB) holds
#: about ten clean records, so a batch's outputs went out in several produce requests; at 256 KB
#: they go in one, which cut the worker's socket writes sixfold.
PRODUCER_BATCH_BYTES = 262_144
_SEND_RETRY_FIRST = 0.5
_SEND_RETRY_MAX = 10.0


def faust_credentials(security: KafkaSecurity) -> faust.types.auth.CredentialsT | None:
    """``broker_credentials`` for :class:`faust.App`; ``None`` for ``PLAINTEXT``."""
    if security.protocol == "SSL":
        return faust.SSLCredentials(security.ssl_context)
    if security.protocol.startswith("SASL_"):
        password = security.password.get_secret_value() if security.password is not None else None
        return faust.SASLCredentials(
            username=security.username,
            password=password,
            ssl_context=security.ssl_context if security.protocol == "SASL_SSL" else None,
            mechanism=security.mechanism,
        )
    return None


def create_app(  # noqa: PLR0915 - the agents are closures over its state
    settings: Settings,
    *,
    detector: Detector | None = None,
    policy: Policy | None = None,
    keyring: Keyring | None = None,
    reveal: Keyring | None = None,
) -> faust.App:
    """The worker's Faust app. Loads the policy, the keyring and the reveal keyring (fails fast
    if invalid); the detection process (:mod:`streams.worker.detection`) loads the detector."""
    policy = policy if policy is not None else load_policy(settings.policy_file)
    keyring = keyring if keyring is not None else settings.keyring()
    reveal = reveal if reveal is not None else settings.reveal_keyring()
    require_keyring(policy, keyring)
    require_reveal_keyring(policy, reveal, keyring)
    security = kafka_security(settings)  # reads the SASL password file, builds the TLS context
    keep_values_out_of_logs(logging.getLevelName(settings.log_level))
    # Without a given detector, the detection process loads the models (on the first batch).
    handler = BatchHandler(
        RedactorFactory(policy, settings.limits, settings.detect_names, reveal)
        if detector is None
        else Redactor(
            detector,
            policy,
            settings.limits,
            reveal=RevealCipher(reveal) if reveal is not None else None,
        ),
        settings,
    )
    metrics = Metrics()
    watchdog = Watchdog(settings.stall_timeout)

    app = faust.App(
        settings.app_id,
        broker=settings.broker_url,
        broker_credentials=faust_credentials(security),
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=min(3.0, settings.session_timeout / 3),
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        # A batch's outputs are sent at once; waiting a few milliseconds, in batches big enough
        # for them, lets them go in one produce request instead of about one each (socket
        # writes were a quarter of the worker's CPU).
        producer_linger=PRODUCER_LINGER_SECONDS,
        # A batch is no larger than the broker takes one output to be (max_output_bytes), and no
        # output is larger than that as the producer counts it (streams/worker/routing.py), so the
        # producer never refuses one and the broker never refuses a batch it was set up for.
        producer_max_batch_size=min(PRODUCER_BATCH_BYTES, settings.max_output_bytes),
        producer_max_request_size=settings.max_output_bytes,
        web_enabled=settings.web_enabled,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        # /table and /router would serve table data (consent entries, wrapped keys).
        web_tables_enabled=False,
        web_router_enabled=False,
        datadir=str(settings.data_dir),
        autodiscover=False,
        topic_allow_declare=False,
        topic_partitions=settings.topic_partitions,
        value_serializer="raw",
        key_serializer="raw",
        store="memory://",
    )
    raw_topic = app.topic(settings.topic_raw, key_type=bytes, value_type=bytes)
    consent_topic = app.topic(settings.topic_consent, key_type=bytes, value_type=bytes)
    tables = ConsentTables(app, settings, policy, keyring)
    install_endpoints(app, metrics, settings.topic_raw, watchdog)
    totals: Counter[str] = Counter()

    async def check_progress() -> None:
        if watchdog.tripped is not None or app.should_stop:
            return
        alive, reason = liveness(app)
        if not alive:
            stalled_for = reason
        else:
            lags = await consumer_lag(app, settings.topic_raw)
            if not watchdog.stalled(sum(lags.values())):
                return
            stalled_for = f"no batch delivered for {settings.stall_timeout:g}s while messages wait"
        # /livez now fails; the process ends soon after whatever the event loop is doing, and
        # its unacknowledged messages are read again by the next worker.
        watchdog.trip(stalled_for)
        log.error(
            "worker stalled (%s; %d messages taken, undelivered); exiting",
            stalled_for,
            watchdog.pending,
        )
        handler.close()
        exit_after(1.0, EXIT_STALLED, "worker stalled")

    app.timer(interval=watchdog.interval, name="watchdog")(check_progress)

    async def deliver(messages: Sequence[OutputMessage]) -> None:
        delay = _SEND_RETRY_FIRST
        while True:
            try:
                # Straight to the producer: Faust's Topic.send wraps each message in its own
                # objects and sensor calls (a fifth of the worker's CPU); outputs are bytes
                # already and their topics exist.
                producer = app.producer
                futures = [
                    await producer.send(m.topic, m.key, m.value, None, None, m.headers)
                    for m in messages
                ]
                await asyncio.gather(*futures)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if app.should_stop:
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
                        settings.max_output_bytes,
                    )
                await asyncio.sleep(delay)
                delay = min(delay * 2, _SEND_RETRY_MAX)

    @app.agent(raw_topic, concurrency=1, name="redact")
    async def redact(stream: faust.StreamT[Any]) -> None:
        # What start-up made (Faust, aiokafka, their modules) lives as long as the worker: out
        # of the collector's way, a full collection no longer walks it (one took ~90 ms per
        # burst of 5,000 records, a tenth of the event loop's time). Once per process: an agent
        # restarted after a crash would freeze whatever happens to be alive then.
        if not gc.get_freeze_count():
            gc.collect()
            gc.freeze()
        # noack_take is on the concrete Stream, not on the StreamT interface.
        batches = cast(faust.Stream[Any], stream).noack_take

        async def finish(
            events: Sequence[Any],
            sources: Sequence[SourceMessage],
            started: float,
            detected: list[Outcome],
        ) -> None:
            outcomes, messages = handler.messages(sources, detected)
            await deliver(messages)
            for event in events:
                await stream.ack(event)
            watchdog.delivered(len(events))
            metrics.observe_batch(outcomes, time.monotonic() - started)
            totals.update(o.verdict.value for o in outcomes)
            log.debug("batch done: %d messages; totals %s", len(events), dict(totals))

        # Batch N+1 is taken and prepared while N is detected, and N is delivered while N+1 is
        # detected (streams/worker/pipeline.py).
        pipeline: Pipeline[list[Outcome]] = Pipeline()
        try:
            async for events in batches(settings.batch_size, within=settings.batch_timeout):
                started = time.monotonic()
                sources = [source_of(event) for event in events]
                watchdog.taken(len(sources))
                try:
                    now = datetime.now(UTC)
                    refs = subject_refs([s.value for s in sources])
                    registry = {r: e for r in refs if (e := tables.entry(r)) is not None}
                    book = await tables.key_book(refs, registry, now)
                    detect = functools.partial(handler.outcomes, sources, registry, book, now)
                except Exception as exc:  # fail closed: no consent known, nothing published
                    log.error(
                        "preparing a batch of %d messages from %s failed (%s); quarantined",
                        len(sources),
                        _where(sources),
                        type(exc).__name__,
                    )
                    detect = functools.partial(
                        _ready, handler.unprepared(sources, "preparing its batch failed")
                    )
                await pipeline.submit(detect, functools.partial(finish, events, sources, started))
        finally:
            # On shutdown a batch whose detection has ended is delivered, so its inputs are
            # acked and committed; one still being detected is read again after the restart.
            await pipeline.close()

    @app.agent(consent_topic, concurrency=1, name="consent")
    async def consent_events(stream: faust.StreamT[Any]) -> None:
        async for event in stream.events():
            source = source_of(event)
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
                await deliver([route(dead_letter(error), source, settings)])
                metrics.observe_consent_event("invalid", "dead_letter")
                continue
            applied = await tables.apply(parsed)
            metrics.observe_consent_event(parsed.type, "applied" if applied else "ignored")
            log.info(
                "consent event %s: type=%s partition=%d offset=%d",
                "applied" if applied else "older than the registry's entry, ignored",
                parsed.type,
                source.partition,
                source.offset,
            )

    return app


class Worker(faust.Worker):
    """Faust's worker with a bounded shutdown: once asked to stop (SIGTERM, SIGINT), the process
    ends within ``shutdown_timeout`` seconds even if stopping hangs (exit code
    :data:`~streams.worker.watchdog.EXIT_SHUTDOWN_TIMEOUT`)."""

    def __init__(self, app: faust.App, *, shutdown_timeout: float, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._shutdown_timeout = shutdown_timeout
        self._deadline: Any = None

    def _arm_deadline(self) -> None:
        if self._deadline is None:
            self._deadline = exit_after(
                self._shutdown_timeout,
                EXIT_SHUTDOWN_TIMEOUT,
                f"shutdown took longer than {self._shutdown_timeout:g}s",
            )

    def _on_sigterm(self) -> None:
        self._arm_deadline()
        super()._on_sigterm()

    def _on_sigint(self) -> None:
        self._arm_deadline()
        super()._on_sigint()
