"""RU_PASSPORT: series and number of the Russian internal passport (no check digit)."""

from __future__ import annotations

import pytest

from recognizers.ru.passport import RuPassportRecognizer, series_year_plausible
from tests.recognizers.spans import assert_valid_spans

R = RuPassportRecognizer()

# Synthetic: region 45, blanks of 2005 and 1999, arbitrary numbers.
SPACED = "45 05 678901"
JOINED = "4505 678901"
OLD_SERIES = "40 99 123456"


@pytest.mark.parametrize(
    ("series", "plausible", "reason"),
    [
        ("4505", True, "2005"),
        ("4597", True, "1997, the first year"),
        ("4500", True, "2000"),
        ("4596", False, "1996: before the current passport"),
        ("4550", False, "2050: the future"),
    ],
)
def test_series_year(series: str, plausible: bool, reason: str) -> None:
    assert series_year_plausible(series) is plausible, reason


@pytest.mark.parametrize(
    ("text", "number", "score", "reason"),
    [
        (f"Паспорт {SPACED} выдан ОВД", SPACED, 0.9, "context before"),
        (f"паспорта: {JOINED}", JOINED, 0.9, "inflected context, joined series"),
        (f"паспорт {SPACED.replace(' ', '')}", "4505678901", 0.9, "unseparated, context"),
        ("серия 4505 номер 678901", "4505 номер 678901", 0.9, "серия … номер"),
        ("серия 45 05 № 678901", "45 05 № 678901", 0.9, "серия … №"),
        ("Серия: 4505, номер: 678901", "4505, номер: 678901", 0.9, "with punctuation"),
        (f"passport no. {OLD_SERIES}", OLD_SERIES, 0.9, "English context"),
        (f"{JOINED}, выдан 12.03.2010", JOINED, 0.9, "context after"),
        (SPACED, SPACED, 0.6, "strict spaced layout, no context"),
        ("45 05 № 678901", "45 05 № 678901", 0.6, "№ between series and number"),
        (f"стр. 12 {SPACED}", SPACED, 0.6, "a number before a space does not join"),
        (f"номер {JOINED}", JOINED, 0.6, "weak context 'номер', separated"),
        ("Паспорт 45 55 678901", "45 55 678901", 0.4, "impossible series year, context"),
        (
            f"Паспорт\u00a0{SPACED.replace(' ', chr(0xA0))}",
            SPACED.replace(" ", "\u00a0"),
            0.9,
            "no-break spaces",
        ),
    ],
)
def test_found(text: str, number: str, score: float, reason: str) -> None:
    start = text.index(number)
    assert R.find(text) == [(start, start + len(number), score)], reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("4505678901", "a bare ten-digit number is not a passport"),
        (JOINED, "joined series without context"),
        ("45 55 678901", "impossible series year, no context"),
        ("45 05 000000", "number 000000"),
        (f"тел. {SPACED}", "phone context"),
        (f"Заказ № {SPACED}", "order number"),
        (f"номер заказа {JOINED}", "'заказа' is closer than 'номер'"),
        (f"Трек-номер {JOINED}", "'номер' with a tracking word"),
        ("номер 4505678901", "'номер' and a bare ten-digit number"),
        (f"{SPACED} руб.", "amount"),
        ("45 05 6789012", "seven-digit number"),
        ("145 05 678901", "three-digit first group"),
        (f"паспорт {'٤٥٠٥ ٦٧٨٩٠١'}", "Arabic-Indic digits"),
        ("45-05-678901", "hyphens are not a passport layout"),
    ],
)
def test_not_found(text: str, reason: str) -> None:
    assert R.find(text) == [], reason


@pytest.mark.parametrize(
    "text",
    [
        "4" * 100_000,
        "45 " * 33_000,
        "45 05 № " * 12_500,
        ("паспорт " + SPACED + " ") * 5_000,
        "№" * 100_000,
    ],
    ids=["digit-run", "pairs", "marks", "many-with-context", "number-signs"],
)
def test_adversarial_input_gives_valid_spans(text: str) -> None:
    assert_valid_spans(text, R.find(text))
