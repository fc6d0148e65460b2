"""RU_INN: ИНН of organisations (10 digits) and people (12 digits)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from recognizers.ru.inn import (
    RuInnRecognizer,
    calc_check_digits,
    inn_kind,
    inn_valid,
    is_valid,
)
from tests.recognizers.spans import assert_valid_spans

R = RuInnRecognizer()


def make(body: str) -> str:
    """A synthetic ИНН: ``body`` and its check digits."""
    return body + calc_check_digits(body)


def first_valid(candidates: Iterable[str]) -> str:
    return next(c for c in candidates if inn_valid(c))


def mistype(number: str) -> str:
    """``number`` with a wrong last digit."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


ORG = make("500100732")
PERSON = make("5001007320")
ORG_BAD = mistype(ORG)
PERSON_BAD = mistype(PERSON)
EPOCH = first_valid(str(n) for n in range(1_700_000_000, 1_700_001_000))
COMPACT_TIME = first_valid(f"20240301{h:02d}{m:02d}" for h in range(24) for m in range(60))
MOBILE = first_valid(f"91612345{n:02d}" for n in range(100))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("770708389", "3"),  # worked example: 7*2+7*4+0*10+7*3+0*5+8*9+3*4+8*6+9*8 = 267, 267%11=3
        ("123456789", "4"),
        ("1234567890", "47"),
    ],
)
def test_check_digits(body: str, expected: str) -> None:
    assert calc_check_digits(body) == expected


@pytest.mark.parametrize(
    ("number", "valid", "reason"),
    [
        (ORG, True, "organisation"),
        (PERSON, True, "person"),
        (ORG_BAD, False, "wrong check digit"),
        (PERSON_BAD, False, "wrong second check digit"),
        (PERSON[:10] + mistype(PERSON[:11])[-1] + PERSON[11], False, "wrong first check digit"),
        (ORG[:9], False, "too short"),
        (ORG + "0", False, "eleven digits"),
        ("٧٧٠٧٠٨٣٨٩٣", False, "Arabic-Indic digits"),
        ("", False, "empty"),
    ],
)
def test_inn_valid(number: str, valid: bool, reason: str) -> None:
    assert inn_valid(number) is valid, reason


def test_is_valid_accepts_separators() -> None:
    assert is_valid(f"{ORG[:4]} {ORG[4:]}")
    assert is_valid(f"{ORG[:4]}-{ORG[4:]}")
    assert not is_valid(f"{ORG[:4]}?{ORG[4:]}")


def test_kind() -> None:
    assert inn_kind(ORG) == "organisation"
    assert inn_kind(PERSON) == "person"
    assert R.kind(f"ИНН {PERSON}", 4, 16) == "person"
    with pytest.raises(ValueError):
        inn_kind(ORG[:9])


@pytest.mark.parametrize(
    ("text", "number", "score", "reason"),
    [
        (f"ИНН {ORG}", ORG, 1.0, "organisation with context"),
        (f"ИНН{ORG}", ORG, 1.0, "glued to the Cyrillic context word"),
        (f"INN: {PERSON}", PERSON, 1.0, "person, Latin context"),
        (f"ИНН/КПП {ORG}/773601001", ORG, 1.0, "with КПП"),
        (f"ИНН заказчика: {ORG}.", ORG, 1.0, "'заказчика' is not 'заказ'"),
        (f"идентификационный номер налогоплательщика {PERSON}", PERSON, 1.0, "spelled out"),
        (f"Поставщик {ORG}, Москва", ORG, 1.0, "bare valid organisation"),
        (PERSON, PERSON, 1.0, "bare valid person"),
        (f"ИНН {ORG_BAD}", ORG_BAD, 0.4, "mistyped, context"),
        (f"инн физлица {PERSON_BAD}", PERSON_BAD, 0.4, "mistyped person, context"),
        (f"ИНН {EPOCH}", EPOCH, 1.0, "timestamp-shaped but with context"),
        (f"тел. 8 800 000-00-00, ИНН {MOBILE}", MOBILE, 1.0, "INN word closer than phone"),
    ],
)
def test_found(text: str, number: str, score: float, reason: str) -> None:
    start = text.index(number)
    assert R.find(text) == [(start, start + len(number), score)], reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (ORG_BAD, "invalid, no context"),
        (f"номер {PERSON_BAD}", "invalid person, no context"),
        (f"Заказ № {ORG}", "order number"),
        (f"SKU {PERSON}", "SKU"),
        (f"арт. {ORG}", "article"),
        (f"abc{ORG}", "glued to foreign letters"),
        (f"{ORG} руб.", "an amount"),
        (f"{ORG} ₽", "currency sign"),
        (f"${ORG}", "currency sign before"),
        (f"{ORG}.50", "decimal part"),
        (f"0.{ORG}", "a fraction"),
        (f"+{PERSON}", "leading plus: a phone"),
        (f"1{ORG}", "part of a longer number"),
        (f"{PERSON}9", "thirteen digits"),
        (f"{ORG[:5]}-{ORG[5:]}", "hyphenated"),
        (EPOCH, "Unix timestamp"),
        (f"ts={EPOCH}", "Unix timestamp with key"),
        (COMPACT_TIME, "compact YYYYMMDDhhmm timestamp"),
        (MOBILE, "bare Russian mobile"),
        (f"тел. {ORG}", "phone context"),
        (f"ИНН {'٧٧٠٧٠٨٣٨٩٣'}", "Arabic-Indic digits"),
        (f"ИНН {ORG[:9]}", "nine digits"),
        (make("000100732"), "bare organisation in region 00"),
    ],
)
def test_not_found(text: str, reason: str) -> None:
    assert R.find(text) == [], reason


@pytest.mark.parametrize(
    "text",
    [
        "7" * 100_000,
        (ORG + " ") * 9_000,
        ("ИНН " + ORG_BAD + " ") * 6_500,
        "-" * 100_000,
        ("1." * 50_000),
        ("ИНН" + " " * 99_997),
    ],
    ids=["digit-run", "many-valid", "many-with-context", "hyphens", "dotted", "spaces"],
)
def test_adversarial_input_gives_valid_spans(text: str) -> None:
    assert_valid_spans(text, R.find(text))
