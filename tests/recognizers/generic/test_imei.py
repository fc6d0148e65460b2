"""IMEI: 15 digits, Luhn check, next to the word IMEI."""

from __future__ import annotations

import pytest

from recognizers.generic.imei import ImeiRecognizer, imei_valid
from tests.recognizers.spans import assert_valid_spans

R = ImeiRecognizer()


def luhn_digit(body: str) -> str:
    """The Luhn check digit for ``body`` (written out here, independently of the module)."""
    total = 0
    for index, ch in enumerate(reversed(body)):
        value = int(ch) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


VALID = "49015420323751" + luhn_digit("49015420323751")  # the 3GPP documentation example
SYNTHETIC = "35123456789012" + luhn_digit("35123456789012")
BAD = VALID[:-1] + str((int(VALID[-1]) + 1) % 10)
DASHED = f"{VALID[:2]}-{VALID[2:8]}-{VALID[8:14]}-{VALID[14]}"


def test_documentation_example() -> None:
    assert VALID == "490154203237518"
    assert imei_valid(VALID)
    assert not imei_valid(BAD)
    assert not imei_valid(VALID[:14])
    assert not imei_valid("٤" * 15)


@pytest.mark.parametrize(
    ("text", "number", "score", "reason"),
    [
        (f"IMEI: {VALID}", VALID, 1.0, "context"),
        (f"IMEI1 {SYNTHETIC}", SYNTHETIC, 1.0, "IMEI1"),
        (f"imei {DASHED}", DASHED, 1.0, "dashed 2-6-6-1"),
        (f"ИМЕЙ {SYNTHETIC}", SYNTHETIC, 1.0, "Russian spelling"),
        (f"{VALID} (IMEI)", VALID, 1.0, "context after"),
        (f"IMEI {BAD}", BAD, 0.4, "mistyped, context"),
    ],
)
def test_found(text: str, number: str, score: float, reason: str) -> None:
    start = text.index(number)
    assert R.find(text) == [(start, start + len(number), score)], reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (VALID, "no context: too many Luhn-valid 15-digit numbers"),
        (f"ОГРНИП {VALID}", "someone else's context"),
        (f"IMEI {VALID}0", "sixteen digits"),
        (f"IMEI {VALID[:14]}", "fourteen digits"),
        (f"IMEI {VALID[:2]}-{VALID[2:8]} {VALID[8:14]}-{VALID[14]}", "mixed separators"),
        (f"IMEI +{VALID}", "leading plus"),
    ],
)
def test_not_found(text: str, reason: str) -> None:
    assert R.find(text) == [], reason


@pytest.mark.parametrize(
    "text",
    ["3" * 100_000, "35-" * 33_000, ("IMEI " + BAD + " ") * 4_700, "IMEI" * 25_000],
    ids=["digit-run", "hyphen-pairs", "many-with-context", "context-only"],
)
def test_adversarial_input_gives_valid_spans(text: str) -> None:
    assert_valid_spans(text, R.find(text))
