"""The reveal cipher: encrypted values open with their reveal key and nothing else."""

from __future__ import annotations

import os
import pickle
import re

import pytest

from streams.core.keys import Keyring
from streams.core.policy import DEFAULT_POLICY, Action, Policy, Rule, parse_policy
from streams.core.pseudonym import Pseudonymiser
from streams.core.reveal import (
    PSEUDONYM,
    TOKEN,
    RevealCipher,
    has_encrypted,
    has_pseudonym,
    require_reveal_keyring,
)
from streams.errors import KeyringError, RevealError

KEY = os.urandom(32)
CIPHER = RevealCipher(Keyring("r2026-11", {"r2026-11": KEY}))

ROUND_TRIP_CASES = [
    ("EMAIL_ADDRESS", "olga.sokolova@example.ru", "ASCII"),
    ("PERSON", "Ольга Соколова", "Cyrillic (two bytes a letter in UTF-8)"),
    ("PHONE_NUMBER", "+7 916 123-45-67", "separators and a plus"),
    ("CREDIT_CARD", "4111 1111 1111 1111", "exactly 19 bytes: two blocks"),
    ("PERSON", "x" * 16, "exactly one block: padding adds a whole block"),
    ("PERSON", "👩🏽‍🔬 Ана", "emoji with a joiner"),
    ("ADDRESS_LIKE", "a" * 5000, "a long value"),
]


@pytest.mark.parametrize(
    ("entity_type", "value", "reason"), ROUND_TRIP_CASES, ids=[c[-1] for c in ROUND_TRIP_CASES]
)
def test_seal_then_open_gives_the_value(entity_type: str, value: str, reason: str) -> None:
    token = CIPHER.seal(entity_type, value)
    match = TOKEN.fullmatch(token)
    assert match is not None, token
    assert (match["entity"], match["kid"]) == (entity_type, "r2026-11")
    assert value not in token
    opened = CIPHER.open(token)
    assert (opened.value, opened.entity_type, opened.key_id) == (value, entity_type, "r2026-11")


def test_a_token_is_neither_a_pseudonym_nor_the_other_way_round() -> None:
    token = CIPHER.seal("EMAIL_ADDRESS", "a@b.example")
    pseudonym = Pseudonymiser(b"p" * 32, "enc").token("EMAIL_ADDRESS", "a@b.example")
    assert has_encrypted(token) and not has_pseudonym(token)
    assert has_pseudonym(pseudonym) and not has_encrypted(pseudonym)
    assert PSEUDONYM.fullmatch(pseudonym) is not None  # even under a key named "enc"


def _swap(token: str, group: str, new: str) -> str:
    match = TOKEN.fullmatch(token)
    assert match is not None
    return token[: match.start(group)] + new + token[match.end(group) :]


def _flip(text: str) -> str:
    return ("B" if text[0] == "A" else "A") + text[1:]


def test_a_wrong_key_with_the_same_id_is_a_clear_error() -> None:
    token = CIPHER.seal("EMAIL_ADDRESS", "olga.sokolova@example.ru")
    other = RevealCipher(Keyring("r2026-11", {"r2026-11": os.urandom(32)}))
    with pytest.raises(RevealError, match="does not open with reveal key 'r2026-11': wrong key"):
        other.open(token)


def test_a_key_id_missing_from_the_keyring_is_named() -> None:
    token = CIPHER.seal("EMAIL_ADDRESS", "olga.sokolova@example.ru")
    other = RevealCipher(Keyring("r2027-05", {"r2027-05": KEY}))
    with pytest.raises(RevealError, match="no key 'r2026-11'"):
        other.open(token)


def test_a_rotated_keyring_still_opens_old_tokens() -> None:
    token = CIPHER.seal("EMAIL_ADDRESS", "olga.sokolova@example.ru")
    rotated = RevealCipher(Keyring("r2027-05", {"r2027-05": os.urandom(32), "r2026-11": KEY}))
    assert rotated.open(token).value == "olga.sokolova@example.ru"
    assert "r2027-05" in rotated.seal("EMAIL_ADDRESS", "x@y.example")


ALTERED_CASES = [
    (lambda t: _swap(t, "entity", "PERSON"), "the entity type changed"),
    (lambda t: _swap(t, "ciphertext", _flip(TOKEN.fullmatch(t)["ciphertext"])), "ciphertext"),  # type: ignore[index]
    (lambda t: _swap(t, "tag", _flip(TOKEN.fullmatch(t)["tag"])), "tag"),  # type: ignore[index]
]


