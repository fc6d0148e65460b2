"""Pseudonymisation keys: the operator's keyring and the per-subject keys it protects.

The keyring is a JSON document that comes from a mounted file (a Kubernetes Secret,
``PIIREDACT_KEYS_FILE``) or from the environment (``PIIREDACT_KEYS``), never from the policy::

    {"active": "k2026-11", "keys": {"k2026-11": "<base64, 32+ bytes>", "k2026-05": "..."}}

``active`` names the key used for new material; the other keys stay so that material made
under them stays readable (rotation). Key ids are 1-32 characters of ``A-Z a-z 0-9 . _ -``.
Nothing in this module prints, logs or puts a key into an exception message.

Per-subject keys make erasure possible (crypto-shredding): each subject gets a random 256-bit
key, stored only wrapped (AES-256-GCM under a keyring key, bound to the subject reference) in
the worker's ``subject-keys`` table. An erasure deletes the subject's entry; once the topic is
compacted the key is gone, and so is any way to recompute or link the tokens made with it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from streams.core.consent import EvidenceKey, normalise_subject_ref, parse_time
from streams.core.pseudonym import Pseudonymiser
from streams.core.timestamps import format_rfc3339
from streams.errors import ConsentError, KeyringError

if TYPE_CHECKING:
    from streams.core.policy import Policy

_KEY_ID = re.compile(r"^[A-Za-z0-9._\-]{1,32}$")
MIN_KEY_BYTES = 32
SUBJECT_KEY_BYTES = 32
_NONCE_BYTES = 12
_WRAP = b"wrap-subject-key/v1"
_GLOBAL = b"pseudonym/global/v1"


@dataclass(frozen=True, slots=True)
class Keyring:
    """Secret keys by id, and which one is active."""

    active: str
    keys: dict[str, bytes] = field(repr=False)

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise KeyringError("keyring: `active` must name one of the keys")

    def __repr__(self) -> str:  # never the key bytes
        return f"Keyring(active={self.active!r}, ids={sorted(self.keys)!r})"

    def derived(self, key_id: str, purpose: bytes) -> bytes:
        """A 256-bit key for one ``purpose`` (wrapping, global pseudonyms), from key ``key_id``."""
        return hmac.new(self.key(key_id), b"piiredact/" + purpose, hashlib.sha256).digest()

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise KeyringError(f"keyring: no key with id {key_id!r} (was it removed?)") from None

    @classmethod
    def generate(cls, key_id: str = "ephemeral") -> Keyring:
        """A keyring with one fresh random key (for the demo and one-off scans)."""
        return cls(key_id, {key_id: os.urandom(MIN_KEY_BYTES)})


def parse_keyring(text: str | bytes, source: str = "keyring") -> Keyring:
    """Validate a keyring document. Raises :class:`KeyringError` naming the problem."""
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise KeyringError(f"{source}: not valid JSON") from None
    if not isinstance(doc, dict) or set(doc) - {"active", "keys"}:
        raise KeyringError(f'{source}: must be an object with "active" and "keys" only')
    active, raw_keys = doc.get("active"), doc.get("keys")
    if not isinstance(active, str):
        raise KeyringError(f"{source}: active: must be a key id")
    if not isinstance(raw_keys, dict) or not raw_keys:
        raise KeyringError(f"{source}: keys: must map key ids to base64 keys")
    keys: dict[str, bytes] = {}
    for key_id, encoded in raw_keys.items():
        if not _KEY_ID.match(key_id):
            raise KeyringError(f"{source}: keys: key ids are 1-32 characters of A-Z a-z 0-9 . _ -")
        try:
            material = base64.b64decode(str(encoded), validate=True)
        except (binascii.Error, ValueError):
            raise KeyringError(f"{source}: keys.{key_id}: not valid base64") from None
        if len(material) < MIN_KEY_BYTES:
            raise KeyringError(
                f"{source}: keys.{key_id}: must be at least {MIN_KEY_BYTES} random bytes"
            )
        keys[key_id] = material
    if active not in keys:
        raise KeyringError(f"{source}: active: names no key in keys")
    return Keyring(active, keys)


def load_keyring(path: Path | None, inline: str | None) -> Keyring | None:
    """The keyring from ``path`` (preferred) or the ``inline`` JSON; ``None`` when neither."""
    if path is not None:
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise KeyringError(f"{path}: cannot read keyring file ({exc.strerror})") from None
        return parse_keyring(text, str(path))
    if inline is not None:
        return parse_keyring(inline, "PIIREDACT_KEYS")
    return None


@dataclass(frozen=True, slots=True)
class WrappedKey:
    """A subject key as stored: encrypted under keyring key ``key_id``."""

    key_id: str
    blob: bytes  # nonce + ciphertext + tag
    created_at: datetime

    def encode(self) -> bytes:
        return orjson.dumps(
            {
                "kid": self.key_id,
                "wrapped": base64.b64encode(self.blob).decode("ascii"),
                "created_at": format_rfc3339(self.created_at),
            }
        )

    @classmethod
    def decode(cls, raw: bytes) -> WrappedKey:
        try:
            doc: Any = orjson.loads(raw)
            return cls(
                str(doc["kid"]),
                base64.b64decode(doc["wrapped"], validate=True),
                parse_time(doc["created_at"], "created_at"),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, binascii.Error, ConsentError):
            raise KeyringError("subject key entry is malformed") from None


def new_subject_key(keyring: Keyring, subject_ref: str, now: datetime) -> WrappedKey:
    """A fresh random subject key, wrapped under the active keyring key."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(keyring.derived(keyring.active, _WRAP)).encrypt(
        nonce, os.urandom(SUBJECT_KEY_BYTES), subject_ref.encode("utf-8")
    )
    return WrappedKey(keyring.active, nonce + sealed, now)


