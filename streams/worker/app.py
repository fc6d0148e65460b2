"""The Faust app: raw topic in, clean / quarantine / dead-letter / audit out.

:func:`create_app` wires the agents (:mod:`streams.worker.agents`) to the raw and consent
topics, the consent registry and the subject keys (:mod:`streams.worker.tables`), the watchdog
and the HTTP endpoints. :class:`Worker` is Faust's worker with a bounded shutdown.

Delivery is at-least-once:

1. the redact agent takes a batch of messages without acknowledging them (``noack_take``),
   waits until the consent registry holds every entry written before then, parses each once,
   resolves its consent once and makes missing subject keys (stored before use);
2. detection and the policy run in a child process (:mod:`streams.worker.detection`), off the
   event loop, so heartbeats keep flowing; a batch that exceeds ``detection_timeout`` is
   quarantined whole and the process killed and restarted (one that dies is retried once, then
   quarantined);
3. every outcome is sent and the agent waits until the broker has acknowledged each one,
   retrying failed sends with back-off for as long as the worker runs;
4. only then are the input messages acknowledged, so Faust commits their offsets.

Steps 3 and 4 of one batch run while the next batch is in step 2, and step 1 of a batch runs
while the one before it is detected, so the detection process goes from one batch to the next
without waiting (:mod:`streams.worker.overlap`). At most one batch is being detected and one
delivered, and a batch's outputs are sent only after the previous batch's inputs are
acknowledged.

A crash anywhere before step 4 means the batch is read again after restart; its outputs may then
appear twice, byte-identical (the core is deterministic), keyed by record id.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Coroutine
from typing import Any, cast

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka

from recognizers.engine import Detector
from streams.core.keys import Keyring, require_keyring
from streams.core.policy import Policy, load_policy
from streams.core.redactor import Redactor
from streams.core.reveal import RevealCipher, require_reveal_keyring
from streams.kafka_security import KafkaSecurity, kafka_security
from streams.settings import Settings
from streams.value_logs import keep_values_out_of_logs
from streams.worker.agents import ConsentAgent, Delivery, RedactAgent
from streams.worker.batch import BatchHandler, source_of
from streams.worker.detection import RedactorFactory
from streams.worker.metrics import Metrics
from streams.worker.routing import OutputMessage
from streams.worker.tables import ConsentTables
from streams.worker.watchdog import EXIT_SHUTDOWN_TIMEOUT, EXIT_STALLED, Watchdog, exit_after
from streams.worker.web import consumer_lag, install_endpoints, liveness

log = logging.getLogger("piiredact.worker")

#: Set on the app when the worker is asked to stop (before Faust's own stop begins).
STOPPING = "piiredact_stopping"
#: Set with it: when the waits of the stop give up (``time.monotonic()``).
_STOP_DEADLINE = "piiredact_stop_deadline"

#: How long the producer waits for more outputs before it sends a request.
PRODUCER_LINGER_SECONDS = 0.005
#: The most bytes the producer puts in one partition's batch. Aiokafka's default (16 KB) holds
#: about ten clean records, so a batch's outputs went out in several produce requests; at 256 KB
#: they go in one, which cut the worker's socket writes sixfold.
PRODUCER_BATCH_BYTES = 262_144
#: How long a stopping worker waits for the work in flight: for the streams to empty (Faust
#: waits until every message taken is acknowledged) and for the producer to deliver what it
#: holds (Faust flushes it before each commit and when it stops). What is still in flight then
#: belongs to inputs not yet acknowledged (the agents acknowledge an input only once its outputs
#: are delivered, and a consent event once its table entry is), so it is given up and redone by
#: the next worker. Against a broker that refuses produce requests each of those waits lasted
#: the request timeout (30 s) or longer, and SIGTERM took 30 s.
STOP_WAIT_SECONDS = 5.0


async def _until_stop_deadline(app: Any, waiting: Coroutine[Any, Any, None], what: str) -> None:
    """Await ``waiting`` until :data:`STOP_WAIT_SECONDS` after the worker began stopping."""
    deadline = getattr(app, _STOP_DEADLINE, None)
    if deadline is None:  # stopping without a signal (the app failed)
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        setattr(app, _STOP_DEADLINE, deadline)
    task = asyncio.ensure_future(waiting)
    done, _pending = await asyncio.wait({task}, timeout=max(0.0, deadline - time.monotonic()))
    if done:
        task.result()
        return
    # Not awaited: Faust's wait for the streams takes a cancel for one more round of its loop.
    task.cancel()
    log.warning(
        "%s: still waiting %gs after the worker began stopping; given up (the inputs not "
        "acknowledged are read again and redone)",
        what,
        STOP_WAIT_SECONDS,
    )


class BoundedStopProducer(faust_aiokafka.Producer):
    """Faust's aiokafka producer whose flushes, once the worker is stopping, and whose stop
    end by the stop deadline (:data:`STOP_WAIT_SECONDS`)."""

    async def flush(self) -> None:
        if getattr(self.app, STOPPING, False):
            await _until_stop_deadline(self.app, super().flush(), "producer flush")
        else:
            await super().flush()

    async def on_stop(self) -> None:
        await _until_stop_deadline(self.app, super().on_stop(), "producer stop")


class BoundedStopConsumer(faust_aiokafka.Consumer):
    """Faust's aiokafka consumer whose wait for the streams to empty, once the worker is
    stopping, ends by the stop deadline (:data:`STOP_WAIT_SECONDS`)."""

    async def wait_empty(self) -> None:
        if getattr(self.app, STOPPING, False):
            await _until_stop_deadline(self.app, super().wait_empty(), "waiting for the streams")
        else:
            await super().wait_empty()


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


def create_app(
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
        producer_request_timeout=settings.producer_request_timeout,
        broker_request_timeout=settings.consumer_request_timeout,
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
    # The transport makes its producer and consumer when first needed; these stop in bounded
    # time.
    setattr(app.transport, "Producer", BoundedStopProducer)  # noqa: B010 - a ClassVar in faust
    setattr(app.transport, "Consumer", BoundedStopConsumer)  # noqa: B010
    raw_topic = app.topic(settings.topic_raw, key_type=bytes, value_type=bytes)
    consent_topic = app.topic(settings.topic_consent, key_type=bytes, value_type=bytes)
    tables = ConsentTables(app, settings, policy, keyring)
    app.on_partitions_assigned.connect(tables.on_assigned)
    app.on_before_shutdown.connect(tables.stop)
    install_endpoints(app, metrics, settings.topic_raw, watchdog)

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

    # Straight to the producer: Faust's Topic.send wraps each message in its own objects and
    # sensor calls (a fifth of the worker's CPU); outputs are bytes already and their topics
    # exist.
    async def send(m: OutputMessage) -> Any:
        return await app.producer.send(m.topic, m.key, m.value, None, None, m.headers)

    deliver = Delivery(
        send,
        stopping=lambda: bool(app.should_stop or getattr(app, STOPPING, False)),
        max_output_bytes=settings.max_output_bytes,
    )
    redact_agent = RedactAgent(handler, tables, deliver, watchdog=watchdog, metrics=metrics)
    consent_agent = ConsentAgent(tables, deliver, metrics=metrics, settings=settings)

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
        batches = cast(faust.Stream[Any], stream).noack_take(
            settings.batch_size, within=settings.batch_timeout
        )
        await redact_agent.run(batches, stream.ack)

    @app.agent(consent_topic, concurrency=1, name="consent")
    async def consent_events(stream: faust.StreamT[Any]) -> None:
        async for event in stream.events():
            await consent_agent.handle(source_of(event))

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
        # Deliveries look at this to stop waiting for a broker that does not answer.
        setattr(self.app, STOPPING, True)
        if getattr(self.app, _STOP_DEADLINE, None) is None:
            setattr(self.app, _STOP_DEADLINE, time.monotonic() + STOP_WAIT_SECONDS)
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
