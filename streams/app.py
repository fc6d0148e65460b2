"""The Faust app and its agents: raw topic in, clean / quarantine / dead-letter / audit out.

Two global tables (every worker holds all of each, fed by a compacted changelog):

- ``consent``: the consent registry. The ``consent`` agent folds events from the consent
  topic into it (:mod:`streams.registry`); invalid events go to the dead-letter topic.
- ``subject-keys``: each subject's pseudonym key, wrapped under the keyring
  (:mod:`streams.keys`). The ``redact`` agent creates a key the first time a subject needs one
  and waits until the broker has stored it before using it; an erasure deletes it.

Delivery is at-least-once:

1. the agent takes a batch of messages without acknowledging them (``noack_take``);
   it reads each record's consent entry and makes missing subject keys (stored before use);
2. detection runs in a child process (:mod:`streams.pool`), off the event loop, so heartbeats
   keep flowing; a batch that exceeds ``detection_timeout`` is quarantined whole and the
   process killed and restarted (one that dies is retried once, then quarantined);
3. every outcome is sent and the agent waits until the broker has acknowledged each one,
   retrying failed sends with back-off for as long as the worker runs;
4. only then are the input messages acknowledged, so Faust commits their offsets.

Steps 3 and 4 of one batch run while the next batch is in step 2, and step 1 of a batch runs
while the one before it is detected, so the detection process goes from one batch to the next
without waiting (:mod:`streams.pipeline`). At most one batch is being detected and one
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
import orjson
from aiokafka.errors import MessageSizeTooLargeError

from recognizers.engine import Detector
from streams.consent import RegistryEntry, normalise_subject_ref
from streams.core import Outcome, Reason, Redactor, Verdict, dead_letter, worker_error
from streams.errors import InvalidRecord
from streams.kafka_security import kafka_security
from streams.keys import KeyBook, Keyring, KeyringError, WrappedKey, load_keyring, new_subject_key
from streams.metrics import Metrics
from streams.pipeline import Pipeline
from streams.policy import Policy, PseudonymScope, load_policy
from streams.pool import (
    DetectionError,
    DetectionPool,
    DetectionTimeout,
    Prebuilt,
    RedactorFactory,
)
from streams.record import Limits
from streams.registry import ConsentEvent, apply_event, decode_entry, encode_entry, parse_event
from streams.routing import OutputMessage, SourceMessage, audit_message, bounded, route
from streams.settings import Settings
from streams.value_logs import keep_values_out_of_logs
from streams.watchdog import EXIT_SHUTDOWN_TIMEOUT, EXIT_STALLED, Watchdog, exit_after
from streams.web import consumer_lag, install_endpoints, liveness

log = logging.getLogger("piiredact.worker")

#: How long the producer waits for more outputs before it sends a request.
PRODUCER_LINGER_SECONDS = 0.005
#: The most bytes the producer puts in one partition's batch. Aiokafka's default (16 KB) holds
#: about ten clean records, so a batch's outputs went out in several produce requests; at 256 KB
#: they go in one, which cut the worker's socket writes sixfold.
PRODUCER_BATCH_BYTES = 262_144
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
    """Processes one batch: detection in a killable child process with a time budget
    (:class:`~streams.pool.DetectionPool`), then routing.

    ``redactor`` is either a :class:`~streams.pool.RedactorFactory` (the worker: the child
    loads the models, this process never does) or a ready :class:`Redactor`, which is pickled
    into the child. Either way this process keeps a detector-less redactor to quarantine a
    batch whose detection failed. ``pool`` replaces the detection pool made from them (tests
    give one whose factory builds a fake detector).
    """

    def __init__(
        self,
        redactor: Redactor | RedactorFactory,
        settings: Settings,
        *,
        pool: DetectionPool | None = None,
    ) -> None:
        if isinstance(redactor, RedactorFactory):
            factory: RedactorFactory | Prebuilt = redactor
            redactor = Redactor(Detector([], []), redactor.policy, redactor.limits)
        else:
            factory = Prebuilt(redactor)
        #: parses and quarantines here; detection happens in the pool's child
        self.redactor = redactor
        self.settings = settings
        self.pool = pool or DetectionPool(factory, timeout=settings.detection_timeout)

    async def outcomes(
        self,
        sources: Sequence[SourceMessage],
        registry: dict[str, RegistryEntry] | None = None,
        keys: KeyBook | None = None,
        now: datetime | None = None,
    ) -> list[Outcome]:
        """One outcome per message; never raises for a detection failure or timeout.

        A batch past ``detection_timeout`` is quarantined (``detection_timeout``) and its
        detection process killed; a batch whose process died twice, or whose detection could
        not run, is quarantined with ``detection_error``.
        """
        raws = [s.value for s in sources]
        try:
            detected = await self.pool.redact(raws, registry, keys, now)
        except DetectionTimeout:
            log.warning(
                "detection exceeded %.1fs for a batch of %d messages from %s; quarantined",
                self.settings.detection_timeout,
                len(sources),
                _where(sources),
            )
            return self.redactor.unanalysed(
                raws,
                Reason.DETECTION_TIMEOUT,
                f"detection exceeded {self.settings.detection_timeout:g}s",
            )
        except DetectionError as error:
            log.error(
                "detection failed for a batch of %d messages from %s (%s); quarantined",
                len(sources),
                _where(sources),
                error,
            )
            return self.redactor.unanalysed(raws, Reason.DETECTION_ERROR, str(error))
        if len(detected) != len(sources):
            log.error(
                "the detection process returned %d outcomes for %d messages from %s; quarantined",
                len(detected),
                len(sources),
                _where(sources),
            )
            return self.unprepared(sources, "the detection process returned a partial batch")
        return detected

    def unprepared(self, sources: Sequence[SourceMessage], detail: str) -> list[Outcome]:
        """Outcomes for a batch the worker could not prepare or detect: every valid record is
        quarantined with ``worker_error`` (invalid ones dead-lettered as usual)."""
        return self.redactor.unanalysed([s.value for s in sources], Reason.WORKER_ERROR, detail)

    def messages(
        self, sources: Sequence[SourceMessage], detected: Sequence[Outcome]
    ) -> tuple[list[Outcome], list[OutputMessage]]:
        """The outcomes as they will be written (a clean record too large to write is
        quarantined: :func:`~streams.routing.bounded`) and their output messages (each outcome
        and its audit entry), logging quarantines and dead letters."""
        outcomes: list[Outcome] = []
        out: list[OutputMessage] = []
        for source, found in zip(sources, detected, strict=True):
            try:
                outcome, message = bounded(found, source, self.settings)
                audit = audit_message(outcome, source, self.settings)
            except Exception as exc:  # one message's output cannot be made: it alone is held
                log.error(
                    "making the outputs of one message failed (%s): topic=%s partition=%d "
                    "offset=%d; quarantined",
                    type(exc).__name__,
                    source.topic,
                    source.partition,
                    source.offset,
                )
                outcome = worker_error(f"making its outputs raised {type(exc).__name__}")
                message = route(outcome, source, self.settings)
                audit = audit_message(outcome, source, self.settings)
            outcomes.append(outcome)
            if outcome.verdict is not Verdict.CLEAN:
                log.info(
                    "%s: topic=%s partition=%d offset=%d id=%s reason=%s types=%s",
                    outcome.verdict.value,
                    source.topic,
                    source.partition,
                    source.offset,
                    outcome.shown_id or "<hidden>",
                    outcome.reason,
                    ",".join(f"{k}:{v}" for k, v in sorted(outcome.counts.items())) or "-",
                )
            out.append(message)
            out.append(audit)
        return outcomes, out

    def close(self) -> None:
        """Stop the detection process."""
        self.pool.close()


def _where(sources: Sequence[SourceMessage]) -> str:
    parts = sorted({(s.topic, s.partition) for s in sources})
    return ", ".join(f"{t}[{p}]" for t, p in parts)


async def _ready(outcomes: list[Outcome]) -> list[Outcome]:
    """Outcomes already made, as the pipeline's detection step."""
    return outcomes


