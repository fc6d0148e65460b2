"""The page-like identifier and decoy benchmark (benchmarks/decoys.py), on a small corpus."""

from __future__ import annotations

from benchmarks.decoys import IDENTIFIER_TYPES, evaluate, generate


def test_generate_is_deterministic_and_balanced() -> None:
    first, second = generate(120, seed=3), generate(120, seed=3)
    assert first == second
    assert sum(s.decoy for s in first) == 120
    assert {s.kind for s in first if not s.decoy} <= IDENTIFIER_TYPES
    for sample in first:
        for index, start, end, _entity in sample.planted:
            assert 0 <= start < end <= len(sample.texts[index][0])


def test_targets_on_a_small_corpus() -> None:
    report = evaluate(generate(400, seed=5), examples=5)
    assert report["decoys_flagged_share"] <= 0.01, report["false_positives"]
    for entity, row in report["types"].items():
        assert row["recall"] is None or row["recall"] >= 0.97, (entity, report["missed"])
        assert row["precision"] is None or row["precision"] >= 0.97, entity
