"""The one list of recognizers. Entity types, docs and tests derive from it.

To add a recognizer: write one module with one class, add the class to :data:`RECOGNIZERS`,
and add its test file under ``tests/recognizers/`` mirroring the module path.
"""

from __future__ import annotations

from typing import Final

from recognizers.base import ValidatedPatternRecognizer
from recognizers.credit_card import CreditCardRecognizer
from recognizers.email import EmailRecognizer
from recognizers.en.person import EnPersonRecognizer
from recognizers.engine import Detector
from recognizers.ip import IpRecognizer
from recognizers.ner import NerRecognizer
from recognizers.phone import PhoneRecognizer
from recognizers.ru.person import RuPersonRecognizer

RECOGNIZERS: Final[tuple[type[ValidatedPatternRecognizer] | type[NerRecognizer], ...]] = (
    EmailRecognizer,
    PhoneRecognizer,
    IpRecognizer,
    CreditCardRecognizer,
    EnPersonRecognizer,
    RuPersonRecognizer,
)

#: Every entity type the project can detect, sorted.
ENTITY_TYPES: Final[tuple[str, ...]] = tuple(sorted({cls.ENTITY for cls in RECOGNIZERS}))


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
