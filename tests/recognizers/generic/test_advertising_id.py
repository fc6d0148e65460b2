"""ADVERTISING_ID: a UUID with an IDFA/GAID cue; the opted-out all-zero id is not PII."""

from __future__ import annotations

import pytest

from recognizers.generic.advertising_id import AdvertisingIdRecognizer

R = AdvertisingIdRecognizer()
ID = "3f2b8c1e-9a4d-4e7b-b1c2-5d6e7f8a9b0c"  # random, synthetic


def found(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in R.find(text)]


CASES = [
    (f"idfa={ID.upper()}", [ID.upper()], "IDFA query parameter, Apple's upper case"),
    (f"GAID {ID}", [ID], "Google advertising id"),
    (f'"advertisingId": "{ID}"', [ID], "a camelCase key in the same string"),
    (f"advertising_id: {ID}", [ID], "snake_case key"),
    (f"device.ifa={ID}", [ID], "OpenRTB's ifa"),
    (f"рекламный идентификатор {ID}", [ID], "Russian cue"),
    (f"{ID} (AAID)", [ID], "cue after the id"),
    ("idfa=00000000-0000-0000-0000-000000000000", [], "opted out: the zero id"),
    (f"request_id={ID}", [], "a request id"),
    (f"order {ID}", [], "an order id"),
    (f"{ID}", [], "a bare UUID"),
    (f"idfa={ID}-extra", [], "not a whole UUID"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_advertising_id(text: str, expected: list[str], reason: str) -> None:
    assert found(text) == expected
