"""MAC_ADDRESS: IEEE 802 MAC-48 hardware addresses (a device identifier, so personal data when
it points at someone's phone or laptop).

Layouts: six hex pairs joined by one separator throughout (``00:1A:2B:3C:4D:5E``,
``00-1a-2b-3c-4d-5e``) or Cisco's three dotted quads (``001a.2b3c.4d5e``). A candidate that is
part of a longer run of hex groups (an IPv6 address, an EUI-64) is dropped.

=====================================================  =====
the candidate                                          score
=====================================================  =====
context word nearby (MAC, Wi-Fi, BSSID, мак-адрес)     1.0
a hex letter in it                                     0.9
digits only, colon-separated                           0.7
digits only, hyphens or dots, no context               dropped
all zeros or the broadcast ``ff:ff:ff:ff:ff:ff``       dropped
=====================================================  =====
"""

from __future__ import annotations

from typing import ClassVar

import regex

from recognizers.base import ValidatedPatternRecognizer

_H = "[0-9A-Fa-f]"
_MAC = (
    r"(?<![0-9A-Za-z])"
    rf"(?:{_H}{{2}}([:\-]){_H}{{2}}(?:\1{_H}{{2}}){{4}}|{_H}{{4}}\.{_H}{{4}}\.{_H}{{4}})"
    r"(?![0-9A-Za-z])"
)
# A hex group and a separator right before the candidate, or right after it: the candidate is
# the middle of a longer sequence.
_GROUP_BEFORE = regex.compile(rf"(?:^|[^0-9A-Za-z]){_H}{{1,4}}[:\-.]$")
_GROUP_AFTER = regex.compile(rf"^[:\-.]{_H}{{1,4}}(?:$|[^0-9A-Za-z])")
_HEX_LETTER = regex.compile(r"[A-Fa-f]")

WITH_CONTEXT = 1.0
WITH_HEX_LETTER = 0.9
DIGITS_ONLY = 0.7


class DeviceMacAddressRecognizer(ValidatedPatternRecognizer):
    """MAC-48 addresses in colon, hyphen and Cisco dotted layouts."""

    ENTITY: ClassVar[str] = "MAC_ADDRESS"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("mac", _MAC, 0.5),)
    CONTEXT: ClassVar[tuple[str, ...]] = (
        "mac",
        "мак",
        "hwaddr",
        "ether",
        "bssid",
        "wifi",
        "wlan",
        "адаптер",
        "adapter",
        "физическ",
        "устройств",
        "device",
    )

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        candidate = text[start:end]
        hex_digits = "".join(ch for ch in candidate.lower() if ch not in ":-.")
        if hex_digits in ("000000000000", "ffffffffffff"):
            return None
        if _GROUP_BEFORE.search(text[max(0, start - 6) : start]):
            return None
        if _GROUP_AFTER.match(text[end : end + 6]):
            return None
        if self.context_near(text, start, end):
            return WITH_CONTEXT
        if _HEX_LETTER.search(candidate):
            return WITH_HEX_LETTER
        if ":" in candidate:
            return DIGITS_ONLY
        return None
