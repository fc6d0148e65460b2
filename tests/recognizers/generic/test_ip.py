"""IP_ADDRESS: IPv4 and IPv6; versions, times and dates are not addresses."""

from __future__ import annotations

import pytest

from recognizers.generic.ip import IpAddressRecognizer
from tests.recognizers.spans import assert_valid_spans

RECOGNIZER = IpAddressRecognizer()


def found(text: str) -> list[str]:
    return [text[start:end] for start, end, _ in RECOGNIZER.find(text)]


CASES = [
    ("server 192.168.0.1", ["192.168.0.1"], "IPv4 with context"),
    ("ip=8.8.8.8;", ["8.8.8.8"], "IPv4 between punctuation"),
    ("10.0.0.255:8080", ["10.0.0.255"], "IPv4 with a port"),
    ("10.0.0.1/24", ["10.0.0.1/24"], "IPv4 with a prefix length: the whole network"),
    ("10.0.0.0/123", ["10.0.0.0"], "an impossible prefix length is left out"),
    ("2001:db8::/32", ["2001:db8::/32"], "IPv6 network"),
    ("fe80::1%eth0/64", ["fe80::1%eth0/64"], "IPv6 with a zone and a prefix length"),
    ("see appendix 3.2.1.4", [], "a section number"),
    ("Release (build 4.15.2.7)", [], "a build number"),
    ("раздел 3.2.1.4 ГОСТ", [], "a section number in Russian"),
    ("fe80::1text", [], "IPv6 glued to a word"),
    ("text2001:db8::1", [], "IPv6 glued to a word before it"),
    ("IP:192.168.0.1,10.0.0.1", ["192.168.0.1", "10.0.0.1"], "two addresses"),
    ("адрес 0.0.0.0", ["0.0.0.0"], "all zeros"),
    ("255.255.255.255", ["255.255.255.255"], "the largest octets"),
    ("2001:db8::1", ["2001:db8::1"], "IPv6 compressed"),
    (
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
        ["2001:0db8:85a3:0000:0000:8a2e:0370:7334"],
        "IPv6 in full",
    ),
    ("fe80::1%eth0", ["fe80::1%eth0"], "IPv6 with a zone"),
    ("host ::1", ["::1"], "loopback with context"),
    ("fe80::", ["fe80::"], "trailing double colon"),
    ("1:2:3:4:5:6:7:8", ["1:2:3:4:5:6:7:8"], "eight one-digit groups"),
    (
        "::ffff:192.0.2.1",
        ["::ffff:192.0.2.1", "192.0.2.1"],
        "IPv4-mapped: the embedded IPv4 is reported too; the engine merges the overlap",
    ),
    ("", [], "empty"),
    ("1.2.3", [], "a version of three parts"),
    ("version 1.2.3.4.5", [], "a version of five parts"),
    ("версия 10.2.0.1234", [], "a build number"),
    ("256.1.1.1", [], "an octet above 255"),
    ("999.1.1.1", [], "a three-digit octet above 255"),
    ("192.168.001.001", [], "leading zeros"),
    ("1.2.3.04", [], "a leading zero in the last octet"),
    ("01.03.2021", [], "a Russian date"),
    ("2021-03-01", [], "an ISO date"),
    ("1 299 000", [], "a price"),
    ("12:30:45", [], "a time"),
    ("в 12:30:45 UTC", [], "a time in text"),
    ("12:30", [], "hours and minutes"),
    ("::1", ["::1"], "the loopback is an address without context"),
    ("::", [], "a double colon alone"),
    ("a::b", [], "a short run of hex in prose"),
    ("1:2:3:4:5:6:7:8:9", [], "nine groups"),
    ("2001:db8::1::2", [], "two double colons"),
    ("deadbeef::cafe", [], "a group of more than four hex digits"),
    ("MAC 00:1a:2b:3c:4d:5e", [], "a MAC address"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_ip(text: str, expected: list[str], reason: str) -> None:
    assert found(text) == expected


ADVERSARIAL = [
    ("1" * 100_000, "a run of digits"),
    ("1." * 50_000, "digits and dots"),
    ("1.1.1." * 16_000, "dotted quads run together"),
    ("255." * 25_000, "large octets and dots"),
    ("a1:" * 33_000, "hex and colons"),
    (":" * 100_000, "colons"),
    ("f" * 100_000, "a run of hex digits"),
    ("1:" * 50_000, "digits and colons"),
    ("::1." * 25_000, "double colons and dots"),
    ("a:%" * 33_000, "zones"),
]


@pytest.mark.parametrize(("text", "reason"), ADVERSARIAL, ids=[c[-1] for c in ADVERSARIAL])
def test_ip_adversarial_input_gives_valid_spans(text: str, reason: str) -> None:
    assert_valid_spans(text, RECOGNIZER.find(text))
