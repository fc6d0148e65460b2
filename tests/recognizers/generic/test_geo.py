"""GEO_COORDINATES: decimal latitude and longitude pairs."""

from __future__ import annotations

import pytest

from recognizers.generic.geo import GeoCoordinatesRecognizer
from tests.recognizers.spans import assert_valid_spans

R = GeoCoordinatesRecognizer()


@pytest.mark.parametrize(
    ("text", "pair", "score", "reason"),
    [
        ("55.7558, 37.6173", "55.7558, 37.6173", 0.6, "bare pair"),
        ("at 55.7558,37.6173 now", "55.7558,37.6173", 0.6, "no space"),
        ("-33.8688; 151.2093", "-33.8688; 151.2093", 0.6, "negative, semicolon"),
        ("55.7558° N, 37.6173° E", "55.7558° N, 37.6173° E", 0.95, "hemispheres"),
        ("33.8688°S 151.2093°E", "33.8688°S 151.2093°E", 0.95, "compact hemispheres"),
        ("55.7558° с.ш., 37.6173° в.д.", "55.7558° с.ш., 37.6173° в.д.", 0.95, "Russian"),
        ("координаты: 55.7558 37.6173", "55.7558 37.6173", 0.95, "context, space-separated"),
        ("lat/lon 55.755831, 37.617673", "55.755831, 37.617673", 0.95, "six decimals"),
        ("широта и долгота: 1.2345, 2.3456, 120", "1.2345, 2.3456", 0.95, "context wins lists"),
    ],
)
def test_found(text: str, pair: str, score: float, reason: str) -> None:
    start = text.index(pair)
    assert R.find(text) == [(start, start + len(pair), score)], reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("55.755, 37.617", "three decimals"),
        ("95.7558, 37.6173", "latitude out of range"),
        ("55.7558, 190.6173", "longitude out of range"),
        ("0.0000, 0.0000", "null island: a default value"),
        ("курс USD 92.5432, EUR 99.8765", "exchange rates"),
        ("курс 92.5432, 99.8765", "rates without currency codes"),
        ("scores 0.1234, 0.5678, 0.9012", "a list of numbers"),
        ("1.2345, 55.7558, 37.6173", "part of a longer list"),
        ("$12.3456, 45.6789", "amount"),
        ("v1.2.3.4567, 2.3456", "version"),
        ("123.4567, 37.6173", "three integer digits in latitude"),
        ("55.7558° E, 37.6173° N", "hemispheres swapped"),
        ("12345.6789, 37.6173", "a longer number"),
    ],
)
def test_not_found(text: str, reason: str) -> None:
    assert R.find(text) == [], reason


@pytest.mark.parametrize(
    "text",
    [
        "5" * 100_000,
        "55.7558" * 14_000,
        "55.7558, " * 11_000,
        "1.2345 " * 14_000,
        "55.7558° " * 11_000,
        "0." + "1" * 100_000,
    ],
    ids=["digit-run", "glued-decimals", "list", "spaced-list", "degrees", "long-fraction"],
)
def test_adversarial_input_gives_valid_spans(text: str) -> None:
    assert_valid_spans(text, R.find(text))
