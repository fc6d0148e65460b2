"""The ``piiredact`` command: worker, demo, scan, produce, topics.

Exit codes: 0 the run completed (even if records were quarantined or dead-lettered);
1 the run failed (broker unreachable, outputs incomplete, invalid policy, unreadable file);
2 the command line is wrong.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import click
from pydantic import ValidationError

import recognizers  # noqa: F401 - sets the offline/threads environment before models load
from streams.errors import PiiRedactError
from streams.settings import Settings


def _settings(**overrides: Any) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise click.UsageError(f"invalid settings: {problems}") from None


@contextlib.contextmanager
def _progress(label: str) -> Iterator[Callable[[int], None]]:
    """A live count of records on stderr when it is a terminal; silent otherwise."""
    stream = click.get_text_stream("stderr")
    if not stream.isatty():
        yield lambda _n: None
        return
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn  # noqa: PLC0415

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description} {task.completed:,} records"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda n: bar.advance(task, n)


def _fail(message: str) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(1)


#: Options shared by several commands (settings they override; the environment also works).
broker_option = click.option(
    "--broker",
    "broker_url",
    envvar="PIIREDACT_BROKER_URL",
    show_envvar=True,
    help="Kafka bootstrap servers.  [default: kafka://127.0.0.1:9092]",
)
policy_option = click.option(
    "--policy",
    "policy_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="PIIREDACT_POLICY_FILE",
    show_envvar=True,
    help="YAML policy file.  [default: built-in consent policy, streams/policies/default.yaml]",
)
keys_option = click.option(
    "--keys-file",
    "keys_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="PIIREDACT_KEYS_FILE",
    show_envvar=True,
    help="Pseudonymisation keyring (JSON).  [worker: required when the policy pseudonymises]",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="piiredact")
def main() -> None:
    """Find and redact personal data in scraped records on Kafka.

    Every setting can also come from the environment as PIIREDACT_<NAME>
    (e.g. PIIREDACT_BROKER_URL, PIIREDACT_POLICY_FILE).
    """


@main.command()
@broker_option
@policy_option
@keys_option
def worker(broker_url: str | None, policy_file: Path | None, keys_file: Path | None) -> None:
    """Run the streaming job: a Faust worker reading the raw and consent topics."""
    from streams.app import Worker, create_app  # noqa: PLC0415

    settings = _settings(broker_url=broker_url, policy_file=policy_file, keys_file=keys_file)
    try:
        app = create_app(settings)
    except PiiRedactError as exc:
        _fail(str(exc))
    Worker(
        app, loglevel=settings.log_level.lower(), shutdown_timeout=settings.shutdown_timeout
    ).execute_from_commandline()


@main.command()
@click.option(
    "--records",
    default=300,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="How many generated records to publish.",
)
@click.option("--seed", default=7, show_default=True, help="Seed of the record generator.")
@click.option(
    "--timeout",
    default=300.0,
    show_default=True,
    type=click.FloatRange(min=1),
    help="Seconds to wait for every outcome.",
)
@click.option(
    "--logs",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the broker and worker logs in this directory.",
)
def demo(records: int, seed: int, timeout: float, logs: Path | None) -> None:
    """Run the whole pipeline end to end on the embedded broker."""
    from streams.demo import run_demo  # noqa: PLC0415

    try:
        run_demo(records, seed, timeout, keep_logs=logs)
    except PiiRedactError as exc:
        _fail(f"{exc} (run again with --logs DIR to keep the worker's log)")


def _open_out(path: str | None) -> BinaryIO | None:
    if path is None:
        return None
    if path == "-":
        return sys.stdout.buffer
    return open(path, "wb")


@main.command()
@click.option("--input", "input_path", required=True, help="JSON Lines records; - for stdin.")
@click.option("--output", required=True, help="Clean records (JSON Lines); - for stdout.")
@click.option("--findings", required=True, help="One JSON object per finding; - for stdout.")
@click.option("--quarantine", help="Quarantined records with reasons.  [default: not written]")
@click.option(
    "--dead-letter", "dead_letter", help="Invalid input lines with reasons.  [default: not written]"
)
@policy_option
@keys_option
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a self-contained HTML report (counts, chart, masked before/after).",
)
@click.option("--batch-size", default=64, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--no-names", is_flag=True, help="Skip the NER models (PERSON): much faster.")
def scan(
    input_path: str,
    output: str,
    findings: str,
    quarantine: str | None,
    dead_letter: str | None,
    policy_file: Path | None,
    keys_file: Path | None,
    report_path: Path | None,
    batch_size: int,
    no_names: bool,
) -> None:
    """Scan JSON Lines files offline with the worker's detection and policy.

    Consent comes from each record's own `consent` field (there is no registry offline).
    Without a keyring, pseudonyms use a random key made for this run only.
    """
    from recognizers.registry import build_detector  # noqa: PLC0415
    from streams.app import keyring_from, limits_from  # noqa: PLC0415
    from streams.core import Redactor  # noqa: PLC0415
    from streams.keys import KeyBook, Keyring  # noqa: PLC0415
    from streams.policy import load_policy  # noqa: PLC0415
    from streams.report import ReportData, render  # noqa: PLC0415
    from streams.scan import ScanOutputs, scan_lines  # noqa: PLC0415

    settings = _settings(policy_file=policy_file, keys_file=keys_file)
    try:
        policy = load_policy(settings.policy_file)
        keyring = keyring_from(settings)
    except PiiRedactError as exc:
        _fail(str(exc))
    if keyring is None and policy.uses_pseudonyms:
        click.echo(
            "note: no keyring (--keys-file): pseudonyms use a random key for this run only",
            err=True,
        )
        keyring = Keyring.generate()
    book = (
        KeyBook(keyring, policy.pseudonym_scope.value, create=True) if keyring is not None else None
    )
    try:
        source: BinaryIO = sys.stdin.buffer if input_path == "-" else open(input_path, "rb")  # noqa: SIM115
    except OSError as exc:
        _fail(f"cannot read {input_path}: {exc.strerror}")
    redactor = Redactor(
        build_detector(names=not no_names), policy, limits_from(settings), keys=book
    )
    opened: list[BinaryIO] = []
    try:
        outs = []
        for path in (output, findings, quarantine, dead_letter):
            stream = _open_out(path)
            if stream is not None and stream is not sys.stdout.buffer:
                opened.append(stream)
            outs.append(stream)
        clean_out, findings_out, q_out, d_out = outs
        assert clean_out is not None and findings_out is not None
        report = ReportData(input_path, policy.version) if report_path is not None else None
        with _progress("scanning") as advance:
            summary = scan_lines(
                source,
                redactor,
                ScanOutputs(clean_out, findings_out, q_out, d_out),
                batch_size,
                report=report,
                progress=advance,
            )
        if report is not None and report_path is not None:
            report_path.write_text(render(report), encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {exc.filename or 'output'}: {exc.strerror}")
    finally:
        for stream in opened:
            stream.close()
        if source is not sys.stdin.buffer:
            source.close()
    err = click.get_text_stream("stderr")
    counts = summary.counts
    click.echo(
        f"records {counts.records}: clean {counts.clean}, quarantined {counts.quarantined}, "
        f"dead-lettered {counts.dead_lettered}"
        + (f", empty lines skipped {summary.empty_lines}" if summary.empty_lines else "")
        + f" ({counts.per_second:.0f} records/s)",
        file=err,
    )
    for entity, count in sorted(summary.findings.items()):
        click.echo(f"  {entity:<18}{count:>8}", file=err)
    if report_path is not None:
        click.echo(f"report written to {report_path}", file=err)


@main.command()
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.File("rb"),
    help="JSON Lines file, one record envelope per line; - for stdin.",
)
@click.option(
    "--topic",
    default=None,
    help="Topic to publish to.  [default: PIIREDACT_TOPIC_RAW or scraped.raw]",
)
@click.option(
    "--raw",
    is_flag=True,
    help="Send lines as they are, unchecked (to exercise the dead-letter topic); "
    "keyed by the record's id when it has one.",
)
@broker_option
def produce(input_path: BinaryIO, topic: str | None, broker_url: str | None, raw: bool) -> None:
    """Publish a JSON Lines file of records, as a scraper would.

    Each line is checked with the worker's own rules before anything is sent (the producer
    client, docs/producer.md); a line that fails is reported with its number and reason and
    not sent. Records are keyed by subject, else by id. Exit code 0 when every line was
    published, 1 when a line was refused or the broker failed.
    """
    import orjson  # noqa: PLC0415

    from streams.producer import ProducerSettings, RecordProducer  # noqa: PLC0415

    settings = _settings(broker_url=broker_url)
    target = topic or settings.topic_raw
    messages: list[tuple[bytes | None, bytes]] = []
    refused = 0
    # The scrapers' client, with every PIIREDACT_KAFKA_* setting (TLS, SASL) from the
    # environment: the command sends exactly as a scraper would, never in plaintext by mistake.
    try:
        client = RecordProducer(ProducerSettings(broker_url=settings.broker_url, topic_raw=target))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise click.UsageError(f"invalid settings: {problems}") from None
    for number, line in enumerate(input_path, start=1):
        # A byte-order mark is dropped, as the worker and scan drop it (streams/record.py).
        body = line.rstrip(b"\r\n").removeprefix(b"\xef\xbb\xbf")
        if not body.strip():
            continue
        try:
            obj = orjson.loads(body)
        except orjson.JSONDecodeError:
            obj = None
        if raw:
            key = (
                obj["id"].encode()
                if isinstance(obj, dict) and isinstance(obj.get("id"), str)
                else None
            )
            messages.append((key, body))
            continue
        if not isinstance(obj, dict):
            refused += 1
            click.secho(f"line {number}: not a JSON object; not sent", fg="yellow", err=True)
            continue
        try:
            prepared = client.prepare_envelope(obj)
        except PiiRedactError as exc:
            refused += 1
            click.secho(f"line {number}: {exc}; not sent", fg="yellow", err=True)
            continue
        messages.append((prepared.key, prepared.value))
    if messages:
        try:
            asyncio.run(asyncio.wait_for(_publish(client, messages), timeout=60))
        except PiiRedactError as exc:
            _fail(f"publishing to {target} failed: {exc}")
        except Exception as exc:
            _fail(
                f"publishing to {target} at {settings.bootstrap_servers} failed: "
                f"{type(exc).__name__}"
            )
    click.echo(f"published {len(messages)} messages to {target}", err=True)
    if refused:
        _fail(f"{refused} line(s) refused (see above); fix them, or send them with --raw")


async def _publish(client: Any, messages: list[tuple[bytes | None, bytes]]) -> None:
    """Send ``messages`` as they are through ``client`` (a started-on-entry
    :class:`~streams.producer.RecordProducer`) and wait for every acknowledgement."""
    async with client:
        futures = [await client.send_raw(key, value, wait=False) for key, value in messages]
        await asyncio.gather(*futures)


@main.command()
@broker_option
@click.option(
    "--partitions",
    default=None,
    type=click.IntRange(1, 10_000),
    help="Partitions of each new topic.  [default: PIIREDACT_TOPIC_PARTITIONS or 4]",
)
@click.option(
    "--replication-factor",
    default=1,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Replicas of each new topic (3 on a production cluster).",
)
@click.option(
    "--retention-ms",
    default=None,
    type=click.IntRange(min=1),
    help="Retention of the record topics.  [default: the broker's]",
)
def topics(
    broker_url: str | None,
    partitions: int | None,
    replication_factor: int,
    retention_ms: int | None,
) -> None:
    """Create the pipeline's topics that do not exist yet (idempotent).

    Record topics (raw, clean, quarantine, dead-letter, audit) delete old data after the
    retention; the consent topic and the tables' changelogs are compacted.
    """
    from streams.topics import ensure_topics, topic_specs  # noqa: PLC0415

    settings = _settings(broker_url=broker_url)
    try:
        created = asyncio.run(
            asyncio.wait_for(
                ensure_topics(
                    settings,
                    replication_factor,
                    partitions=partitions,
                    retention_ms=retention_ms,
                ),
                timeout=60,
            )
        )
    except PiiRedactError as exc:
        _fail(str(exc))
    except Exception as exc:
        _fail(f"creating topics at {settings.bootstrap_servers} failed: {type(exc).__name__}")
    for name, config in topic_specs(settings, retention_ms).items():
        state = "created" if name in created else "exists"
        click.echo(f"{state:<8} {name}  {config['cleanup.policy']}", err=True)


def run() -> None:
    """Entry point for ``python -m streams``."""
    logging.captureWarnings(True)
    main()
