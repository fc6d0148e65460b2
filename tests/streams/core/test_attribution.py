"""Attribution: whose a finding is (the record's subject, another registered subject, or a third
party), from keyed fingerprints of the subjects' identities. All names, phones and addresses
here are synthetic."""

from __future__ import annotations

import pickle
from typing import Any

import orjson
import pytest

from streams.core.attribution import (
    Attribution,
    Fingerprints,
    IdentityError,
    IdentityIndex,
    Person,
    identity_forms,
    lookup_forms,
    parse_identity,
)
from streams.core.keys import KeyBook, Keyring

KEYRING = Keyring("k1", {"k1": bytes(range(32))})

#: The record's own subject.
MARIA = "vk:1"
IDENTITIES: dict[str, dict[str, list[str]]] = {
    MARIA: {
        "PERSON": ["Мария Иванова"],
        "PHONE_NUMBER": ["+7 916 123-45-67"],
        "EMAIL_ADDRESS": ["Maria.Ivanova@mail.example"],
        "NICKNAME": ["Masha_Iv"],
    },
    "vk:2": {"PERSON": ["Олег Сергеевич Смирнов"], "PHONE_NUMBER": ["8 903 765 43 21"]},
    "vk:3": {"PERSON": ["Анна Викторовна Кузнецова"], "EMAIL_ADDRESS": ["anna.k@mail.example"]},
    "vk:4": {"PERSON": ["John Smith"]},
    "vk:5": {"PERSON": ["Алёна Королёва"]},
    "vk:6": {"PERSON": ["Иван Петров"]},
}

S, R, T = Person.SUBJECT, Person.REGISTERED, Person.THIRD_PARTY


def index() -> IdentityIndex:
    built = IdentityIndex(KEYRING)
    for ref, identity in IDENTITIES.items():
        built.add(ref, identity)
    return built


