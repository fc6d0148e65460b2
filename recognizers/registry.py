"""The one list of recognizers. Entity types, docs and tests derive from it.

To add a recognizer: write one module with one class, add the class to :data:`RECOGNIZERS`,
and add its test file under ``tests/recognizers/`` mirroring the module path.
"""

from __future__ import annotations

from typing import Final

from recognizers.base import ValidatedPatternRecognizer
from recognizers.en.address import EnAddressRecognizer
from recognizers.en.person import EnPersonRecognizer
from recognizers.engine import Detector
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
from recognizers.ner import NerRecognizer
from recognizers.ru.address import RuAddressRecognizer
from recognizers.ru.bank_account import RuBankAccountRecognizer
from recognizers.ru.driver_license import RuDriverLicenseRecognizer
from recognizers.ru.inn import RuInnRecognizer
from recognizers.ru.ogrn import RuOgrnRecognizer
from recognizers.ru.ogrnip import RuOgrnipRecognizer
from recognizers.ru.oms import RuOmsRecognizer
from recognizers.ru.passport import RuPassportRecognizer
from recognizers.ru.person import RuPersonRecognizer
from recognizers.ru.snils import RuSnilsRecognizer
from recognizers.uk.nhs import UkNhsNumberRecognizer
from recognizers.us.itin import UsItinNumberRecognizer
from recognizers.us.passport import UsPassportNumberRecognizer
from recognizers.us.ssn import UsSocialSecurityRecognizer

RECOGNIZERS: Final[tuple[type[ValidatedPatternRecognizer] | type[NerRecognizer], ...]] = (
    EmailAddressRecognizer,
    PhoneNumberRecognizer,
    IpAddressRecognizer,
    CreditCardNumberRecognizer,
    DeviceMacAddressRecognizer,
    ImeiRecognizer,
    GeoCoordinatesRecognizer,
    RuInnRecognizer,
    RuSnilsRecognizer,
    RuOgrnRecognizer,
    RuOgrnipRecognizer,
    RuPassportRecognizer,
    RuOmsRecognizer,
    RuBankAccountRecognizer,
    RuDriverLicenseRecognizer,
    IbanCodeRecognizer,
    UsSocialSecurityRecognizer,
    UsItinNumberRecognizer,
    UsPassportNumberRecognizer,
    UkNhsNumberRecognizer,
    CryptoWalletRecognizer,
    AdvertisingIdRecognizer,
    DateOfBirthRecognizer,
    UsernameRecognizer,
    ProfileUrlRecognizer,
    RuAddressRecognizer,
    EnAddressRecognizer,
    EnPersonRecognizer,
    RuPersonRecognizer,
)

#: The entity types the recognizers report, sorted (must equal
#: :data:`recognizers.entities.ENTITY_TYPES`, the names the policy checks against).
REPORTED_TYPES: Final[tuple[str, ...]] = tuple(sorted({cls.ENTITY for cls in RECOGNIZERS}))

#: The kinds the recognizers tell apart (must equal :data:`recognizers.entities.ENTITY_SUBTYPES`).
REPORTED_SUBTYPES: Final[dict[str, tuple[str, ...]]] = {
    cls.ENTITY: cls.SUBTYPES
    for cls in RECOGNIZERS
    if issubclass(cls, ValidatedPatternRecognizer) and cls.SUBTYPES
}


def build_detector(*, names: bool = True) -> Detector:
    """A detector with every registered recognizer.

    ``names=False`` leaves out the NER models (PERSON), for identifier-only scanning: it loads
    in milliseconds instead of seconds.
    """
    patterns: list[ValidatedPatternRecognizer] = []
    ner: list[NerRecognizer] = []
    for cls in RECOGNIZERS:
        if issubclass(cls, ValidatedPatternRecognizer):
            patterns.append(cls())
        elif names:
            ner.append(cls())
    return Detector(patterns, ner)
