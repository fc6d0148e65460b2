"""ADDRESS (English and international): ``90 Whitchurch Road``, ``2450 Crown St, Springfield, IL
62704``, ``Rua do Arenque 1634``, ``Koskikatu 25 Apt. 864``, ``PO Box 123``.

Two stages, so that a string without an address costs one regex pass:

1. **Prefilter** (the patterns below, linear-time): a street core, that is a house number
   and a street-type word (``Street``, ``St``, ``Avenue``, ``Rd``, …, in a few languages: ``Rue``,
   ``Via``, ``Calle``, ``Rua``, ``Strasse``, ``-katu``, ``-tie``, ``-gatan``, ``ul.``, …) in either
   order with up to five words between, or a post box (``PO Box 12``, ``PSC 0413, Box 8144``).
2. **Parse** each core with ``usaddress`` (a CRF model shipped in its wheel, about 0.1 ms a
   string) on a window of the text from the core on: the core must parse as an address (an
   ``AddressNumber`` and a ``StreetName``, or a ``USPSBox``), and the span then grows over the
   parts that follow it in the same address (unit, city, state, ZIP code, country), as long as
   each is tagged so and looks like one (a digit, or a capital letter).

A city or a country alone is not an address, nor is a street without a number. An
organisation's address (after Inc., Ltd, LLC, "our office", "visit us", "headquarters", …)
is left alone unless a delivery or residence word (ship to, deliver, lives, my address, …) is
nearer.
"""

from __future__ import annotations

import re
from typing import ClassVar, Final

import usaddress

from recognizers.base import ValidatedPatternRecognizer

_STREET_WORDS = (
    "Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Way"
    "|Terrace|Ter|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|Trail|Trl|Crescent|Cres|Close"
    "|Gardens|Gdns|Row|Walk|Alley|Plaza|Haven|Loop|Pike|Path|Crossing|Expressway|Freeway"
    "|Mews|Hill|Park|Grove|Green|Vale|View|Rise|Heights|Ridge|Point|Port|Pass|Estates|Brook"
    "|Creek|Falls|Ford|Forge|Glen|Harbor|Harbour|Island|Junction|Knoll|Lake|Landing|Manor"
    "|Meadow|Meadows|Mill|Mills|Mount|Orchard|Pines|Ranch|Shore|Shores|Spring|Springs|Station"
    "|Summit|Valley|Village|Well|Wells|Wood|Woods|Common|Commons|Causeway|Embankment|Quay"
    "|Wharf|Strand|Broadway"
)
_PREFIX_TYPES = (
    r"Rue|Via|Viale|Vicolo|Piazza|Piazzale|Corso|Largo|Calle|Carrer|Avenida|Avda\.|Av\.|Rua"
    r"|Travessa|Praça|Paseo|Plaza|Camino|Ronda|Plac|ul\.|ulica|Aleja|al\.|Boulevard|Bd|Chemin"
    r"|Allée|Impasse|Quai|Route|Place|Strada|Calea|Odos|Leoforos|Πλατεία|Οδός|Λεωφόρος"
)
_GLUED_SUFFIXES = (
    r"katu|tie|kuja|polku|gatan|gata|vägen|väg|gade|vej|veien|vegen|laan|straat|weg|gasse"
    r"|platz|allee|ring|damm|ufer|utca|út|tér|cesta|iela|gatve|strasse|straße|str\."
)
_NUMBER = r"[0-9]{1,6}[A-Za-z]?"
_W = r"[^\W\d_][\w.'’\-]{0,30}"
_GAP = r"[ \u00a0]{1,3}"
_NUMBER_FIRST = (
    r"(?<![0-9A-Za-z])" + _NUMBER + r",?(?:" + _GAP + _W + r"){1,5}?" + _GAP
    + r"(?:" + _STREET_WORDS + r")\.?(?![^\W\d_])"
)  # fmt: skip
_TYPE_FIRST = (
    r"(?<![^\W\d_])(?:" + _PREFIX_TYPES + r")(?:" + _GAP + _W + r"){1,5}?,?" + _GAP
    + r"[0-9]{1,5}[A-Za-z]?(?![0-9])"
)  # fmt: skip
_GLUED = (
    r"(?<![^\W\d_])[^\W\d_]{2,30}(?:" + _GLUED_SUFFIXES + r")" + _GAP
    + r"[0-9]{1,5}[A-Za-z]?(?![0-9])"
)  # fmt: skip
_BOX = (
    r"(?<![^\W\d_])(?:P\.?[ ]?O\.?[ ]?Box|POB|Post[ ]Office[ ]Box|PSC[ ][0-9]{1,5},?[ ]Box"
    r"|Unit[ ][0-9]{1,5}[ ]Box)[ ]?[0-9]{1,6}(?![0-9])"
)