CASES: list[tuple[str, str, Person, str | None, str]] = [
    # The subject, a woman without patronymic, in all six cases.
    ("PERSON", "Мария Иванова", S, None, "nominative"),
    ("PERSON", "Марии Ивановой", S, None, "genitive (= dative, locative)"),
    ("PERSON", "Марию Иванову", S, None, "accusative"),
    ("PERSON", "Марией Ивановой", S, None, "instrumental"),
    ("PERSON", "Ивановой Марии", S, None, "surname first, inflected"),
    ("PERSON", "Иванова Мария", S, None, "surname first"),
    ("PERSON", "МАРИЯ ИВАНОВА", S, None, "all capitals"),
    ("PERSON", "мария иванова", S, None, "all lower case"),
    ("PERSON", "Ivanova Maria", S, None, "Latin transliteration"),
    ("PERSON", "Mariya Ivanova", S, None, "another transliteration of the given name"),
    # A registered man with a patronymic, all six cases.
    ("PERSON", "Олег Сергеевич Смирнов", R, "vk:2", "nominative, patronymic"),
    ("PERSON", "Олега Сергеевича Смирнова", R, "vk:2", "genitive = accusative"),
    ("PERSON", "Олегу Сергеевичу Смирнову", R, "vk:2", "dative"),
    ("PERSON", "Олегом Сергеевичем Смирновым", R, "vk:2", "instrumental"),
    ("PERSON", "Олеге Сергеевиче Смирнове", R, "vk:2", "locative"),
    ("PERSON", "Смирнов Олег Сергеевич", R, "vk:2", "surname first"),
    ("PERSON", "ОЛЕГУ СЕРГЕЕВИЧУ СМИРНОВУ", R, "vk:2", "capitals, dative"),
    ("PERSON", "Олег Смирнов", R, "vk:2", "without the patronymic"),
    ("PERSON", "Олега Смирнова", R, "vk:2", "without the patronymic, genitive"),
    ("PERSON", "Олег Петрович Смирнов", T, None, "another patronymic: another man"),
    # A registered woman with a patronymic, all six cases.
    ("PERSON", "Анна Викторовна Кузнецова", R, "vk:3", "nominative"),
    ("PERSON", "Анны Викторовны Кузнецовой", R, "vk:3", "genitive"),
    ("PERSON", "Анне Викторовне Кузнецовой", R, "vk:3", "dative = locative"),
    ("PERSON", "Анну Викторовну Кузнецову", R, "vk:3", "accusative"),
    ("PERSON", "Анной Викторовной Кузнецовой", R, "vk:3", "instrumental"),
    ("PERSON", "Кузнецовой Анне", R, "vk:3", "surname first, no patronymic, dative"),
    # A man without patronymic, inflected.
    ("PERSON", "Ивана Петрова", R, "vk:6", "genitive"),
    ("PERSON", "Иваном Петровым", R, "vk:6", "instrumental"),
    ("PERSON", "Иван Андреевич Петров", R, "vk:6", "identity has no patronymic: any matches"),
    ("PERSON", "Petrov, Ivan", R, "vk:6", "Latin, surname and comma"),
    # ё and е.
    ("PERSON", "Алена Королева", R, "vk:5", "е for ё"),
    ("PERSON", "Алёной Королёвой", R, "vk:5", "ё, instrumental"),
    # Initials.
    ("PERSON", "М. Иванова", S, None, "initial first"),
    ("PERSON", "Иванова М.", S, None, "initial last"),
    ("PERSON", "Ivanova M.", S, None, "Latin surname and initial"),
    ("PERSON", "М. Ивановой", S, None, "initial, inflected surname"),
    ("PERSON", "О. С. Смирнов", R, "vk:2", "two initials"),
    ("PERSON", "Смирнов О.С.", R, "vk:2", "two initials after, no space"),
    ("PERSON", "О. Смирнову", R, "vk:2", "given name initial only, dative"),
    ("PERSON", "Smirnov O.", R, "vk:2", "Latin, one initial"),
    ("PERSON", "А.В. Кузнецовой", R, "vk:3", "female, two initials, genitive"),
    ("PERSON", "И. Петров", R, "vk:6", "one initial, identity without patronymic"),
    ("PERSON", "И. А. Петров", R, "vk:6", "two initials, identity without patronymic"),
    ("PERSON", "О. П. Смирнов", T, None, "patronymic initial disagrees"),
    # Third parties who share a surname with someone known.
    ("PERSON", "Ольга Иванова", T, None, "same surname as the subject, another first name"),
    ("PERSON", "Ольге Ивановой", T, None, "same, inflected"),
    ("PERSON", "О. Иванова", T, None, "same surname, another initial"),
    ("PERSON", "Михаил Иванов", T, None, "the subject's surname, a man"),
    ("PERSON", "М. Иванов", T, None, "same initial, but a man's surname form"),
    ("PERSON", "Сергей Смирнов", T, None, "a registered surname, another first name"),
    ("PERSON", "Анна Смирнова", T, None, "a registered surname, another woman"),
    ("PERSON", "Jane Smith", T, None, "English namesake's surname"),
    ("PERSON", "Мария", T, None, "a given name alone is nobody's"),
    ("PERSON", "Иванова", T, None, "a surname alone is nobody's"),
    # English names.
    ("PERSON", "John Smith", R, "vk:4", "as registered"),
    ("PERSON", "Smith, John", R, "vk:4", "surname, comma, given name"),
    ("PERSON", "SMITH JOHN", R, "vk:4", "capitals, reversed"),
    ("PERSON", "J. Smith", R, "vk:4", "initial"),
    # Phones.
    ("PHONE_NUMBER", "+7 916 123-45-67", S, None, "as registered"),
    ("PHONE_NUMBER", "8 (916) 123-45-67", S, None, "trunk 8, brackets"),
    ("PHONE_NUMBER", "8-916-123-45-67", S, None, "dashes"),
    ("PHONE_NUMBER", "79161234567", S, None, "digits with 7"),
    ("PHONE_NUMBER", "+7(916)1234567", S, None, "brackets, no spaces"),
    ("PHONE_NUMBER", "7 916 123 45 67", S, None, "7 without plus"),
    ("PHONE_NUMBER", "+7 903 765-43-21", R, "vk:2", "registered with a trunk 8"),
    ("PHONE_NUMBER", "+7 916 123-45-68", T, None, "one digit off"),
    ("PHONE_NUMBER", "123-45", T, None, "too short to be read: nobody's"),
    ("PHONE_NUMBER", "+8 916 123 45 67", T, None, "+8 is not a Russian trunk prefix"),
    # E-mails.
    ("EMAIL_ADDRESS", "MARIA.IVANOVA@MAIL.EXAMPLE", S, None, "capitals"),
    ("EMAIL_ADDRESS", " Anna.K@Mail.Example ", R, "vk:3", "mixed case, spaces"),
    ("EMAIL_ADDRESS", "maria.ivanova@mail.example.org", T, None, "another domain"),
    ("EMAIL_ADDRESS", "maria.ivanova", T, None, "not an address: nobody's"),
    # Any other type: case, spacing and punctuation do not matter.
    ("NICKNAME", "masha iv", S, None, "other type, spaces for underscore"),
    ("NICKNAME", "MASHA-IV", S, None, "other type, capitals and dash"),
    ("NICKNAME", "masha_iva", T, None, "other type, another value"),
    ("LOCATION", "Мария Иванова", T, None, "an entity type not in any identity"),
    ("PERSON", "", T, None, "nothing to read"),
    ("PERSON", "М.", T, None, "an initial alone"),
    ("PERSON", "Мария Иванова" + " " * 300, T, None, "longer than any identity value"),
    ("PERSON", "Мария Анна Ольга Иванова Петрова", T, None, "too many words to be one name"),
]


