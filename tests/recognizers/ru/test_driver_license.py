"""RU_DRIVER_LICENSE: Russian driving licence series and number (context-bound)."""

from __future__ import annotations

import pytest

from recognizers.ru.driver_license import RuDriverLicenseRecognizer
from tests.recognizers.spans import assert_valid_spans

R = RuDriverLicenseRecognizer()

SPACED = "77 12 345678"  # synthetic
JOINED = "7712 345678"
LETTERS = "77 АВ 123456"  # pre-2011 series with Cyrillic letters


@pytest.mark.parametrize(
    ("text", "number", "reason"),
    [
        (f"водительское удостоверение {SPACED}", SPACED, "full name"),
        (f"Водительского удостоверения: {JOINED}", JOINED, "inflected"),
        (f"ВУ {SPACED}", SPACED, "abbreviation"),
        (f"в/у {JOINED.replace(' ', '')}", "7712345678", "в/у, unseparated"),
        (f"права {SPACED}, категория B", SPACED, "colloquial"),
        (f"driver's license {SPACED}", SPACED, "English"),
        (f"водительское удостоверение {LETTERS}", LETTERS, "letters in the series"),
        (f"{JOINED} (водительское удостоверение)", JOINED, "context after"),
    ],
)
def test_found(text: str, number: str, reason: str) -> None:
    start = text.index(number)
    assert R.find(text) == [(start, start + len(number), 0.85)], reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (SPACED, "no context"),
        (f"паспорт {SPACED}", "someone else's context"),
        (f"правило {SPACED}", "'правило' is not 'права'"),
        (f"вуз {SPACED}", "'вуз' is not 'ВУ'"),
        (f"права: тел. {SPACED}", "phone word closer"),
        (f"ВУ {SPACED}0", "eleven digits"),
        ("ВУ 77 ZZ 123456", "Latin letters outside the series alphabet"),
        (f"ВУ {'٧٧١٢٣٤٥٦٧٨'}", "Arabic-Indic digits"),
    ],
)
def test_not_found(text: str, reason: str) -> None:
    assert R.find(text) == [], reason


@pytest.mark.parametrize(
    "text",
    ["7" * 100_000, "ВУ " * 33_000, ("права " + SPACED + " ") * 5_500, "77 АВ " * 16_000],
    ids=["digit-run", "context-only", "many-with-context", "letter-series"],
)
def test_adversarial_input_gives_valid_spans(text: str) -> None:
    assert_valid_spans(text, R.find(text))
