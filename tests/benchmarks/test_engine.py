"""The engine benchmark's quick mode, and the detector's gates: behaviour only, never timings.

The quick run starts one process per engine (about 30 s in all); its report must be complete,
and this project's recall must not depend on how the detector is called. The gates that let the
detector skip strings a recognizer cannot match (:class:`recognizers.engine.Needs`) must never
change a finding: checked against the same recognizers without gates.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from benchmarks.accuracy import Prediction, load_generated
from benchmarks.engine import ENGINE_NAMES, main, percentile, split_joined
from recognizers.engine import Detector, Needs, needs_of
from recognizers.registry import build_detector

# --- the quick run ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("engine")
    assert main(["--quick", "--output-dir", str(out)]) == 0
    assert (out / "engine.png").read_bytes().startswith(b"\x89PNG"), "the chart was written"
    data: dict[str, Any] = json.loads((out / "engine.json").read_text(encoding="utf-8"))
    return data


def test_every_engine_is_reported(report: dict[str, Any]) -> None:
    assert report["quick"] is True
    assert [row["name"] for row in report["engines"]] == list(ENGINE_NAMES)
    corpus = report["corpus"]
    assert corpus["records"] == 40 and corpus["mean_record_chars"] > 0
    for row in report["engines"]:
        assert row["records_per_second"] > 0
        assert row["ratio_vs_presidio"] > 0
        assert 0 < row["latency_ms"]["p50"] <= row["latency_ms"]["p99"]
        assert row["peak_rss_mb"] > 0
    assert {t["target"] for t in report["targets"]} >= {
        "full detection with names, records/s per core",
        "detection without names, records/s per core",
    }


def _recall(report: dict[str, Any], engine: str) -> dict[str, float]:
    [row] = [r for r in report["engines"] if r["name"] == engine]
    recall: dict[str, float] = row["recall"]
    return recall


def test_recall_does_not_depend_on_how_the_detector_is_called(report: dict[str, Any]) -> None:
    batched = _recall(report, "piiredact")
    assert batched == _recall(report, "piiredact-per-record")
    no_names = _recall(report, "piiredact-no-names")
    assert {k: v for k, v in no_names.items() if k != "PERSON"} == {
        k: v for k, v in batched.items() if k != "PERSON"
    }
    assert no_names["PERSON"] == 0.0


def test_recall_is_reported_for_detectors_only(report: dict[str, Any]) -> None:
    for row in report["engines"]:
        if row["name"].startswith("piiredact-redact"):
            assert row["recall"] is None
        else:
            assert set(row["recall"]) >= {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "RU_INN"}
    ours, presidio = _recall(report, "piiredact"), _recall(report, "presidio")
    assert all(ours[t] >= presidio[t] for t in ours)
    assert _recall(report, "presidio-batch") == presidio, "batching changes Presidio's findings"


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0], 99) == 3.0
    assert percentile([], 50) == 0.0


# --- the gates change no finding -----------------------------------------------------------------

NEEDS_CASES = [
    (r"[0-9]{10}", Needs(10, 10, None, True), "ten digits in a row"),
    (r"(?<![0-9])(?:[0-9]{12}|[0-9]{10})(?![0-9])", Needs(10, 10, None, True), "the shorter"),
    (r"[0-9]{3}[ -]?[0-9]{3}", Needs(6, 3, None, False), "a separator may break the run"),
    (r"[a-z]+@[a-z]+", Needs(0, 0, frozenset("@"), False), "a required character"),
    (r"[0-9]:[0-9]|[0-9]\.[0-9]", Needs(2, 1, frozenset(":."), False), "either one's character"),
    (r"(?i:x)[0-9]", Needs(1, 1, None, False), "no character under IGNORECASE"),
    (r"\d{5}", Needs(), "a category is not ASCII digits"),
    (r"([0-9])\1", Needs(1, 1, None, False), "a back-reference counts for nothing"),
    (r"(?:x){e<=1}", Needs(), "fuzzy matching is refused"),
    (r"\p{L}+", Needs(), "what the standard parser cannot read is refused"),
]


@pytest.mark.parametrize(
    ("pattern", "expected", "why"), NEEDS_CASES, ids=[c[-1] for c in NEEDS_CASES]
)
def test_needs_of(pattern: str, expected: Needs, why: str) -> None:
    assert needs_of(pattern) == expected


def _ungated(detector: Detector) -> Detector:
    plain = Detector(detector._patterns, [])
    plain._needs = tuple(Needs() for _ in detector._patterns)
    return plain


def _fuzz(rng: random.Random) -> str:
    alphabet = "0123456789" * 5 + " .-:@()+,;/\u00a0°NSEWшдABCDEFabcdefxyzИННинн№"
    pieces = ("ИНН ", "тел. ", "+7 ", "IMEI ", "mac ", "::", "ffff:", "192.168.", "@mail.ru",
              "СНИЛС ", "паспорт ", "55.7558, 37.6173", "ОГРН ", "р/с ", "БИК 044525225")  # fmt: skip
    parts = [
        rng.choice(pieces)
        if rng.random() < 0.3
        else "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 25)))
        for _ in range(rng.randrange(1, 8))
    ]
    return "".join(parts)


def test_gates_change_no_finding() -> None:
    gated = build_detector(names=False)
    plain = _ungated(gated)
    texts = [case.text for case in load_generated(300, 11).cases]
    rng = random.Random(5)
    texts += [_fuzz(rng) for _ in range(3000)]
    found = gated.analyze(texts)
    assert found == plain.analyze(texts)
    assert sum(1 for f in found if f) > 500, "the texts hold plenty to find"


def test_findings_on_a_joined_record_go_back_to_their_strings() -> None:
    texts = ["Ann Lee", "", "mail a@b.co", "x"]
    found = [
        Prediction(0, 7, "PERSON", 0.8),
        Prediction(14, 20, "EMAIL_ADDRESS", 1.0),
        Prediction(18, 23, "TEST", 0.5),  # runs past its text's end
    ]
    assert split_joined(texts, found, "\n") == [
        [Prediction(0, 7, "PERSON", 0.8)],
        [],
        [Prediction(5, 11, "EMAIL_ADDRESS", 1.0), Prediction(9, 11, "TEST", 0.5)],
        [],
    ]
