"""UUIDs hold no findings; numbers dressed up with hex letters or as UUIDs still do."""

from __future__ import annotations

import random
import uuid

import pytest

from recognizers.engine import Detector
from recognizers.findings import Finding
from recognizers.machine_ids import machine_id_spans, outside_machine_ids
from recognizers.registry import build_detector

ID_COUNT = 5000


@pytest.fixture(scope="module")
def detector() -> Detector:
    """Every recognizer, the NER models too: a slug of names (``fe-ba``) is a PERSON finding."""
    return build_detector()


def seeded_uuids(count: int) -> list[str]:
    rng = random.Random(20261203)
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(count)]


def test_uuids_hold_no_findings(detector: Detector) -> None:
    """Before the filter, about one UUID in 200 held a phone, card, ИНН or name."""
    ids = seeded_uuids(ID_COUNT)
    ids += [str(uuid.uuid5(uuid.NAMESPACE_URL, f"http://localhost:{port}/")) for port in range(999)]
    texts = ids + [i.upper() for i in ids[:500]] + [f"request {i} failed" for i in ids[:500]]
    leftover = {
        text: [(text[f.start : f.end], f.entity_type) for f in found]
        for text, found in zip(texts, detector.analyze(texts), strict=True)
        if found
    }
    assert leftover == {}


def test_digests_keep_their_findings() -> None:
    """A digest's leading digits are what a number with hex letters glued on looks like."""
    text = "83950160648e3b8fe394c1cd9633d79cad816c06"
    assert machine_id_spans(text) == []


STILL_FOUND = [
    ("Звоните 89161234567abc", "89161234567", "PHONE_NUMBER", "hex letters glued on"),
    ("tel 8 916 123-45-67 deadbeef", "8 916 123-45-67", "PHONE_NUMBER", "a hex word beside"),
    ("card 4111111111111111ab", "4111111111111111", "CREDIT_CARD", "not a digest: 18 digits"),
    (
        "card 4111111111111111e3b8fe394c1cd963",
        "4111111111111111",
        "CREDIT_CARD",
        "an MD5's length and look",
    ),
    (
        "card 41111111-1111-1111-1f4e-5d6e7f8a9b0c",
        "41111111-1111-1111",
        "CREDIT_CARD",
        "a UUID's groups, but no RFC variant digit",
    ),
    ("ИНН 7707083893-aaaa-bbbb", "7707083893", "RU_INN", "hyphens, but not a UUID's groups"),
    (
        "idfa=3f2b8c1e-9a4d-4e7b-b1c2-5d6e7f8a9b0c",
        "3f2b8c1e-9a4d-4e7b-b1c2-5d6e7f8a9b0c",
        "ADVERTISING_ID",
        "a finding that is the whole UUID stands",
    ),
    (
        "write to 5f4dcc3b5aa765d61d8327deb882cf99@example.com",
        "5f4dcc3b5aa765d61d8327deb882cf99@example.com",
        "EMAIL_ADDRESS",
        "a digest as an e-mail's local part: the address is more than the digest",
    ),
]


@pytest.mark.parametrize(
    ("text", "value", "entity", "reason"), STILL_FOUND, ids=[c[-1] for c in STILL_FOUND]
)
def test_numbers_with_hex_letters_are_still_found(
    detector: Detector, text: str, value: str, entity: str, reason: str
) -> None:
    found = {(text[f.start : f.end], f.entity_type) for f in detector.analyze([text])[0]}
    assert (value, entity) in found


SPAN_CASES = [
    ("f8991b5e-0859-4412-8ff8-e855ab77bc98", [(0, 36)], "a UUID"),
    ("/item-F8991B5E-0859-4412-8FF8-E855AB77BC98/", [(6, 42)], "upper case, in a URL slug"),
    ("12345678-1234-1234-1234-123456789012", [], "no hex letter: digits in a UUID's groups"),
    ("f8991b5e-0859-4412-8ff8-e855ab77bc98a", [], "a letter glued on"),
    ("f8991b5e-0859-9412-8ff8-e855ab77bc98", [], "no RFC version digit"),
    ("f8991b5e-0859-4412-cff8-e855ab77bc98", [], "no RFC variant digit"),
    ("5f4dcc3b5aa765d61d8327deb882cf99", [], "a digest is no UUID"),
]


@pytest.mark.parametrize(("text", "spans", "reason"), SPAN_CASES, ids=[c[-1] for c in SPAN_CASES])
def test_machine_id_spans(text: str, spans: list[tuple[int, int]], reason: str) -> None:
    assert machine_id_spans(text) == spans


def test_only_findings_inside_and_short_of_the_whole_are_dropped() -> None:
    text = "id f8991b5e-0859-4412-8ff8-e855ab77bc98 tel"
    inside = Finding(12, 23, "PHONE_NUMBER", 0.6, "PhoneNumberRecognizer")
    whole = Finding(3, 39, "ADVERTISING_ID", 1.0, "AdvertisingIdRecognizer")
    across = Finding(30, 43, "PHONE_NUMBER", 0.6, "PhoneNumberRecognizer")
    assert outside_machine_ids(text, [inside, whole, across]) == [whole, across]
