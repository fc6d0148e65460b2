"""RU_OMS: the 16-digit полис ОМС number (context-bound, Luhn check digit)."""

from __future__ import annotations

import random

import pytest

from recognizers.checksums import luhn_valid
from recognizers.ru.oms import RuOmsRecognizer, is_valid, oms_check_digit, oms_valid
from tests.recognizers.spans import assert_valid_spans

R = RuOmsRecognizer()


def make(body: str) -> str:
    """A synthetic полис ОМС number: 15-digit ``body`` and its check digit."""
    return body + oms_check_digit(body)


def mistype(digits: str) -> str:
    return digits[:-1] + str((int(digits[-1]) + 1) % 10)


VALID = make("770000012345678")
BAD = mistype(VALID)
GROUPED = f"{VALID[:4]} {VALID[4:8]} {VALID[8:12]} {VALID[12:]}"


def test_fund_steps_worked_example() -> None:
    # Body 123456789012345: odd positions from the right 5,3,1,9,7,5,3,1 -> 13579135 (as
    # written left to right), doubled 27158270; even positions 4,2,0,8,6,4,2 -> 2468024;
    # "2468024" + "27158270": digit sum 26 + 32 = 58; next multiple of ten 60: check digit 2.
    assert oms_check_digit("123456789012345") == "2"


def test_fund_steps_agree_with_luhn() -> None:
    rng = random.Random(2011)
    for _ in range(5_000):
        body = "".join(rng.choice("0123456789") for _ in range(15))
        number = make(body)
        assert luhn_valid(number), number
        assert not luhn_valid(mistype(number)), number


@pytest.mark.parametrize(
    ("number", "valid", "reason"),
    [
        (VALID, True, "synthetic valid"),
        (BAD, False, "wrong check digit"),
        (VALID[:15], False, "fifteen digits"),
        (VALID + "0", False, "seventeen digits"),
        ("٧" * 16, False, "Arabic-Indic digits"),
    ],
)
def test_oms_valid(number: str, valid: bool, reason: str) -> None:
    assert oms_valid(number) is valid, reason


def test_is_valid_accepts_groups() -> None:
    assert is_valid(GROUPED)


@pytest.mark.parametrize(
    ("text", "number", "score", "reason"),
    [
        (f"полис ОМС {VALID}", VALID, 1.0, "context"),
        (f"Полис: {GROUPED}", GROUPED, 1.0, "grouped by four"),
        (f"ЕНП {VALID}", VALID, 1.0, "единый номер полиса"),
        (f"номер полиса обязательного медицинского страхования {VALID}", VALID, 1.0, "long"),
        (f"полис ОМС {BAD}", BAD, 0.4, "mistyped, context"),
    ],
)
def test_found(text: str, number: str, score: float, reason: str) -> None:
    start = text.index(number)
    assert R.find(text) == [(start, start + len(number), score)], reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (VALID, "no context: a Luhn-valid 16-digit number may be a card"),
        (f"карта {VALID}", "a card word is not ours"),
        (BAD, "invalid, no context"),
        (f"полис {VALID[:4]} {VALID[4:8]}-{VALID[8:12]} {VALID[12:]}", "mixed separators"),
        (f"полис ОМС {VALID}1", "seventeen digits"),
        (f"полис оплачен, заказ № {VALID}", "order word closer"),
    ],
)
def test_not_found(text: str, reason: str) -> None:
    assert R.find(text) == [], reason


@pytest.mark.parametrize(
    "text",
    ["9" * 100_000, "1234 " * 20_000, ("полис " + VALID + " ") * 4_300],
    ids=["digit-run", "groups", "many-with-context"],
)
def test_adversarial_input_gives_valid_spans(text: str) -> None:
    assert_valid_spans(text, R.find(text))