#: Labels of the parts that may follow a street core in the same address.
_TAIL_LABELS: Final = frozenset(
    {
        "AddressNumber", "AddressNumberSuffix", "StreetName", "StreetNamePostType",
        "StreetNamePostDirectional", "StreetNamePreType", "StreetNamePreDirectional",
        "OccupancyType", "OccupancyIdentifier", "SubaddressType", "SubaddressIdentifier",
        "PlaceName", "StateName", "ZipCode", "CountryName", "USPSBoxType", "USPSBoxID",
        "USPSBoxGroupType", "USPSBoxGroupID", "BuildingName",
    }
)  # fmt: skip
#: The core must hold one of these to be an address.
_CORE_LABELS: Final = frozenset({"AddressNumber", "StreetName", "USPSBoxID"})
#: How far past the core the parse looks for the rest of the address.
_WINDOW: Final = 120
_TOKEN: Final = re.compile(r"\S+")

_ORGANISATION: Final = re.compile(
    r"(?<![a-z])(?:inc|ltd|llc|llp|plc|gmbh|corp|corporation|company|co\.|headquarters|hq"
    r"|head office|our office|our store|our shop|visit us|find us|located at|showroom|branch"
    r"|registered office)(?![a-z])"
)
_PERSONAL: Final = re.compile(
    r"(?<![a-z])(?:ship to|shipping|deliver\w*|lives?|living|moved|my address|home address"
    r"|billing address|mailing address|resides?|residence|send (?:it )?to)(?![a-z])"
)


def _labelled_tokens(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """``text[start:end]`` as usaddress tags it: ``(start, end, label)`` per token."""
    window = text[start:end]
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(window)]
    if not spans:
        return []
    parsed = usaddress.parse(window)  # an error propagates: the record is not published
    out: list[tuple[int, int, str]] = []
    cursor = 0
    for token, label in parsed:
        found = window.find(token.strip(), cursor)
        if found < 0:
            continue
        stop = found + len(token.strip())
        out.append((start + found, start + stop, label))
        cursor = stop
    return out


def _looks_like_part(token: str) -> bool:
    word = token.strip(",.;:")
    return bool(word) and (any(ch.isdigit() for ch in word) or word[0].isupper())


class EnAddressRecognizer(ValidatedPatternRecognizer):
    """A street core or post box that usaddress parses as an address, grown over the city,
    state, ZIP code and country that follow it."""

    ENTITY: ClassVar[str] = "ADDRESS"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (
        ("number-first", _NUMBER_FIRST, 0.85),
        ("type-first", _TYPE_FIRST, 0.85),
        ("glued", _GLUED, 0.85),
        ("box", _BOX, 0.85),
    )
    CONTEXT: ClassVar[tuple[str, ...]] = ("address", "ship", "deliver", "lives", "resid")
    LANGUAGE: ClassVar[str] = "en"
    #: Every finding holds a house or box number; ``expand`` hides that from the detector.
    MIN_DIGITS: ClassVar[int] = 1

    def expand(
        self, text: str, matches: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        """Each core that parses as an address, grown over the parts after it; a house
        number right before a core that starts with the street (``6750 Koskikatu 25``)
        joins it."""
        out: list[tuple[int, int, float]] = []
        for start, end, base in matches:
            begin = start
            lead = re.search(
                r"(?<![0-9A-Za-z])[0-9]{1,6}[ \u00a0]{1,2}$", text[max(0, start - 9) : start]
            )
            if lead is not None and not text[start].isdigit():
                begin = start - (len(text[max(0, start - 9) : start]) - lead.start())
            limit = text.find("\n\n", end)
            stop = min(len(text), end + _WINDOW) if limit < 0 else min(limit, end + _WINDOW)
            tokens = _labelled_tokens(text, begin, stop)
            core = [label for s, e, label in tokens if s < end]
            if not _CORE_LABELS.intersection(core):
                continue
            last = end
            for s, e, label in tokens:
                if e <= end:
                    continue
                if label not in _TAIL_LABELS or not _looks_like_part(text[s:e]):
                    break
                last = max(last, e)
            while last > end and text[last - 1] in ",;:":
                last -= 1
            out.append((begin, last, base))
        return out

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        before = text[max(0, start - 60) : start].lower()
        organisation = None
        for organisation in _ORGANISATION.finditer(before):  # noqa: B007 - the nearest
            pass
        if organisation is not None and not _PERSONAL.search(before, organisation.end()):
            return None
        return base_score
