"""Per-person consent: each finding is judged under the consent of the person it belongs to.
All names, phones and e-mails are synthetic."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from streams.core import Redactor, Verdict
from streams.core.consent import ConsentState, RegistryEntry, parse_consent
from streams.core.keys import KeyBook, Keyring
from streams.core.people import People, PersonChange
from streams.core.policy import DEFAULT_POLICY, Action, Policy, Rule
from tests.streams.core.test_redactor import FakeDetector

NOW = datetime(2026, 11, 21, tzinfo=UTC)
IVAN = {"PERSON": ["Иван Петров"], "PHONE_NUMBER": ["+7 916 123-45-67"]}
MARIA = {"PERSON": ["Мария Сидорова"], "EMAIL_ADDRESS": ["mariya.sidorova@mail.example"]}
DISTRIBUTION = {
    "status": "granted",
    "scope": ["processing", "distribution"],
    "valid_from": "2025-01-01T00:00:00Z",
    "jurisdiction": "RU",
}
#: What the fake detector finds, by value.
VALUES = {
    "Иван Петров": "PERSON",
    "Ивана Петрова": "PERSON",
    "+7 916 123-45-67": "PHONE_NUMBER",
    "Мария Сидорова": "PERSON",
    "Марии Сидоровой": "PERSON",
    "+7 903 765-43-21": "PHONE_NUMBER",
    "mariya.sidorova@mail.example": "EMAIL_ADDRESS",
    "Олег Смирнов": "PERSON",
}


def profile(consent: dict[str, Any] | None, subject: str = "vk:1", **extra: Any) -> bytes:
    """Ivan's profile with comments by Maria and Oleg."""
    record: dict[str, Any] = {
        "id": "tp-1",
        "source": "https://social.example.com/u/1",
        "subject_ref": subject,
        "data": {
            "author": {"name": "Иван Петров", "phone": "+7 916 123-45-67"},
            "comments": [
                {
                    "author": "Мария Сидорова",
                    "text": "Мария Сидорова, звоните: +7 903 765-43-21, "
                    "mariya.sidorova@mail.example",
                },
                {"author": "Олег Смирнов", "text": "Передайте привет Марии Сидоровой"},
            ],
        },
        **extra,
    }
    if consent is not None:
        record["consent"] = consent
    return orjson.dumps(record)


def entry(consent: dict[str, Any] | None) -> RegistryEntry:
    return RegistryEntry(at=NOW, consent=parse_consent(consent) if consent else None)


def people(**registered: tuple[dict[str, list[str]], RegistryEntry]) -> People:
    """People registered under ``vk:<name>`` with their identity and entry."""
    known = People(Keyring.generate("id"))
    known.apply(
        PersonChange(f"vk:{name}", known.index.fingerprints(identity), e)
        for name, (identity, e) in registered.items()
    )
    return known


def redact(raw: bytes, known: People | None = None, policy: Policy = DEFAULT_POLICY) -> Any:
    book = KeyBook(Keyring.generate("k"), "subject", create=True)
    redactor = Redactor(FakeDetector(VALUES), policy, keys=book, people=known)  # type: ignore[arg-type]
    [outcome] = redactor.redact_batch([raw], now=NOW)
    assert outcome.verdict is Verdict.CLEAN and outcome.value is not None
    return orjson.loads(outcome.value)


def persons(out: dict[str, Any]) -> dict[tuple[str, int], tuple[str, str]]:
    return {
        (f["path"], f["start"]): (f["person"], f["action"]) for f in out["redaction"]["findings"]
    }


def test_subject_consent_never_covers_the_people_in_the_comments() -> None:
    out = redact(profile({**DISTRIBUTION, "identity": IVAN}))
    data = out["data"]
    assert data["author"] == {"name": "Иван Петров", "phone": "+* *** ***-45-67"}
    assert data["comments"] == [
        {"author": "<PERSON>", "text": "<PERSON>, звоните: <PHONE_NUMBER>, <EMAIL_ADDRESS>"},
        {"author": "<PERSON>", "text": "Передайте привет <PERSON>"},
    ]
    found = persons(out)
    assert found[("data.author.name", 0)] == ("subject", "keep")
    assert found[("data.comments[0].author", 0)] == ("third_party", "redact")
    assert {f["rule"] for f in out["redaction"]["findings"] if f["person"] == "third_party"} == {
        "third-party"
    }
    text = orjson.dumps(out).decode()
    for value in ("Сидоров", "765-43-21", "mariya", "Олег"):
        assert value not in text


def test_without_an_identity_every_finding_is_a_third_partys() -> None:
    # The record consents to distribution but does not say whose values are its subject's.
    out = redact(profile(DISTRIBUTION))
    assert {p for p, _a in persons(out).values()} == {"third_party"}
    assert out["data"]["author"] == {"name": "<PERSON>", "phone": "<PHONE_NUMBER>"}


