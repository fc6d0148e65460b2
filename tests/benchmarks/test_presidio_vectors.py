"""Presidio's recognizer unit-test vectors (benchmarks/presidio_vectors.py) on this project's
detector: every expected card, e-mail and phone found whole, every IP address found, and the
few cases where this project deliberately differs named here."""

from __future__ import annotations

import pytest

from benchmarks.presidio_vectors import CARD, CASES, EMAIL, IP, PHONE, piiredact_analyzer, score

ANALYZE = piiredact_analyzer()

#: Where this project answers otherwise, and why (fail closed, or a documented rule).
DIFFERENT = {
    "IP192.168.1.1text": "an address glued to letters is still redacted (fail closed)",
    "text192.168.1.1": "the same",
    "192.168.1.1.1": "five dotted parts read as a version, not an address with a tail",
}


@pytest.mark.parametrize(
    ("text", "entity", "expected"),
    [case for case in CASES if case[0] not in DIFFERENT],
    ids=[f"{case[1]}: {case[0]}" for case in CASES if case[0] not in DIFFERENT],
)
def test_presidio_vector(text: str, entity: str, expected: tuple[tuple[int, int], ...]) -> None:
    [found] = ANALYZE([text], entity)
    assert sorted(found) == sorted(expected)


def test_every_type_is_scored() -> None:
    report = score(ANALYZE)
    assert set(report) == {CARD, EMAIL, IP, PHONE}
    for entity in (CARD, EMAIL, PHONE):
        assert report[entity]["recall"] == 1.0
        assert report[entity]["precision"] == 1.0
