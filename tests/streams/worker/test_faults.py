"""Faults survived: the scenarios of ``benchmarks/faults.py`` at a small scale.

Each scenario runs worker processes on its own embedded broker while generated records flow and
a fault happens: the group rebalances (1 -> 2 -> 3 -> 1 workers on 6 partitions), the worker's
connections are reset during produce and during fetch and stalled for 10 s (through the
benchmark's loopback proxy), one of them goes half-open, the detection process is killed
repeatedly, the worker gets SIGTERM while its deliveries are being retried, consent is withdrawn
and a rebalance happens as the subjects' records arrive. In every one: each input has an
outcome (none lost), no canary reaches the clean topic (none leaked), and an input output more
than once (at-least-once) has byte-identical outputs. The numbers are printed, for the log.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from benchmarks import faults
from benchmarks.faults import TINY, Row

pytestmark = pytest.mark.broker


def run(
    scenario: Callable[[Path, faults.Scale], Awaitable[Row]],
    tmp_path: Path,
    scale: faults.Scale = TINY,
) -> Row:
    row = asyncio.run(scenario(tmp_path, scale))
    print(row.as_dict())
    for path in sorted(tmp_path.rglob("worker-*.log")):
        print(f"--- {path.name}", path.read_text(errors="replace")[-2000:], sep="\n")
    return row


def check(row: Row) -> None:
    assert row.outcomes > 0, "the scenario ran"
    assert row.lost == 0, f"{row.lost} of {row.records} inputs got no outcome"
    assert row.leaked == 0, f"{row.leaked} canaries on the clean topic"
    assert row.differing == 0, f"{row.differing} inputs had outputs that differ"
    assert row.notes["finished"]


def test_rebalance_under_load(tmp_path: Path) -> None:
    row = run(faults.rebalance, tmp_path)
    check(row)
    assert row.notes["exit_codes"] == [0, 0], "the workers that left stopped cleanly"


def test_connections_reset_during_produce_and_fetch_and_stalled(tmp_path: Path) -> None:
    row = run(faults.connections, tmp_path)
    check(row)
    assert row.notes["produce_resets"] == 3
    assert row.notes["fetch_resets"] == 3


def test_half_open_connection(tmp_path: Path) -> None:
    # Bounded: every request on a dead connection times out (PRODUCER_REQUEST_TIMEOUT,
    # CONSUMER_REQUEST_TIMEOUT: 30 s) and is sent again on a fresh one; the worker must have
    # caught up within 75 s.
    row = run(faults.half_open, tmp_path, dataclasses.replace(TINY, timeout=75.0))
    assert row.notes["half_open_connections"] > 0
    check(row)


def test_detection_process_killed_repeatedly(tmp_path: Path) -> None:
    row = run(faults.kill_detection, tmp_path)
    check(row)
    assert row.notes["kills"] == TINY.kills


def test_sigterm_while_deliveries_are_retried(tmp_path: Path) -> None:
    row = run(faults.sigterm_retrying, tmp_path)
    assert row.notes["refused_produce_requests"] > 0, "deliveries were being retried"
    assert row.notes["stopped_in_bounds"], f"SIGTERM took {row.notes['sigterm_seconds']}s"
    check(row)


def test_consent_withdrawn_before_a_rebalance_is_honoured(tmp_path: Path) -> None:
    row = run(faults.consent_rebalance, tmp_path)
    check(row)
    assert row.notes["control_kept"] == row.notes["control"] > 0, (
        "the subjects not withdrawn keep their e-mails: the leak check can see one"
    )
