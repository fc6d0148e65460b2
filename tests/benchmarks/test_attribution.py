"""The attribution benchmark runs and attributes its findings to all three kinds of person."""

from __future__ import annotations

from benchmarks.attribution import run


def test_quick_run_attributes_to_subject_registered_and_third_party() -> None:
    result = run(subjects=20, records=6, min_seconds=0.0)
    assert result["attributed"] == {"subject": 24, "registered": 18, "third_party": 18}
    assert set(result["us_per_finding"]) == {"PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS", "NICKNAME"}
