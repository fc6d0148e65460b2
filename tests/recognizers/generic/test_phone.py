"""PHONE_NUMBER: Russian and international layouts; dates, prices, order numbers are not phones."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recognizers.generic import phone
from recognizers.generic.phone import PhoneNumberRecognizer
from tests.recognizers.spans import assert_valid_spans

RECOGNIZER = PhoneNumberRecognizer()


def found(text: str) -> list[str]:
    return [text[start:end] for start, end, _ in RECOGNIZER.find(text)]


CASES = [
    # Russian layouts
    ("Звоните +7 (916) 123-45-67", ["+7 (916) 123-45-67"], "+7, area code in parentheses"),
    ("8 916 123 45 67", ["8 916 123 45 67"], "trunk 8, spaces"),
    ("+79161234567", ["+79161234567"], "+7 without separators"),
    ("8(916)123-45-67", ["8(916)123-45-67"], "parentheses glued to the digits"),
    ("тел.89161234567", ["89161234567"], "glued to a Cyrillic context word and a dot"),
    ("тел+79161234567", ["+79161234567"], "glued to a Cyrillic word"),
    ("8-916-123-45-67", ["8-916-123-45-67"], "hyphens only"),
    ("+7 916 1234567", ["+7 916 1234567"], "seven digits in one group"),
    ("+7(916)1234567", ["+7(916)1234567"], "parentheses and one group"),
    ("Телефон: 8 (800) 555-35-35", ["8 (800) 555-35-35"], "toll-free"),
    ("тел 8 800 555 35 35 доб. 123", ["8 800 555 35 35 доб. 123"], "Russian extension"),
    ("9161234567", ["9161234567"], "ten bare digits of a Russian mobile"),
    ("79161234567", ["79161234567"], "eleven bare digits: a Russian mobile, its + left out"),
    ("wa.me/79161234567", ["79161234567"], "a WhatsApp link"),
    ("+7 916 123-45-67 9-18ч", ["+7 916 123-45-67"], "opening hours after it: the phone alone"),
    ("кв. 12 8 916 123-45-67", ["8 916 123-45-67"], "a flat number before it"),
    ("д. 5 8 916 123-45-67 9", ["8 916 123-45-67"], "a number before it and one after"),
    ("54 10 759050", [], "a passport's groups: no part has a phone's layout"),
    ("555-1234 9", ["555-1234"], "a local number, then another digit"),
    ("(495) 123-45-67", ["(495) 123-45-67"], "Moscow number without trunk"),
    (
        "+7 916 123 45 67, +7 916 765 43 21",
        ["+7 916 123 45 67", "+7 916 765 43 21"],
        "two numbers separated by a comma",
    ),
    ("Иван89161234567", ["89161234567"], "glued to a Cyrillic name"),
    ("дата 01.03.2021, тел. +7 916 123-45-67", ["+7 916 123-45-67"], "a date nearby is ignored"),
    # International and North American layouts
    ("+44 20 7946 0958", ["+44 20 7946 0958"], "UK number in international form"),
    ("Whatsapp: +44 7700 900123", ["+44 7700 900123"], "UK mobile with context"),
    ("+1 (415) 555-0132 ext. 12", ["+1 (415) 555-0132 ext. 12"], "US with extension"),
    ("call (212) 555-1234", ["(212) 555-1234"], "North American with context"),
    ("212-555-1234", ["212-555-1234"], "North American with hyphens"),
    ("1-800-555-0199", ["1-800-555-0199"], "North American toll-free"),
    ("020 7946 0958", ["020 7946 0958"], "national trunk 0"),
    ("tel. 555-1234", ["555-1234"], "local number with context"),
    ("phone 555 1234", ["555 1234"], "local number with spaces and context"),
    # Decoys
    ("2021-03-01", [], "ISO date"),
    ("01.03.2021", [], "Russian date"),
    ("2021/03/01", [], "date with slashes"),
    ("с 01.03.2021 по 31.12.2021", [], "a date range"),
    ("20210301123045", [], "a compact timestamp"),
    ("в 12:30:45", [], "a time"),
    ("пн 12:30-14:00", [], "opening hours"),
    ("1 299 000 руб", [], "price grouped in thousands with currency word"),
    ("1 299 000", [], "an amount grouped in thousands"),
    ("Итого: 1 299 000 руб.", [], "a total"),
    ("Цена: 12 990 ₽", [], "price with a currency sign"),
    ("$1,299", [], "dollar price"),
    ("$1,299.00", [], "dollar price with cents"),
    ("€ 1 299,00", [], "euro price"),
    ("89161234567руб", [], "a number glued to a currency word"),
    ("Заказ №123456789", [], "order number after Заказ №"),
    ("Заказ № 12345678", [], "order number after Заказ № and a space"),
    ("Заказ № 8 916 123 45 67", [], "even a phone-shaped order number"),
    ("Order 1234567890", [], "order number"),
    ("Order #89161234567", [], "order number with #"),
    ("Order 79161234567", [], "an order number shaped like a bare +7 mobile"),
    ("79161234567 руб", [], "an amount shaped like a bare +7 mobile"),
    ("71234567890", [], "eleven bare digits starting with 7 but not 79"),
    ("Order 123-456-7890", [], "hyphenated order number"),
    ("Order: 555-1234", [], "short order number"),
    ("version 1.2.3.4.5", [], "a version string"),
    ("1.2.3.4", [], "a dotted quad"),
    ("SKU 12345678", [], "SKU"),
    ("SKU 4006381333931", [], "EAN barcode as SKU"),
    ("SKU 100-200-300", [], "hyphenated SKU"),
    ("арт. 1234567", [], "article number"),
    ("артикул 100-200-3000", [], "hyphenated article number"),
    ("ОГРН 1027700132195", [], "thirteen digits are not a Russian phone"),
    ("ID 1234567", [], "seven bare digits"),
    ("12 34 56 78 90", [], "pairs of digits"),
    ("+123", [], "too short"),
    ("+7 916", [], "a fragment"),
    ("x89161234567", [], "glued to a Latin letter: part of a token"),
    ("+٧٩١٦١٢٣٤٥٦٧", [], "Arabic-Indic digits are not ASCII digits"),
    ("+7 ９１６ 123 45 67", [], "full-width digits are not ASCII digits"),
    ("", [], "empty"),
    (
        "8 916 123 45 67 8 916 123 45 68",
        ["8 916 123 45 67", "8 916 123 45 68"],
        "two numbers separated by one space: the run is split",
    ),
]


def case_id(case: object) -> str:
    values = getattr(case, "values", case)  # a pytest.param or a plain tuple
    return str(values[-1])  # type: ignore[index]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[case_id(c) for c in CASES])
def test_phone(text: str, expected: list[str], reason: str) -> None:
    assert found(text) == expected


SCORE_CASES = [
    ("+7 916 123-45-67", 0.95, "international and possible"),
    ("8 916 123 45 67", 0.95, "Russian layout"),
    ("тел. 555-1234", 0.85, "context word"),
    ("9161234567", 0.7, "bare Russian mobile"),
    ("(495) 123-45-67", 0.6, "area code in parentheses"),
    ("555-1234", 0.45, "a bare local number is weak"),
]


@pytest.mark.parametrize(("text", "score", "reason"), SCORE_CASES, ids=[c[-1] for c in SCORE_CASES])
def test_phone_scores(text: str, score: float, reason: str) -> None:
    [(_, _, actual)] = RECOGNIZER.find(text)
    assert actual == score


ADVERSARIAL = [
    ("1" * 100_000, "a run of digits"),
    ("1 " * 50_000, "digits and spaces"),
    ("1-" * 50_000, "digits and hyphens"),
    ("1." * 50_000, "digits and dots"),
    ("12-" * 33_000, "digit pairs and hyphens"),
    ("(1)" * 33_000, "parenthesised digits"),
    ("+1 " * 33_000, "plus signs and digits"),
    ("1 x1 " * 20_000, "extensions"),
    ("1 (2) 3-" * 12_500, "every separator"),
]


@pytest.mark.parametrize(("text", "reason"), ADVERSARIAL, ids=[c[-1] for c in ADVERSARIAL])
def test_phone_adversarial_input_gives_valid_spans(text: str, reason: str) -> None:
    assert_valid_spans(text, RECOGNIZER.find(text))


def _layout_score(main: str, context: bool) -> float | None:
    """``score_shape``'s chain of layouts for a candidate without a ``+`` or an extension,
    spelled out with the module's patterns (its shortcut for digits only must agree)."""
    score: float | None = None
    if phone._DATE.match(main) or phone._DOTTED_QUAD.match(main):
        score = None
    elif phone._RU.match(main):
        score = 0.95
    elif context:
        score = 0.85
    elif phone._THOUSANDS.match(main):
        score = None
    elif (
        phone._RU_MOBILE_BARE.match(main)
        or phone._NANP.match(main)
        or phone._NANP_SPACED.match(main)
    ):
        score = 0.7
    elif phone._PAREN_AREA.match(main) or (
        main.startswith("0") and any(ch in " .-()" for ch in main) and 9 <= len(main) <= 11
    ):
        score = 0.6
    elif phone._LOCAL.match(main):
        score = 0.45
    return score


