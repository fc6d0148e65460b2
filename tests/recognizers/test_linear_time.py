"""Every recognizer runs in linear time on hostile text, fast enough for the longest string.

For each recognizer, the hostile inputs that stress its pattern (from
:mod:`benchmarks.hostile`) at 50 and 100 KB, best of three runs: doubling the input must not
much more than double the time (ratio under 4; quadratic time gives 4 and more), and 100 KB (the
default ``max_string_chars`` is 100,000) must finish in a third of the default detection timeout.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from benchmarks.hostile import INPUTS, KB, best_times
from recognizers.base import ValidatedPatternRecognizer
from recognizers.en.address import EnAddressRecognizer
from recognizers.generic.advertising_id import AdvertisingIdRecognizer
from recognizers.generic.credit_card import CreditCardNumberRecognizer
from recognizers.generic.crypto import CryptoWalletRecognizer
from recognizers.generic.date_of_birth import DateOfBirthRecognizer
from recognizers.generic.email import EmailAddressRecognizer
from recognizers.generic.geo import GeoCoordinatesRecognizer
from recognizers.generic.iban import IbanCodeRecognizer
from recognizers.generic.imei import ImeiRecognizer
from recognizers.generic.ip import IpAddressRecognizer
from recognizers.generic.mac_address import DeviceMacAddressRecognizer
from recognizers.generic.phone import PhoneNumberRecognizer
from recognizers.generic.profile_url import ProfileUrlRecognizer
from recognizers.generic.username import UsernameRecognizer
from recognizers.registry import RECOGNIZERS, build_detector
from recognizers.ru.address import RuAddressRecognizer
from recognizers.ru.bank_account import RuBankAccountRecognizer
from recognizers.ru.driver_license import RuDriverLicenseRecognizer
from recognizers.ru.inn import RuInnRecognizer
from recognizers.ru.ogrn import RuOgrnRecognizer
from recognizers.ru.ogrnip import RuOgrnipRecognizer
from recognizers.ru.oms import RuOmsRecognizer
from recognizers.ru.passport import RuPassportRecognizer
from recognizers.ru.snils import RuSnilsRecognizer
from recognizers.uk.nhs import UkNhsNumberRecognizer
from recognizers.us.itin import UsItinNumberRecognizer
from recognizers.us.passport import UsPassportNumberRecognizer
from recognizers.us.ssn import UsSocialSecurityRecognizer

#: Seconds 100 KB may take: a third of the default detection timeout (30 s).
LIMIT_100KB = 10.0
#: time(100 KB) / time(50 KB); linear gives about 2, quadratic about 4.
DOUBLING_BOUND = 4.0

_NUMBERS = ("digits spaced", "digits hyphenated", "digit groups", "Cyrillic context and numbers")
STRESS: dict[type[ValidatedPatternRecognizer], tuple[str, ...]] = {
    EmailAddressRecognizer: ("address flood", "near address", "local part flood", "at flood"),
    PhoneNumberRecognizer: (
        "Cyrillic letters and digits",
        "digit pairs spaced",
        "parentheses",
        "plus digits",
        "extension words",
    ),
    IpAddressRecognizer: ("ipv4-ish", "octets", "ipv6-ish", "colons"),
    CreditCardNumberRecognizer: (*_NUMBERS, "digits"),
    DeviceMacAddressRecognizer: ("hex pairs", "hex quads dotted", "digit pairs spaced"),
    ImeiRecognizer: (*_NUMBERS, "digits"),
    GeoCoordinatesRecognizer: ("decimals", "minus decimals", "digits dotted"),
    RuInnRecognizer: (*_NUMBERS, "context glued to digits"),
    RuSnilsRecognizer: (*_NUMBERS, "context glued to digits"),
    RuOgrnRecognizer: (*_NUMBERS, "same digit"),
    RuOgrnipRecognizer: (*_NUMBERS, "same digit"),
    RuPassportRecognizer: (*_NUMBERS, "Cyrillic context words"),
    RuOmsRecognizer: (*_NUMBERS, "digits"),
    RuBankAccountRecognizer: (*_NUMBERS, "digits dotted", "spaces"),
    RuDriverLicenseRecognizer: (*_NUMBERS, "Cyrillic context words"),
    IbanCodeRecognizer: ("letters and digits", "digit groups", "base58 letters"),
    UsSocialSecurityRecognizer: (*_NUMBERS, "digits"),
    UsItinNumberRecognizer: (*_NUMBERS, "digits"),
    UsPassportNumberRecognizer: (*_NUMBERS, "digits"),
    UkNhsNumberRecognizer: (*_NUMBERS, "digits"),
    CryptoWalletRecognizer: ("base58 letters", "hex digits", "letters and digits"),
    AdvertisingIdRecognizer: ("hex digits", "hex quads dotted", "hyphens"),
    DateOfBirthRecognizer: ("dates with birth cues", "digits dotted", "digit pairs spaced"),
    UsernameRecognizer: ("handles", "at flood", "address flood"),
    ProfileUrlRecognizer: ("profile URLs", "dots", "a-dot"),
    RuAddressRecognizer: (
        "Russian street parts",
        "Russian region words",
        "capitalised Cyrillic words",
    ),
    EnAddressRecognizer: ("English street parts", "capitalised words and numbers", "digits spaced"),
}


def timings(run: Callable[[str], object], input_name: str) -> tuple[float, float]:
    """(seconds at 50 KB, seconds at 100 KB), best of three (one if a call takes a second)."""
    texts = [INPUTS[input_name](kb * KB) for kb in (50, 100)]
    half, full = best_times(run, texts, 3, 0.05, budget=1.0)
    return half, full


def test_every_pattern_recognizer_is_covered() -> None:
    patterns = {cls for cls in RECOGNIZERS if issubclass(cls, ValidatedPatternRecognizer)}
    assert patterns == set(STRESS)


CASES = [(cls, name) for cls, names in STRESS.items() for name in names]


@pytest.mark.parametrize(
    ("cls", "input_name"), CASES, ids=[f"{cls.__name__}-{name}" for cls, name in CASES]
)
def test_recognizer_is_linear(cls: type[ValidatedPatternRecognizer], input_name: str) -> None:
    half, full = timings(cls().find, input_name)
    assert full < LIMIT_100KB, f"100 KB took {full:.2f}s"
    assert full / half < DOUBLING_BOUND, f"50 KB: {half:.4f}s, 100 KB: {full:.4f}s"


@pytest.mark.parametrize("input_name", ["digit pairs spaced", "Cyrillic context and numbers"])
def test_detector_is_linear(input_name: str) -> None:
    detector = build_detector(names=False)
    half, full = timings(lambda text: detector.analyze([text]), input_name)
    assert full < 2 * LIMIT_100KB, f"100 KB took {full:.2f}s"
    assert full / half < DOUBLING_BOUND, f"50 KB: {half:.4f}s, 100 KB: {full:.4f}s"
