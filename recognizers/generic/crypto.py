"""CRYPTO: cryptocurrency wallet addresses, each with its own checksum verified.

- **Bitcoin, legacy** (P2PKH ``1…``, P2SH ``3…``): 25 bytes in Base58Check, 26-35 characters;
  the last four bytes are the first four of the double SHA-256 of the rest.
- **Bitcoin, SegWit** (``bc1…``): Bech32 (BIP-173, witness version 0) or Bech32m (BIP-350,
  versions 1-16) with its six-character BCH checksum; one case throughout.
- **Ethereum** (``0x`` and 40 hex digits): a mixed-case address carries the EIP-55 checksum
  (the case of each letter is a bit of the Keccak-256 of the lower-case address) and must pass
  it; an all-lower or all-upper address has no checksum and is scored lower (0.85).

Hashes and keys are not addresses: an Ethereum-looking run inside a longer run of hex digits
(a transaction hash, ``0x`` and 64 digits) is never matched, and a Base58 run must decode to
exactly 25 bytes with a valid checksum.
"""

from __future__ import annotations

import hashlib
from typing import ClassVar, Final

from recognizers.prefilter import Prefiltered

#: An Ethereum address without a checksum (all one case).
UNCHECKED = 0.85

_B58_ALPHABET: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX: Final = {ch: i for i, ch in enumerate(_B58_ALPHABET)}
_BECH32_ALPHABET: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX: Final = {ch: i for i, ch in enumerate(_BECH32_ALPHABET)}
_BECH32_CONST: Final = 1
_BECH32M_CONST: Final = 0x2BC830A3

_B58 = "1-9A-HJ-NP-Za-km-z"
_LEGACY = rf"(?<![0-9A-Za-z])[13][{_B58}]{{25,34}}(?![0-9A-Za-z])"
_SEGWIT = r"(?<![0-9A-Za-z])(?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{8,87}(?![0-9A-Za-z])"
_ETHEREUM = r"(?<![0-9A-Za-z])0[xX][0-9a-fA-F]{40}(?![0-9A-Za-z])"


def base58_decode(text: str) -> bytes | None:
    """The bytes of a Base58 string (leading ``1`` are zero bytes), or ``None``."""
    number = 0
    for ch in text:
        digit = _B58_INDEX.get(ch)
        if digit is None:
            return None
        number = number * 58 + digit
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\x00" * (len(text) - len(text.lstrip("1"))) + body


def base58check_valid(text: str) -> bool:
    """Whether ``text`` is a 25-byte Base58Check payload (a legacy Bitcoin address)."""
    raw = base58_decode(text)
    if raw is None or len(raw) != 25:
        return False
    digest = hashlib.sha256(hashlib.sha256(raw[:-4]).digest()).digest()
    return digest[:4] == raw[-4:]


def _bech32_polymod(values: list[int]) -> int:
    generators = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(generators):
            if (top >> i) & 1:
                checksum ^= generator
    return checksum


def segwit_valid(text: str) -> bool:
    """Whether ``text`` is a ``bc1`` address with a valid Bech32 (v0) or Bech32m (v1+)
    checksum and a witness program of a valid length."""
    if text.lower() != text and text.upper() != text:
        return False  # mixed case is invalid in Bech32
    address = text.lower()
    hrp, _sep, data_part = address.rpartition("1")
    if hrp != "bc" or len(data_part) < 7:
        return False
    data = [_BECH32_INDEX[ch] for ch in data_part]  # the pattern allows only the alphabet
    expanded = [ord(ch) >> 5 for ch in hrp] + [0] + [ord(ch) & 31 for ch in hrp]
    constant = _bech32_polymod(expanded + data)
    version = data[0]
    if version > 16:
        return False
    if constant != (_BECH32_CONST if version == 0 else _BECH32M_CONST):
        return False
    program_bits = (len(data) - 7) * 5
    program_bytes = program_bits // 8
    if version == 0:
        return program_bytes in (20, 32)
    return 2 <= program_bytes <= 40


