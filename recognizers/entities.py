"""The entity types the project detects, by name only: no recognizer, no Presidio, no model.

The policy (:mod:`streams.core.policy`) and the pseudonymiser check names against this module,
so the pure core never loads a recognizer. :mod:`recognizers.registry` holds the recognizers
themselves; ``tests/recognizers/test_registry.py`` checks that the two agree.
"""

from __future__ import annotations

from typing import Final

#: Every entity type the project can detect, sorted.
ENTITY_TYPES: Final[tuple[str, ...]] = (
    "ADDRESS",
    "ADVERTISING_ID",
    "CREDIT_CARD",
    "CRYPTO",
    "DATE_OF_BIRTH",
    "EMAIL_ADDRESS",
    "GEO_COORDINATES",
    "IBAN_CODE",
    "IMEI",
    "IP_ADDRESS",
    "MAC_ADDRESS",
    "PERSON",
    "PHONE_NUMBER",
    "PROFILE_URL",
    "RU_BANK_ACCOUNT",
    "RU_DRIVER_LICENSE",
    "RU_INN",
    "RU_OGRN",
    "RU_OGRNIP",
    "RU_OMS",
    "RU_PASSPORT",
    "RU_SNILS",
    "UK_NHS",
    "USERNAME",
    "US_ITIN",
    "US_PASSPORT",
    "US_SSN",
)

#: The kinds a recognizer tells apart within an entity type (policy keys ``ENTITY/kind``).
ENTITY_SUBTYPES: Final[dict[str, tuple[str, ...]]] = {
    "RU_INN": ("organisation", "person"),
    "CRYPTO": ("bitcoin", "ethereum"),
}
