"""IMEI: International Mobile Equipment Identity, the 15-digit serial number of a mobile phone
or modem (a device identifier tied to its owner, so personal data).

Digits 1-8 are the type allocation code (TAC: model and maker), 9-14 the serial number, 15 a
Luhn check digit. Written ``490154203237518``, ``49-015420-323751-8`` or
``49 015420 323751 8``. See 3GPP TS 23.003, section 6.2.

Fifteen digits with a Luhn check are too common to report on their own (one random number in
ten passes, and an ОГРНИП has fifteen digits too), so a candidate is reported only next to the
word IMEI (or IMEISV, ИМЕЙ): 1.0 with a valid check digit, 0.4 without (probably mistyped).
"""

from __future__ import annotations

from typing import ClassVar

from recognizers.base import ValidatedPatternRecognizer
from recognizers.checksums import ascii_digits, luhn_valid

_SEP = r"[ \u00a0\-]"
_IMEI = (
    r"(?<![0-9+])(?<![0-9][.,\-])"
    rf"[0-9]{{2}}({_SEP}?)[0-9]{{6}}\1[0-9]{{6}}\1[0-9]"
    r"(?![0-9])(?![.,\-][0-9])"
)

#: The score of a checksum-invalid number next to the word IMEI.
MISTYPED = 0.4


def imei_valid(digits: str) -> bool:
    """Whether ``digits`` (15 ASCII digits, no separators) passes the IMEI Luhn check."""
    return len(digits) == 15 and luhn_valid(digits)


class ImeiRecognizer(ValidatedPatternRecognizer):
    """15-digit IMEI numbers next to the word IMEI, Luhn verified."""

    ENTITY: ClassVar[str] = "IMEI"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("imei", _IMEI, 0.5),)
    CONTEXT: ClassVar[tuple[str, ...]] = ("imei", "имей", "имеи")

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        if not self.context_near(text, start, end):
            return None
        return self.certain() if imei_valid(ascii_digits(text[start:end])) else MISTYPED
