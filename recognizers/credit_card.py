"""CREDIT_CARD: payment card numbers (PAN) of 13 to 19 digits, Luhn-checked.

A Luhn check alone accepts one random number in ten, so a candidate must also start with an
issuer prefix (Visa, Mastercard, Mir, American Express, Discover, JCB, Diners Club, UnionPay,
Maestro), use one separator style (none, spaces or hyphens) throughout, not follow a Latin
letter (IBAN digits) and not stand after a product, order or parcel word (артикул, трек, SKU,
EAN, order) unless a card word is near too.
"""

from __future__ import annotations

from typing import ClassVar

from recognizers.base import Stems, ValidatedPatternRecognizer
from recognizers.checksums import ascii_digits, luhn_valid

_CARD = r"(?<![0-9A-Za-z])[0-9]{4}(?:[ \-]?[0-9]{2,4}){2,4}(?:[ \-]?[0-9]{1,3})?(?![0-9])"

#: A card number has this many digits.
_MIN_DIGITS = 12
_MAX_DIGITS = 19
_ANY = tuple(range(_MIN_DIGITS, _MAX_DIGITS + 1))

# (lowest prefix, highest prefix, allowed lengths); prefixes compare as digit strings of equal
# width, so "0604" is a four-digit prefix.
_ISSUERS: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("4", "4", (13, 16, 19)),  # Visa
    ("51", "55", (16,)),  # Mastercard
    ("2221", "2720", (16,)),  # Mastercard 2-series
    ("2200", "2204", (16, 17, 18, 19)),  # Mir
    ("34", "34", (15,)),  # American Express
    ("37", "37", (15,)),  # American Express
    ("6011", "6011", (16, 17, 18, 19)),  # Discover
    ("644", "649", (16, 17, 18, 19)),  # Discover
    ("65", "65", (16, 17, 18, 19)),  # Discover
    ("35", "35", (16, 17, 18, 19)),  # JCB
    ("2131", "2131", (15,)),  # JCB (legacy)
    ("1800", "1800", (15,)),  # JCB (legacy)
    ("300", "305", (14, 15, 16, 17, 18, 19)),  # Diners Club
    ("36", "36", (14, 15, 16, 17, 18, 19)),  # Diners Club
    ("38", "39", (14, 15, 16, 17, 18, 19)),  # Diners Club
    ("62", "62", (16, 17, 18, 19)),  # UnionPay
    ("50", "50", _ANY),  # Maestro
    ("56", "58", _ANY),  # Maestro
    ("63", "63", _ANY),  # Maestro
    ("67", "67", _ANY),  # Maestro
    ("0604", "0604", _ANY),  # Maestro (legacy)
)


def issuer_known(digits: str) -> bool:
    """Whether ``digits`` starts with a known issuer prefix and has that issuer's length."""
    for low, high, lengths in _ISSUERS:
        if len(digits) in lengths and low <= digits[: len(low)] <= high:
            return True
    return False


#: Product, order and parcel numbers often pass Luhn with a card-like prefix: near these words,
#: and with no card word, a number is not taken as a card.
_NOT_CARD_CONTEXT = Stems(
    (
        "артикул",
        "арт",
        "трек",
        "штрихкод",
        "штрих",
        "заказ",
        "накладн",
        "sku",
        "ean",
        "upc",
        "isbn",
        "barcode",
        "tracking",
        "order",
        "invoice",
        "item",
    )
)


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
        if not issuer_known(digits):
            return None
        if _NOT_CARD_CONTEXT.near(text, start, end, before=32, after=8) and not (
            self.context_near(text, start, end)
        ):
            return None
        return self.certain()
