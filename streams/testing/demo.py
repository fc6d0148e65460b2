"""``piiredact demo``: the whole pipeline on the embedded broker, end to end.

Starts the bundled broker on a free loopback port, creates the topics, starts a worker process,
publishes generated scraped records (plus a few malformed messages), waits until every message
has an outcome, prints a summary and a few before/after examples, and shuts everything down.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import orjson

from streams.settings import Settings
from streams.testing.broker import EmbeddedBroker, free_port, wait_until_ready
from streams.testing.harness import (
    Collected,
    Message,
    collect,
    produce,
    start_worker,
    stop_worker,
    write_demo_keyring,
)
from streams.testing.samples import MALFORMED, Sample, consent_samples, generate
from streams.worker.topics import ensure_topics

CONSENT_RECORDS = 20


def demo_messages(count: int, seed: int) -> tuple[list[Sample], list[Message]]:
    """Generated records (``count`` plus :data:`CONSENT_RECORDS` people with consent
    metadata) and malformed messages, keyed by record id (or a label)."""
    samples = list(generate(count, seed)) + list(consent_samples(CONSENT_RECORDS, seed))
    messages: list[Message] = [(s.record["id"].encode(), orjson.dumps(s.record)) for s in samples]
    messages += [(f"malformed-{i}".encode(), raw) for i, (raw, _) in enumerate(MALFORMED)]
    return samples, messages


def _print_summary(
    out: Callable[[str], None],
    samples: Sequence[Sample],
    messages: Sequence[Message],
    collected: Collected,
    seconds: float,
) -> None:
    findings: Counter[str] = Counter()
    for values in collected.clean.values():
        for value in values:
            findings.update(orjson.loads(value)["redaction"]["counts"])
    reasons = Counter(
        headers.get("piiredact-reason", b"?").decode()
        for entries in (*collected.quarantine.values(), *collected.dead_letter.values())
        for _, headers in entries
    )
    out("")
    out("piiredact demo: summary")
    out(f"  records in          {len(messages):>6}")
    out(f"  clean               {sum(len(v) for v in collected.clean.values()):>6}")
    out(f"  quarantined         {sum(len(v) for v in collected.quarantine.values()):>6}")
    out(f"  dead-lettered       {sum(len(v) for v in collected.dead_letter.values()):>6}")
    steady = collected.last_at - collected.first_at
    rate = f"{len(messages) / steady:.0f} records/s" if steady > 0 else "n/a"
    out(
        f"  throughput          {rate} from first to last outcome "
        f"({steady:.1f}s; {seconds:.1f}s from first publish, worker start-up included)"
    )
    out("  findings per entity type (clean records):")
    for entity, count in sorted(findings.items()):
        out(f"    {entity:<18}{count:>6}")
    if reasons:
        out("  quarantine / dead-letter reasons:")
        for reason, count in sorted(reasons.items()):
            out(f"    {reason:<18}{count:>6}")
    actions: Counter[str] = Counter()
    for values in collected.clean.values():
        for value in values:
            redaction = orjson.loads(value)["redaction"]
            state = redaction["consent"]["state"]
            actions.update(f"{state}: {f['action']}" for f in redaction["findings"])
    out("  actions by consent state (clean records):")
    for label, count in sorted(actions.items()):
        out(f"    {label:<28}{count:>6}")
    out("")
    shown = 0
    consent_shown: set[str] = set()
    for sample in samples:
        state = sample.record["id"].split("-")[1] if "subject_ref" in sample.record else ""
        if state in ("distribution", "processing") and state not in consent_shown:
            consent_shown.add(state)
        elif not sample.canaries or shown >= 3:
            continue
        else:
            shown += 1
        key = sample.record["id"].encode()
        if key not in collected.clean:
            continue
        after = orjson.loads(collected.clean[key][0])
        consent = after["redaction"]["consent"]["state"]
        out(f"example {sample.record['id']} (consent: {consent}):")
        out("  before: " + orjson.dumps(sample.record["data"]).decode()[:400])
        out("  after:  " + orjson.dumps(after["data"]).decode()[:400])
        out("")


def _live_count(total: int) -> Callable[[Collected], None]:
    """Prints ``outcomes N / total`` in place, for a person watching the demo."""

    def show(collected: Collected) -> None:
        done = len(collected.keys())
        print(f"\routcomes    {done} / {total}", end="", flush=True)

    return show


def run_demo(
    count: int = 300,
    seed: int = 7,
    timeout: float = 300.0,
    out: Callable[[str], None] = print,
    keep_logs: Path | None = None,
) -> Collected:
    """Run the whole demo; raises :class:`PiiRedactError` if any message lacks an outcome."""
    workdir = Path(tempfile.mkdtemp(prefix="piiredact-demo-"))
    logs = keep_logs or workdir
    logs.mkdir(parents=True, exist_ok=True)
    with EmbeddedBroker(log_file=logs / "broker.log") as broker:
        settings = Settings(
            broker_url=broker.url,
            app_id="piiredact-demo",
            data_dir=workdir / "worker-data",
            web_port=free_port(),
            web_host="127.0.0.1",
            log_level="WARNING",
            keys_file=write_demo_keyring(workdir / "keys.json"),
        )
        out(f"broker      embedded Tansu on {broker.bootstrap_servers} (memory only)")
        asyncio.run(wait_until_ready(broker.bootstrap_servers))
        created = asyncio.run(ensure_topics(settings))
        out(f"topics      {', '.join(created)} ({settings.topic_partitions} partitions each)")
        worker = start_worker(settings, logs / "worker.log")
        out(f"worker      pid {worker.pid}, log {logs / 'worker.log'}")
        try:
            samples, messages = demo_messages(count, seed)
            expected = {key for key, _ in messages if key is not None}
            out(
                f"publishing  {len(messages)} messages to {settings.topic_raw} "
                f"({len(samples)} records, {CONSENT_RECORDS} of them with consent metadata, "
                f"{len(MALFORMED)} malformed)"
            )
            started = time.monotonic()
            asyncio.run(produce(broker.bootstrap_servers, settings.topic_raw, messages))
            collected = asyncio.run(
                collect(
                    broker.bootstrap_servers,
                    settings,
                    lambda c: expected <= set(c.keys()),
                    timeout,
                    alive=lambda: worker.poll() is None,
                    progress=_live_count(len(expected)) if sys.stdout.isatty() else None,
                )
            )
            if sys.stdout.isatty():
                print()
            seconds = time.monotonic() - started
        finally:
            code = stop_worker(worker)
            out(f"worker      stopped (exit code {code})")
    _print_summary(out, samples, messages, collected, seconds)
    with contextlib.suppress(OSError):
        if keep_logs is None:
            for path in sorted(workdir.rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()
            workdir.rmdir()
    return collected