@pytest.mark.parametrize(("alter", "reason"), ALTERED_CASES, ids=[c[-1] for c in ALTERED_CASES])
def test_an_altered_token_does_not_open(alter: object, reason: str) -> None:
    token = CIPHER.seal("EMAIL_ADDRESS", "olga.sokolova@example.ru")
    altered = alter(token)  # type: ignore[operator]
    assert altered != token
    with pytest.raises(RevealError, match=r"wrong key .* or an altered token"):
        CIPHER.open(altered)


def test_errors_carry_no_value() -> None:
    token = CIPHER.seal("EMAIL_ADDRESS", "olga.sokolova@example.ru")
    other = RevealCipher(Keyring("r2026-11", {"r2026-11": os.urandom(32)}))
    with pytest.raises(RevealError) as caught:
        other.reveal(f"write to {token}")
    assert "olga" not in str(caught.value)
    assert re.search(r"[A-Za-z0-9_\-]{40}", str(caught.value)) is None  # no ciphertext either


def test_reveal_opens_every_token_of_a_text() -> None:
    text = (
        f"mail {CIPHER.seal('EMAIL_ADDRESS', 'a@b.example')}, "
        f"call {CIPHER.seal('PHONE_NUMBER', '+7 916 123-45-67')}, "
        f"keyed {Pseudonymiser(b'p' * 32, 'k1').token('PERSON', 'Ольга')}"
    )
    revealed, opened = CIPHER.reveal(text)
    assert revealed.startswith("mail a@b.example, call +7 916 123-45-67, keyed <PERSON:k1:")
    assert [o.entity_type for o in opened] == ["EMAIL_ADDRESS", "PHONE_NUMBER"]
    assert CIPHER.reveal("nothing here") == ("nothing here", [])


def test_the_cipher_pickles_without_its_derived_keys_and_never_prints_a_key() -> None:
    token = CIPHER.seal("EMAIL_ADDRESS", "a@b.example")
    copy = pickle.loads(pickle.dumps(CIPHER))
    assert copy.open(token).value == "a@b.example"
    assert KEY.hex() not in repr(CIPHER) and "r2026-11" in repr(CIPHER)


ENCRYPTS = Policy(
    version="e", rules=(Rule("mail", Action.ENCRYPT, entities=frozenset({"EMAIL_ADDRESS"})),)
)
REVEAL = Keyring("r1", {"r1": b"r" * 32})
PSEUDONYM_KEYS = Keyring("k1", {"k1": b"k" * 32})

REQUIRE_CASES = [
    (ENCRYPTS, None, PSEUDONYM_KEYS, "no reveal keyring is configured", "encrypts without keys"),
    (
        Policy(version="e", default_action=Action.ENCRYPT),
        None,
        None,
        "no reveal keyring is configured",
        "the default action encrypts",
    ),
    (
        ENCRYPTS,
        Keyring("r1", {"r1": b"k" * 32}),
        PSEUDONYM_KEYS,
        "holds a key of the pseudonymisation keyring",
        "a pseudonymisation key reused as a reveal key",
    ),
    (
        Policy(version="p"),
        Keyring("r1", {"r1": b"r" * 32, "old": b"k" * 32}),
        PSEUDONYM_KEYS,
        "holds a key of the pseudonymisation keyring",
        "shared even as an old key, even when the policy does not encrypt",
    ),
]


@pytest.mark.parametrize(
    ("policy", "reveal", "keys", "message", "reason"),
    REQUIRE_CASES,
    ids=[c[-1] for c in REQUIRE_CASES],
)
def test_require_reveal_keyring_refuses(
    policy: Policy, reveal: Keyring | None, keys: Keyring | None, message: str, reason: str
) -> None:
    with pytest.raises(KeyringError, match=message):
        require_reveal_keyring(policy, reveal, keys)


@pytest.mark.parametrize(
    ("policy", "reveal", "reason"),
    [
        (ENCRYPTS, REVEAL, "encrypts with a keyring of its own"),
        (Policy(version="p"), None, "does not encrypt, needs none"),
    ],
)
def test_require_reveal_keyring_accepts(
    policy: Policy, reveal: Keyring | None, reason: str
) -> None:
    require_reveal_keyring(policy, reveal, PSEUDONYM_KEYS)


def test_a_policy_file_may_encrypt_and_the_builtin_one_does_not() -> None:
    policy = parse_policy(
        "version: v\nrules:\n  - id: mail\n    entities: [EMAIL_ADDRESS]\n    action: encrypt\n"
    )
    assert policy.rules[0].action is Action.ENCRYPT
    assert policy.uses_encryption and not policy.uses_pseudonyms
    assert not DEFAULT_POLICY.uses_encryption
    assert not Policy(version="p").uses_encryption
