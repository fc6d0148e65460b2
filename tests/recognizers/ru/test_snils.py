"""RU_SNILS: СНИЛС, 11 digits with a mod-101 checksum."""

from __future__ import annotations

import pytest

from recognizers.ru.snils import (
    LAST_UNCHECKED,
    RuSnilsRecognizer,
    calc_checksum,
    is_valid,
    snils_checksum_applies,
    snils_valid,
)
from tests.recognizers.spans import assert_valid_spans

R = RuSnilsRecognizer()


def weighted(body: str) -> int:
    return sum(int(d) * w for d, w in zip(body, (9, 8, 7, 6, 5, 4, 3, 2, 1), strict=True))


def body_with_sum(total: int) -> str:
    """A 9-digit body above 001-001-998 whose weighted sum is ``total`` (greedy, largest
    weights first)."""
    digits = []
    for weight in (9, 8, 7, 6, 5, 4, 3, 2, 1):
        digit = min(9, total // weight)
        digits.append(str(digit))
        total -= digit * weight
    body = "".join(digits)
    assert total == 0
    assert int(body) > LAST_UNCHECKED
    return body


def make(body: str) -> str:
    """A synthetic СНИЛС (11 digits): ``body`` and its checksum."""
    return body + calc_checksum(body)


def dashed(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}"


def spaced(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:9]} {digits[9:]}"


def mistype(digits: str) -> str:
    return digits[:-1] + str((int(digits[-1]) + 1) % 10)


VALID = make("203415726")
BAD = mistype(VALID)
MOBILE = next(c for c in (f"8916{n:07d}" for n in range(1000)) if snils_valid(c))


@pytest.mark.parametrize(
    ("total", "checksum", "rule"),
    [
        (42, "42", "a sum below 100 is the checksum"),
        (99, "99", "the largest sum used as is"),
        (100, "00", "100 gives 00"),
        (101, "00", "101 gives 00"),
        (102, "01", "above 101: modulo 101"),
        (150, "49", "above 101: modulo 101"),
        (201, "00", "modulo 101 is 100: 00"),
        (202, "00", "modulo 101 is 0"),
        (203, "01", "modulo 101 is 1"),
    ],
)
def test_checksum_rules(total: int, checksum: str, rule: str) -> None:
    body = body_with_sum(total)
    assert calc_checksum(body) == checksum, rule


@pytest.mark.parametrize(
    ("number", "valid", "reason"),
    [
        (VALID, True, "synthetic valid"),
        (BAD, False, "wrong checksum"),
        ("00100199800", True, "001-001-998: issued before checksums"),
        ("00100199812", True, "001-001-998 with any checksum"),
        (make("001001999"), True, "first number with a checksum"),
        (mistype(make("001001999")), False, "first number with a checksum, mistyped"),
        (VALID[:10], False, "ten digits"),
        (VALID + "0", False, "twelve digits"),
        ("١٢٣٤٥٦٧٨٩٠١", False, "Arabic-Indic digits"),
    ],
)
def test_snils_valid(number: str, valid: bool, reason: str) -> None:
    assert snils_valid(number) is valid, reason


def test_checksum_applies_above_001_001_998() -> None:
    assert not snils_checksum_applies("00100199800")
    assert snils_checksum_applies("00100199900")


def test_is_valid_accepts_usual_layouts() -> None:
    assert is_valid(dashed(VALID))
    assert is_valid(spaced(VALID))
    assert not is_valid(dashed(VALID).replace(" ", "#"))


@pytest.mark.parametrize(
    ("text", "number", "score", "reason"),
    [
        (f"СНИЛС {dashed(VALID)}", dashed(VALID), 1.0, "dashed, context"),
        (f"СНИЛС{VALID}", VALID, 1.0, "glued to the context word"),
        (f"страховой номер: {spaced(VALID)}", spaced(VALID), 1.0, "spaced, context"),
        (dashed(VALID), dashed(VALID), 1.0, "bare dashed valid"),
        (f"номер {VALID}.", VALID, 1.0, "bare unseparated valid"),
        (f"{VALID[:3]}-{VALID[3:6]}-{VALID[6:9]}-{VALID[9:]}", None, 1.0, "all hyphens"),
        (f"СНИЛС {dashed(BAD)}", dashed(BAD), 0.4, "mistyped, context"),
        (f"SNILS {BAD}", BAD, 0.4, "mistyped unseparated, context"),
        ("СНИЛС 001-001-998 00", "001-001-998 00", 0.85, "no checksum, context"),
        (f"СНИЛС {MOBILE}", MOBILE, 1.0, "mobile-shaped but with context"),
    ],
)
def test_found(text: str, number: str | None, score: float, reason: str) -> None:
    if number is None:
        number = text
    start = text.index(number)
    assert R.find(text) == [(start, start + len(number), score)], reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (dashed(BAD), "invalid, no context"),
        (BAD, "invalid unseparated, no context"),
        ("001-001-998 00", "no checksum, no context"),
        (MOBILE, "bare Russian mobile"),
        (f"тел. {VALID}", "phone context"),
        (f"Заказ № {VALID}", "order number"),
        (f"{VALID[:3]}-{VALID[3:6]} {VALID[6:9]} {VALID[9:]}", "mixed separators"),
        (f"{VALID[:3]}-{VALID[3:6]}-{VALID[6:9]}?{VALID[9:]}", "question mark separator"),
        (f"+{VALID}", "leading plus: a phone"),
        (f"{VALID}.25", "decimal part"),
        (f"1-{dashed(VALID)}", "part of a longer hyphenated number"),
        (f"{VALID}0", "twelve digits"),
        (f"abc{VALID}", "glued to foreign letters"),
    ],
)
def test_not_found(text: str, reason: str) -> None:
    assert R.find(text) == [], reason


@pytest.mark.parametrize(
    "text",
    [
        "5" * 100_000,
        "123-" * 25_000,
        "123 " * 25_000,
        ("СНИЛС " + dashed(BAD) + " ") * 4_800,
        (dashed(VALID) + " ") * 6_500,
    ],
    ids=["digit-run", "hyphen-groups", "space-groups", "many-with-context", "many-valid"],
)
def test_adversarial_input_gives_valid_spans(text: str) -> None:
    assert_valid_spans(text, R.find(text))
