"""CREDIT_CARD: Luhn-valid numbers with a known issuer prefix and one separator style."""

from __future__ import annotations

import pytest

from recognizers.checksums import ascii_digits, luhn_valid
from recognizers.generic.credit_card import CreditCardNumberRecognizer, issuer_known
from tests.recognizers.spans import assert_valid_spans

RECOGNIZER = CreditCardNumberRecognizer()


def found(text: str) -> list[str]:
    return [text[start:end] for start, end, _ in RECOGNIZER.find(text)]


# Test numbers published by card networks; no real card is used.
CASES = [
    ("4111 1111 1111 1111", ["4111 1111 1111 1111"], "Visa, spaces"),
    ("4111-1111-1111-1111", ["4111-1111-1111-1111"], "Visa, hyphens"),
    ("4111111111111111", ["4111111111111111"], "Visa, no separators"),
    ("4222222222222", ["4222222222222"], "Visa, 13 digits"),
    ("5500 0000 0000 0004", ["5500 0000 0000 0004"], "Mastercard"),
    ("2200 0000 0000 0004", ["2200 0000 0000 0004"], "Mir"),
    ("378282246310005", ["378282246310005"], "American Express"),
    ("6011111111111117", ["6011111111111117"], "Discover"),
    ("30569309025904", ["30569309025904"], "Diners Club, 14 digits"),
    ("3566 0020 2036 0505", ["3566 0020 2036 0505"], "JCB"),
    ("6200000000000005", ["6200000000000005"], "UnionPay"),
    ("5019717010103742", ["5019717010103742"], "Maestro"),
    ("card:4111111111111111;", ["4111111111111111"], "between punctuation"),
    ("Карта4111111111111111", ["4111111111111111"], "glued to a Cyrillic word"),
    ("", [], "empty"),
    ("4111111111111112", [], "Luhn-invalid"),
    ("4111 1111 1111 1112", [], "Luhn-invalid with spaces"),
    ("карта 4276160000000000", [], "Luhn-invalid after a context word"),
    ("1234 5678 1234 5670", [], "Luhn-valid, unknown prefix 1"),
    ("9000 0000 0000 0001", [], "Luhn-valid, unknown prefix 9"),
    ("7000000000000005", [], "Luhn-valid, unknown prefix 7"),
    ("0000 0000 0000 0000", [], "all zeros"),
    ("4111 1111-1111 1111", [], "mixed separators"),
    ("4111111111111", [], "Visa prefix, Luhn-invalid 13 digits"),
    ("4111 1111 1111 1111 12", ["4111 1111 1111 1111"], "a known card, then another number"),
    ("411111111111111111111", [], "too long"),
    (
        "4111 1111 1111 1111 4111 1111 1111 1111",
        ["4111 1111 1111 1111", "4111 1111 1111 1111"],
        "two cards run together: both found",
    ),
    ("SKU 4006381333931", [], "an EAN-13 barcode"),
    ("79161234567", [], "a phone number"),
    ("2021-03-01", [], "a date"),
    ("1 299 000 руб", [], "a price"),
    ("12:30:45", [], "a time"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_credit_card(text: str, expected: list[str], reason: str) -> None:
    assert found(text) == expected


def test_unknown_prefix_decoys_pass_luhn() -> None:
    """The unknown-prefix rows above are dropped by the issuer check, not by Luhn."""
    for text, expected, reason in CASES:
        if "unknown prefix" in reason:
            digits = ascii_digits(text)
            assert luhn_valid(digits), reason
            assert not issuer_known(digits), reason
            assert expected == []


ADVERSARIAL = [
    ("4" * 100_000, "a run of digits"),
    ("4111 " * 20_000, "four-digit groups and spaces"),
    ("41-" * 33_000, "digit pairs and hyphens"),
    ("1 " * 50_000, "single digits and spaces"),
    ("4111-1111 " * 10_000, "alternating separators"),
]


@pytest.mark.parametrize(("text", "reason"), ADVERSARIAL, ids=[c[-1] for c in ADVERSARIAL])
def test_credit_card_adversarial_input_gives_valid_spans(text: str, reason: str) -> None:
    assert_valid_spans(text, RECOGNIZER.find(text))


NOT_CARD_CONTEXT_CASES = [
    ("Артикул 4000000000006", [], "a product number passing Luhn with a Visa prefix"),
    ("Трек-номер 30000000000004", [], "a parcel number passing Luhn with a Diners prefix"),
    ("SKU 5500000000000004", [], "an SKU passing Luhn with a Mastercard prefix"),
    (
        "Оплата картой 4111 1111 1111 1111, заказ 12",
        ["4111 1111 1111 1111"],
        "a card word wins over an order word",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected", "reason"),
    NOT_CARD_CONTEXT_CASES,
    ids=[c[2] for c in NOT_CARD_CONTEXT_CASES],
)
def test_product_order_and_parcel_words_veto_a_card(
    text: str, expected: list[str], reason: str
) -> None:
    found = CreditCardNumberRecognizer().find(text)
    assert [text[s:e] for s, e, _ in found] == expected
