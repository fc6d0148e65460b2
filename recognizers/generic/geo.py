"""GEO_COORDINATES: a latitude and longitude pair in decimal degrees (a precise location, so
personal data when it is someone's home or whereabouts).

Layouts: ``55.7558, 37.6173``, ``55.7558 37.6173``, ``-33.8688;151.2093`` and with hemispheres
``55.7558° N, 37.6173° E`` or ``55.7558° с.ш., 37.6173° в.д.``. Each number needs at least
four decimals (about 11 m); latitude must lie in [-90, 90] and longitude in [-180, 180].

==========================================================  =====
the candidate                                               score
==========================================================  =====
hemisphere letters, or a context word nearby (широта,        0.95
долгота, координаты, lat, lon, GPS, location)
a bare pair, not part of a longer list of numbers, no        0.6
price, rate or version word nearby
``0.0000, 0.0000`` (a default, not a place), out of range   dropped
==========================================================  =====
"""

from __future__ import annotations

from typing import ClassVar

import regex

from recognizers.base import Stems, ValidatedPatternRecognizer
from recognizers.context import Vocabulary

_SP = "[ \u00a0]"
_LAT = r"-?[0-9]{1,2}\.[0-9]{4,10}"
_LON = r"-?[0-9]{1,3}\.[0-9]{4,10}"
_DEG = rf"{_SP}?°?{_SP}?"
_NS = r"(?:[NS]|[сю]\.?[ \u00a0]?ш\.?)"
_EW = r"(?:[EW]|[вз]\.?[ \u00a0]?д\.?)"
_BEFORE = r"(?<![0-9.\-])"
_AFTER = r"(?![0-9])(?!\.[0-9])"
_NOT_LETTER = r"(?![^\W\d_])"

_PLAIN = _BEFORE + _LAT + rf"(?:{_SP}?[,;]{_SP}{{0,3}}|{_SP}{{1,3}})" + _LON + _AFTER
_HEMISPHERES = (
    _BEFORE + _LAT + _DEG + _NS + rf"{_SP}?[,;]?{_SP}{{0,3}}" + _LON + _DEG + _EW + _NOT_LETTER
)

_NUMBER = regex.compile(r"-?[0-9]{1,3}\.[0-9]{4,10}")
_HEMISPHERE_MARK = regex.compile(r"[NSEW]|ш|д")
_LIST_BEFORE = regex.compile(r"[0-9][ \u00a0]?[,;][ \u00a0]{0,3}$")
_LIST_AFTER = regex.compile(r"^[ \u00a0]?[,;][ \u00a0]{0,3}-?[0-9]")

WITH_CONTEXT = 0.95
BARE_PAIR = 0.6

_NOT_GEO = Stems(
    (
        "курс",
        "rate",
        "price",
        "цена",
        "стоимост",
        "руб",
        "usd",
        "eur",
        "rub",
        "версия",
        "version",
        "score",
        "вероятн",
        "probab",
        "weight",
        "loss",
        "accuracy",
        "точност",
    )
)


class GeoCoordinatesRecognizer(ValidatedPatternRecognizer):
    """Decimal latitude and longitude pairs with at least four decimals each."""

    ENTITY: ClassVar[str] = "GEO_COORDINATES"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (
        ("geo_plain", _PLAIN, BARE_PAIR),
        ("geo_hemispheres", _HEMISPHERES, WITH_CONTEXT),
    )
    CONTEXT: ClassVar[tuple[str, ...]] = (
        "широт",
        "долгот",
        "координат",
        "геолокац",
        "местоположен",
        "локаци",
        "gps",
        "глонасс",
        "lat",
        "lon",
        "lng",
        "coord",
        "geo",
        "location",
        "position",
    )

    def context_vocabularies(self) -> tuple[Vocabulary, ...]:
        return (*super().context_vocabularies(), _NOT_GEO.vocabulary)

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        candidate = text[start:end]
        numbers = _NUMBER.findall(candidate)
        if len(numbers) != 2:
            return None
        lat, lon = float(numbers[0]), float(numbers[1])
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0) or lat == lon == 0.0:
            return None
        if base_score >= WITH_CONTEXT and _HEMISPHERE_MARK.search(candidate):
            return WITH_CONTEXT
        if self.context_near(text, start, end):
            return WITH_CONTEXT
        if _LIST_BEFORE.search(text[max(0, start - 6) : start]):
            return None
        if _LIST_AFTER.match(text[end : end + 6]):
            return None
        if _NOT_GEO.near(text, start, end, before=32, after=16):
            return None
        if start > 0 and text[start - 1] in "$€₽£¥":
            return None
        return BARE_PAIR
