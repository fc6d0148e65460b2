"""The issue 19 benchmark's corpora, and the pipeline on them: every planted value is found,
no decoy is flagged, and no planted value is readable in the clean output."""

from __future__ import annotations

from collections.abc import Sequence

import orjson
import pytest
from stdnum import iban as stdnum_iban
from stdnum.gb import nhs as stdnum_nhs
from stdnum.us import itin as stdnum_itin
from stdnum.us import ssn as stdnum_ssn

from benchmarks.accuracy import PAGE_TYPES, Case
from benchmarks.accuracy_pages import HELD_OUT, evaluate, load_held_out, load_pages
from recognizers.generic.crypto import base58check_valid, segwit_valid
from recognizers.registry import build_detector
from streams.core import Redactor, Verdict
from streams.core.policy import DEFAULT_POLICY

PAGES = load_pages(per_type=10, seed=5)
HELD = load_held_out()
CASES = (*PAGES.cases, *HELD.cases)


def test_gold_is_where_the_value_is_and_identifiers_are_valid() -> None:
    validators = {
        "IBAN_CODE": stdnum_iban.is_valid,
        "US_SSN": stdnum_ssn.is_valid,
        "US_ITIN": stdnum_itin.is_valid,
        "UK_NHS": stdnum_nhs.is_valid,
    }
    for case in PAGES.cases:
        for mention in case.gold:
            value = case.text[mention.start : mention.end]
            assert value.strip() == value and value, case.text
            check = validators.get(mention.entity_type)
            if check is not None:
                assert check(value.replace(" ", "").replace("-", "")), value
            if mention.entity_type == "CRYPTO" and not value.startswith("0x"):
                assert base58check_valid(value) or segwit_valid(value), value
    types = {m.entity_type for case in PAGES.cases for m in case.gold}
    assert types == set(PAGE_TYPES)
    assert all(text.count(value) >= 1 for text, _type, value in HELD_OUT)


def _clean_texts(cases: Sequence[Case], consent: dict[str, object] | None) -> list[str]:
    records = []
    for index, case in enumerate(cases):
        record: dict[str, object] = {
            "id": f"t-{index}",
            "source": "https://example.com/page",
            "scraped_at": "2026-11-20T08:15:00Z",
            "data": {"text": case.text},
        }
        if consent is not None:
            # A grant counts for distribution only on a record whose subject can withdraw it.
            record["subject_ref"] = f"vk:{index}"
            # The page's values are its subject's: their consent decides them.
            identity: dict[str, list[str]] = {}
            for mention in case.gold:
                value = case.text[mention.start : mention.end]
                identity.setdefault(mention.entity_type, []).append(value)
            record["consent"] = {**consent, "identity": identity} if identity else consent
        records.append(orjson.dumps(record))
    outcomes = Redactor(build_detector(names=False), DEFAULT_POLICY).redact_batch(records)
    texts = []
    for outcome in outcomes:
        assert outcome.verdict is Verdict.CLEAN
        assert outcome.value is not None
        texts.append(orjson.loads(outcome.value)["data"]["text"])
    return texts


def test_no_planted_value_is_readable_without_consent_and_no_decoy_is_touched() -> None:
    for case, clean in zip(CASES, _clean_texts(CASES, None), strict=True):
        if case.decoy:  # (a decoy may hold an older type: an e-mail address, an ИНН)
            assert not any(f"<{entity}>" in clean for entity in PAGE_TYPES), clean
        for mention in case.gold:
            value = case.text[mention.start : mention.end]
            assert value not in clean, (mention.entity_type, clean)
            assert f"<{mention.entity_type}>" in clean, clean


#: Kept as published under consent to distribution, as names are.
LIKE_NAMES = {"USERNAME", "PROFILE_URL"}


def test_with_distribution_consent_addresses_are_redacted_and_numbers_masked() -> None:
    consent = {"status": "granted", "scope": ["processing", "distribution"]}
    for case, clean in zip(CASES, _clean_texts(CASES, consent), strict=True):
        for mention in case.gold:
            value = case.text[mention.start : mention.end]
            if mention.entity_type in LIKE_NAMES:
                assert value in clean
            else:
                assert value not in clean, (mention.entity_type, clean)
            if mention.entity_type == "ADDRESS":
                assert "<ADDRESS>" in clean


@pytest.fixture(scope="module")
def rows() -> list[object]:
    return list(evaluate(per_type=10, seed=5, examples=3))


def test_recall_and_decoy_floors(rows: list[object]) -> None:
    from benchmarks.accuracy import Row  # noqa: PLC0415

    by_key = {(r.dataset, r.entity): r for r in rows if isinstance(r, Row)}
    for entity in PAGE_TYPES:
        for dataset in ("pages", "held-out"):
            row = by_key[(dataset, entity)]
            assert row.recall is not None and row.recall >= 0.95, (dataset, entity, row.fn_examples)
            assert row.decoys == 0, (dataset, entity, row.fp_examples)
