"""The keyring and per-subject keys: validation, wrapping, rotation, crypto-shredding."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from streams.core.keys import (
    KeyBook,
    Keyring,
    WrappedKey,
    evidence_key,
    load_keyring,
    new_subject_key,
    parse_keyring,
    unwrap,
)
from streams.errors import KeyringError

NOW = datetime(2026, 11, 21, tzinfo=UTC)
SECRET = bytes(range(100, 132))
B64 = base64.b64encode(SECRET).decode()


def doc(active: str = "k1", **keys: str) -> str:
    return orjson.dumps({"active": active, "keys": keys or {"k1": B64}}).decode()


def test_a_valid_keyring() -> None:
    ring = parse_keyring(doc("k2", k1=B64, k2=base64.b64encode(bytes(48)).decode()))
    assert ring.active == "k2" and set(ring.keys) == {"k1", "k2"}


ERRORS = [
    ("not json", "not valid JSON"),
    ('{"active": "k1"}', "keys: must map"),
    ('{"active": "k1", "keys": {}, "extra": 1}', '"active" and "keys" only'),
    (doc("k9"), "active: names no key"),
    (orjson.dumps({"active": "k1", "keys": {"k1": "%%%"}}).decode(), "keys.k1: not valid base64"),
    (
        orjson.dumps(
            {"active": "k1", "keys": {"k1": base64.b64encode(b"short").decode()}}
        ).decode(),
        "at least 32 random bytes",
    ),
    (orjson.dumps({"active": "a:b", "keys": {"a:b": B64}}).decode(), "key ids are 1-32"),
]


@pytest.mark.parametrize(("text", "fragment"), ERRORS)
def test_keyring_errors_never_show_key_material(text: str, fragment: str) -> None:
    with pytest.raises(KeyringError) as caught:
        parse_keyring(text, "keys.json")
    assert fragment in str(caught.value)
    assert str(caught.value).startswith("keys.json")
    assert B64 not in str(caught.value)


def test_keyring_repr_never_shows_key_material() -> None:
    ring = parse_keyring(doc())
    assert (
        B64 not in repr(ring) and SECRET.hex() not in repr(ring) and str(SECRET) not in repr(ring)
    )


def test_load_prefers_the_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(doc("file-key", **{"file-key": B64}))
    assert load_keyring(path, doc()).active == "file-key"  # type: ignore[union-attr]
    assert load_keyring(None, doc()).active == "k1"  # type: ignore[union-attr]
    assert load_keyring(None, None) is None
    with pytest.raises(KeyringError, match="cannot read keyring file"):
        load_keyring(tmp_path / "missing.json", None)


def test_subject_keys_wrap_and_unwrap_only_for_their_subject() -> None:
    ring = parse_keyring(doc())
    wrapped = new_subject_key(ring, "vk:1", NOW)
    assert len(unwrap(ring, wrapped, "vk:1")) == 32
    with pytest.raises(KeyringError, match="does not open"):
        unwrap(ring, wrapped, "vk:2")  # bound to the subject: cannot be moved to another
    assert WrappedKey.decode(wrapped.encode()) == wrapped
    assert SECRET.hex() not in wrapped.encode().decode()


def test_rotation_keeps_old_material_readable() -> None:
    old = parse_keyring(doc("k1", k1=B64))
    wrapped = new_subject_key(old, "vk:1", NOW)
    rotated = parse_keyring(doc("k2", k1=B64, k2=base64.b64encode(bytes(32)).decode()))
    assert unwrap(rotated, wrapped, "vk:1") == unwrap(old, wrapped, "vk:1")
    assert new_subject_key(rotated, "vk:1", NOW).key_id == "k2"
    removed = parse_keyring(doc("k2", k2=base64.b64encode(bytes(32)).decode()))
    with pytest.raises(KeyringError, match="no key with id 'k1'"):
        unwrap(removed, wrapped, "vk:1")


def test_key_book_subject_scope() -> None:
    ring = parse_keyring(doc())
    book = KeyBook(ring, "subject", create=True)
    a = book.for_subject("vk:1", NOW)
    assert a is not None and a is book.for_subject("vk:1", NOW)
    token = a.token("PERSON", "Иванов Иван")
    assert token != book.for_subject("vk:2", NOW).token("PERSON", "Иванов Иван")  # type: ignore[union-attr]
    # A second worker with the same stored key makes the same token.
    other = KeyBook(ring, "subject", dict(book.store))
    assert other.for_subject("vk:1", NOW).token("PERSON", "ИВАНОВ ИВАН") == token  # type: ignore[union-attr]
    # Without the stored key and without permission to create one: no pseudonymiser.
    assert KeyBook(ring, "subject").for_subject("vk:1", NOW) is None
    # No subject: the global key.
    assert book.for_subject(None, NOW).key_id == "k1"  # type: ignore[union-attr]


def test_crypto_shredding_a_new_key_is_unlinkable() -> None:
    ring = parse_keyring(doc())
    store: dict[str, WrappedKey] = {}
    before = KeyBook(ring, "subject", store, create=True).for_subject("vk:1", NOW)
    del store["vk:1"]  # the erasure deletes the wrapped key
    after = KeyBook(ring, "subject", store, create=True).for_subject("vk:1", NOW)
    assert before is not None and after is not None
    assert before.token("PHONE_NUMBER", "+79161234567") != after.token(
        "PHONE_NUMBER", "+79161234567"
    )


def test_global_scope_is_one_key_for_everybody() -> None:
    ring = parse_keyring(doc())
    book = KeyBook(ring, "global")
    a, b = book.for_subject("vk:1", NOW), book.for_subject("vk:2", NOW)
    assert a is not None and b is not None
    assert a.token("EMAIL_ADDRESS", "a@b.ru") == b.token("EMAIL_ADDRESS", "a@b.ru")


def test_generated_keyrings_differ() -> None:
    assert Keyring.generate().keys != Keyring.generate().keys


def test_the_evidence_key_is_a_dedicated_derived_key() -> None:
    keyring = Keyring("k1", {"k1": b"\x07" * 32})
    key = evidence_key(keyring)
    assert key.key_id == "k1" and repr(b"\x07" * 32) not in repr(key)
    assert key.key not in (
        keyring.key("k1"),
        KeyBook(keyring, "global").global_pseudonymiser()._key,
    )
    assert key.digest("form-1") == evidence_key(keyring).digest("form-1")
    assert key.digest("form-1") != key.digest("form-2")
