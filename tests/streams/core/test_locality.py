"""The locality of an address: the city only, or nothing (then the whole address is redacted)."""

from __future__ import annotations

import re

import pytest

from streams.core.locality import locality

CASES = [
    # Russian: a city marked as such
    ("г. Москва, ул. Тверская, д. 7, кв. 15", "г. Москва", "marked city first"),
    ("125009, г. Москва, ул. Тверская, д. 7", "г. Москва", "postcode before the city"),
    ("Московская обл., г. Химки, ул. Ленина, д. 1", "г. Химки", "region before the city"),
    ("г Казань, ул Баумана, д 5", "г. Казань", "FIAS style, no dots"),
    ("город Нижний Новгород, пр-т Гагарина, 23", "г. Нижний Новгород", "two-word city"),
    ("г. Ростов-на-Дону, пер. Газетный, д. 3", "г. Ростов-на-Дону", "hyphenated city"),
    ("ул. Ленина, д. 10, г. Самара", "г. Самара", "city after the street"),
    ("Москва, ул. Тверская, д. 7", "Москва", "federal city written bare"),
    ("Санкт-Петербург, Невский пр-т, д. 28", "Санкт-Петербург", "federal city, hyphenated"),
    # Russian: no city to show, so nothing
    ("ул. Тверская, д. 7, кв. 15", None, "street only"),
    ("Тульская обл., с. Ивановка, ул. Школьная, д. 2", None, "a village singles a person out"),
    ("д. Малые Вяземы, ул. Садовая, 4", None, "д. is a village and a house"),
    ("Московская обл., Одинцовский р-н, ул. Лесная, 5", None, "region and district only"),
    # English
    ("123 Main St, Springfield, IL 62704", "Springfield, IL", "street, city, state, ZIP"),
    ("PO Box 55, Austin, TX 78701", "Austin, TX", "PO box"),
    ("Apt 4B, 12 Oak Lane, New York, NY 10001", "New York, NY", "two-word city"),
    ("742 Evergreen Terrace", None, "street without a city"),
    ("221B Baker Street, London NW1 6XE", None, "a parse without a place"),
    ("45 Rue de Rivoli, 75001 Paris, France", None, "the parser gives up: nothing"),
]


@pytest.mark.parametrize(("address", "expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_locality(address: str, expected: str | None, reason: str) -> None:
    assert locality(address) == expected, reason


@pytest.mark.parametrize(("address", "_expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_locality_never_holds_a_digit_or_a_street_part(
    address: str, _expected: str | None, reason: str
) -> None:
    place = locality(address) or ""
    assert not re.search(r"[0-9]", place), reason
    assert not re.search(r"ул\.|д\.|кв\.|пр-т|St\b|Lane|Box|Apt", place), reason


# --- through the redactor, with the recognizers and the built-in policy ---------------------


def test_an_address_under_distribution_consent_shows_its_city_only() -> None:
    import orjson  # noqa: PLC0415

    from recognizers.registry import build_detector  # noqa: PLC0415
    from streams.core import Redactor, Verdict  # noqa: PLC0415
    from streams.core.policy import DEFAULT_POLICY  # noqa: PLC0415

    redactor = Redactor(build_detector(names=False), DEFAULT_POLICY)
    consent = {
        "status": "granted",
        "scope": ["processing", "distribution"],
        "valid_from": "2025-01-01T00:00:00Z",
        "valid_until": "2099-01-01T00:00:00Z",
        "jurisdiction": "RU",
        "evidence": "form-1",
        # The addresses are the subject's own: another person's would be redacted whole.
        "identity": {
            "ADDRESS": [
                "г. Москва, ул. Тверская, д. 7, кв. 15",
                "123 Main St, Springfield, IL 62704",
                "ул. Садовая, д. 4, кв. 9",
            ]
        },
    }
    record = {
        "id": "addr-1",
        "source": "https://shop.example.com/u/1",
        "subject_ref": "shop:1",
        "consent": consent,
        "data": {
            "delivery": "Доставка по адресу: г. Москва, ул. Тверская, д. 7, кв. 15",
            "ship_to": "Ship to 123 Main St, Springfield, IL 62704 please",
            "note": "Забрать: ул. Садовая, д. 4, кв. 9",
        },
    }
    [outcome] = redactor.redact_batch([orjson.dumps(record)])
    assert outcome.verdict is Verdict.CLEAN
    assert outcome.value is not None
    data = orjson.loads(outcome.value)["data"]
    assert data["delivery"] == "Доставка по адресу: г. Москва, <ADDRESS>"
    assert "Springfield, IL, <ADDRESS>" in data["ship_to"]
    assert data["note"] == "Забрать: <ADDRESS>"
    for text in data.values():
        assert not re.search(r"[0-9]|Тверская|Садовая|Main", text), text
