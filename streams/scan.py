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
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import orjson

from streams.core import Outcome, Redactor, Verdict
from streams.report import ReportData, VerdictCounts


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