@pytest.mark.parametrize("context", [False, True])
@pytest.mark.parametrize("length", range(7, 16))
def test_the_digits_only_shortcut_agrees_with_the_layouts(length: int, context: bool) -> None:
    recognizer = PhoneNumberRecognizer()
    for first in "0123456789":
        for rest in ("0" * (length - 1), "9" * (length - 1), "2345678901234"[: length - 1]):
            main = first + rest
            expected = _layout_score(main, context)
            assert recognizer.score_shape(main, context=context) == expected, main


_RU_LAYOUTS = ("+7{}{}{}{}", "+7 ({}) {}-{}-{}", "+7-{}-{}-{}-{}", "+7({}){}{}{}", "+7 {} {} {} {}")


@settings(max_examples=300, deadline=None)
@given(st.text("0123456789", min_size=10, max_size=10), st.sampled_from(_RU_LAYOUTS))
def test_a_russian_layout_with_plus_7_is_a_possible_number(digits: str, layout: str) -> None:
    """``+7`` numbers in the Russian layout skip :mod:`phonenumbers`; it would agree."""
    candidate = layout.format(digits[:3], digits[3:6], digits[6:8], digits[8:])
    assert phonenumbers.is_possible_number(phonenumbers.parse(candidate, None))
    assert RECOGNIZER.score_shape(candidate, context=False) == 0.95


SLASH_CASES = [
    ("тел. +7 916 123/45/67", ["+7 916 123/45/67"], "slashes between groups, phone word: whole"),
    ("тел. 8/916/123-45-67", ["8/916/123-45-67"], "slash after the trunk"),
    ("8/916/123-45-67", [], "slashes without a phone word: a path or a fraction"),
    ("call me, born 6/24/1991", [], "a US date"),
    ("tel. 24/06/1991", [], "a day-first date"),
    ("tel. 1991/06/24", [], "a year-first date"),
]


@pytest.mark.parametrize(
    ("text", "expected", "reason"), SLASH_CASES, ids=[c[-1] for c in SLASH_CASES]
)
def test_slash_separated(text: str, expected: list[str], reason: str) -> None:
    assert [text[s:e] for s, e, _ in PhoneNumberRecognizer().find(text)] == expected
