"""RU_BANK_ACCOUNT: 20-digit Russian bank accounts, keyed against a nearby БИК."""

from __future__ import annotations

import random

import pytest

from recognizers.ru.bank_account import (
    RuBankAccountRecognizer,
    account_key_valid,
    bik_valid,
    biks_near,
    calc_key,
)
from tests.recognizers.spans import assert_valid_spans

R = RuBankAccountRecognizer()

BIK = "045004641"  # a БИК-shaped synthetic code
OTHER_BIK = "044030653"


def make(balance: str, branch_and_number: str, bik: str = BIK) -> str:
    """A synthetic account: 5-digit balance account, rouble currency 810, key, 11 digits."""
    draft = balance + "810" + "0" + branch_and_number
    key = calc_key(draft, bik)
    return draft[:8] + key + draft[9:]


def reference_key_ok(account: str, bik: str) -> bool:
    """The Bank of Russia's steps, written out independently of the module."""
    three = "0" + bik[4:6] if account[:5] == "30101" else bik[-3:]
    weights = ([7, 1, 3] * 8)[:23]
    products = [int(d) * w for d, w in zip(three + account, weights, strict=True)]
    return sum(p % 10 for p in products) % 10 == 0


PERSONAL = make("40817", "00011234567")
COMPANY = make("40702", "12340000042")
BAD = PERSONAL[:8] + str((int(PERSONAL[8]) + 1) % 10) + PERSONAL[9:]
GROUPED = " ".join(PERSONAL[i : i + 4] for i in range(0, 20, 4))
STRUCTURED = f"{PERSONAL[:5]} {PERSONAL[5:8]} {PERSONAL[8]} {PERSONAL[9:13]} {PERSONAL[13:]}"


def test_public_correspondent_account_example() -> None:
    # A bank's correspondent account at the Bank of Russia is public data, not personal.
    assert account_key_valid("30101810400000000225", "044525225")
    assert reference_key_ok("30101810400000000225", "044525225")


def test_module_agrees_with_reference_steps() -> None:
    rng = random.Random(1)
    for _ in range(3_000):
        account = "".join(rng.choice("0123456789") for _ in range(20))
        bik = "04" + "".join(rng.choice("0123456789") for _ in range(7))
        if rng.random() < 0.2:
            account = "30101" + account[5:]
        assert account_key_valid(account, bik) is reference_key_ok(account, bik)


@pytest.mark.parametrize(
    ("account", "bik", "valid", "reason"),
    [
        (PERSONAL, BIK, True, "person's current account"),
        (COMPANY, BIK, True, "company's account"),
        (BAD, BIK, False, "wrong key"),
        (PERSONAL, "145004641", False, "not a БИК"),
        (PERSONAL[:19], BIK, False, "nineteen digits"),
        ("٤" * 20, BIK, False, "Arabic-Indic digits"),
    ],
)
def test_account_key_valid(account: str, bik: str, valid: bool, reason: str) -> None:
    assert account_key_valid(account, bik) is valid, reason


def test_bik_valid() -> None:
    assert bik_valid(BIK)
    assert not bik_valid("05" + BIK[2:])
    assert not bik_valid(BIK[:8])


def test_biks_near_ignores_cut_numbers() -> None:
    text = "x" * 10 + PERSONAL + " " + BIK + "7"
    assert biks_near(text, 10, 30) == []
    assert biks_near(f"{PERSONAL} {BIK}", 0, 20) == [BIK]


@pytest.mark.parametrize(
    ("text", "number", "score", "reason"),
    [
        (f"р/с {PERSONAL} в ПАО Банк, БИК {BIK}", PERSONAL, 1.0, "keyed, with context"),
        (f"{PERSONAL}; {BIK}", PERSONAL, 1.0, "keyed, no context word"),
        (f"БИК {OTHER_BIK}, БИК {BIK}, счёт {COMPANY}", COMPANY, 1.0, "one of two БИКs fits"),
        (f"расчётный счёт: {GROUPED}, БИК {BIK}", GROUPED, 1.0, "grouped by four"),
        (f"счет {STRUCTURED} БИК {BIK}", STRUCTURED, 1.0, "grouped by structure"),
        (f"Р/С {PERSONAL}", PERSONAL, 0.85, "context, no БИК"),
        (f"account {COMPANY}", COMPANY, 0.85, "English context, no БИК"),
        (f"счёт {BAD}, БИК {BIK}", BAD, 0.4, "mistyped key, context"),
    ],
)
def test_found(text: str, number: str, score: float, reason: str) -> None:
    start = text.index(number)
    assert R.find(text) == [(start, start + len(number), score)], reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (PERSONAL, "no БИК, no context"),
        (f"{BAD} {BIK}", "wrong key, no context"),
        (f"{PERSONAL} {OTHER_BIK}", "another bank's БИК, no context"),
        (f"УИН {PERSONAL}", "a payment identifier"),
        (f"Заказ № {PERSONAL}, БИК {BIK}", "order number"),
        (f"р/с {PERSONAL}1", "twenty-one digits"),
        (f"р/с {PERSONAL[:19]}", "nineteen digits"),
    ],
)
def test_not_found(text: str, reason: str) -> None:
    assert R.find(text) == [], reason


@pytest.mark.parametrize(
    "text",
    [
        "4" * 100_000,
        (PERSONAL + " ") * 4_700,
        ("р/с " + BAD + " БИК " + BIK + " ") * 2_700,
        ("0408 " * 20_000),
        (BIK + " ") * 10_000,
    ],
    ids=["digit-run", "many-accounts", "many-with-bik", "groups", "many-biks"],
)
def test_adversarial_input_gives_valid_spans(text: str) -> None:
    assert_valid_spans(text, R.find(text))
