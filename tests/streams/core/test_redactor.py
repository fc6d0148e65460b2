"""The pure redaction core, driven by a fake detector so every finding is known exactly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

import streams.core.redactor as core
from recognizers.findings import Finding
from streams.core import PIPELINE_VERSION, Reason, RecordContext, Redactor, Verdict, decide
from streams.core.consent import ConsentState, RegistryEntry, parse_consent, resolve
from streams.core.envelope import Limits, collect_slots, parse_record
from streams.core.keys import KeyBook, Keyring
from streams.core.people import People, PersonChange
from streams.core.policy import Action, Policy, Rule

# Synthetic personal data, and the entity type the fake detector reports for each.
EMAIL = "olga.sokolova@example.ru"
PHONE = "+7 916 123-45-67"
NAME = "Ольга Соколова"
CARD = "4111 1111 1111 1111"
PLANTED = {EMAIL: "EMAIL_ADDRESS", PHONE: "PHONE_NUMBER", NAME: "PERSON", CARD: "CREDIT_CARD"}

POLICY = Policy(version="test-policy-3")
NOW = datetime(2026, 11, 21, tzinfo=UTC)
NO_CONSENT = RecordContext(resolve(None, None, NOW, subject_ref=None))


def per_entity(actions: dict[str, Action], **fields: Any) -> Policy:
    """A policy with one rule per entity type, whatever the consent."""
    rules = tuple(Rule(f"entity-{e}", a, entities=frozenset({e})) for e, a in actions.items())
    return Policy(version="v", rules=rules, **fields)


class FakeDetector:
    """Finds fixed substrings: ``values`` maps a value to its entity type.

    ``scores`` overrides the score of a value (default 0.9). Raises ``RuntimeError`` for any call
    whose texts include one containing ``fail_on``.
    """

    def __init__(
        self,
        values: dict[str, str] | None = None,
        scores: dict[str, float] | None = None,
        fail_on: str | None = None,
    ) -> None:
        self.values = dict(PLANTED if values is None else values)
        self.scores = scores or {}
        self.fail_on = fail_on
        self.calls: list[list[str]] = []

    def analyze(
        self, texts: Sequence[str], contexts: Sequence[str | None] | None = None
    ) -> list[list[Finding]]:
        self.calls.append(list(texts))
        if self.fail_on is not None and any(self.fail_on in text for text in texts):
            raise RuntimeError("detector failed")
        results: list[list[Finding]] = []
        for text in texts:
            found: list[Finding] = []
            for value, entity in self.values.items():
                start = text.find(value)
                while start != -1:
                    score = self.scores.get(value, 0.9)
                    found.append(Finding(start, start + len(value), entity, score, "Fake"))
                    start = text.find(value, start + 1)
            found.sort(key=lambda f: (f.start, -f.end, f.entity_type))
            results.append(found)
        return results


def message(data: dict[str, Any], **fields: Any) -> bytes:
    obj: dict[str, Any] = {"id": "rec-1", "source": "https://example.com/p/1", "data": data}
    obj.update(fields)
    return orjson.dumps(obj)


def redact_one(raw: bytes, detector: FakeDetector | None = None, policy: Policy = POLICY) -> Any:
    [outcome] = Redactor(detector or FakeDetector(), policy).redact_batch([raw])  # type: ignore[arg-type]
    return outcome


def assert_no_planted_value(blob: bytes | str | None) -> None:
    text = blob.decode() if isinstance(blob, bytes) else (blob or "")
    for value in PLANTED:
        assert value not in text


# --- clean outcomes -----------------------------------------------------------------------------


def test_clean_replaces_every_finding() -> None:
    raw = message(
        {
            "title": "Объявление",
            "author": NAME,
            "contacts": {"email": EMAIL, "phones": [PHONE, f"или {PHONE} (вечером)"]},
            "comments": [{"text": f"Пишите {EMAIL} или звоните {PHONE}, {NAME}"}],
        },
        lang="ru",
        scraped_at="2026-11-21T10:00:00Z",
    )
    outcome = redact_one(raw)
    assert outcome.verdict is Verdict.CLEAN
    assert outcome.record_id == "rec-1"
    assert outcome.policy_version == "test-policy-3"
    assert_no_planted_value(outcome.value)
    out = orjson.loads(outcome.value)
    assert out["data"] == {
        "title": "Объявление",
        "author": "<PERSON>",
        "contacts": {
            "email": "<EMAIL_ADDRESS>",
            "phones": ["<PHONE_NUMBER>", "или <PHONE_NUMBER> (вечером)"],
        },
        "comments": [
            {"text": "Пишите <EMAIL_ADDRESS> или звоните <PHONE_NUMBER>, <PERSON>"},
        ],
    }
    assert out["id"] == "rec-1"
    assert out["lang"] == "ru"
    assert out["scraped_at"] == "2026-11-21T10:00:00Z"
    assert list(out) == ["id", "source", "scraped_at", "lang", "data", "redaction"]


def test_clean_redaction_block() -> None:
    raw = message({"contact": f"mail {EMAIL}", "list": [{"who": NAME}]})
    outcome = redact_one(raw)
    redaction = orjson.loads(outcome.value)["redaction"]
    assert redaction == {
        "pipeline_version": PIPELINE_VERSION,
        "policy_version": "test-policy-3",
        "consent": {"state": "none", "jurisdiction": "OTHER", "origin": "none"},
        "key_ids": [],
        "findings": [
            {
                "path": "data.contact",
                "start": 5,
                "end": 5 + len(EMAIL),
                "entity_type": "EMAIL_ADDRESS",
                "score": 0.9,
                "action": "redact",
                "rule": "default",
                "person": "third_party",
            },
            {
                "path": "data.list[0].who",
                "start": 0,
                "end": len(NAME),
                "entity_type": "PERSON",
                "score": 0.9,
                "action": "redact",
                "rule": "default",
                "person": "third_party",
            },
        ],
        "counts": {"EMAIL_ADDRESS": 1, "PERSON": 1},
    }
    assert outcome.counts == {"EMAIL_ADDRESS": 1, "PERSON": 1}
    assert [f.as_dict() for f in outcome.findings] == redaction["findings"]
    assert_no_planted_value(orjson.dumps(redaction))


def test_clean_without_findings_keeps_data_as_is() -> None:
    data = {"title": "Nothing here", "n": 42, "ok": True, "none": None, "f": 0.25}
    outcome = redact_one(message(data))
    out = orjson.loads(outcome.value)
    assert outcome.verdict is Verdict.CLEAN
    assert out["data"] == data
    assert out["redaction"]["findings"] == []
    assert out["redaction"]["counts"] == {}


NUMBER_CASES = [
    (79161234567, "79161234567", "<PHONE_NUMBER>", "a phone stored as an integer"),
    (4111111111111111, "4111111111111111", "<CREDIT_CARD>", "a card stored as an integer"),
    (
        40817810099910004312,
        "40817810099910004312",
        "<RU_BANK_ACCOUNT>",
        "an integer wider than 64 bits",
    ),
]


@pytest.mark.parametrize(
    ("number", "digits", "expected", "reason"), NUMBER_CASES, ids=[c[-1] for c in NUMBER_CASES]
)
def test_numbers_holding_pii_become_strings(
    number: int, digits: str, expected: str, reason: str
) -> None:
    detector = FakeDetector(
        {
            "79161234567": "PHONE_NUMBER",
            "4111111111111111": "CREDIT_CARD",
            "40817810099910004312": "RU_BANK_ACCOUNT",
        }
    )
    raw = f'{{"id": "rec-1", "source": "https://example.com/", "data": {{"n": {number}, "m": 7}}}}'
    outcome = redact_one(raw.encode(), detector)
    assert outcome.verdict is Verdict.CLEAN
    out = orjson.loads(outcome.value)
    assert out["data"] == {"n": expected, "m": 7}
    assert digits not in outcome.value.decode()


def test_wide_integers_without_pii_are_published_exactly() -> None:
    raw = b'{"id": "rec-1", "source": "https://example.com/", "data": {"n": 123456789012345678901}}'
    outcome = redact_one(raw, FakeDetector({}))
    assert outcome.verdict is Verdict.CLEAN
    assert b"123456789012345678901" in outcome.value


def test_source_and_subject_ref_are_redacted() -> None:
    raw = message(
        {"t": "x"},
        source=f"https://example.com/users/{EMAIL}",
        subject_ref=f"subject {NAME}",
    )
    outcome = redact_one(raw)
    out = orjson.loads(outcome.value)
    assert out["source"] == "https://example.com/users/<EMAIL_ADDRESS>"
    assert out["subject_ref"] == "subject <PERSON>"
    assert [f.path for f in outcome.findings] == ["source", "subject_ref"]
    assert_no_planted_value(outcome.value)


def test_keep_leaves_the_value() -> None:
    policy = per_entity({"EMAIL_ADDRESS": Action.KEEP})
    outcome = redact_one(message({"e": EMAIL, "p": PHONE}), policy=policy)
    out = orjson.loads(outcome.value)
    assert out["data"] == {"e": EMAIL, "p": "<PHONE_NUMBER>"}
    assert [(f.entity_type, f.action) for f in outcome.findings] == [
        ("EMAIL_ADDRESS", "keep"),
        ("PHONE_NUMBER", "redact"),
    ]


#: Masks every finding whatever the consent (a default action would not apply to these records'
#: findings: nobody says whose they are, so they are third parties').
MASK_ALL = Rule("mask-all", Action.MASK)


def test_mask_follows_the_policy() -> None:
    policy = Policy(version="v", rules=(MASK_ALL,))
    outcome = redact_one(message({"p": f"tel {PHONE}"}), policy=policy)
    assert orjson.loads(outcome.value)["data"] == {"p": "tel +* *** ***-45-67"}


MIN_SCORE_CASES = [
    (0.39, 0.4, False, "below min_score: ignored"),
    (0.4, 0.4, True, "exactly min_score: used"),
    (0.95, 0.96, False, "a high threshold drops a strong finding"),
    (0.01, 0.0, True, "min_score 0 uses everything"),
]


@pytest.mark.parametrize(
    ("score", "min_score", "redacted", "reason"),
    MIN_SCORE_CASES,
    ids=[c[-1] for c in MIN_SCORE_CASES],
)
def test_min_score_filters(score: float, min_score: float, redacted: bool, reason: str) -> None:
    detector = FakeDetector(scores={EMAIL: score})
    policy = Policy(version="v", min_score=min_score)
    outcome = redact_one(message({"e": EMAIL}), detector, policy)
    assert outcome.verdict is Verdict.CLEAN
    assert (orjson.loads(outcome.value)["data"]["e"] == "<EMAIL_ADDRESS>") is redacted
    assert len(outcome.findings) == int(redacted)


def test_min_score_applies_to_the_id_and_keys() -> None:
    detector = FakeDetector(scores={EMAIL: 0.2})
    raw = message({EMAIL: "x"}, id=f"user-{EMAIL}")
    outcome = redact_one(raw, detector, Policy(version="v", min_score=0.5))
    assert outcome.verdict is Verdict.CLEAN


OVERLAP_CASES = [
    (
        {"ivan@example.com": "EMAIL_ADDRESS", "ivan": "PERSON"},
        "write to ivan@example.com today",
        "write to <EMAIL_ADDRESS> today",
        "a name inside an address",
    ),
    (
        {"123-45-67 ext": "PHONE_NUMBER", "67 ext. 9": "OTHER"},
        "call 123-45-67 ext. 9 now",
        "call <PHONE_NUMBER> now",
        "two findings that overlap at their ends merge into one",
    ),
    (
        {"aaa bbb": "A", "bbb ccc": "B", "ccc ddd": "C"},
        "x aaa bbb ccc ddd y",
        "x <C> y",
        "a chain of overlaps merges into one; a tie goes to the last type name",
    ),
]


@pytest.mark.parametrize(
    ("values", "text", "expected", "reason"), OVERLAP_CASES, ids=[c[-1] for c in OVERLAP_CASES]
)
def test_overlapping_findings_leave_no_fragment(
    values: dict[str, str], text: str, expected: str, reason: str
) -> None:
    outcome = redact_one(message({"t": text}), FakeDetector(values))
    assert orjson.loads(outcome.value)["data"]["t"] == expected
    assert len(outcome.findings) == 1
    for value in values:
        assert value not in outcome.value.decode()


def test_overlaps_are_merged_before_masking() -> None:
    detector = FakeDetector({"Ivan Petrov": "PERSON", "Petrov 8": "OTHER"})
    policy = Policy(version="v", rules=(MASK_ALL,), mask_keep_tail=0)
    outcome = redact_one(message({"t": "Ivan Petrov 8"}), detector, policy)
    assert orjson.loads(outcome.value)["data"]["t"] == "**** ****** *"


def test_same_input_gives_identical_bytes() -> None:
    raws = [
        message({"b": PHONE, "a": [EMAIL, {"z": NAME, "y": 1.5}]}, lang="ru"),
        message({"t": "clean"}, id="rec-2"),
        b"not json",
    ]
    first = Redactor(FakeDetector(), POLICY).redact_batch(raws)  # type: ignore[arg-type]
    second = Redactor(FakeDetector(), POLICY).redact_batch(list(reversed(raws)))  # type: ignore[arg-type]
    assert first == list(reversed(second))
    assert first[0].value == second[2].value


# --- quarantine ---------------------------------------------------------------------------------


ID_CASES = [
    (f"user-{EMAIL}", Policy(version="v"), "EMAIL_ADDRESS", "an address in the id"),
    (
        f"{NAME}/{PHONE}",
        Policy(version="v"),
        "PERSON, PHONE_NUMBER",
        "two types, listed in order",
    ),
    (
        f"user-{EMAIL}",
        per_entity({"EMAIL_ADDRESS": Action.MASK}),
        "EMAIL_ADDRESS",
        "mask cannot rewrite an id",
    ),
    (
        f"user-{EMAIL}",
        per_entity({"EMAIL_ADDRESS": Action.QUARANTINE}),
        "EMAIL_ADDRESS",
        "policy quarantine in the id",
    ),
]


@pytest.mark.parametrize(
    ("record_id", "policy", "types", "reason"), ID_CASES, ids=[c[-1] for c in ID_CASES]
)
def test_pii_in_id_is_quarantined(record_id: str, policy: Policy, types: str, reason: str) -> None:
    outcome = redact_one(message({"t": "x"}, id=record_id), policy=policy)
    assert outcome.verdict is Verdict.QUARANTINE
    assert outcome.reason == Reason.PII_IN_ID
    assert outcome.detail == f"record id holds {types}"
    assert outcome.value is None
    assert record_id not in outcome.detail
    assert_no_planted_value(outcome.detail)
    assert_no_planted_value(" ".join(f.path for f in outcome.findings))


def test_pii_in_id_with_keep_is_fine() -> None:
    policy = per_entity({"EMAIL_ADDRESS": Action.KEEP})
    outcome = redact_one(message({"t": "x"}, id=f"user-{EMAIL}"), policy=policy)
    assert outcome.verdict is Verdict.CLEAN
    assert orjson.loads(outcome.value)["id"] == f"user-{EMAIL}"


KEY_CASES = [
    ({EMAIL: "subscribed"}, 'data["<hidden>"]', "a key that is an address"),
    (
        {"users": {f"{NAME} (admin)": {"phone": PHONE}}},
        'data.users["<hidden>"]',
        "a key that holds a name, with PII below it",
    ),
    (
        {"list": [{f"by {EMAIL}": [1, "x"]}]},
        'data.list[0]["<hidden>"]',
        "a key inside a list",
    ),
]


@pytest.mark.parametrize(("data", "prefix", "reason"), KEY_CASES, ids=[c[-1] for c in KEY_CASES])
def test_pii_in_key_is_quarantined_and_hidden(
    data: dict[str, Any], prefix: str, reason: str
) -> None:
    outcome = redact_one(message(data))
    assert outcome.verdict is Verdict.QUARANTINE
    assert outcome.reason == Reason.PII_IN_KEY
    assert outcome.detail.startswith("a key under data holds ")
    assert outcome.findings
    assert any(f.path == prefix for f in outcome.findings)
    for finding in outcome.findings:
        assert finding.path.startswith(prefix)
        assert finding.action == "quarantine"
    assert_no_planted_value(outcome.detail)
    assert_no_planted_value(" ".join(f.path for f in outcome.findings))


def test_pii_in_key_with_keep_is_fine() -> None:
    policy = per_entity({"EMAIL_ADDRESS": Action.KEEP})
    outcome = redact_one(message({EMAIL: "x"}), policy=policy)
    assert outcome.verdict is Verdict.CLEAN
    assert orjson.loads(outcome.value)["data"] == {EMAIL: "x"}


def test_policy_quarantine() -> None:
    policy = per_entity({"CREDIT_CARD": Action.QUARANTINE})
    outcome = redact_one(message({"pay": f"card {CARD}", "e": EMAIL}), policy=policy)
    assert outcome.verdict is Verdict.QUARANTINE
    assert outcome.reason == Reason.POLICY
    assert outcome.detail == "policy quarantines CREDIT_CARD"
    assert outcome.value is None
    assert sorted((f.path, f.entity_type) for f in outcome.findings) == [
        ("data.e", "EMAIL_ADDRESS"),
        ("data.pay", "CREDIT_CARD"),
    ]
    assert {f.action for f in outcome.findings} == {"quarantine"}


def test_policy_quarantine_of_a_key_hides_the_key() -> None:
    policy = per_entity({"EMAIL_ADDRESS": Action.QUARANTINE})
    outcome = redact_one(message({EMAIL: {"note": PHONE}}), policy=policy)
    assert outcome.verdict is Verdict.QUARANTINE
    assert outcome.reason == Reason.POLICY
    assert [f.path for f in outcome.findings] == ['data["<hidden>"]', 'data["<hidden>"].note']
    assert_no_planted_value(" ".join(f.path for f in outcome.findings))


def test_policy_quarantine_wins_over_pii_in_key() -> None:
    policy = per_entity({"CREDIT_CARD": Action.QUARANTINE})
    outcome = redact_one(message({EMAIL: CARD}), policy=policy)
    assert outcome.reason == Reason.POLICY
    assert [f.path for f in outcome.findings] == ['data["<hidden>"]', 'data["<hidden>"]']


# --- detection failures -------------------------------------------------------------------------


def test_detector_failure_quarantines_only_the_failing_record() -> None:
    detector = FakeDetector(fail_on="TRIGGER")
    raws = [
        message({"t": EMAIL}, id="rec-1"),
        message({"t": "a TRIGGER here"}, id="rec-2"),
        b"{broken",
        message({"t": PHONE}, id="rec-3"),
    ]
    outcomes = Redactor(detector, POLICY).redact_batch(raws)  # type: ignore[arg-type]
    assert [o.verdict for o in outcomes] == [
        Verdict.CLEAN,
        Verdict.QUARANTINE,
        Verdict.DEAD_LETTER,
        Verdict.CLEAN,
    ]
    assert outcomes[1].record_id == "rec-2"
    assert outcomes[1].reason == Reason.DETECTION_ERROR
    assert outcomes[1].detail == "detector raised RuntimeError"
    assert outcomes[2].reason == "not_json"
    assert orjson.loads(outcomes[0].value)["data"]["t"] == "<EMAIL_ADDRESS>"
    assert orjson.loads(outcomes[3].value)["data"]["t"] == "<PHONE_NUMBER>"
    # One call for the batch, then one per valid record.
    assert len(detector.calls) == 4


def test_one_detector_call_per_batch() -> None:
    detector = FakeDetector()
    raws = [message({"t": EMAIL}, id="rec-1"), message({"t": "x"}, id="rec-2")]
    Redactor(detector, POLICY).redact_batch(raws)  # type: ignore[arg-type]
    assert detector.calls == [
        [
            "rec-1",
            "https://example.com/p/1",
            "t",
            EMAIL,
            "rec-2",
            "https://example.com/p/1",
            "t",
            "x",
        ]
    ]


def test_no_detector_call_without_valid_records() -> None:
    detector = FakeDetector(fail_on="")
    outcomes = Redactor(detector, POLICY).redact_batch([b"[]", b"\xff"])  # type: ignore[arg-type]
    assert [o.reason for o in outcomes] == ["not_object", "not_utf8"]
    assert detector.calls == []


def test_empty_batch() -> None:
    assert Redactor(FakeDetector(), POLICY).redact_batch([]) == []  # type: ignore[arg-type]


def test_limits_dead_letter() -> None:
    redactor = Redactor(FakeDetector(), POLICY, Limits(max_depth=2))  # type: ignore[arg-type]
    [outcome] = redactor.redact_batch([message({"a": {"b": {"c": EMAIL}}})])
    assert outcome.verdict is Verdict.DEAD_LETTER
    assert outcome.reason == "too_deep"
    assert outcome.record_id is None
    assert_no_planted_value(outcome.detail)


def test_unanalysed() -> None:
    detector = FakeDetector(fail_on="")
    raws = [message({"t": EMAIL}, id="rec-1"), b'{"id": "rec-2"}', message({}, id="rec-3")]
    redactor = Redactor(detector, POLICY)  # type: ignore[arg-type]
    outcomes = redactor.unanalysed(raws, Reason.DETECTION_TIMEOUT, "detection took over 30 s")
    assert [(o.verdict, o.record_id, o.reason) for o in outcomes] == [
        (Verdict.QUARANTINE, "rec-1", "detection_timeout"),
        (Verdict.DEAD_LETTER, None, "missing_field"),
        (Verdict.QUARANTINE, "rec-3", "detection_timeout"),
    ]
    assert outcomes[0].detail == "detection took over 30 s"
    assert detector.calls == []


# --- decide, directly ---------------------------------------------------------------------------


def test_decide_is_pure() -> None:
    record = parse_record(message({"t": f"hi {EMAIL}"}))
    slots = collect_slots(record)
    findings = [[] for _ in slots]
    findings[-1] = [Finding(3, 3 + len(EMAIL), "EMAIL_ADDRESS", 0.87654321, "X")]
    first = decide(record, slots, [], findings, POLICY, NO_CONSENT)
    second = decide(record, slots, [], findings, POLICY, NO_CONSENT)
    assert first == second
    assert first.findings[0].score == 0.8765
    assert record.data == {"t": f"hi {EMAIL}"}


def test_a_record_that_cannot_be_written_is_never_published() -> None:
    # A lone surrogate parses (the standard library accepts it) but is not valid UTF-8.
    raw = b'{"id": "rec-1", "source": "https://example.com/", "data": {"t": "a\\ud800b"}}'
    outcome = redact_one(raw, FakeDetector({}))
    assert outcome.verdict is not Verdict.CLEAN
    assert outcome.value is None


# --- consent and pseudonyms ---------------------------------------------------------------------

CONSENT_POLICY = Policy(
    version="consent-test",
    rules=(
        Rule("keep-distribution", Action.KEEP, consent=frozenset({ConsentState.DISTRIBUTION})),
        Rule("pseudo", Action.PSEUDONYMISE, consent=frozenset({ConsentState.PROCESSING})),
    ),
)
PROCESSING = {"status": "granted", "scope": ["processing"]}


#: The subject's identity: their name and e-mail are theirs, so their consent decides them.
IDENTITY = {"PERSON": [NAME], "EMAIL_ADDRESS": [EMAIL]}


def consent_message(consent: object, subject: str | None = "vk:1", **data: Any) -> bytes:
    """A record of ``subject`` holding their name and e-mail; a ``consent`` object gets their
    identity added."""
    fields: dict[str, Any] = {"subject_ref": subject} if subject is not None else {}
    if isinstance(consent, dict):
        fields["consent"] = {"identity": IDENTITY, **consent}
    elif consent is not None:
        fields["consent"] = consent
    return message(data or {"who": NAME, "mail": EMAIL}, **fields)


def registered(entries: dict[str, RegistryEntry]) -> People:
    """The registered people: each of ``entries`` with the identity :data:`IDENTITY`."""
    people = People(Keyring.generate("id"))
    people.apply(
        PersonChange(ref, people.index.fingerprints(IDENTITY), entry)
        for ref, entry in entries.items()
    )
    return people


def test_processing_consent_pseudonymises_with_the_subjects_key() -> None:
    ring = Keyring.generate("k7")
    book = KeyBook(ring, "subject", create=True)
    detector = FakeDetector({**PLANTED, NAME.upper(): "PERSON"})
    redactor = Redactor(detector, CONSENT_POLICY, keys=book)  # type: ignore[arg-type]
    first, second = redactor.redact_batch(
        [consent_message(PROCESSING), consent_message(PROCESSING, who=NAME.upper())], now=NOW
    )
    assert first.verdict is Verdict.CLEAN and second.verdict is Verdict.CLEAN
    assert_no_planted_value(first.value)
    data = orjson.loads(first.value)["data"]
    assert data["who"].startswith("<PERSON:k7:")
    assert orjson.loads(second.value)["data"]["who"] == data["who"], "normalised before hashing"
    block = orjson.loads(first.value)["redaction"]
    assert block["key_ids"] == ["k7"]
    assert block["consent"]["state"] == "processing"
    assert {f["rule"] for f in block["findings"]} == {"pseudo"}


def test_registry_withdrawal_overrides_a_record_without_consent() -> None:
    redactor = Redactor(FakeDetector(), CONSENT_POLICY)  # type: ignore[arg-type]
    registry = {"vk:1": RegistryEntry(at=NOW, consent=parse_consent({"status": "withdrawn"}))}
    [outcome] = redactor.redact_batch([consent_message(None)], registry=registry, now=NOW)
    block = orjson.loads(outcome.value)["redaction"]
    assert block["consent"]["state"] == "withdrawn" and block["consent"]["origin"] == "registry"
    assert {f["action"] for f in block["findings"]} == {"redact"}


def test_registry_grant_applies_to_a_record_without_consent() -> None:
    registry = {
        "vk:1": RegistryEntry(
            at=NOW, consent=parse_consent({"status": "granted", "scope": ["distribution"]})
        )
    }
    # The subject registered their identity with the grant.
    redactor = Redactor(FakeDetector(), CONSENT_POLICY, people=registered(registry))  # type: ignore[arg-type]
    [outcome] = redactor.redact_batch([consent_message(None)], registry=registry, now=NOW)
    assert EMAIL in orjson.loads(outcome.value)["data"]["mail"]  # kept under distribution


def test_pseudonymise_without_a_key_quarantines_the_record() -> None:
    ring = Keyring.generate()
    book = KeyBook(ring, "subject")  # no stored key, may not create one: the worker's case
    redactor = Redactor(FakeDetector(), CONSENT_POLICY, keys=book)  # type: ignore[arg-type]
    [outcome] = redactor.redact_batch([consent_message(PROCESSING)], now=NOW)
    assert outcome.verdict is Verdict.QUARANTINE
    assert outcome.reason == Reason.KEY_UNAVAILABLE
    [no_book] = Redactor(FakeDetector(), CONSENT_POLICY).redact_batch(  # type: ignore[arg-type]
        [consent_message(PROCESSING)], now=NOW
    )
    assert no_book.reason == Reason.KEY_UNAVAILABLE


def test_consent_is_judged_at_the_batch_moment() -> None:
    consent = {
        "status": "granted",
        "scope": ["distribution"],
        "valid_until": "2026-11-21T00:00:01Z",
    }
    redactor = Redactor(FakeDetector(), CONSENT_POLICY)  # type: ignore[arg-type]
    [before] = redactor.redact_batch([consent_message(consent)], now=NOW.replace(second=0))
    [after] = redactor.redact_batch([consent_message(consent)], now=NOW.replace(second=1))
    assert orjson.loads(before.value)["redaction"]["consent"]["state"] == "distribution"
    assert orjson.loads(after.value)["redaction"]["consent"]["state"] == "expired"
    assert_no_planted_value(after.value)


# --- one message's failure in any step -----------------------------------------------------------


def _boom(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("injected")


@pytest.mark.parametrize(
    ("owner", "attr", "why"),
    [
        (core, "parse_record", "the parser raised something unexpected"),
        (Redactor, "consent_of", "resolving consent raised"),
        (core, "decide", "applying the policy raised"),
    ],
)
def test_a_step_that_raises_on_one_message_holds_only_that_message(
    monkeypatch: pytest.MonkeyPatch, owner: Any, attr: str, why: str
) -> None:
    original = getattr(owner, attr)

    def sometimes(*args: Any, **kwargs: Any) -> Any:
        if any(b"BOOM" in a if isinstance(a, bytes) else "BOOM" in repr(a) for a in args):
            raise RuntimeError("injected")
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, attr, sometimes)
    raws = [
        message({"t": EMAIL}, id="rec-1"),
        message({"t": "BOOM"}, id="rec-2"),
        message({"t": PHONE}, id="rec-3"),
    ]
    outcomes = Redactor(FakeDetector(), POLICY).redact_batch(raws)  # type: ignore[arg-type]
    assert [o.verdict for o in outcomes] == [Verdict.CLEAN, Verdict.QUARANTINE, Verdict.CLEAN], why
    held = outcomes[1]
    assert held.reason == "worker_error", why
    assert held.record_id is None and held.shown_id is None and held.consent is None
    assert held.detail is not None and "RuntimeError" in held.detail and "BOOM" not in held.detail
    assert orjson.loads(outcomes[0].value)["data"]["t"] == "<EMAIL_ADDRESS>"


def test_unanalysed_never_raises_for_a_parser_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("streams.core.redactor.parse_record", _boom)
    [outcome] = Redactor(FakeDetector(), POLICY).unanalysed(  # type: ignore[arg-type]
        [message({"t": "x"})], Reason.DETECTION_TIMEOUT, "timed out"
    )
    assert outcome.verdict is Verdict.QUARANTINE and outcome.reason == "worker_error"


def test_encrypt_without_a_reveal_cipher_quarantines() -> None:
    policy = per_entity({"EMAIL_ADDRESS": Action.ENCRYPT})
    outcome = redact_one(message({"text": f"Пишите {EMAIL}"}), policy=policy)
    assert outcome.verdict is Verdict.QUARANTINE
    assert outcome.reason == Reason.KEY_UNAVAILABLE
    assert "reveal key" in outcome.detail


def test_a_subject_ref_spelt_another_way_meets_its_registry_withdrawal() -> None:
    # Was: "VK:1 " looked up as is and missed the withdrawal of vk:1.
    redactor = Redactor(FakeDetector(), CONSENT_POLICY)  # type: ignore[arg-type]
    registry = {"vk:1": RegistryEntry(at=NOW, consent=parse_consent({"status": "withdrawn"}))}
    distribution = {"status": "granted", "scope": ["distribution"]}
    for spelling in ("VK:1", " vk:1 ", "Vk:1\t"):
        [outcome] = redactor.redact_batch(
            [consent_message(distribution, subject=spelling)], registry=registry, now=NOW
        )
        block = orjson.loads(outcome.value)["redaction"]
        assert block["consent"]["state"] == "withdrawn", spelling
        assert {f["action"] for f in block["findings"]} == {"redact"}


def test_one_subject_key_for_every_spelling_of_a_subject_ref() -> None:
    book = KeyBook(Keyring.generate("k7"), "subject", create=True)
    detector = FakeDetector({**PLANTED, NAME.upper(): "PERSON"})
    redactor = Redactor(detector, CONSENT_POLICY, keys=book)  # type: ignore[arg-type]
    outcomes = redactor.redact_batch(
        [consent_message(PROCESSING, subject=s) for s in ("vk:1", "VK:1", " vk:1")], now=NOW
    )
    tokens = {orjson.loads(o.value)["data"]["who"] for o in outcomes}
    assert len(tokens) == 1 and list(book.store) == ["vk:1"]