def subject_refs(raws: Sequence[bytes]) -> dict[str, list[object]]:
    """The ``subject_ref`` of each message that has one, with the ``consent`` objects that
    came with it. A cheap look ahead of full validation; invalid messages are skipped here
    and dead-lettered later."""
    refs: dict[str, list[object]] = {}
    for raw in raws:
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError:
            continue
        if isinstance(doc, dict) and isinstance(doc.get("subject_ref"), str):
            ref = normalise_subject_ref(doc["subject_ref"])
            if ref:
                refs.setdefault(ref, []).append(doc.get("consent"))
    return refs


def keyring_from(settings: Settings) -> Keyring | None:
    """The keyring configured in ``settings`` (file first), or ``None``."""
    inline = settings.keys.get_secret_value() if settings.keys is not None else None
    return load_keyring(settings.keys_file, inline)


def require_keyring(policy: Policy, keyring: Keyring | None) -> None:
    """Refuse to start when the policy pseudonymises and no keyring is configured."""
    if policy.uses_pseudonyms and keyring is None:
        raise KeyringError(
            f"policy {policy.version!r} pseudonymises, but no keyring is configured: "
            "set PIIREDACT_KEYS_FILE to a keyring file (see docs/consent.md)"
        )


_ERASED_UNREADABLE = RegistryEntry(at=datetime(1970, 1, 1, tzinfo=UTC), consent=None)


