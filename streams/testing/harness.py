"""Running a worker process on a broker and reading what it wrote: what the integration tests,
the benchmarks and the demo share (:func:`start_worker`, :func:`produce`, :func:`collect`)."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pydantic import SecretStr

from streams.errors import PiiRedactError
from streams.settings import Settings

Message = tuple[bytes | None, bytes]


@dataclass
class Collected:
    """Output messages read back from the clean, quarantine and dead-letter topics."""

    clean: dict[bytes, list[bytes]] = field(default_factory=dict)
    quarantine: dict[bytes, list[tuple[bytes, dict[str, bytes]]]] = field(default_factory=dict)
    dead_letter: dict[bytes, list[tuple[bytes, dict[str, bytes]]]] = field(default_factory=dict)
    #: audit entries (keyed by record id; an id holding personal data is keyed b"")
    audit: dict[bytes, list[bytes]] = field(default_factory=dict)
    #: monotonic times at which the first and the last output message was read
    first_at: float = 0.0
    last_at: float = 0.0

    def keys(self) -> Counter[bytes]:
        """How many outputs each key has across the three topics."""
        counts: Counter[bytes] = Counter()
        for topic in (self.clean, self.quarantine, self.dead_letter):
            for key, values in topic.items():
                counts[key] += len(values)
        return counts


def worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment for a worker process that uses ``settings``."""
    env = dict(os.environ)
    for name, value in settings.model_dump(exclude_none=True).items():
        secret = value.get_secret_value() if isinstance(value, SecretStr) else value
        env[f"PIIREDACT_{name.upper()}"] = str(secret)
    env.update(extra)
    return env


def start_worker(settings: Settings, log_path: Path) -> subprocess.Popen[bytes]:
    """Start ``piiredact worker`` as a separate process, logging to ``log_path``."""
    log = log_path.open("ab")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "streams", "worker"],
            env=worker_env(settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    finally:
        log.close()


def stop_worker(process: subprocess.Popen[bytes], timeout: float = 30.0) -> int:
    """Ask the worker to stop (SIGTERM), kill it if it does not within ``timeout``."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


async def produce(bootstrap_servers: str, topic: str, messages: Sequence[Message]) -> None:
    """Publish ``(key, value)`` messages and wait until the broker has them all."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = [await producer.send(topic, value=value, key=key) for key, value in messages]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def collect(
    bootstrap_servers: str,
    settings: Settings,
    done: Callable[[Collected], bool],
    timeout: float,
    alive: Callable[[], bool] = lambda: True,
    progress: Callable[[Collected], None] | None = None,
) -> Collected:
    """Read the output topics from the beginning until ``done`` says so or time runs out;
    ``progress`` is called after each read."""
    consumer = AIOKafkaConsumer(
        *settings.output_topics,
        bootstrap_servers=bootstrap_servers,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    collected = Collected()
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout
        while not done(collected):
            if time.monotonic() > deadline:
                raise PiiRedactError(f"outputs incomplete after {timeout:.0f}s")
            if not alive():
                raise PiiRedactError("the worker process exited before finishing")
            batches = await consumer.getmany(timeout_ms=500)
            if batches:
                collected.last_at = time.monotonic()
                collected.first_at = collected.first_at or collected.last_at
            for messages in batches.values():
                for m in messages:
                    key = m.key or b""
                    headers = {k: v for k, v in m.headers}
                    if m.topic == settings.topic_clean:
                        collected.clean.setdefault(key, []).append(m.value)
                    elif m.topic == settings.topic_audit:
                        collected.audit.setdefault(key, []).append(m.value)
                    elif m.topic == settings.topic_quarantine:
                        collected.quarantine.setdefault(key, []).append((m.value, headers))
                    else:
                        collected.dead_letter.setdefault(key, []).append((m.value, headers))
            if progress is not None:
                progress(collected)
    finally:
        await consumer.stop()
    return collected


#: People with consent metadata published by the demo besides ``--records``.


def write_demo_keyring(path: Path) -> Path:
    """A keyring with one fresh random key, readable by the owner only."""
    key = base64.b64encode(os.urandom(32)).decode("ascii")
    path.write_bytes(orjson.dumps({"active": "demo-1", "keys": {"demo-1": key}}))
    path.chmod(0o600)
    return path
