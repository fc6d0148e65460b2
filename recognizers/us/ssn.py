"""US_SSN: United States Social Security numbers.

Nine digits, written ``AAA-GG-SSSS`` (area, group, serial), sometimes with spaces or none. No
check digit, but rules (:mod:`stdnum.us.ssn`): the area is never 000, 666 or 900-999 (those are
ITINs and test numbers), the group never 00, the serial never 0000, and a few numbers made
famous by advertising (078-05-1120, the wallet-insert number) are invalid.

A valid number in the hyphenated layout is scored above any phone reading of the same digits
(0.9 against at most 0.85 for a phone without a ``+``), so the merged finding is an SSN; near
an SSN word (SSN, social security) it is certain. Spaced or compact numbers need such a word,
and any number next to an order, ticket or price word (see
:data:`recognizers.ru._identifiers.NOT_PERSONAL`) needs the SSN word nearer.
"""

from __future__ import annotations

from typing import ClassVar

from stdnum.us import ssn as stdnum_ssn

from recognizers.checksums import ascii_digits
from recognizers.ru._identifiers import DIGITS_AFTER, DIGITS_BEFORE, Vocabulary
from recognizers.us._nine_digits import NineDigitRecognizer

_SSN = (
    DIGITS_BEFORE
    + r"(?:[0-9]{3}-[0-9]{2}-[0-9]{4}|[0-9]{3}[ \u00a0][0-9]{2}[ \u00a0][0-9]{4}|[0-9]{9})"
    + DIGITS_AFTER
)


CONTEXT = Vocabulary(
    stems=("social", "ssn"),
    words=frozenset({"ss", "soc", "sec", "security", "ssa"}),
)


def ssn_valid(candidate: str) -> bool:
    """Whether ``candidate`` (separators allowed) is a valid SSN by the issuing rules."""
    digits = ascii_digits(candidate)
    return len(digits) == 9 and bool(stdnum_ssn.is_valid(digits))


class UsSocialSecurityRecognizer(NineDigitRecognizer):
    """A nine-digit SSN that obeys the area/group/serial rules."""

    ENTITY: ClassVar[str] = "US_SSN"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("ssn", _SSN, 0.5),)
    VOCABULARY: ClassVar[Vocabulary] = CONTEXT

    def valid(self, candidate: str) -> bool:
        return ssn_valid(candidate)