def unwrap(keyring: Keyring, wrapped: WrappedKey, subject_ref: str) -> bytes:
    """The subject key inside ``wrapped``. Raises :class:`KeyringError` if it does not open."""
    key = keyring.derived(wrapped.key_id, _WRAP)
    nonce, sealed = wrapped.blob[:_NONCE_BYTES], wrapped.blob[_NONCE_BYTES:]
    try:
        return AESGCM(key).decrypt(nonce, sealed, subject_ref.encode("utf-8"))
    except InvalidTag:
        raise KeyringError(
            f"subject key does not open with keyring key {wrapped.key_id!r}"
        ) from None


class KeyBook:
    """Finds the pseudonymiser for a record: its subject's key, or the global one.

    ``store`` maps subject references to their wrapped keys. With ``create=True`` a missing
    subject key is made and added to ``store`` (the offline scanner, one process); without it
    a missing key gives ``None`` and the record is quarantined (the worker makes keys before
    detection, see :mod:`streams.worker.app`).
    """

    def __init__(
        self,
        keyring: Keyring,
        scope: str,
        store: dict[str, WrappedKey] | None = None,
        *,
        create: bool = False,
    ) -> None:
        self.keyring = keyring
        self.scope = scope
        self.store = store if store is not None else {}
        self.create = create
        self._open: dict[str, Pseudonymiser] = {}

    def global_pseudonymiser(self) -> Pseudonymiser:
        key_id = self.keyring.active
        return Pseudonymiser(self.keyring.derived(key_id, _GLOBAL), key_id)

    def for_subject(self, subject_ref: str | None, now: datetime) -> Pseudonymiser | None:
        """The pseudonymiser for a record of ``subject_ref``; ``None`` if its key is missing."""
        if subject_ref is not None:
            subject_ref = normalise_subject_ref(subject_ref)  # as the registry keys it
        if self.scope != "subject" or not subject_ref:
            return self.global_pseudonymiser()
        cached = self._open.get(subject_ref)
        if cached is not None:
            return cached
        wrapped = self.store.get(subject_ref)
        if wrapped is None:
            if not self.create:
                return None
            wrapped = new_subject_key(self.keyring, subject_ref, now)
            self.store[subject_ref] = wrapped
        pseudonymiser = Pseudonymiser(unwrap(self.keyring, wrapped, subject_ref), wrapped.key_id)
        self._open[subject_ref] = pseudonymiser
        return pseudonymiser


def require_keyring(policy: Policy, keyring: Keyring | None) -> None:
    """Refuse to start when the policy pseudonymises and no keyring is configured."""
    if policy.uses_pseudonyms and keyring is None:
        raise KeyringError(
            f"policy {policy.version!r} pseudonymises, but no keyring is configured: "
            "set PIIREDACT_KEYS_FILE to a keyring file (see docs/consent.md)"
        )


_EVIDENCE = b"consent-evidence/v1"


def evidence_key(keyring: Keyring) -> EvidenceKey:
    """The key for consent evidence digests (:meth:`ConsentSnapshot.as_dict`), under the
    active keyring key: a dedicated derived key, so digests never equal pseudonyms."""
    return EvidenceKey(keyring.active, keyring.derived(keyring.active, _EVIDENCE))
