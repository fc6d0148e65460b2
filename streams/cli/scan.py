"""Offline scanning of JSON Lines files with the same core and policy as the worker.

Each input line is one message. Outputs, one JSON object per line:

- clean: the redacted record, exactly as the worker writes it to the clean topic;
- findings: ``{"id", "path", "start", "end", "entity_type", "score", "action"}`` for every
  finding of clean and quarantined records; offsets index the original string in code points;
- quarantine: ``{"line", "id", "reason", "detail", "record"}`` (``record`` is the original line);
- dead letter: ``{"line", "reason", "detail", "raw"}`` (``raw_base64`` when not UTF-8).

Empty lines are skipped and counted.
"""

from __future__ import annotations

import base64
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import click
import orjson

from streams.cli.options import (
    fail,
    keys_option,
    policy_option,
    progress,
    reveal_keys_option,
    settings_from,
)
from streams.cli.report import ReportData, VerdictCounts
from streams.core import Outcome, Redactor, Verdict
from streams.errors import PiiRedactError
from streams.settings import Settings


@dataclass
class ScanSummary:
    """What a scan did."""

    counts: VerdictCounts = field(default_factory=VerdictCounts)
    empty_lines: int = 0
    findings: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class ScanOutputs:
    """Where each kind of result goes; ``None`` discards it (it is still counted)."""

    clean: BinaryIO
    findings: BinaryIO
    quarantine: BinaryIO | None = None
    dead_letter: BinaryIO | None = None


def _numbered_lines(lines: Iterable[bytes], summary: ScanSummary) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(lines, start=1):
        body = line.rstrip(b"\r\n")
        if not body.strip():
            summary.empty_lines += 1
            continue
        yield number, body


def _batches(items: Iterator[tuple[int, bytes]], size: int) -> Iterator[list[tuple[int, bytes]]]:
    batch: list[tuple[int, bytes]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write(stream: BinaryIO | None, obj: object) -> None:
    if stream is not None:
        stream.write(orjson.dumps(obj) + b"\n")


def _emit(number: int, raw: bytes, outcome: Outcome, outputs: ScanOutputs) -> None:
    if outcome.verdict is Verdict.CLEAN:
        assert outcome.value is not None
        outputs.clean.write(outcome.value + b"\n")
    elif outcome.verdict is Verdict.QUARANTINE:
        _write(
            outputs.quarantine,
            {
                "line": number,
                "id": outcome.record_id,
                "reason": outcome.reason,
                "detail": outcome.detail,
                "record": raw.decode("utf-8"),
            },
        )
    else:
        entry: dict[str, object] = {
            "line": number,
            "reason": outcome.reason,
            "detail": outcome.detail,
        }
        try:
            entry["raw"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            entry["raw_base64"] = base64.b64encode(raw).decode("ascii")
        _write(outputs.dead_letter, entry)
    for finding in outcome.findings:
        outputs.findings.write(
            orjson.dumps({"id": outcome.record_id, **finding.as_dict(with_rule=False)}) + b"\n"
        )


def scan_lines(
    lines: Iterable[bytes],
    redactor: Redactor,
    outputs: ScanOutputs,
    batch_size: int = 64,
    report: ReportData | None = None,
    progress: Callable[[int], None] | None = None,
) -> ScanSummary:
    """Scan every line and write the results; returns the counts. ``report`` collects what the
    HTML report shows; ``progress`` is called with the number of lines done after each batch."""
    summary = ScanSummary()
    if report is not None:
        report.counts = summary.counts  # counted once, shown in both
    started = time.perf_counter()
    for batch in _batches(_numbered_lines(lines, summary), batch_size):
        outcomes = redactor.redact_batch([raw for _, raw in batch])
        for (number, raw), outcome in zip(batch, outcomes, strict=True):
            summary.counts.add(outcome.verdict)
            summary.findings.update(f.entity_type for f in outcome.findings)
            _emit(number, raw, outcome, outputs)
            if report is not None:
                report.add(raw, outcome)
        if progress is not None:
            progress(len(batch))
    summary.counts.seconds = time.perf_counter() - started
    return summary


def _open_out(path: str | None) -> BinaryIO | None:
    if path is None:
        return None
    if path == "-":
        return sys.stdout.buffer
    return open(path, "wb")


@click.command()
@click.option("--input", "input_path", required=True, help="JSON Lines records; - for stdin.")
@click.option("--output", required=True, help="Clean records (JSON Lines); - for stdout.")
@click.option("--findings", required=True, help="One JSON object per finding; - for stdout.")
@click.option("--quarantine", help="Quarantined records with reasons.  [default: not written]")
@click.option(
    "--dead-letter", "dead_letter", help="Invalid input lines with reasons.  [default: not written]"
)
@policy_option
@keys_option
@reveal_keys_option
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
    reveal_keys_file: Path | None,
    report_path: Path | None,
    batch_size: int,
    no_names: bool,
) -> None:
    """Scan JSON Lines files offline with the worker's detection and policy.

    Consent comes from each record's own `consent` field (there is no registry offline).
    Without a keyring, pseudonyms use a random key made for this run only.
    """
    from streams.cli.report import ReportData, render  # noqa: PLC0415
    from streams.cli.scan import ScanOutputs, scan_lines  # noqa: PLC0415

    settings = settings_from(
        policy_file=policy_file, keys_file=keys_file, reveal_keys_file=reveal_keys_file
    )
    redactor = _offline_redactor(settings, names=not no_names)
    policy = redactor.policy
    try:
        source: BinaryIO = sys.stdin.buffer if input_path == "-" else open(input_path, "rb")  # noqa: SIM115
    except OSError as exc:
        fail(f"cannot read {input_path}: {exc.strerror}")
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
        with progress("scanning") as advance:
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
        fail(f"cannot write {exc.filename or 'output'}: {exc.strerror}")
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


def _offline_redactor(settings: Settings, *, names: bool) -> Redactor:
    """The scanner's redactor: the policy, a key book that makes subject keys as it goes (a
    random keyring for this run if none is configured), the reveal cipher if configured."""
    from recognizers.registry import build_detector  # noqa: PLC0415
    from streams.core.keys import KeyBook, Keyring  # noqa: PLC0415
    from streams.core.policy import load_policy  # noqa: PLC0415
    from streams.core.reveal import RevealCipher, require_reveal_keyring  # noqa: PLC0415

    try:
        policy = load_policy(settings.policy_file)
        keyring = settings.keyring()
        reveal = settings.reveal_keyring()
        require_reveal_keyring(policy, reveal, keyring)
    except PiiRedactError as exc:
        fail(str(exc))
    if keyring is None and policy.uses_pseudonyms:
        click.echo(
            "note: no keyring (--keys-file): pseudonyms use a random key for this run only",
            err=True,
        )
        keyring = Keyring.generate()
    book = (
        KeyBook(keyring, policy.pseudonym_scope.value, create=True) if keyring is not None else None
    )
    return Redactor(
        build_detector(names=names),
        policy,
        settings.limits,
        keys=book,
        reveal=RevealCipher(reveal) if reveal is not None else None,
    )
