"""IBAN_CODE: International Bank Account Numbers (ISO 13616).

Two letters of a country code, two check digits, then up to 30 letters and digits of the
national account number (the basic bank account number, BBAN), written compact
(``DE89370400440532013000``) or grouped in fours with single spaces (``DE89 3704 0044 0532 0130
00``). The check: move the first four characters to the end, read letters as 10..35, and the
number modulo 97 is 1; :mod:`stdnum.iban` also checks each country's length and BBAN layout.

Two check digits over the whole number pass one random string in 97, and the country layout
much fewer, so a valid IBAN is certain (it outranks a phone number read out of its digits, see
:func:`recognizers.engine.resolve_overlaps`). A string of the right shape whose check fails is
kept at a low score only next to an IBAN word: a mistyped IBAN is still an account number.
"""

from __future__ import annotations

from typing import ClassVar

from stdnum import iban as stdnum_iban

from recognizers.prefilter import Prefiltered

#: MISTYPED in the Russian identifiers: a wrong check digit next to a context word.
MISTYPED = 0.4

# A country code and check digits (either case: IBANs are case-insensitive), then groups of
# four (space-separated or not) and a last group of one to four. Bounded repetition only.
_IBAN = (
    r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}"
    r"(?:[ \u00a0]?[A-Za-z0-9]{4}){1,7}(?:[ \u00a0]?[A-Za-z0-9]{1,4})?(?![A-Za-z0-9])"
)


def compact(candidate: str) -> str:
    """``candidate`` without spaces, upper-cased."""
    return candidate.replace(" ", "").replace("\u00a0", "").upper()


def iban_valid(candidate: str) -> bool:
    """Whether ``candidate`` (spaces allowed) is a valid IBAN: check digits and country layout."""
    number = compact(candidate)
    return number.isascii() and bool(stdnum_iban.is_valid(number))


class IbanCodeRecognizer(Prefiltered):
    """An IBAN whose mod-97 check and country layout pass."""

    ENTITY: ClassVar[str] = "IBAN_CODE"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("iban", _IBAN, 0.5),)
    CONTEXT: ClassVar[tuple[str, ...]] = ("iban", "account", "счет", "счёт", "bank", "банк")
    MIN_DIGITS: ClassVar[int] = 2

    #: Every IBAN starts with two letters and two digits.
    KEYWORDS: ClassVar[str | None] = r"[A-Za-z]{2}[0-9]{2}"

    def expand(
        self, text: str, matches: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        """Each match, and the match without its last one to three space-separated groups:
        a word or number written after the IBAN (``DE89 3704 0044 0532 0130 00 BIC``) joins
        its run. Matches are at most 42 characters long, so this stays linear."""
        out: list[tuple[int, int, float]] = []
        for start, end, base in matches:
            out.append((start, end, base))
            cut = end
            for _ in range(3):
                cut = max(text.rfind(" ", start, cut), text.rfind("\u00a0", start, cut))
                if cut <= start:
                    break
                out.append((start, cut, base))
        return out

    def judge(
        self, text: str, candidates: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        """The accepted candidates, the longest of those that start at one place."""
        accepted = super().judge(text, candidates)
        longest: dict[int, tuple[int, int, float]] = {}
        for start, end, score in accepted:
            best = longest.get(start)
            if best is None or (score, end) > (best[2], best[1]):
                longest[start] = (start, end, score)
        return sorted(longest.values())

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        candidate = text[start:end]
        if iban_valid(candidate):
            return self.certain()
        if len(compact(candidate)) >= 15 and self.context_near(text, start, end):
            return MISTYPED
        return None
