"""ADDRESS (Russian): a street and a house number, with what precedes them in the address;
not a city alone, a street without a number, or an organisation's address."""

from __future__ import annotations

import pytest

from recognizers.ru.address import RuAddressRecognizer

R = RuAddressRecognizer()


def found(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in R.find(text)]


CASES = [
    (
        "Доставка по адресу: г. Москва, ул. Тверская, д. 7, кв. 15",
        ["г. Москва, ул. Тверская, д. 7, кв. 15"],
        "the issue's example",
    ),
    (
        "123456, Московская обл., г. Химки, пр-т Мира, 5к2",
        ["123456, Московская обл., г. Химки, пр-т Мира, 5к2"],
        "index, region, city, prospekt, house with корпус glued",
    ),
    (
        "Адрес: 190000, г. Санкт-Петербург, Невский пр., д. 28, кв. 3",
        ["190000, г. Санкт-Петербург, Невский пр., д. 28, кв. 3"],
        "street type after the name",
    ),
    (
        "Респ. Татарстан, г. Казань, ул. Баумана, д. 10",
        ["Респ. Татарстан, г. Казань, ул. Баумана, д. 10"],
        "a republic",
    ),
    ("Ленинский проспект 28", ["Ленинский проспект 28"], "no commas, no д."),
    ("живу на ул. 8 Марта, 12-34", ["ул. 8 Марта, 12-34"], "a number in the street name"),
    ("пер. Кривоколенный, 9 стр. 2", ["пер. Кривоколенный, 9 стр. 2"], "строение"),
    ("наб. реки Фонтанки, д. 40", ["наб. реки Фонтанки, д. 40"], "a lower-case word in the name"),
    ("ул. Ленина 5а, кв 3", ["ул. Ленина 5а, кв 3"], "a letter after the house number"),
    (
        "Проживает: Одинцовский р-н, пос. Заречье, ул. Новая, д. 1",
        ["Одинцовский р-н, пос. Заречье, ул. Новая, д. 1"],
        "a district and a settlement",
    ),
    ("ул Тверская 7", ["ул Тверская 7"], "abbreviation without its dot"),
    ("г Москва ул Ленина д 5 кв 7", ["г Москва ул Ленина д 5 кв 7"], "no dots at all"),
    ("СПб, В.О., 7-я линия, д. 34", ["7-я линия, д. 34"], "a numbered линия"),
    ("ул. им. Ленина, 5", ["ул. им. Ленина, 5"], "имени before the name"),
    ("улица Ленина дом 5 квартира 3", ["улица Ленина дом 5 квартира 3"], "words in full"),
    ("Улыбка 5 раз в день", [], "ул inside a word"),
    ("Подарок на 8 Марта, ул Ленина закрыта", [], "a holiday and a street without a number"),
    ("г. Москва", [], "a city alone"),
    ("Доставка по Москве и области", [], "no address"),
    ("ул. Тверская закрыта на ремонт", [], "a street without a house number"),
    ("Открыто 10:00–21:00, ул. Ленина", [], "opening hours and a street"),
    ("Заказ №12345 от 12.03.2024", [], "an order"),
    ("ООО «Ромашка», г. Москва, ул. Ленина, д. 1, офис 5", [], "a company's address"),
    ("Наш магазин: г. Казань, ул. Баумана, д. 10", [], "a shop's address"),
    (
        "ООО «Ромашка». Адрес доставки: г. Москва, ул. Ленина, д. 1, кв. 5",
        ["г. Москва, ул. Ленина, д. 1, кв. 5"],
        "a delivery word nearer than the company",
    ),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_ru_address(text: str, expected: list[str], reason: str) -> None:
    assert found(text) == expected
