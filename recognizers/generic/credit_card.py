"""CREDIT_CARD: payment card numbers (PAN) of 12 to 19 digits, Luhn-checked.

A Luhn check alone accepts one random number in ten, so a candidate must also start with an
issuer prefix and have one of that issuer's lengths. Every range of the networks' published
tables counts: Visa 4 with 13, 16 or 19 digits, Mastercard 51-55 and 2221-2720, Mir
2200-2204, American Express 34/37 with 15, Discover 6011/644-649/65, JCB 3528-3589 (and the
rest of 35), Diners Club 300-305/36/38-39, UnionPay 62/81, Maestro 50/56-69 with 13-19 (or 12
next to a card word), UATP 1 with 15. A candidate also uses one separator style (none, spaces
or hyphens) throughout, does not follow a Latin letter (IBAN digits) and does not stand next to
a decoy word (:data:`recognizers.context.DECOYS`: артикул, трек, SKU, EAN, order, Reference,
...) unless a card word is as near.
"""

from __future__ import annotations

from typing import ClassVar

from recognizers.base import ValidatedPatternRecognizer
from recognizers.checksums import ascii_digits, luhn_valid
from recognizers.context import DECOYS, Vocabulary, decoy_decides

_CARD = r"(?<![0-9A-Za-z])[0-9]{4}(?:[ \-]?[0-9]{2,4}){2,4}(?:[ \-]?[0-9]{1,3})?(?![0-9])"

#: A card number has this many digits.
_MIN_DIGITS = 12
_MAX_DIGITS = 19
_ANY = tuple(range(_MIN_DIGITS, _MAX_DIGITS + 1))
#: Maestro's lengths, 12 to 19, but 12: a 12-digit number starting with 50 or 56-69 is far more
#: often a person's ИНН (regions 50, 56-69) than a 12-digit Maestro card; that one needs a card
#: word near (:data:`_MAESTRO_12`).
_MAESTRO = _ANY[1:]
_MAESTRO_12 = (("50", "50"), ("56", "69"), ("0604", "0604"))

# (lowest prefix, highest prefix, allowed lengths); prefixes compare as digit strings of equal
# width, so "0604" is a four-digit prefix.
_ISSUERS: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("4", "4", (13, 16, 19)),  # Visa (Electron included)
    ("51", "55", (16,)),  # Mastercard
    ("2221", "2720", (16,)),  # Mastercard 2-series
    ("2200", "2204", (16, 17, 18, 19)),  # Mir
    ("34", "34", (15,)),  # American Express
    ("37", "37", (15,)),  # American Express
    ("6011", "6011", (16, 17, 18, 19)),  # Discover
    ("644", "649", (16, 17, 18, 19)),  # Discover
    ("65", "65", (16, 17, 18, 19)),  # Discover
    ("3528", "3589", (16, 17, 18, 19)),  # JCB
    ("35", "35", (16, 17, 18, 19)),  # JCB's wider block (test generators use all of it)
    ("2131", "2131", (15,)),  # JCB (legacy)
    ("1800", "1800", (15,)),  # JCB (legacy)
    ("300", "305", (14, 15, 16, 17, 18, 19)),  # Diners Club
    ("36", "36", (14, 15, 16, 17, 18, 19)),  # Diners Club
    ("38", "39", (14, 15, 16, 17, 18, 19)),  # Diners Club
    ("62", "62", (16, 17, 18, 19)),  # UnionPay
    ("81", "81", (16, 17, 18, 19)),  # UnionPay (8171 range)
    ("50", "50", _MAESTRO),  # Maestro (Dankort 5019 included)
    ("56", "69", _MAESTRO),  # Maestro and the other 6-series debit ranges
    ("0604", "0604", _MAESTRO),  # Maestro (legacy)
    ("1", "1", (15,)),  # UATP (AirPlus and other airline cards)
)


def issuer_known(digits: str) -> bool:
    """Whether ``digits`` starts with a known issuer prefix and has that issuer's length."""
    for low, high, lengths in _ISSUERS:
        if len(digits) in lengths and low <= digits[: len(low)] <= high:
            return True
    return False


#: Near these words (and no card word as near) a number is no card: the decoys, and the names of
#: other 16-digit identifiers (a полис ОМС passes Luhn with a card's prefix one time in ten).
_NOT_CARD = DECOYS.union(Vocabulary(stems=("полис", "медполис"), words=frozenset({"омс", "енп"})))


class CreditCardNumberRecognizer(ValidatedPatternRecognizer):
    """A Luhn-valid number with a known issuer prefix and consistent grouping."""

    ENTITY: ClassVar[str] = "CREDIT_CARD"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("card", _CARD, 0.5),)
    CONTEXT: ClassVar[tuple[str, ...]] = (
        "card",
        "visa",
        "mastercard",
        "amex",
        "карт",
        "мир",
        "cc",
        "credit",
        "debit",
    )

    MIN_DIGITS: ClassVar[int] = _MIN_DIGITS
    OVERLAPPED: ClassVar[bool] = True

    def context_vocabularies(self) -> tuple[Vocabulary, ...]:
        return (self._context_vocabulary, _NOT_CARD)

    def expand(
        self, text: str, matches: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        """Matches start at every group of a run (:attr:`OVERLAPPED`), and each is also tried
        without its last one or two groups: a number written right after a card
        (``4111 1111 1111 1111 2 шт``) or a second card (``4111 1111 1111 1111 5500 0000 0000
        0004``) joins its run, and each card alone must still be tried. Matches are at most 25
        characters long, so this stays linear."""
        out: list[tuple[int, int, float]] = []
        for start, end, base in matches:
            out.append((start, end, base))
            cut = end
            for _ in range(2):
                cut = max(text.rfind(" ", start, cut), text.rfind("-", start, cut))
                if cut <= start:
                    break
                out.append((start, cut, base))
        return out

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        candidate = text[start:end]
        if " " in candidate and "-" in candidate:
            return None
        digits = ascii_digits(candidate)
        if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS or not luhn_valid(digits):
            return None
        if not issuer_known(digits) and not (
            len(digits) == _MIN_DIGITS
            and any(low <= digits[: len(low)] <= high for low, high in _MAESTRO_12)
            and self.context_near(text, start, end)
        ):
            return None
        # Product, order, parcel and reference numbers often pass Luhn with a card's prefix.
        if decoy_decides(
            text, start, end, self._context_vocabulary, against=_NOT_CARD, before=32, after=8
        ):
            return None
        return self.certain()
