"""ADDRESS (English and international): ``90 Whitchurch Road``, ``2450 Crown St, Springfield, IL
62704``, ``Rua do Arenque 1634``, ``Koskikatu 25 Apt. 864``, ``PO Box 123``.

Three stages, so that a string without an address costs one cheap search:

1. **Keywords** (:meth:`EnAddressRecognizer.prefilter`): a street-type word, a box, unit or
   military post office word, or an address cue must stand somewhere in the string.
2. **Street cores** (the patterns below, linear-time): a house number and a street-type word
   (``Street``, ``St``, ``Avenue``, ``Rd``, …, in a few languages: ``Rue``, ``Via``, ``Calle``,
   ``Rua``, ``Strasse``, ``-katu``, ``-tie``, ``-gatan``, ``ul.``, …) in either order with up to
   five words between; a unit (``Apt. 117``, ``Suite 501``) with the street before it; a post
   box (``PO Box 12``, ``PSC 0413, Box 8144``) or military mail (``APO AA 42323``); words and a
   number after an address cue (``lives at Jahu 80``, ``Address: …``; the cue is left out).
3. **Parse** with ``usaddress`` (a CRF model shipped in its wheel, about 0.1 ms a string) on a
   window from the core on: the span grows over the parts that follow in the same address
   (unit, city, state, ZIP code, country), as long as each is tagged so and looks like one (a
   digit, or a capital letter). A core of a number, words and an English street word must
   itself parse as an address (``AddressNumber`` or ``StreetName``): ``3 Park benches`` does
   not. The other cores carry their own evidence; the model reads European layouts
   (``Villacher Strasse 89``) as anything. One parse per address, not per core.

A city or a country alone is not an address, nor is a street without a number. An
organisation's address (right after its name and legal form, ``Acme Inc., 1 Infinite Loop``, as
in a signature, or after "visit us", "our store", "headquarters", …; "our offices are at" is
not enough, an office may be a person's workplace) is left alone unless a
delivery or residence word (ship to, deliver, lives, my address, …) is nearer.
"""

from __future__ import annotations

import re
from typing import ClassVar, Final

import usaddress

from recognizers.prefilter import Prefiltered, literal_trie

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
    r"|platz|allee|damm|ufer|utca|út|tér|cesta|iela|gatve|strasse|straße|str\."
)
_NUMBER = r"[0-9]{1,6}[A-Za-z]?"
#: A house number ends where a number does: not before another digit, nor before a dot or comma
#: and a digit (``Route is 10.0.0.0/8``, ``Version 2.5``, ``Street 1,5 km`` are no addresses).
_NOT_DOTTED = r"(?![0-9]|[.,][0-9])"
_W = r"[^\W\d_][\w.'’\-]{0,30}"
_GAP = r"[ \u00a0]{1,3}"
_NUMBER_FIRST = (
    r"(?<![0-9A-Za-z])" + _NUMBER + r",?(?:" + _GAP + _W + r"){1,5}?" + _GAP
    + r"(?:" + _STREET_WORDS + r")\.?(?![^\W\d_])"
)  # fmt: skip
_WORD_THEN_NUMBER = (
    r"(?<![^\W\d_])[A-ZÀ-ÖØ-Þ][\w'’\-]{1,30}(?:" + _GAP + _W + r"){0,3}?" + _GAP
    + r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Boulevard|Blvd|Drive|Strasse|Straße|Str\.|Gasse"
    + r"|Weg|Platz|Allee|utca|útja|kapu)"
    + r"\.?,?" + _GAP + r"[0-9]{1,5}[A-Za-z]?" + _NOT_DOTTED
)  # fmt: skip
#: An address cue, then a street: words and a number, optionally after a house number
#: (``lives at 5366 Pivovarská 276``, ``address: Jahu 80``). The cue is not part of the span.
_CUE_WORDS = (
    r"(?:lives|living|live|lived|moved)[ ](?:at|on|in|to)|address(?:[ ]is)?[ ]?:?|"
    r"(?:sent|send|ship|deliver|mail|return)(?:[ ]it)?[ ]to|drops?[ ]you[ ]off[ ]at|"
    r"located[ ]at|arrived[ ]at|office[ ]is[ ]at|new[ ]address[ ]is|station[ ]is[ ]on"
    r"|enter[ ]on|refers[ ]to|they[ ]are:|address[ ]with|shows[ ]on"
)
_NUMBER_THEN_TYPE = (
    # Not after a slash, dot or colon (``10.0.0.0/8 via``: part of a route or path); `via` only
    # capitalised, as the English preposition is everywhere.
    r"(?<![0-9A-Za-z/.:])[0-9]{1,5}[A-Za-z]?,?" + _GAP
    + r"(?:Rue|rue|Via|Calle|calle|Rua|rua|Avenida|avenida|Av\.?|Avda\.|Boulevard|Bd|Odos)"
    + r"(?:" + _GAP + _W + r"){1,5}"
)  # fmt: skip


