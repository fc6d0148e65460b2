"""The end-to-end benchmark's quick mode on the bundled broker: behaviour only, never timings.

One round (a run with one worker process and one with two): every record gets its outcome, the lag drains
to zero, memory is read from both processes of each worker (the worker and its detection
process), and every worker stops cleanly on SIGTERM (exit code 0). Without the name models, so
that the whole module takes about half a minute (worker start-up is most of it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.e2e import QUICK_RECORDS, main, medians, run_order, scaling_per_round

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
    assert data["rounds"] == 1
    assert [(run["round"], run["workers"]) for run in data["runs"]] == [(0, 1), (0, 2)]
    assert set(data["records_per_second_median"]) == {"1", "2"}
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


def test_rounds_mirror_their_order_so_a_steady_drift_weighs_on_both_counts() -> None:
    assert run_order([1, 2], 1) == [(0, 1), (0, 2)]
    assert run_order([1, 2], 2) == [(0, 1), (0, 2), (1, 2), (1, 1)]
    assert run_order([1, 2], 3)[4:] == [(2, 1), (2, 2)]


def test_each_count_is_the_median_of_its_rounds_and_each_round_has_its_ratio() -> None:
    runs = [
        {"round": 0, "workers": 1, "records_per_second": 400.0},
        {"round": 0, "workers": 2, "records_per_second": 700.0},
        {"round": 1, "workers": 2, "records_per_second": 760.0},
        {"round": 1, "workers": 1, "records_per_second": 380.0},
        {"round": 2, "workers": 1, "records_per_second": 390.0},
    ]
    assert medians(runs, lambda run: run["records_per_second"]) == {1: 390.0, 2: 730.0}
    assert medians(runs, lambda run: None if run["round"] else 1.0) == {1: 1.0, 2: 1.0}
    assert scaling_per_round(runs) == [1.75, 2.0], "round 2 ran one count only"