_KECCAK_ROUNDS: Final = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)  # fmt: skip
_KECCAK_ROTATIONS: Final = (
    (0, 36, 3, 41, 18), (1, 44, 10, 45, 2), (62, 6, 43, 15, 61),
    (28, 55, 25, 21, 56), (27, 20, 39, 8, 14),
)  # fmt: skip
_MASK64: Final = (1 << 64) - 1


def _rotate(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & _MASK64 if shift else value


def _keccak_f(lanes: list[list[int]]) -> None:
    for constant in _KECCAK_ROUNDS:
        columns = [
            lanes[x][0] ^ lanes[x][1] ^ lanes[x][2] ^ lanes[x][3] ^ lanes[x][4] for x in range(5)
        ]
        for x in range(5):
            d = columns[(x - 1) % 5] ^ _rotate(columns[(x + 1) % 5], 1)
            for y in range(5):
                lanes[x][y] ^= d
        moved = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                moved[y][(2 * x + 3 * y) % 5] = _rotate(lanes[x][y], _KECCAK_ROTATIONS[x][y])
        for x in range(5):
            for y in range(5):
                lanes[x][y] = moved[x][y] ^ (~moved[(x + 1) % 5][y] & moved[(x + 2) % 5][y])
        lanes[0][0] ^= constant


def keccak256(data: bytes) -> bytes:
    """The original Keccak-256 (Ethereum's hash; not the standardised SHA3-256, whose padding
    differs). For messages shorter than one block (136 bytes), as addresses are."""
    rate = 136
    if len(data) >= rate:
        raise ValueError("keccak256 here hashes one block")
    block = bytearray(data) + b"\x01" + b"\x00" * (rate - len(data) - 1)
    block[-1] |= 0x80
    lanes = [[0] * 5 for _ in range(5)]
    for i in range(rate // 8):
        lanes[i % 5][i // 5] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
    _keccak_f(lanes)
    out = b"".join(lanes[i % 5][i // 5].to_bytes(8, "little") for i in range(4))
    return out


def eip55_checksum(hex_digits: str) -> str:
    """The 40 hex digits of an Ethereum address in their EIP-55 mixed case."""
    lower = hex_digits.lower()
    digest = keccak256(lower.encode("ascii")).hex()
    return "".join(
        ch.upper() if ch.isalpha() and int(digest[i], 16) >= 8 else ch for i, ch in enumerate(lower)
    )


class CryptoWalletRecognizer(Prefiltered):
    """Bitcoin (legacy and SegWit) and Ethereum addresses whose checksums pass."""

    ENTITY: ClassVar[str] = "CRYPTO"
    SUBTYPES: ClassVar[tuple[str, ...]] = ("bitcoin", "ethereum")
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (
        ("bitcoin-legacy", _LEGACY, 0.5),
        ("bitcoin-segwit", _SEGWIT, 0.5),
        ("ethereum", _ETHEREUM, 0.5),
    )
    CONTEXT: ClassVar[tuple[str, ...]] = ("wallet", "bitcoin", "btc", "eth", "кошел", "крипт")

    #: Every address is a run of at least 26 letters and digits.
    KEYWORDS: ClassVar[str | None] = r"[0-9A-Za-z]{26}"

    def subtype(self, text: str, start: int, end: int) -> str | None:
        return "ethereum" if text[start + 1 : start + 2] in "xX" else "bitcoin"

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        candidate = text[start:end]
        if candidate[1:2] in ("x", "X") and len(candidate) == 42:
            digits = candidate[2:]
            if digits.lower() == digits or digits.upper() == digits:
                return UNCHECKED if len(set(digits)) > 1 else None
            return self.certain() if eip55_checksum(digits) == digits else None
        if candidate[:3].lower() == "bc1":
            return self.certain() if segwit_valid(candidate) else None
        return self.certain() if base58check_valid(candidate) else None