def _either_case(words: str) -> str:
    """``words`` (a regex of alternatives) with each word's first letter in either case."""
    return re.sub(
        r"(?<![A-Za-z\[])([a-z])",
        lambda m: f"[{m.group(1).upper()}{m.group(1)}]",
        words,
    )


_CUED = (
    r"(?<![^\W\d_])(?:" + _either_case(_CUE_WORDS) + r")[ \t\n]{1,3}"
    + r"(?:[0-9]{1,6}[A-Za-z]?[ ]{1,2})?(?:[^\W\d_][\w.'’\-]{0,30}[ ]{1,2}){1,4}"
    + r"[0-9]{1,5}[A-Za-z]?\.?" + _NOT_DOTTED
)  # fmt: skip
_NUMBER_FIRST_RE: Final = re.compile(_NUMBER_FIRST)
_OTHER_KEYWORDS: Final = (
    "Strasse", "Straße", "Str.", "Gasse", "Weg", "Platz", "Allee", "utca", "útja", "kapu", "rue",
    "via", "calle", "rua", "avenida", "Bd", "Odos", "Box", "box", "POB", "Apt", "APT", "apt",
    "Apartment", "Suite", "SUITE", "suite", "Ste", "APO", "FPO", "DPO", "apo", "fpo", "dpo",
)  # fmt: skip
#: Every address cue, as literal text (``_CUE_WORDS`` spelled out).
_CUE_PHRASES: Final = (
    *(f"{verb} {prep}" for verb in ("lives", "living", "live", "lived", "moved")
      for prep in ("at", "on", "in", "to")),
    *(f"{verb}{it} to" for verb in ("sent", "send", "ship", "deliver", "mail", "return")
      for it in ("", " it")),
    "address", "drop you off at", "drops you off at", "located at", "arrived at",
    "office is at", "new address is", "station is on", "enter on", "refers to", "they are:",
    "shows on",
)  # fmt: skip
_CUE_PREFIX: Final = re.compile(r"(?:" + _CUE_WORDS + r")[ \t\n]{1,3}", re.IGNORECASE)
_TYPE_FIRST = (
    r"(?<![^\W\d_])(?:" + _PREFIX_TYPES + r")(?:" + _GAP + _W + r"){1,5}?,?" + _GAP
    + r"[0-9]{1,5}[A-Za-z]?" + _NOT_DOTTED
)  # fmt: skip
_GLUED = (
    r"(?<![^\W\d_])[^\W\d_]{2,30}(?:" + _GLUED_SUFFIXES + r")" + _GAP
    + r"[0-9]{1,5}[A-Za-z]?" + _NOT_DOTTED
)  # fmt: skip
_BOX = (
    r"(?<![^\W\d_])(?:[Pp]\.?[ ]?[Oo]\.?[ ]?[Bb]ox|POB|Post[ ]Office[ ]Box"
    r"|(?:PSC|psc|Psc)[ ][0-9]{1,5},?[ ][Bb]ox|[Uu]nit[ ][0-9]{1,5}[ ][Bb]ox)[ ]?[0-9]{1,6}"
    r"(?![0-9])"
)
_OCCUPANCY = (
    r"(?<![^\W\d_])(?:Apt|APT|apt|Apartment|Suite|SUITE|suite|Ste)\.?[ ]?#?[0-9]{1,5}[A-Za-z]?"
    r"(?![0-9])"
)
_MILITARY = r"(?<![^\W\d_])(?:APO|FPO|DPO|apo|fpo|dpo)[ ](?:AA|AE|AP|aa|ae|ap)[ ][0-9]{5}(?![0-9])"
#: A unit or a military post office is an address part on its own: such a core needs no
#: parse of itself, and takes in the street before it (:data:`_LEFT`).
_STRONG: Final = re.compile(_OCCUPANCY + "|" + _MILITARY)
#: What may stand before a strong core in the same address, matched at the end of the text
#: before it: a house number, up to four words and a number (``20789 Allika 46``,
#: ``Koskikatu 25``), or a ship or unit and box line (``USNS Møller``, ``Unit 1009 Box 0219``).
_LEFT: Final = re.compile(
    r"(?:(?:(?<![0-9A-Za-z])[0-9]{1,6}[A-Za-z]?[ \t]{1,2})?"
    r"(?:[^\W\d_][\w.'’\-]{0,30}[ \t]{1,2}){1,4}[0-9]{1,5}[A-Za-z]?\.?"
    r"|(?:USNS|USNV|USS|USCGC)[ ][^\W\d_]{2,30}"
    r"|(?:PSC|Unit|unit|psc)[ ][0-9]{1,5},?[ ](?:Box|box)[ ][0-9]{1,5})"
    r"[ \t,>|•·?]{0,8}\n?[ \t,>|•·?]{0,8}$"
)
_LEFT_WINDOW: Final = 80


