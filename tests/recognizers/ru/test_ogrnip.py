"""RU_OGRNIP: ОГРНИП, 15 digits, check digit (first 14 % 13) % 10."""

from __future__ import annotations

import pytest

from recognizers.ru.ogrnip import (
    RuOgrnipRecognizer,
    calc_check_digit,
    is_valid,
    ogrnip_valid,
    plausible,
)
from tests.recognizers.spans import assert_valid_spans

R = RuOgrnipRecognizer()


def make(body: str) -> str:
    """A synthetic ОГРНИП: 14-digit ``body`` and its check digit."""
    return body + calc_check_digit(body)


def mistype(digits: str) -> str:
    return digits[:-1] + str((int(digits[-1]) + 1) % 10)


VALID = make("31850270012345")  # 3 ОГРНИП, 18 = 2018, 50 Moscow region
BAD = mistype(VALID)
OLD = make("30350270012345")  # year 03: before the register
GRNIP = make("41850270012345")  # record type 4: a ГРНИП


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("30450011600015", "7"),  # remainder 7
        ("31250290460003", "4"),  # remainder 4
        (next(f"3{n:013d}" for n in range(13) if int(f"3{n:013d}") % 13 == 10), "0"),
    ],
)
def test_check_digit(body: str, expected: str) -> None:
    assert int(body) % 13 % 10 == int(expected)
    assert calc_check_digit(body) == expected


@pytest.mark.parametrize(
    ("number", "valid", "reason"),
    [
        (VALID, True, "record type 3"),
        (BAD, False, "wrong check digit"),
        (GRNIP, False, "record type 4 is a ГРНИП"),
        (VALID[:14], False, "fourteen digits"),
        (VALID + "0", False, "sixteen digits"),
        ("٣" * 15, False, "Arabic-Indic digits"),
    ],
)
def test_ogrnip_valid(number: str, valid: bool, reason: str) -> None:
    assert ogrnip_valid(number) is valid, reason


def test_plausible() -> None:
    assert plausible(VALID)
    assert not plausible(OLD)


def test_is_valid_accepts_hyphens() -> None:
    assert is_valid(f"{VALID[:5]}-{VALID[5:]}")


@pytest.mark.parametrize(
    ("text", "number", "score", "reason"),
    [
        (f"ОГРНИП {VALID}", VALID, 1.0, "context"),
        (f"ИП Иванов, ОГРНИП:{VALID}", VALID, 1.0, "context with colon"),
        (f"реквизиты: {VALID}", VALID, 1.0, "bare, plausible"),
        (f"ОГРНИП {BAD}", BAD, 0.4, "mistyped, context"),
        (f"индивидуальный предприниматель {OLD}", OLD, 1.0, "implausible year, context"),
    ],
)
def test_found(text: str, number: str, score: float, reason: str) -> None:
    start = text.index(number)
    assert R.find(text) == [(start, start + len(number), score)], reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (BAD, "invalid, no context"),
        (OLD, "year before the register, no context"),
        (GRNIP, "ГРНИП"),
        (f"Заказ № {VALID}", "order number"),
        (f"{VALID}0", "sixteen digits"),
        (f"0.{VALID}", "a fraction"),
    ],
)
def test_not_found(text: str, reason: str) -> None:
    assert R.find(text) == [], reason


@pytest.mark.parametrize(
    "text",
    ["3" * 100_000, (VALID + " ") * 6_000, ("ОГРНИП " + BAD + " ") * 4_300],
    ids=["digit-run", "many-valid", "many-with-context"],
)
def test_adversarial_input_gives_valid_spans(text: str) -> None:
    assert_valid_spans(text, R.find(text))
