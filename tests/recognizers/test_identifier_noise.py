"""Thousands of generated numbers that are not personal data produce no identifier findings.

Prices, dates, timestamps, order numbers, SKUs, versions, MAC-like and coordinate-like decoys,
and 10- to 20-digit numbers with wrong checksums and no context word, from a seeded generator.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import pytest

from recognizers.base import ValidatedPatternRecognizer
from recognizers.entities import ENTITY_TYPES
from recognizers.registry import RECOGNIZERS
from recognizers.ru.inn import inn_valid
from recognizers.ru.ogrn import ogrn_valid
from recognizers.ru.ogrnip import ogrnip_valid
from recognizers.ru.snils import snils_valid

#: Every type but names and the five Presidio also covers: the identifiers this test guards.
IDENTIFIERS = frozenset(ENTITY_TYPES) - {
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "IP_ADDRESS",
    "CREDIT_CARD",
}
PER_KIND = 400

CHECKED: dict[int, Callable[[str], bool]] = {
    10: inn_valid,
    11: snils_valid,
    12: inn_valid,
    13: ogrn_valid,
    15: ogrnip_valid,
}


def recognizers() -> list[ValidatedPatternRecognizer]:
    return [
        cls()
        for cls in RECOGNIZERS
        if issubclass(cls, ValidatedPatternRecognizer) and cls.ENTITY in IDENTIFIERS
    ]


def digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def invalid_number(rng: random.Random, length: int) -> str:
    """A number of ``length`` digits that no checksum of that length accepts."""
    check = CHECKED.get(length)
    while True:
        number = str(rng.randint(1, 9)) + digits(rng, length - 1)
        if check is None or not check(number):
            return number


def prices(rng: random.Random) -> Iterator[str]:
    for _ in range(PER_KIND):
        amount = rng.randint(1, 10**10)
        grouped = f"{amount:,}".replace(",", " ")
        yield rng.choice(
            [
                f"{grouped} ₽",
                f"Цена: {amount} руб.",
                f"${amount:,}.{rng.randint(0, 99):02d}",
                f"{grouped},{rng.randint(0, 99):02d} руб",
                f"Стоимость {amount} RUB",
                f"{amount}.{rng.randint(0, 99):02d}",
            ]
        )


def dates(rng: random.Random) -> Iterator[str]:
    for _ in range(PER_KIND):
        y, m, d = rng.randint(1990, 2030), rng.randint(1, 12), rng.randint(1, 28)
        yield rng.choice(
            [
                f"{d:02d}.{m:02d}.{y}",
                f"{y}-{m:02d}-{d:02d}",
                f"{y}/{m:02d}/{d:02d}",
                f"{d} марта {y} г.",
                f"{d:02d}.{m:02d}.{y} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
            ]
        )


def timestamps(rng: random.Random) -> Iterator[str]:
    for _ in range(PER_KIND):
        seconds = rng.randint(1_000_000_000, 1_999_999_999)
        millis = rng.randint(1_577_836_800_000, 1_798_761_600_000)  # 2020 to 2026
        y, mo, d = rng.randint(2000, 2030), rng.randint(1, 12), rng.randint(1, 28)
        h, mi, s = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
        yield rng.choice(
            [
                str(seconds),
                f"ts={seconds}",
                f'"created_at": {seconds}',
                str(millis),
                f"{y}{mo:02d}{d:02d}{h:02d}{mi:02d}{s:02d}",
                f"{y}{mo:02d}{d:02d}{h:02d}{mi:02d}",
                f"{y}{mo:02d}{d:02d}{h:02d}",
                f"{y}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}Z",
                f"{y}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}.{rng.randint(0, 999999):06d}",
            ]
        )


def orders(rng: random.Random) -> Iterator[str]:
    for _ in range(PER_KIND):
        number = digits(rng, rng.choice([6, 8, 10, 11, 12, 13, 15, 16, 20]))
        yield rng.choice(
            [
                f"Заказ №{number}",
                f"Заказ № {number}",
                f"Номер заказа: {number}",
                f"order #{number}",
                f"Order {number} shipped",
                f"Трек-номер {number}",
                f"накладная {number}",
            ]
        )


def skus(rng: random.Random) -> Iterator[str]:
    for _ in range(PER_KIND):
        ean = digits(rng, 13)
        yield rng.choice(
            [
                f"SKU {ean}",
                f"SKU-{digits(rng, 10)}",
                f"арт. {digits(rng, rng.randint(6, 13))}",
                f"Артикул: {ean}",
                f"EAN {ean}",
                f"штрихкод {ean}",
                f"item {digits(rng, 12)}",
            ]
        )


def versions(rng: random.Random) -> Iterator[str]:
    for _ in range(PER_KIND):
        a, b, c = rng.randint(0, 30), rng.randint(0, 99), rng.randint(0, 9999)
        yield rng.choice(
            [
                f"v{a}.{b}.{c}",
                f"{a}.{b}.{c}.{rng.randint(0, 99999)}",
                f"version {2000 + a}.{b}.{c}",
                f"build {digits(rng, 10)}",
                f"Python {a}.{b}.{c}",
            ]
        )


def invalid_numbers(rng: random.Random) -> Iterator[str]:
    for _ in range(PER_KIND * 2):
        number = invalid_number(rng, rng.choice([10, 11, 12, 13, 15, 16, 20]))
        yield rng.choice([number, f"Код: {number}", f"{number} шт.", f"ID {number}"])


def network_decoys(rng: random.Random) -> Iterator[str]:
    for _ in range(PER_KIND):
        hexes = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
        yield rng.choice(
            [
                f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
                ":".join(hexes),
                "-".join(f"{rng.randint(0, 99):02d}" for _ in range(6)),
                f"{rng.getrandbits(128):032x}",
                f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-{rng.getrandbits(16):04x}"
                f"-{rng.getrandbits(16):04x}-{rng.getrandbits(48):012x}",
                ".".join(str(rng.randint(0, 255)) for _ in range(4)),
            ]
        )


def coordinate_decoys(rng: random.Random) -> Iterator[str]:
    for _ in range(PER_KIND):
        x, y = rng.uniform(-89, 89), rng.uniform(-179, 179)
        yield rng.choice(
            [
                f"{x:.2f}, {y:.2f}",
                f"курс {rng.uniform(50, 120):.4f}, {rng.uniform(50, 120):.4f}",
                f"USD {rng.uniform(50, 120):.4f}, EUR {rng.uniform(50, 120):.4f}",
                ", ".join(f"{rng.random():.4f}" for _ in range(rng.randint(3, 6))),
                f"score {rng.random():.4f}, {rng.random():.4f}",
                f"{rng.uniform(100, 999):.4f}, {rng.uniform(100, 999):.4f}",
            ]
        )


GENERATORS = [
    prices,
    dates,
    timestamps,
    orders,
    skus,
    versions,
    invalid_numbers,
    network_decoys,
    coordinate_decoys,
]


def test_every_identifier_is_registered() -> None:
    assert {
        "RU_INN",
        "RU_SNILS",
        "RU_OGRN",
        "RU_OGRNIP",
        "RU_PASSPORT",
        "RU_OMS",
        "RU_BANK_ACCOUNT",
        "RU_DRIVER_LICENSE",
        "IMEI",
        "MAC_ADDRESS",
        "GEO_COORDINATES",
    } <= IDENTIFIERS
    assert {r.ENTITY for r in recognizers()} == IDENTIFIERS


@pytest.mark.parametrize("generate", GENERATORS, ids=[g.__name__ for g in GENERATORS])
def test_no_findings_in_noise(generate: Callable[[random.Random], Iterator[str]]) -> None:
    rng = random.Random(f"noise-{generate.__name__}")
    active = recognizers()
    false_positives = [
        (text, recognizer.ENTITY, text[start:end])
        for text in generate(rng)
        for recognizer in active
        for start, end, _score in recognizer.find(text)
    ]
    assert false_positives == []
