"""The end-to-end benchmark's quick mode on the bundled broker: behaviour only, never timings.

One run with one worker process and one with two: every record gets its outcome, the lag drains
to zero, memory is read from both processes of each worker (the worker and its detection
process), and every worker stops cleanly on SIGTERM (exit code 0). Without the name models, so
that the whole module takes about half a minute (worker start-up is most of it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.e2e import QUICK_RECORDS, main

pytestmark = pytest.mark.broker


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("e2e")
    assert main(["--quick", "--no-names", "--output-dir", str(out)]) == 0
    return json.loads((out / "e2e.json").read_text(encoding="utf-8")), out


def test_the_report_and_the_chart_are_written(report: tuple[dict[str, Any], Path]) -> None:
    data, out = report
    assert (out / "e2e.png").read_bytes().startswith(b"\x89PNG")
    assert data["quick"] is True and data["names"] is False
    assert data["records"] == QUICK_RECORDS
    assert data["engine"]["records_per_second"] > 0
    assert data["engine"]["records_per_second"] == max(
        data["engine"]["records_per_second_before_and_after"]
    )
    assert [run["workers"] for run in data["runs"]] == [1, 2]
    assert data["scaling_2_vs_1"] > 0 and data["e2e_vs_engine"] > 0
    assert {t["target"] for t in data["targets"]} == {
        "1 worker end to end vs the engine in one process",
        "2 workers vs 1",
        "peak memory per worker (worker + detection process), MB",
    }


def test_every_run_drains_and_stops_cleanly(report: tuple[dict[str, Any], Path]) -> None:
    data, _out = report
    for run in data["runs"]:
        assert run["records_per_second"] > 0
        assert 0 < run["latency_ms"]["p50"] <= run["latency_ms"]["p99"]
        assert 0 < run["paced"]["latency_ms"]["p50"] <= run["paced"]["latency_ms"]["p99"]
        final = run["lag"][-1]
        assert final["produced"] == QUICK_RECORDS and final["lag"] == 0
        assert run["exit_codes"] == [0] * run["workers"], "workers stop cleanly on SIGTERM"
        assert len(run["memory"]) == run["workers"]
        for memory in run["memory"]:
            assert memory["worker_mb"] > 0 and memory["detection_mb"] > 0
        assert set(run["cpu_seconds_during_burst"]) == {
            "worker",
            "detection",
            "broker",
            "benchmark",
            "wall",
        }
