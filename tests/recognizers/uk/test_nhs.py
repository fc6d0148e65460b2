"""UK_NHS: the mod-11 check digit (python-stdnum as the oracle); certain only with context."""

from __future__ import annotations

import pytest
from stdnum.gb import nhs as stdnum_nhs

from recognizers.uk.nhs import UkNhsNumberRecognizer, nhs_valid

R = UkNhsNumberRecognizer()


def make(body: str) -> str:
    """A synthetic NHS number: nine digits and their check digit."""
    for digit in "0123456789":
        if stdnum_nhs.is_valid(body + digit):
            return body + digit
    raise ValueError("no check digit: choose another body")


VALID = make("401023213")
SPACED = f"{VALID[:3]} {VALID[3:6]} {VALID[6:]}"
BAD = VALID[:-1] + str((int(VALID[-1]) + 1) % 10)


def found(text: str) -> list[tuple[str, float]]:
    return [(text[s:e], score) for s, e, score in R.find(text)]


CASES = [
    (f"NHS number: {SPACED}", [(SPACED, 1.0)], "spaced, with context"),
    (f"Patient NHS No {VALID}", [(VALID, 1.0)], "compact, with context"),
    (f"NHS {BAD}", [(BAD, 0.4)], "wrong check digit next to NHS: mistyped"),
    (f"{SPACED}", [(SPACED, 0.5)], "spaced, no context: low, a phone reading keeps its type"),
    (f"{VALID}", [], "ten bare digits without context"),
    (f"Order {SPACED}", [], "an order number"),
    (f"{BAD}", [], "wrong check digit, no context"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_nhs(text: str, expected: list[tuple[str, float]], reason: str) -> None:
    assert found(text) == expected


@pytest.mark.parametrize("number", [VALID, BAD, "0000000000"])
def test_validity_agrees_with_stdnum(number: str) -> None:
    assert nhs_valid(number) is bool(stdnum_nhs.is_valid(number))