@pytest.mark.parametrize(
    ("entity_type", "value", "person", "ref", "reason"),
    CASES,
    ids=[f"{c[0]}-{c[-1]}" for c in CASES],
)
def test_attribution(
    entity_type: str, value: str, person: Person, ref: str | None, reason: str
) -> None:
    got = INDEX.attribute(entity_type, value, MARIA)
    assert got == Attribution(person, (ref,) if ref is not None else ())


INDEX = index()


def test_the_subject_is_whoever_the_record_is_about() -> None:
    # Maria's name in a record about Oleg is Maria's (registered), Oleg's is the subject's.
    assert INDEX.attribute("PERSON", "Марии Ивановой", "vk:2") == Attribution(R, (MARIA,))
    assert INDEX.attribute("PERSON", "Олега Смирнова", "VK:2 ").person is S
    assert INDEX.attribute("PERSON", "Марии Ивановой", None) == Attribution(R, (MARIA,))


def test_a_record_level_identity_makes_its_subject() -> None:
    built = index()
    own = built.fingerprints(parse_identity({"PERSON": ["Пётр Соколов"]}, "consent.identity"))
    assert built.attribute("PERSON", "Петра Соколова", "vk:99", own).person is S
    assert built.attribute("PERSON", "Петра Соколова", "vk:99").person is T


def test_namesakes_are_all_named() -> None:
    built = index()
    built.add("vk:7", {"PERSON": ["Иван Петров"]})
    assert built.attribute("PERSON", "Ивану Петрову", MARIA) == Attribution(R, ("vk:6", "vk:7"))
    # The subject's own name, which a registered namesake shares: both consents must allow.
    assert built.attribute("PERSON", "Ивану Петрову", "vk:7") == Attribution(S, ("vk:6",))


def test_a_record_level_identity_cannot_take_over_a_registered_persons_values() -> None:
    # A record about vk:99 claiming Maria's name and phone as its subject's: they stay tied to
    # Maria, so her own consent (say, withdrawn) still decides.
    built = index()
    claimed = {"PERSON": ["Мария Иванова"], "PHONE_NUMBER": ["8 916 123 45 67"]}
    own = built.fingerprints(parse_identity(claimed))
    assert built.attribute("PERSON", "Марии Ивановой", "vk:99", own) == Attribution(S, (MARIA,))
    assert built.attribute("PHONE_NUMBER", "+79161234567", "vk:99", own) == Attribution(S, (MARIA,))


def test_erasure_removes_the_fingerprints() -> None:
    built = index()
    assert built.attribute("PERSON", "Олег Смирнов", MARIA).person is R
    built.remove("VK:2")
    assert built.attribute("PERSON", "Олег Смирнов", MARIA).person is T
    assert built.attribute("PHONE_NUMBER", "+7 903 765-43-21", MARIA).person is T
    assert "vk:2" not in built.subjects()
    built.remove("vk:2")  # twice is fine


def test_adding_again_replaces_the_identity() -> None:
    built = index()
    built.add("vk:2", {"PERSON": ["Олег Новиков"]})
    assert built.attribute("PERSON", "Олег Смирнов", MARIA).person is T
    assert built.attribute("PERSON", "Олегу Новикову", MARIA) == Attribution(R, ("vk:2",))


def test_stored_fingerprints_round_trip_and_survive_key_rotation() -> None:
    built = index()
    stored = orjson.dumps(built.add("vk:8", {"PERSON": ["Дарья Орлова"]}).encode())
    rotated = Keyring("k2", {"k1": bytes(range(32)), "k2": bytes(range(1, 33))})
    restarted = IdentityIndex(rotated)
    restarted.add_fingerprints("vk:8", Fingerprints.decode(orjson.loads(stored)))
    restarted.add("vk:9", {"PERSON": ["Дарья Лебедева"]})  # under the new key
    assert restarted.attribute("PERSON", "Дарьей Орловой", None) == Attribution(R, ("vk:8",))
    assert restarted.attribute("PERSON", "Дарье Лебедевой", None) == Attribution(R, ("vk:9",))
    with pytest.raises(ValueError, match="malformed"):
        Fingerprints.decode({"kid": "k1", "fp": ["not hex"]})


