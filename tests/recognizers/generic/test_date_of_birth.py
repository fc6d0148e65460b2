"""DATE_OF_BIRTH: a plausible date anchored by a birth cue; every other date is left alone."""

from __future__ import annotations

import pytest

from recognizers.generic.date_of_birth import DateOfBirthRecognizer, date_plausible

R = DateOfBirthRecognizer()


def found(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in R.find(text)]


CASES = [
    ("DOB: 1962-05-05", ["1962-05-05"], "ISO after DOB"),
    ("Дата рождения: 12 марта 1985", ["12 марта 1985"], "Russian genitive month"),
    ("Дата рождения: 12.03.1985", ["12.03.1985"], "numeric"),
    ("д.р. 01.02.1999", ["01.02.1999"], "д.р."),
    ("Иванов И.И., 1985 г.р.", ["1985"], "a year with г.р."),
    ("1990 года рождения", ["1990"], "a year with года рождения"),
    ("родилась 3 мая 1990 года", ["3 мая 1990"], "родилась"),
    ("Родился 12 апр. 1978 в Москве", ["12 апр. 1978"], "abbreviated month"),
    ("born on March 12, 1985 in Ohio", ["March 12, 1985"], "English month first"),
    ("b. 12 May 1962", ["12 May 1962"], "b. right before"),
    ("Birthday: 12/31/1990", ["12/31/1990"], "American order"),
    ("She was born on 2/8/1935.", ["2/8/1935"], "no leading zeros"),
    (
        "Please tell me your date of birth. It's 6/24/1991",
        ["6/24/1991"],
        "cue in the sentence before",
    ),
    ("D.O.B 12th of March 1985", ["12th of March 1985"], "ordinal"),
    ("18.06.1990 — день рождения", ["18.06.1990"], "cue after"),
    ("He was born in 1985.", ["1985"], "born in a year"),
    (
        "Дата рождения: 12.03.1985, дата выдачи паспорта 01.02.2010",
        ["12.03.1985"],
        "the issue date after it is not the birth",
    ),
    ("Дата заказа: 12.03.2024", [], "an order date"),
    ("Posted on March 12, 2024 by admin", [], "a posting date"),
    ("Open 9:00-18:00, since 12.03.2015", [], "opening hours and a founding date"),
    ("Born in Moscow. Order date 12.03.2020", [], "an order word between cue and date"),
    ("Happy birthday sale until 12.03.2026", [], "a sale"),
    ("Скидки до 12.03.2025! День рождения магазина", [], "a shop's birthday"),
    ("date of birth 31.02.1990", [], "no 31 February"),
    ("DOB 12.03.1850", [], "too old"),
    ("DOB 12.03.2199", [], "in the future"),
    ("Season 1985 г.", [], "a year without a birth cue"),
    ("Мероприятие 12 мая 2024", [], "an event date"),
    ("Version 1.2.3 released 2024-05-05", [], "a release date"),
    ("Билет № 2024-11-0457", [], "a ticket number"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_date_of_birth(text: str, expected: list[str], reason: str) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("date", "plausible"),
    [
        ("12.03.1985", True),
        ("03/12/1985", True),
        ("12/31/1990", True),
        ("31.02.1990", False),
        ("1962-05-05", True),
        ("1962-13-05", False),
        ("12 марта 1985", True),
        ("12 мая 1985", True),
        ("March 12, 1985", True),
        ("12.03.85", True),
    ],
)
def test_date_plausible(date: str, plausible: bool) -> None:
    assert date_plausible(date) is plausible