def test_a_malformed_identity_is_ignored_and_said_so() -> None:
    out = redact(profile({**DISTRIBUTION, "identity": {"PERSON": "Иван Петров"}}))
    assert out["data"]["author"]["name"] == "<PERSON>"
    assert out["redaction"]["identity_ignored"].startswith("consent.identity.PERSON")
    assert "Иван" not in orjson.dumps(out).decode()


def test_a_registered_person_is_judged_under_their_own_consent_in_anyones_record() -> None:
    granted = people(maria=(MARIA, entry(DISTRIBUTION)))
    out = redact(profile({**DISTRIBUTION, "identity": IVAN}), granted)
    comment = out["data"]["comments"][0]
    assert comment["author"] == "Мария Сидорова"
    # Her phone is not in her identity: it is nobody's as far as anyone said.
    assert (
        comment["text"] == "Мария Сидорова, звоните: <PHONE_NUMBER>, mariya.sidorova@mail.example"
    )
    assert out["data"]["comments"][1]["text"] == "Передайте привет Марии Сидоровой"
    assert out["data"]["comments"][1]["author"] == "<PERSON>"  # Oleg
    assert persons(out)[("data.comments[0].author", 0)] == ("registered", "keep")
    # ...even in a record without any consent of its own.
    anonymous = redact(profile(None, subject="vk:999"), granted)
    assert anonymous["data"]["comments"][0]["author"] == "Мария Сидорова"
    assert anonymous["data"]["author"]["name"] == "<PERSON>"


@pytest.mark.parametrize(
    ("maria", "reason"),
    [
        ({"status": "withdrawn"}, "withdrawn"),
        (None, "erased: no statement, counts as withdrawn"),
        ({"status": "granted", "scope": ["processing"]}, "processing: no key of hers at hand"),
    ],
)
def test_a_registered_person_without_distribution_consent_is_redacted_everywhere(
    maria: dict[str, Any] | None, reason: str
) -> None:
    known = people(maria=(MARIA, entry(maria)))
    out = redact(profile({**DISTRIBUTION, "identity": IVAN}), known)
    comment = out["data"]["comments"][0]
    assert comment["author"] == "<PERSON>", reason
    assert "Сидоров" not in orjson.dumps(out).decode(), reason
    assert persons(out)[("data.comments[0].author", 0)] == ("registered", "redact"), reason


def test_the_subject_cannot_claim_a_registered_persons_values() -> None:
    # Ivan's record says Maria's name is his; Maria withdrew: the most restrictive consent wins.
    known = people(maria=(MARIA, entry({"status": "withdrawn"})))
    claimed = {**DISTRIBUTION, "identity": {**IVAN, "PERSON": ["Иван Петров", "Мария Сидорова"]}}
    out = redact(profile(claimed), known)
    assert out["data"]["comments"][0]["author"] == "<PERSON>"
    assert persons(out)[("data.comments[0].author", 0)] == ("subject", "redact")
    assert out["data"]["author"]["name"] == "Иван Петров"


def test_unindexing_a_person_makes_their_values_third_parties() -> None:
    known = people(maria=(MARIA, entry(DISTRIBUTION)))
    known.apply([PersonChange("VK:Maria ", None, None)])  # erased, in another spelling
    assert len(known) == 0 and not known.entries
    out = redact(profile({**DISTRIBUTION, "identity": IVAN}), known)
    assert out["data"]["comments"][0]["author"] == "<PERSON>"


def test_a_policy_cannot_keep_or_mask_a_third_party() -> None:
    # A rule without a consent condition applies to everyone (an organisation's ИНН is not
    # personal data); a default action that does not redact does not reach third parties.
    policy = Policy(
        version="v",
        rules=(Rule("phones", Action.MASK, entities=frozenset({"PHONE_NUMBER"})),),
        default_action=Action.KEEP,
    )
    out = redact(profile({**DISTRIBUTION, "identity": IVAN}), policy=policy)
    assert out["data"]["author"]["name"] == "Иван Петров"  # the subject's: default keep
    comment = out["data"]["comments"][0]
    assert comment["author"] == "<PERSON>"
    assert "+* *** ***-43-21" in comment["text"]  # the rule said: phones masked, whoever's
    rules = {f["rule"] for f in out["redaction"]["findings"] if f["person"] == "third_party"}
    assert rules == {"phones", "third-party-override"}


def test_third_party_state_is_the_most_restrictive_but_withdrawal() -> None:
    assert ConsentState.THIRD_PARTY.value == "third_party"
    snapshot = DEFAULT_POLICY.consent(None, None, NOW, subject_ref=None)
    third = snapshot.__class__(ConsentState.THIRD_PARTY, snapshot.jurisdiction, "none")
    assert DEFAULT_POLICY.decide("PERSON", None, third) == (Action.REDACT, "third-party")
    assert DEFAULT_POLICY.decide("RU_OGRN", None, third) == (
        Action.KEEP,
        "organisation-identifiers",
    )
