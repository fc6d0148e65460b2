"""US_ITIN: United States Individual Taxpayer Identification Numbers.

Nine digits written like an SSN, ``9XX-GG-SSSS``: the area starts with 9 and the group is
70-88, 90-92 or 94-99 (:mod:`stdnum.us.itin`); issued by the IRS to people who cannot
have an SSN. The same scoring as :mod:`recognizers.us.ssn`: hyphenated and valid scores above a
phone reading, certain near an ITIN word; spaced or compact only near one.
"""

from __future__ import annotations

from typing import ClassVar

from stdnum.us import itin as stdnum_itin

from recognizers.checksums import ascii_digits
from recognizers.ru._identifiers import DIGITS_AFTER, DIGITS_BEFORE, Vocabulary
from recognizers.us._nine_digits import NineDigitRecognizer

_ITIN = (
    DIGITS_BEFORE
    + r"9(?:[0-9]{2}-[0-9]{2}-[0-9]{4}|[0-9]{2}[ \u00a0][0-9]{2}[ \u00a0][0-9]{4}|[0-9]{8})"
    + DIGITS_AFTER
)


CONTEXT = Vocabulary(
    stems=("itin", "taxpayer", "individual taxpayer"),
    words=frozenset({"tin", "tax", "irs"}),
)


def itin_valid(candidate: str) -> bool:
    """Whether ``candidate`` (separators allowed) is a valid ITIN."""
    digits = ascii_digits(candidate)
    return len(digits) == 9 and bool(stdnum_itin.is_valid(digits))


class UsItinNumberRecognizer(NineDigitRecognizer):
    """A nine-digit ITIN with a valid area and group."""

    ENTITY: ClassVar[str] = "US_ITIN"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("itin", _ITIN, 0.5),)
    VOCABULARY: ClassVar[Vocabulary] = CONTEXT

    def valid(self, candidate: str) -> bool:
        return itin_valid(candidate)
