"""RU_OGRN: ОГРН, 13 digits, check digit (first 12 % 11) % 10."""

from __future__ import annotations

import pytest

from recognizers.ru.ogrn import (
    RuOgrnRecognizer,
    calc_check_digit,
    is_valid,
    ogrn_valid,
    plausible,
)
from tests.recognizers.spans import assert_valid_spans

R = RuOgrnRecognizer()


def make(body: str) -> str:
    """A synthetic ОГРН: 12-digit ``body`` and its check digit."""
    return body + calc_check_digit(body)


def mistype(digits: str) -> str:
    return digits[:-1] + str((int(digits[-1]) + 1) % 10)


VALID = make("115774600123")  # 1 ОГРН, 15 = 2015, 77 Moscow
VALID_5 = make("517500001234")  # record type 5
BAD = mistype(VALID)
FUTURE = make("199774600123")  # year 99: not yet
MILLIS = next(
    c for c in (str(n) for n in range(1_700_000_000_000, 1_700_000_001_000)) if ogrn_valid(c)
)
GRN = make("215774600123")  # record type 2: a ГРН, not an ОГРН


@pytest.mark.parametrize(
    ("body", "expected", "reason"),
    [
        ("102770013219", "5", "12 digits % 11 = 5"),
        (
            next(f"1{n:011d}" for n in range(11) if int(f"1{n:011d}") % 11 == 10),
            "0",
            "remainder 10 becomes 0",
        ),
    ],
)
def test_check_digit(body: str, expected: str, reason: str) -> None:
    assert int(body) % 11 % 10 == int(expected)
    assert calc_check_digit(body) == expected, reason


@pytest.mark.parametrize(
    ("number", "valid", "reason"),
    [
        (VALID, True, "record type 1"),
        (VALID_5, True, "record type 5"),
        (BAD, False, "wrong check digit"),
        (GRN, False, "record type 2 is a ГРН"),
        ("0" + VALID[1:], False, "record type 0"),
        (VALID[:12], False, "twelve digits"),
        (VALID + "1", False, "fourteen digits"),
        ("١" * 13, False, "Arabic-Indic digits"),
    ],
)
def test_ogrn_valid(number: str, valid: bool, reason: str) -> None:
    assert ogrn_valid(number) is valid, reason


def test_plausible_year_and_region() -> None:
    assert plausible(VALID)
    assert not plausible(FUTURE)
    assert not plausible(make("100000000012"))  # year 00, region 00


def test_is_valid_accepts_spaces() -> None:
    assert is_valid(f"{VALID[:1]} {VALID[1:3]} {VALID[3:5]} {VALID[5:]}")


@pytest.mark.parametrize(
    ("text", "number", "score", "reason"),
    [
        (f"ОГРН {VALID}", VALID, 1.0, "context"),
        (f"ОГРН{VALID_5}", VALID_5, 1.0, "glued context"),
        (f"зарегистрировано, {VALID}, Москва", VALID, 1.0, "bare, plausible"),
        (f"ОГРН {BAD}", BAD, 0.4, "mistyped, context"),
        (f"ОГРН {FUTURE}", FUTURE, 1.0, "implausible year but context"),
        (f"ОГРН {GRN}", GRN, 0.4, "a ГРН with context is reported low"),
    ],
)
def test_found(text: str, number: str, score: float, reason: str) -> None:
    start = text.index(number)
    assert R.find(text) == [(start, start + len(number), score)], reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (BAD, "invalid, no context"),
        (FUTURE, "year in the future, no context"),
        (MILLIS, "millisecond timestamp"),
        (f"EAN {VALID}", "barcode"),
        (f"арт. {VALID}", "article"),
        (f"Заказ № {VALID}", "order number"),
        (f"{VALID} руб.", "amount"),
        (f"x{VALID}", "glued to letters"),
        (f"{VALID}.00", "decimal"),
        (f"{VALID}1", "fourteen digits"),
    ],
)
def test_not_found(text: str, reason: str) -> None:
    assert R.find(text) == [], reason


@pytest.mark.parametrize(
    "text",
    ["1" * 100_000, (VALID + " ") * 7_000, ("ОГРН " + BAD + ",") * 5_000, "," * 100_000],
    ids=["digit-run", "many-valid", "many-with-context", "commas"],
)
def test_adversarial_input_gives_valid_spans(text: str) -> None:
    assert_valid_spans(text, R.find(text))
