"""MAC_ADDRESS: MAC-48 in colon, hyphen and Cisco dotted layouts."""

from __future__ import annotations

import pytest

from recognizers.generic.mac_address import DeviceMacAddressRecognizer
from tests.recognizers.spans import assert_valid_spans

R = DeviceMacAddressRecognizer()


@pytest.mark.parametrize(
    ("text", "mac", "score", "reason"),
    [
        ("00:1A:2B:3C:4D:5E", "00:1A:2B:3C:4D:5E", 0.9, "colons, hex letters"),
        ("addr 00-1a-2b-3c-4d-5e.", "00-1a-2b-3c-4d-5e", 0.9, "hyphens, end of sentence"),
        ("001a.2b3c.4d5e", "001a.2b3c.4d5e", 0.9, "Cisco dotted"),
        ("MAC:00:1A:2B:3C:4D:5E", "00:1A:2B:3C:4D:5E", 1.0, "glued to 'MAC:'"),
        ("MAC-адрес 12-34-56-78-90-12", "12-34-56-78-90-12", 1.0, "digits only, context"),
        ("00:11:22:33:44:55", "00:11:22:33:44:55", 0.7, "digits only, colons"),
        ("BSSID 0011.2233.4455", "0011.2233.4455", 1.0, "Cisco, digits only, context"),
        ("HWaddr aa:bb:cc:dd:ee:0f", "aa:bb:cc:dd:ee:0f", 1.0, "lower case"),
    ],
)
def test_found(text: str, mac: str, score: float, reason: str) -> None:
    start = text.index(mac)
    assert R.find(text) == [(start, start + len(mac), score)], reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("00:00:00:00:00:00", "all zeros"),
        ("FF:FF:FF:FF:FF:FF", "broadcast"),
        ("12-34-56-78-90-12", "digits only with hyphens, no context"),
        ("2024.0101.1200", "digits only, dotted, no context"),
        ("00:1A:2B:3C:4D", "five groups"),
        ("00:1A:2B:3C:4D:5E:6F:70", "EUI-64 / longer run"),
        ("fe:80:12:34:56:78:9a:bc", "IPv6-like run of pairs"),
        ("2001:db8:1a:2b:3c:4d:5e:6f", "IPv6 with a run of six pairs"),
        ("00:1A-2B:3C-4D:5E", "mixed separators"),
        ("x00:1A:2B:3C:4D:5E", "glued to letters"),
        ("00:1A:2B:3C:4D:5E1", "seventh hex digit"),
        ("12:34:56", "a time"),
        ("2024-01-02", "a date"),
        ("123e4567-e89b-12d3-a456-426614174000", "a UUID"),
        ("v1.2.3", "a version"),
    ],
)
def test_not_found(text: str, reason: str) -> None:
    assert R.find(text) == [], reason


@pytest.mark.parametrize(
    "text",
    ["a" * 100_000, "aa:" * 33_000, "aa-" * 33_000, "abcd." * 20_000, ":" * 100_000],
    ids=["hex-run", "colon-pairs", "hyphen-pairs", "dotted-quads", "colons"],
)
def test_adversarial_input_gives_valid_spans(text: str) -> None:
    assert_valid_spans(text, R.find(text))
