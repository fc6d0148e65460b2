"""ADDRESS (English and international): a street core checked by usaddress and grown over
the rest of the address; not a city alone, numbers in prose, or an organisation's address."""

from __future__ import annotations

import pytest

from recognizers.en.address import EnAddressRecognizer

R = EnAddressRecognizer()


def found(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in R.find(text)]


CASES = [
    ("Jacob lives on 90 Whitchurch Road near the park", ["90 Whitchurch Road"], "a road"),
    (
        "Ship to 123 Main St, Springfield, IL 62704 please",
        ["123 Main St, Springfield, IL 62704"],
        "grown over city, state and ZIP code",
    ),
    (
        "Billing address: Sara Schwarz\n    28245 Puruntie 82\n Suite 12\n Helsinki",
        ["28245 Puruntie 82\n Suite 12\n Helsinki"],
        "a Finnish glued street type, lines",
    ),
    ("PSC 0413, Box 8144\nAPO AA 42323", ["PSC 0413, Box 8144\nAPO AA 42323"], "military mail"),
    ("Rua do Arenque 1634, Lisbon", ["Rua do Arenque 1634, Lisbon"], "type first, number last"),
    ("The bus station is on Villacher Strasse 89", ["Villacher Strasse 89"], "German order"),
    ("I live at 29 Rue de Tanger", ["29 Rue de Tanger"], "a number before Rue"),
    ("Apt. 117", ["Apt. 117"], "a unit alone is part of an address"),
    ("PO Box 1234", ["PO Box 1234"], "a post box"),
    ("Acme Inc., 1 Infinite Loop, Cupertino, CA 95014", [], "a company's signature"),
    ("Visit us: 221 Market Street, San Francisco", [], "a shop's address"),
    ("Order 12345 shipped on Monday", [], "an order number"),
    ("Route is 10.0.0.0/8 via the gateway", [], "a network route: a dotted number is no house"),
    ("Via Appia version 2.5 released", [], "a version after a street-type word"),
    ("Hauptstrasse 1,5 km entfernt", [], "a distance, not a house number"),
    ("Open 9am-5pm, 7 days a week", [], "opening hours"),
    ("We have 3 Park benches", [], "a number and a street-type word"),
    ("Windows 10 is out", [], "a product and a number"),
    ("Top 10 Best Movies 2023", [], "a headline"),
    ("Chapter 5 Section 3 Part 2", [], "a book's parts"),
    ("Paris", [], "a city alone"),
    ("London, United Kingdom", [], "a city and a country"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_en_address(text: str, expected: list[str], reason: str) -> None:
    assert found(text) == expected
