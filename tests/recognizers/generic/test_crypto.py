"""CRYPTO: Base58Check, Bech32/Bech32m and EIP-55 checksums. Addresses are encoded here from
random payloads (encoders written from the BIPs), never taken from the wild."""

from __future__ import annotations

import hashlib
import random

import pytest

from benchmarks.accuracy_pages import _b58encode, segwit
from recognizers.generic.crypto import CryptoWalletRecognizer, eip55_checksum, keccak256

R = CryptoWalletRecognizer()
RNG = random.Random(19)
PAYLOAD = bytes(RNG.randrange(256) for _ in range(20))


def legacy(version: int) -> str:
    raw = bytes([version]) + PAYLOAD
    return _b58encode(raw + hashlib.sha256(hashlib.sha256(raw).digest()).digest()[:4])


P2PKH = legacy(0)
P2SH = legacy(5)
V0 = segwit(0, PAYLOAD)
V1 = segwit(1, PAYLOAD + bytes(12))
ETH = "0x" + eip55_checksum(PAYLOAD.hex())
ETH_BAD_CASE = "0x" + "".join(
    ch.swapcase() if ch.isalpha() and i == next(j for j, c in enumerate(ETH[2:]) if c.isalpha())
    else ch
    for i, ch in enumerate(ETH[2:])
)  # fmt: skip


def flip(address: str) -> str:
    """``address`` with one character changed to another of its alphabet."""
    last = address[-1]
    return address[:-1] + ("2" if last != "2" else "3")


def found(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in R.find(text)]


CASES = [
    (f"Donate BTC: {P2PKH}", [P2PKH], "legacy P2PKH"),
    (f"send to {P2SH} please", [P2SH], "legacy P2SH"),
    (f"{V0}", [V0], "SegWit v0, Bech32"),
    (f"{V0.upper()}", [V0.upper()], "Bech32 in upper case"),
    (f"wallet {V1}", [V1], "Taproot v1, Bech32m"),
    (f"ETH {ETH}", [ETH], "Ethereum with its EIP-55 checksum"),
    (f"{ETH.lower()}", [ETH.lower()], "Ethereum all lower case: no checksum to check"),
    (f"{flip(P2PKH)}", [], "Base58Check checksum broken"),
    (f"{flip(V0)}", [], "Bech32 checksum broken"),
    (f"{ETH_BAD_CASE}", [], "EIP-55 case broken"),
    ("0x" + "0" * 40, [], "the zero address is a placeholder"),
    ("tx 0x" + "ab" * 32, [], "a transaction hash: 64 hex digits"),
    (f"{V0[:3]}{V0[3:].upper()}", [], "mixed case is invalid Bech32"),
    ("1234567890123456789012345678", [], "digits only"),
    ("https://example.com/assets/1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2x.png", [], "in a longer word"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_crypto(text: str, expected: list[str], reason: str) -> None:
    assert found(text) == expected


def test_keccak_is_the_original_not_sha3() -> None:
    # Published Keccak-256 of the empty string; SHA3-256 gives a7ffc6f8...
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    assert keccak256(b"").hex() != hashlib.sha3_256(b"").hexdigest()


def test_subtypes() -> None:
    assert R.subtype(ETH, 0, len(ETH)) == "ethereum"
    assert R.subtype(V0, 0, len(V0)) == "bitcoin"
