"""The reversible mode: values encrypted under a *reveal key*, readable again only with it.

The ``encrypt`` action writes a token such as
``<EMAIL_ADDRESS:enc:r2026-11:mFq0...Zw==.Hk3...Q>``: the entity type, ``enc``, the id of the
reveal key, the ciphertext and an authentication tag. ``piiredact reveal``
(:mod:`streams.cli.reveal`) turns such tokens back into the values, for an authorised and
audited re-identification.

The cipher is presidio-anonymizer's ``Encrypt``/``Decrypt`` operators (AES-256-CBC with a
random IV, urlsafe base64), under a key derived from the reveal key. CBC alone does not
authenticate: a wrong key or an altered token would decrypt to garbage (or fail on the padding
only by chance), so each token also carries an HMAC-SHA256 tag (encrypt-then-MAC, 128 bits,
under a second derived key) over the entity type, the key id and the ciphertext. A wrong key is
then a clear error, and a token cannot be moved to another entity type or key id unnoticed.

The reveal keyring has the format of the pseudonymisation keyring (:mod:`streams.core.keys`)
but is a different file with different keys (``reveal_keys_file``): pseudonyms are one-way
(a keyed hash), encrypted values are not. AES is symmetric: whoever holds the reveal key can
both encrypt and decrypt, the worker included. Each encryption uses a fresh IV, so the same
value gives a different token every time (tokens do not link records; pseudonyms do) and a
record with encrypted values is not byte-for-byte reproducible. The ciphertext's length shows
the value's length to within 16 bytes.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from hashlib import sha256
from typing import TYPE_CHECKING

from streams.core.anonymizer import Decrypt, Encrypt
from streams.core.keys import Keyring
from streams.core.pseudonym import TOKEN_HEX
from streams.errors import KeyringError, RevealError

if TYPE_CHECKING:
    from streams.core.policy import Policy

_ENCRYPTION = b"reveal/aes-256-cbc/v1"
_AUTHENTICATION = b"reveal/hmac-sha256/v1"
_TAG_BYTES = 16
_ENCRYPT = Encrypt()
_DECRYPT = Decrypt()

#: An encrypted value as the ``encrypt`` action writes it.
TOKEN = re.compile(
    r"<(?P<entity>[A-Z][A-Z0-9_]{0,63}):enc:(?P<kid>[A-Za-z0-9._\-]{1,32})"
    r":(?P<ciphertext>[A-Za-z0-9_\-]{22,}={0,2})\.(?P<tag>[A-Za-z0-9_\-]{22})>"
)
#: A pseudonym (:mod:`streams.core.pseudonym`): one-way, never revealed.
PSEUDONYM = re.compile(rf"<[A-Z][A-Z0-9_]{{0,63}}:[A-Za-z0-9._\-]{{1,32}}:[0-9a-f]{{{TOKEN_HEX}}}>")


@dataclass(frozen=True, slots=True)
class Opened:
    """One token opened: its span in the text, the entity type, the key id and the value."""

    start: int
    end: int
    entity_type: str
    key_id: str
    value: str


class RevealCipher:
    """Encrypts values into tokens under the reveal keyring's active key, and opens tokens made
    under any of its keys. Holds the keys; never prints them."""

    __slots__ = ("_keys", "keyring")

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self._keys: dict[str, tuple[bytes, bytes]] = {}

    def __repr__(self) -> str:
        return f"RevealCipher(active={self.keyring.active!r})"

    def __reduce__(self) -> tuple[type[RevealCipher], tuple[Keyring]]:
        return (RevealCipher, (self.keyring,))  # the derived keys are remade, not pickled

    @property
    def key_id(self) -> str:
        """The id of the key new tokens are made with."""
        return self.keyring.active

    def _derived(self, key_id: str) -> tuple[bytes, bytes]:
        keys = self._keys.get(key_id)
        if keys is None:
            keys = (
                self.keyring.derived(key_id, _ENCRYPTION),
                self.keyring.derived(key_id, _AUTHENTICATION),
            )
            self._keys[key_id] = keys
        return keys

    @staticmethod
    def _tag(mac_key: bytes, entity_type: str, key_id: str, ciphertext: str) -> str:
        message = f"{entity_type}\x00{key_id}\x00{ciphertext}".encode("ascii")
        digest = hmac.new(mac_key, message, sha256).digest()[:_TAG_BYTES]
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def seal(self, entity_type: str, value: str) -> str:
        """The token for ``value`` (found as ``entity_type``), under the active key."""
        key_id = self.keyring.active
        aes_key, mac_key = self._derived(key_id)
        params = {"key": aes_key}
        _ENCRYPT.validate(params)
        ciphertext = _ENCRYPT.operate(value, params)
        tag = self._tag(mac_key, entity_type, key_id, ciphertext)
        return f"<{entity_type}:enc:{key_id}:{ciphertext}.{tag}>"

    def open(self, token: str) -> Opened:
        """The value inside one whole ``token``. Raises :class:`RevealError`."""
        match = TOKEN.fullmatch(token)
        if match is None:
            raise RevealError("not an encrypted value")
        return self._open(match)

    def _open(self, match: re.Match[str]) -> Opened:
        entity_type, key_id = match["entity"], match["kid"]
        ciphertext, tag = match["ciphertext"], match["tag"]
        try:
            aes_key, mac_key = self._derived(key_id)
        except KeyringError:
            raise RevealError(
                f"the reveal keyring has no key {key_id!r}: the value was encrypted under a key "
                "that is not in this keyring"
            ) from None
        if not hmac.compare_digest(self._tag(mac_key, entity_type, key_id, ciphertext), tag):
            raise RevealError(
                f"an encrypted {entity_type} does not open with reveal key {key_id!r}: wrong key "
                "(a keyring with the same id but other key bytes?) or an altered token"
            )
        try:
            value = _DECRYPT.operate(ciphertext, {"key": aes_key})
        except (ValueError, binascii.Error):  # authenticated, so only a damaged writer gets here
            raise RevealError(f"an encrypted {entity_type} is damaged") from None
        return Opened(match.start(), match.end(), entity_type, key_id, value)

    def reveal(self, text: str) -> tuple[str, list[Opened]]:
        """``text`` with every token in it opened, and the tokens opened (their values
        included: the caller must not log them). Raises :class:`RevealError` if one does not
        open; then nothing of ``text`` is returned."""
        opened = [self._open(m) for m in TOKEN.finditer(text)]
        if not opened:
            return text, []
        return splice(text, ((o.start, o.end, o.value) for o in opened)), opened


def require_reveal_keyring(
    policy: Policy, reveal: Keyring | None, pseudonym_keys: Keyring | None
) -> None:
    """Refuse to start when the policy encrypts and no reveal keyring is configured, or when the
    reveal keyring holds a pseudonymisation key (then whoever may reveal could also recompute
    pseudonyms, and the other way round)."""
    if policy.uses_encryption and reveal is None:
        raise KeyringError(
            f"policy {policy.version!r} encrypts, but no reveal keyring is configured: set "
            "PIIREDACT_REVEAL_KEYS_FILE to a keyring file of its own (see docs/consent.md)"
        )
    if reveal is not None and pseudonym_keys is not None:
        shared = set(reveal.keys.values()) & set(pseudonym_keys.keys.values())
        if shared:
            raise KeyringError(
                "the reveal keyring holds a key of the pseudonymisation keyring: give it keys "
                "of its own"
            )


def splice(text: str, replacements: Iterable[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, new)`` span replaced (spans in order, not
    overlapping)."""
    pieces: list[str] = []
    cursor = 0
    for start, end, new in replacements:
        pieces.append(text[cursor:start])
        pieces.append(new)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def has_encrypted(text: str) -> bool:
    """Whether ``text`` holds an encrypted-value token."""
    return TOKEN.search(text) is not None


def has_pseudonym(text: str) -> bool:
    """Whether ``text`` holds a pseudonym token (one-way: never revealed)."""
    return PSEUDONYM.search(text) is not None