class ConsentTables:
    """The consent registry and the subject keys, as Faust global tables."""

    def __init__(
        self, app: faust.App, settings: Settings, policy: Policy, keyring: Keyring | None
    ) -> None:
        self.settings = settings
        self.policy = policy
        self.keyring = keyring
        # Written by key (use_partitioner), not by the partition of the event being processed:
        # a subject's entries always land in one changelog partition, whoever writes them.
        self.consent, self.keys = (
            app.GlobalTable(
                name,
                default=None,
                key_type=bytes,
                value_type=bytes,
                partitions=settings.topic_partitions,
                use_partitioner=True,
            )
            for name in ("consent", "subject-keys")
        )

    @staticmethod
    async def store(table: Any, key: bytes, value: bytes | None) -> None:
        """Write one table entry and wait until the broker has its changelog record."""
        if value is None:
            table.data.pop(key, None)
            future = table.send_changelog(None, key, None, value_serializer="raw")
        else:
            table.data[key] = value
            future = table.send_changelog(None, key, value)
        await future

    def entry(self, subject_ref: str) -> RegistryEntry | None:
        """The registry's entry for ``subject_ref``; an unreadable one counts as withdrawn."""
        raw = self.consent.get(subject_ref.encode("utf-8"))
        if raw is None:
            return None
        try:
            return decode_entry(raw)[0]
        except ValueError:
            log.error("consent table entry unreadable; treating the subject as withdrawn")
            return _ERASED_UNREADABLE

    async def apply(self, event: ConsentEvent) -> bool:
        """Fold one registry event in; ``False`` if it was older than the entry and ignored."""
        key = event.subject_ref.encode("utf-8")
        updated = apply_event(self.entry(event.subject_ref), event, datetime.now(UTC))
        if updated is None:
            return False
        await self.store(self.consent, key, encode_entry(updated, event.raw_consent))
        if event.type == "erasure":
            await self.store(self.keys, key, None)
        return True

    def _wants_key(
        self, ref: str, consents: list[object], entry: RegistryEntry | None, now: datetime
    ) -> bool:
        policy = self.policy
        return any(
            policy.may_pseudonymise(policy.consent(c, entry, now, subject_ref=ref))
            for c in consents
        )

    def _stored_key(self, subject_ref: str, entry: RegistryEntry | None) -> WrappedKey | None:
        """The subject's stored key, unless an erasure came after it was made."""
        raw = self.keys.get(subject_ref.encode("utf-8"))
        if raw is None:
            return None
        wrapped = WrappedKey.decode(raw)
        erased_at = entry.erased_at if entry is not None else None
        return wrapped if erased_at is None or wrapped.created_at >= erased_at else None

    async def key_book(
        self, refs: dict[str, list[object]], registry: dict[str, RegistryEntry], now: datetime
    ) -> KeyBook | None:
        """The key book for a batch; makes (and stores) keys its subjects lack. A subject
        whose key cannot be read or stored is left out: its records are quarantined."""
        if self.keyring is None or not self.policy.uses_pseudonyms:
            return None
        book = KeyBook(self.keyring, self.policy.pseudonym_scope.value)
        if self.policy.pseudonym_scope is not PseudonymScope.SUBJECT:
            return book
        pending: list[tuple[str, WrappedKey]] = []
        for ref, consents in refs.items():
            entry = registry.get(ref)
            if not self._wants_key(ref, consents, entry, now):
                continue
            try:
                wrapped = self._stored_key(ref, entry)
            except KeyringError:
                log.error("a stored subject key is unreadable; its records are quarantined")
                continue
            if wrapped is not None:
                book.store[ref] = wrapped
            else:
                pending.append((ref, new_subject_key(self.keyring, ref, now)))
        if not pending:
            return book
        writes = (self.store(self.keys, r.encode("utf-8"), w.encode()) for r, w in pending)
        try:
            await asyncio.wait_for(asyncio.gather(*writes), timeout=self.settings.key_wait_timeout)
        except Exception as exc:  # includes TimeoutError: fail closed
            log.warning(
                "storing %d new subject keys failed (%s); their records are quarantined",
                len(pending),
                type(exc).__name__,
            )
            return book
        book.store.update(pending)
        return book


