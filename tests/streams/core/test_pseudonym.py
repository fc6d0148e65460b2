"""Pseudonyms: deterministic per key, different across keys, and useless without the key."""

from __future__ import annotations

import hashlib
import hmac
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.pseudonym import TOKEN_HEX, Pseudonymiser, normalise

KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))

NORMALISE_CASES = [
    ("PERSON", "Иванов Иван", "Иван Иванов", "word order"),
    ("PERSON", "Иванов Иван", "ИВАНОВ  ИВАН", "case and spaces"),
    ("PERSON", "Фёдоров Пётр", "Федоров Петр", "ё is е"),
    ("PERSON", "O'Brien, Mary-Ann", "mary-ann o'brien", "punctuation around names"),
    ("PHONE_NUMBER", "8 (916) 123-45-67", "+7 916 1234567", "Russian trunk prefix 8 is +7"),
    ("PHONE_NUMBER", "+1 212 748 2542", "+1-212-748-2542", "separators"),
    ("EMAIL_ADDRESS", "Olga.Sokolova@Example.RU", "olga.sokolova@example.ru", "case"),
    ("CREDIT_CARD", "4111 1111 1111 1111", "4111-1111-1111-1111", "card separators"),
    ("RU_SNILS", "112-233-445 95", "11223344595", "СНИЛС separators"),
    ("MAC_ADDRESS", "00:1A:2B:3C:4D:5E", "00-1a-2b-3c-4d-5e", "MAC separators and case"),
]


@pytest.mark.parametrize(
    ("entity", "a", "b", "reason"), NORMALISE_CASES, ids=[c[-1] for c in NORMALISE_CASES]
)
def test_spellings_of_one_value_give_one_token(entity: str, a: str, b: str, reason: str) -> None:
    assert normalise(entity, a) == normalise(entity, b)
    p = Pseudonymiser(KEY_A, "k1")
    assert p.token(entity, a) == p.token(entity, b)


DIFFERENT_CASES = [
    ("PERSON", "Иванов Иван", "Иванов Пётр"),
    ("PHONE_NUMBER", "8 916 123-45-67", "+8 916 123-45-67"),  # +8 is not a Russian trunk prefix
    ("PHONE_NUMBER", "+7 916 123-45-67", "+7 916 123-45-68"),
    ("EMAIL_ADDRESS", "a@example.ru", "b@example.ru"),
]


@pytest.mark.parametrize(("entity", "a", "b"), DIFFERENT_CASES)
def test_different_values_give_different_tokens(entity: str, a: str, b: str) -> None:
    p = Pseudonymiser(KEY_A, "k1")
    assert p.token(entity, a) != p.token(entity, b)


def test_token_shape_carries_type_and_key_id() -> None:
    token = Pseudonymiser(KEY_A, "k2026-11").token("PHONE_NUMBER", "+7 916 123-45-67")
    entity, key_id, digest = token.strip("<>").split(":")
    assert (entity, key_id) == ("PHONE_NUMBER", "k2026-11")
    assert len(digest) == TOKEN_HEX and int(digest, 16) >= 0


def test_the_entity_type_separates_domains() -> None:
    p = Pseudonymiser(KEY_A, "k1")
    assert (
        p.token("RU_INN", "7707083893").split(":")[2]
        != p.token("PHONE_NUMBER", "7707083893").split(":")[2]
    )


def test_repr_never_shows_the_key() -> None:
    p = Pseudonymiser(KEY_A, "k1")
    assert KEY_A.hex() not in repr(p) and str(KEY_A) not in repr(p)


values = st.text(min_size=1, max_size=40)
entities = st.sampled_from(["PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS", "RU_INN", "IP_ADDRESS"])
keys = st.binary(min_size=32, max_size=64)


@settings(max_examples=300, deadline=None)
@given(entity=entities, value=values, key=keys)
def test_deterministic_per_key(entity: str, value: str, key: bytes) -> None:
    # Two separate instances (two workers) with the same key agree.
    assert Pseudonymiser(key, "k").token(entity, value) == Pseudonymiser(bytes(key), "k").token(
        entity, value
    )


@settings(max_examples=300, deadline=None)
@given(entity=entities, value=values, a=keys, b=keys)
def test_different_keys_give_different_tokens(entity: str, value: str, a: bytes, b: bytes) -> None:
    if a == b:
        return
    # 96-bit digests: a collision here would be a broken HMAC, not bad luck.
    assert Pseudonymiser(a, "k").token(entity, value) != Pseudonymiser(b, "k").token(entity, value)


def test_hashing_every_phone_in_a_range_without_the_key_recovers_none() -> None:
    """An attacker holding the clean topic knows the token format and guesses that the values
    are Moscow mobile numbers. Hashing all 100,000 numbers of one block every obvious way
    (plain SHA-256 / HMAC with an empty or guessed key, raw or normalised) matches no token."""
    secret = os.urandom(32)
    pseudonymiser = Pseudonymiser(secret, "k1")
    planted = [f"+7 916 12{n:05d}" for n in (31, 4567, 99999)]
    tokens = {pseudonymiser.token("PHONE_NUMBER", p).split(":")[2] for p in planted}
    guessed_keys = [b"", b"k1", b"piiredact", b"PHONE_NUMBER", b"\x00" * 32]
    found = 0
    for n in range(100_000):
        digits = f"791612{n:05d}"
        candidates = (digits, f"+{digits}", f"PHONE_NUMBER\x00{digits}")
        for text in candidates:
            data = text.encode()
            if hashlib.sha256(data).hexdigest()[:TOKEN_HEX] in tokens:
                found += 1
            for guess in guessed_keys:
                if hmac.new(guess, data, hashlib.sha256).hexdigest()[:TOKEN_HEX] in tokens:
                    found += 1
    assert found == 0
    # ...while the key holder recomputes each one at once: the test is not vacuous.
    assert {
        Pseudonymiser(secret, "k1").token("PHONE_NUMBER", f"8 916 12{n:05d}").split(":")[2]
        for n in (31, 4567, 99999)
    } == tokens