def test_fingerprints_are_keyed_and_are_not_pseudonyms() -> None:
    identity = {"PHONE_NUMBER": ["+7 916 123-45-67"]}
    one = IdentityIndex(KEYRING).fingerprints(identity)
    other = IdentityIndex(Keyring("k1", {"k1": bytes(range(5, 37))})).fingerprints(identity)
    assert one.values and one.values.isdisjoint(other.values)
    token = KeyBook(KEYRING, "global").global_pseudonymiser().token(*identity, "+7 916 123-45-67")
    assert not any(fp.hex()[:24] in token for fp in one.values)


CANARIES = [
    "Мария", "мария", "Иванова", "иванов", "ivanov", "maria", "Смирнов", "smirnov", "сергеевич",
    "sergeevich", "Кузнецова", "kuznetsov", "Королёва", "korolev", "Petrov", "petrov", "Smith",
    "smith", "9161234567", "79161234567", "9037654321", "maria.ivanova@mail.example",
    "anna.k@mail.example", "Masha", "mashaiv",
]  # fmt: skip


def test_no_clear_identity_value_is_retained() -> None:
    built = index()
    built.attribute("PERSON", "Марии Ивановой", MARIA)
    blob = pickle.dumps(built)
    text = repr(built) + repr(vars(built) if hasattr(built, "__dict__") else "")
    state = [getattr(built, name) for name in built.__slots__]  # type: ignore[attr-defined]
    for canary in CANARIES:
        for encoding in ("utf-8", "utf-16-le", "utf-32-le"):
            assert canary.encode(encoding) not in blob, canary
            assert canary.casefold().encode(encoding) not in blob, canary
        assert canary not in text and canary not in repr(state).replace("\\", ""), canary
    assert pickle.loads(blob).attribute("PERSON", "Марию Иванову", MARIA).person is S


IDENTITY_ERRORS: list[tuple[Any, str]] = [
    ("Мария Иванова", "consent.identity: must be an object"),
    ({}, "consent.identity: must be an object"),
    ({"person": ["Мария Иванова"]}, "consent.identity: keys must be entity types"),
    ({"Мария Иванова": ["x"]}, "consent.identity: keys must be entity types"),
    ({"PERSON": "Мария Иванова"}, "consent.identity.PERSON: must be a list"),
    ({"PERSON": []}, "consent.identity.PERSON: must be a list"),
    ({"PERSON": [""]}, "consent.identity.PERSON: must be a list"),
    ({"PERSON": ["Мария Иванова" * 30]}, "consent.identity.PERSON: must be a list"),
    ({"PERSON": ["Мария Иванова"] * 17}, "consent.identity.PERSON: must be a list"),
    ({"PERSON": ["Мария Иванова", 7]}, "consent.identity.PERSON: must be a list"),
    ({"PERSON": ["Мария"]}, "consent.identity.PERSON[0]: cannot be read as a PERSON"),
    ({"PERSON": ["М. Иванова"]}, "consent.identity.PERSON[0]: cannot be read"),
    ({"PHONE_NUMBER": ["Мария Иванова"]}, "consent.identity.PHONE_NUMBER[0]: cannot be read"),
    ({"EMAIL_ADDRESS": ["Мария Иванова"]}, "consent.identity.EMAIL_ADDRESS[0]: cannot be"),
    ({f"T{i}": ["x"] for i in range(33)}, "consent.identity: at most 32 entity types"),
]


@pytest.mark.parametrize(("identity", "message"), IDENTITY_ERRORS)
def test_identity_errors_name_the_field_never_the_value(identity: Any, message: str) -> None:
    with pytest.raises(IdentityError) as caught:
        parse_identity(identity, "consent.identity")
    assert str(caught.value).startswith(message)
    assert "Мария" not in str(caught.value) and "Иванова" not in str(caught.value)


def test_add_validates() -> None:
    with pytest.raises(IdentityError, match=r"^identity\.PERSON\[0\]"):
        IdentityIndex(KEYRING).add(MARIA, {"PERSON": ["Мария"]})


def test_forms_are_what_the_index_fingerprints() -> None:
    # A finding matches when a lookup form equals a registered form (names: lemmas in a Latin
    # skeleton, sorted; initials with the surname's gender).
    assert "n:ivanov|maria" in identity_forms("PERSON", "Мария Иванова")
    assert "n:ivanov|maria" in lookup_forms("PERSON", "Ивановой Марии")
    assert lookup_forms("PHONE_NUMBER", "8 (916) 123-45-67") == {"79161234567"}
    assert lookup_forms("PERSON", "М.") == frozenset()
