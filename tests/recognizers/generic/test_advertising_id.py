"""ADVERTISING_ID: a UUID with an IDFA/GAID cue; the opted-out all-zero id is not PII."""

from __future__ import annotations

import pytest

from recognizers.generic.advertising_id import AdvertisingIdRecognizer
from recognizers.registry import build_detector

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


KEY_CASES = [
    ("idfa", True, "Apple's name as the key"),
    ("gaid", True, "Google's"),
    ("advertisingId", True, "camelCase"),
    ("google_ad_id", True, "a two-word cue inside a longer key"),
    ("ads_id", True, "plural"),
    ("oaid", True, "Huawei's"),
    ("Advertising Identifier", True, "words, capitalised"),
    ("order_id", False, "an order id is no advertising id"),
    ("uuid", False, "a UUID key says nothing of whose"),
    ("session_id", False, "a session id"),
    ("aid", False, "not a cue"),
]


@pytest.mark.parametrize(("key", "expected", "reason"), KEY_CASES, ids=[c[-1] for c in KEY_CASES])
def test_a_json_key_is_the_cue(key: str, expected: bool, reason: str) -> None:
    """The value alone under a key (``{"google_ad_id": "…"}``): the key is the only cue."""
    detector = build_detector(names=False)
    [findings] = detector.analyze([ID], [key])
    assert [f.entity_type for f in findings] == (["ADVERTISING_ID"] if expected else []), reason