def create_app(  # noqa: PLR0915 - the agents are closures over its state
    settings: Settings,
    *,
    detector: Detector | None = None,
    policy: Policy | None = None,
    keyring: Keyring | None = None,
) -> faust.App:
    """The worker's Faust app. Loads the policy and keyring (fails fast if invalid); the
    detection process (:mod:`streams.pool`) loads the detector."""
    policy = policy if policy is not None else load_policy(settings.policy_file)
    keyring = keyring if keyring is not None else keyring_from(settings)
    require_keyring(policy, keyring)
    security = kafka_security(settings)  # reads the SASL password file, builds the TLS context
    keep_values_out_of_logs(logging.getLevelName(settings.log_level))
    # Without a given detector, the detection process loads the models (on the first batch).
    handler = BatchHandler(
        RedactorFactory(policy, limits_from(settings), settings.detect_names)
        if detector is None
        else Redactor(detector, policy, limits_from(settings)),
        settings,
    )
    metrics = Metrics()
    watchdog = Watchdog(settings.stall_timeout)

    app = faust.App(
        settings.app_id,
        broker=settings.broker_url,
        broker_credentials=security.faust_credentials(),
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=min(3.0, settings.session_timeout / 3),
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        # A batch's outputs are sent at once; waiting a few milliseconds, in batches big enough
        # for them, lets them go in one produce request instead of about one each (socket
        # writes were a quarter of the worker's CPU).
        producer_linger=PRODUCER_LINGER_SECONDS,
        # A batch is no larger than the broker takes one output to be (max_output_bytes), and no
        # output is larger than that as the producer counts it (streams/routing.py), so the
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
        # detected (streams/pipeline.py).
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
    :data:`~streams.watchdog.EXIT_SHUTDOWN_TIMEOUT`)."""

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
