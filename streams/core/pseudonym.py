"""Pseudonyms: the same value always gives the same token under the same key, and nothing else.

A token looks like ``<PHONE_NUMBER:k2026-11:3f9a0c1d7e2b4a6958c1d0e2>``: the entity type, the id
of the keyring key behind it, and 96 bits of HMAC-SHA256 over the entity type and the value
*normalised*, so that ``Иванов Иван``, ``ИВАНОВ ИВАН`` and ``Иван Иванов`` are one person and
``8 (916) 123-45-67`` and ``+7 916 1234567`` one phone. Without the key a token cannot be
recomputed, so hashing candidate values (every phone number in a range, say) finds nothing.

Two scopes (the policy's ``pseudonymise.scope``):

- ``subject`` (default): the key is the record subject's own key (see :mod:`streams.core.keys`);
  tokens of one person match across records and workers, tokens of different people do not,
  and an erasure makes later tokens unlinkable to earlier ones. A record without
  ``subject_ref`` falls back to the global key.
- ``global``: one key for everyone, so a value matches across all records; erasure cannot
  unlink such tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from recognizers.entities import ENTITY_TYPES

TOKEN_HEX = 24
#: Identifiers compared by their letters and digits alone (separators are formatting).
_DIGITS_ONLY = frozenset({"CREDIT_CARD", "IMEI", *(t for t in ENTITY_TYPES if t.startswith("RU_"))})
_NOT_ALNUM = re.compile(r"[^0-9A-Za-zА-Яа-яЁё]+")
_NOT_HEX = re.compile(r"[^0-9a-f]+")
_NAME_NOISE = re.compile(r"[^\w\s\-']+")
_SPACES = re.compile(r"\s+")


def normalise(entity_type: str, value: str) -> str:
    """The form of ``value`` that is hashed: spelling differences that name the same thing
    disappear."""
    text = unicodedata.normalize("NFKC", value).strip()
    if entity_type == "PERSON":
        words = _SPACES.split(_NAME_NOISE.sub(" ", text.casefold().replace("ё", "е")).strip())
        return " ".join(sorted(w.strip("-'") for w in words if w.strip("-'")))
    if entity_type == "PHONE_NUMBER":
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) == 11 and digits.startswith("8") and not text.startswith("+"):
            digits = "7" + digits[1:]  # Russian trunk prefix: 8 916 ... is +7 916 ...
        return digits
    if entity_type in _DIGITS_ONLY:
        return _NOT_ALNUM.sub("", text).upper()
    if entity_type == "MAC_ADDRESS":
        return _NOT_HEX.sub("", text.casefold())
    return _SPACES.sub(" ", text.casefold())


class Pseudonymiser:
    """Turns values into tokens with one key. Holds the key; never prints it."""

    __slots__ = ("_key", "key_id")

    def __init__(self, key: bytes, key_id: str) -> None:
        self._key = key
        self.key_id = key_id

    def __repr__(self) -> str:
        return f"Pseudonymiser(key_id={self.key_id!r})"

    def token(self, entity_type: str, value: str) -> str:
        """The token for ``value``, found as ``entity_type``."""
        message = f"{entity_type}\x00{normalise(entity_type, value)}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).hexdigest()[:TOKEN_HEX]
        return f"<{entity_type}:{self.key_id}:{digest}>"
