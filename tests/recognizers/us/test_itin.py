"""US_ITIN: area 9, groups 70-88, 90-92, 94-99 (python-stdnum as the oracle)."""

from __future__ import annotations

import pytest
from stdnum.us import itin as stdnum_itin

from recognizers.us.itin import UsItinNumberRecognizer, itin_valid

R = UsItinNumberRecognizer()


def found(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in R.find(text)]


CASES = [
    ("ITIN: 912-70-1234", ["912-70-1234"], "with context"),
    ("Individual Taxpayer Identification Number 900-94-0000", ["900-94-0000"], "long name"),
    ("TIN 912 88 1234 (IRS)", ["912 88 1234"], "spaced, with context"),
    ("912-70-1234", ["912-70-1234"], "hyphenated, no context"),
    ("912701234", [], "compact, no context"),
    ("ITIN 912-89-1234", [], "group 89 is not issued"),
    ("ITIN 912-93-1234", [], "group 93 is not issued"),
    ("ITIN 812-70-1234", [], "area not 9"),
    ("Order 912-70-1234", [], "an order number"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_itin(text: str, expected: list[str], reason: str) -> None:
    assert found(text) == expected


@pytest.mark.parametrize("number", ["912-70-1234", "912-89-1234", "912-93-1234", "812-70-1234"])
def test_validity_agrees_with_stdnum(number: str) -> None:
    assert itin_valid(number) is bool(stdnum_itin.is_valid(number))
