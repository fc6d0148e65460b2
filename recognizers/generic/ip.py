"""IP_ADDRESS: IPv4 and IPv6 addresses, checked with :mod:`ipaddress`, with their CIDR prefix
length (``192.168.1.0/24``, ``2001:db8::/32``) so that the whole network is rewritten.

Version strings such as ``1.2.3`` have too few parts; ``1.2.3.4.5`` (more parts) is not taken as
an address; times like ``12:30:45`` fail IPv6 parsing. A dotted quad next to a decoy word
(``build 4.15.2.7``, ``appendix 3.2.1.4``, ``раздел``, ``version``) is a version or a section
number. Defanged addresses (``192[.]168[.]1[.]1``) reach this recognizer in their canonical
form (:mod:`recognizers.normalize`). The loopback ``::1`` counts without context; ``::`` alone
and short runs such as ``a::b`` need an address word near.
"""

from __future__ import annotations

import ipaddress
from typing import ClassVar

from recognizers.base import ValidatedPatternRecognizer

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = (
    rf"(?<![0-9.])(?:{_OCTET}\.){{3}}{_OCTET}"
    r"(?:/(?:3[0-2]|[12][0-9]|[0-9])(?![0-9]))?(?![0-9]|\.[0-9])"
)
# Up to eight hex groups with single or double colons, optionally ending in an embedded IPv4.
# Starts only where no letter, digit or colon stands before, so runs are tried once and a run
# glued to a word (``text2001:db8::1``, ``std::cout``) is not an address.
_IPV6 = (
    r"(?<![0-9A-Za-z_:.])"
    r"(?:[0-9A-Fa-f]{1,4}|:)?(?::[0-9A-Fa-f]{0,4}){2,7}"
    rf"(?:\.{_OCTET}\.{_OCTET}\.{_OCTET})?"
    r"(?:%[0-9A-Za-z]{1,16})?"
    r"(?:/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9])(?![0-9]))?"
    r"(?![0-9A-Za-z_:])(?!\.[0-9])"
)
#: Addresses too short for the general rule that are still addresses: the loopback.
_SHORT_ADDRESSES = frozenset({"::1"})


class IpAddressRecognizer(ValidatedPatternRecognizer):
    """IPv4 dotted quads and IPv6 addresses in any standard notation."""

    ENTITY: ClassVar[str] = "IP_ADDRESS"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (
        ("ipv4", _IPV4, 0.9),
        ("ipv6", _IPV6, 0.9),
    )
    CONTEXT: ClassVar[tuple[str, ...]] = ("ip", "адрес", "host", "хост", "server", "сервер")

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        candidate = text[start:end].split("/", 1)[0]
        if ":" in candidate:
            address = candidate.split("%", 1)[0]
            if address.count(":") < 2:
                return None
            try:
                ipaddress.IPv6Address(address)
            except ValueError:
                return None
            # "::" alone, or a short run like "a::b" in prose, is too weak without context.
            short = len(address.replace(":", "")) < 4 and address not in _SHORT_ADDRESSES
            if short and not self.context_near(text, start, end):
                return None
            return self.certain()
        try:
            ipaddress.IPv4Address(candidate)
        except ValueError:
            return None
        if self.decoy_near(text, start, end):
            return None
        return self.certain()