def _literals(alternatives: str) -> list[str]:
    """The words of a regex alternation of literal words (``Avda\\.|Rue`` -> ``Avda.``, ``Rue``)."""
    return [word.replace("\\.", ".") for word in alternatives.split("|")]


#: One of these stands in every core (a street type, a box, a unit, a military post office,
#: an address cue's first word, a glued street suffix), as literal text: a prefilter, so it
#: needs no word boundaries.
_KEYWORDS: Final = (
    literal_trie(
        [
            *_literals(_STREET_WORDS),
            *_literals(_PREFIX_TYPES),
            *_literals(_GLUED_SUFFIXES),
            *_OTHER_KEYWORDS,
            *(w for cue in _CUE_PHRASES for w in (cue, cue.capitalize())),
        ]
    )
    + r"(?![^\W\d_])"  # every keyword ends where a letter does not follow
)  # fmt: skip

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

#: An organisation's address: a legal form right before it (a signature, ``Acme Inc.,
#: 1 Infinite Loop``), or an organisation's phrase anywhere in the 60 characters before it.
_ORGANISATION_FORM: Final = re.compile(
    r"(?<![a-z])(?:inc|ltd|llc|llp|plc|gmbh|corp|co)\.?[\"'”»]?[ \t]{0,2}[,:\n\-–—|][ \t\n]{0,3}$"
)
_ORGANISATION: Final = re.compile(
    r"(?<![a-z])(?:headquarters|head office|our store|our shop|visit us|find us|showroom"
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


class EnAddressRecognizer(Prefiltered):
    """A street core or post box that usaddress parses as an address, grown over the city,
    state, ZIP code and country that follow it."""

    ENTITY: ClassVar[str] = "ADDRESS"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (
        ("number-first", _NUMBER_FIRST, 0.85),
        ("type-first", _TYPE_FIRST, 0.85),
        ("glued", _GLUED, 0.85),
        ("box", _BOX, 0.85),
        ("word-then-number", _WORD_THEN_NUMBER, 0.85),
        ("cued", _CUED, 0.85),
        ("number-then-type", _NUMBER_THEN_TYPE, 0.85),
        ("unit", _OCCUPANCY, 0.85),
        ("military", _MILITARY, 0.85),
    )
    CONTEXT: ClassVar[tuple[str, ...]] = ("address", "ship", "deliver", "lives", "resid")
    LANGUAGE: ClassVar[str] = "en"

    #: Every core holds one of these: a street type, a box, a unit, a military post office,
    #: or an address cue.
    KEYWORDS: ClassVar[str | None] = _KEYWORDS

    #: Every finding holds a house or box number; ``expand`` hides that from the detector.
    MIN_DIGITS: ClassVar[int] = 1

    def expand(
        self, text: str, matches: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        """Each core that parses as an address, grown over the parts after it; a house
        number right before a core that starts with the street (``6750 Koskikatu 25``)
        joins it. A core that lies inside an address already grown is not parsed again."""
        out: list[tuple[int, int, float]] = []
        covered = -1  # the end of the last address grown: a core inside it adds nothing
        for match_start, end, base in sorted(matches):
            if end <= covered:
                continue  # one parse per address, not per core (a long list stays fast)
            cue = _CUE_PREFIX.match(text, match_start)
            begin = start = match_start if cue is None else cue.end()
            strong = _STRONG.match(text, start) is not None
            # Only a number, words and an English street word (``3 Park benches``) must
            # also parse as an address; the other cores carry their own evidence (a cue, a
            # street type before the number), and the model reads European streets
            # (``Villacher Strasse 89``, ``Hauptstraße 12``) as anything.
            parsed_core = cue is None and _NUMBER_FIRST_RE.match(text, start) is not None
            left = text[max(0, start - _LEFT_WINDOW) : start]
            if strong:
                found = _LEFT.search(left)
                if found is not None:
                    begin = start - (len(left) - found.start())
            else:
                lead = re.search(r"(?<![0-9A-Za-z])[0-9]{1,6}[ \u00a0]{1,2}$", left)
                if lead is not None:
                    begin = start - (len(left) - lead.start())
            stop = min(len(text), end + _WINDOW)
            tokens = _labelled_tokens(text, begin, stop)
            core = [label for s, e, label in tokens if s < end]
            if parsed_core and not strong and not _CORE_LABELS.intersection(core):
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
            covered = max(covered, last)
        return out

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        before = text[max(0, start - 60) : start].lower()
        if _ORGANISATION_FORM.search(before):
            return None
        organisation = None
        for organisation in _ORGANISATION.finditer(before):  # noqa: B007 - the nearest
            pass
        if organisation is not None and not _PERSONAL.search(before, organisation.end()):
            return None
        return base_score
