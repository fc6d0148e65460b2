"""The attribution benchmark: its findings go to all three kinds of person, and names in
independent annotated text go to their own person and nobody else."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.attribution import evaluate_factru, run
from tests.conftest import shared_data_missing


def test_quick_run_attributes_to_subject_registered_and_third_party() -> None:
    result = run(subjects=20, records=6, min_seconds=0.0)
    assert result["attributed"] == {"subject": 24, "registered": 18, "third_party": 18}
    assert set(result["us_per_finding"]) == {"PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS", "NICKNAME"}


DEVSET = Path(__file__).resolve().parents[2].parent / "shared/data/factRuEval-2016/devset"


@pytest.mark.skipif(shared_data_missing(DEVSET), reason="the shared evaluation data is not here")
def test_names_in_independent_news_text_are_attributed_to_their_own_person() -> None:
    # factRuEval-2016: inflected mentions, initials, foreign names, ~330 people. No mention may
    # be attributed to somebody else; most with a given name or initial find their person.
    result = evaluate_factru(DEVSET)
    assert result["per_document"]["other"] == 0
    assert result["all_documents"]["wrong"] == 0
    assert result["per_document"]["recall"] >= 0.9
