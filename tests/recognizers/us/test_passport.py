"""US_PASSPORT: nine digits or a letter and eight, only next to a passport word."""

from __future__ import annotations

import pytest

from recognizers.us.passport import UsPassportNumberRecognizer

R = UsPassportNumberRecognizer()


def found(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in R.find(text)]


CASES = [
    ("US passport number 912345678", ["912345678"], "nine digits"),
    ("Passport No. A12345678", ["A12345678"], "next-generation: a letter and eight digits"),
    ("passport: 512345678 (United States)", ["512345678"], "context before"),
    ("Номер загранпаспорта США 512345678", ["512345678"], "Russian context word"),
    ("512345678", [], "no passport word"),
    ("passport 000000000", [], "a placeholder"),
    ("Passport office, order 512345678", [], "an order word is nearer"),
    ("passport 5123456789", [], "ten digits"),
    ("passport AB1234567", [], "two letters"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_passport(text: str, expected: list[str], reason: str) -> None:
    assert found(text) == expected
