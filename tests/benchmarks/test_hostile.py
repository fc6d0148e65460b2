"""The hostile-text benchmark in quick mode: every recognizer and the detector grow linearly.

A tenfold input must take well under 30 times as long (linear time gives about 10, quadratic
about 100). Timings on a shared machine are noisy, so a ratio over the bound is measured again,
more carefully, before it counts.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from benchmarks.hostile import (
    INPUTS,
    KB,
    LINEAR_BOUND,
    QUICK_SIZES_KB,
    best_time,
    best_times,
    main,
    repeat,
    subjects,
    wrapped,
)
from recognizers.registry import RECOGNIZERS


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("hostile") / "hostile.json"
    main(["--quick", "--out", str(out)])  # exit code 1 only says a ratio looked high
    assert out.with_suffix(".png").stat().st_size > 10_000, "the plot is written"
    loaded: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return loaded


def test_report_covers_every_pattern_recognizer_and_the_detector(report: dict[str, Any]) -> None:
    names = {cls.__name__ for cls in RECOGNIZERS if not cls.__name__.endswith("PersonRecognizer")}
    assert set(report["recognizers"]) == names | {"Detector"}
    assert report["sizes_kb"] == list(QUICK_SIZES_KB)
    for entry in report["recognizers"].values():
        assert entry["inputs"], "every recognizer ran on hostile inputs"
        for measured in entry["inputs"].values():
            assert set(measured["s_per_kb"]) == {str(kb) for kb in QUICK_SIZES_KB}
            assert all(value > 0 for value in measured["s_per_kb"].values())


def confirmed_growth(recognizer: str, input_name: str) -> float:
    """The growth ratio measured again with more runs and longer repetitions."""
    [subject] = [s for s in subjects(names=False) if s.name == recognizer]
    small, large = best_times(
        subject.run, [INPUTS[input_name](kb * KB) for kb in QUICK_SIZES_KB], 5, 0.2
    )
    return large / small


def test_every_growth_ratio_is_linear(report: dict[str, Any]) -> None:
    over = []
    for recognizer, entry in report["recognizers"].items():
        for input_name, measured in entry["inputs"].items():
            if measured["growth"] >= LINEAR_BOUND:
                growth = confirmed_growth(recognizer, input_name)
                if growth >= LINEAR_BOUND:
                    over.append((recognizer, input_name, round(growth, 1)))
    assert over == [], f"worse than linear (time ratio for 10x input): {over}"


def test_inputs_have_the_asked_size() -> None:
    for name, make in INPUTS.items():
        for kb in (1, 10):
            size = len(make(kb * KB).encode("utf-8"))
            assert 0.9 * kb * KB <= size <= kb * KB + 64, name


def test_input_builders() -> None:
    assert repeat("12")(5) == "12121"
    assert wrapped("a@", "a.", "a")(9) == "a@a.a.a.a"


def test_growth_ratio_tells_quadratic_from_linear() -> None:
    """The measure itself: a quadratic function shows a ratio far above the bound."""

    def quadratic(text: str) -> int:
        return sum(1 for i in range(0, len(text), 8) for _ in range(0, len(text), 8))

    def linear(text: str) -> int:
        return sum(1 for _ in range(0, len(text), 8))

    small, large = "x" * 2_000, "x" * 20_000
    assert best_time(quadratic, large, 2, 0.01) / best_time(quadratic, small, 2, 0.01) > 50
    assert best_time(linear, large, 3, 0.02) / best_time(linear, small, 3, 0.02) < LINEAR_BOUND
