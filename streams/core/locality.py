"""The locality (city or town) of a postal address, for the ``generalise`` action.

:func:`locality` returns the one part of an address that may be shown under consent to
distribution, or ``None`` when that part cannot be told apart with confidence; the caller then
redacts the whole address (fail closed). What is never returned: a street, a house, building or
flat number, a postcode, a PO box, a region or district alone, any digit.

- Russian: the settlement marked as a city (``г. Москва``, ``г Казань``, ``город Нижний
  Новгород``, ``г. Ростов-на-Дону``), or a city of federal significance written bare as its own
  comma-separated part (``Москва, ул. Тверская, д. 7``). Villages and settlements (``с.``,
  ``пос.``, ``д.``) are not returned: where a few hundred people live, the village and a name
  single out a person, and ``д.`` is also the house.
- English and international: ``usaddress`` (the CRF model also used by
  ``recognizers.en.address``) labels the tokens; its ``PlaceName`` and ``StateName`` are
  returned when they are letters only and stand apart from the street. A parse that labels no
  place, or a place holding a digit or a street word, gives ``None``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Final

#: A city marker and the city's name: capitalised words, hyphenated parts in any case
#: (``Ростов-на-Дону``, ``Петропавловск-Камчатский``), at most three words.
_RU_CITY: Final = re.compile(
    r"(?<![А-Яа-яЁёA-Za-z])(?:г\.|г(?=\s)|гор\.|город(?=\s))\s*"
    r"([А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]*)*(?:\s[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]*)*){0,2})"
)
#: Cities of federal significance, often written without ``г.``.
_FEDERAL_CITIES: Final = frozenset({"москва", "санкт-петербург", "севастополь"})
_CYRILLIC: Final = re.compile(r"[А-Яа-яЁё]")
#: Words that belong to a street or a building, never to a city's name.
_STREET_WORDS: Final = frozenset(
    {
        "street", "st", "avenue", "ave", "road", "rd", "lane", "ln", "drive", "dr", "boulevard",
        "blvd", "way", "court", "ct", "place", "pl", "square", "sq", "box", "apt", "suite",
        "unit", "floor", "rue", "via", "strasse", "straße", "terrace", "close", "highway",
    }
)  # fmt: skip
_PLACE_LABELS: Final = ("PlaceName", "StateName")


def locality(address: str) -> str | None:
    """The city (with its state, where the address gives one) of ``address``, or ``None``."""
    if _CYRILLIC.search(address):
        return _russian_locality(address)
    return _latin_locality(address)


def _russian_locality(address: str) -> str | None:
    marked = _RU_CITY.search(address)
    if marked is not None:
        return f"г. {marked.group(1)}"
    for part in address.split(","):
        name = part.strip()
        if name.casefold().replace("ё", "е") in _FEDERAL_CITIES:
            return name
    return None


@lru_cache(maxsize=1)
def _usaddress() -> Any:
    import usaddress  # noqa: PLC0415 - loads a CRF model; only a policy using generalise needs it

    return usaddress


def _latin_locality(address: str) -> str | None:
    try:
        tokens = _usaddress().parse(address)
    except Exception:
        return None
    parts: dict[str, list[str]] = {label: [] for label in _PLACE_LABELS}
    for token, label in tokens:
        if label in parts:
            parts[label].append(token.strip(",;"))
    place = " ".join(parts["PlaceName"])
    if not _plain_name(place):
        return None
    state = " ".join(parts["StateName"])
    return f"{place}, {state}" if _plain_name(state) else place


def _plain_name(name: str) -> bool:
    """At most four words of letters (``.'-`` inside), none of them a street word."""
    words = name.split()
    if not 1 <= len(words) <= 4:
        return False
    return all(
        re.fullmatch(r"[^\W\d_](?:[^\W\d_]|[.'\-])*", word) is not None
        and word.casefold().strip(".") not in _STREET_WORDS
        for word in words
    )
