"""The registry is the one list: every entry is sound, tested and distinct from Presidio's."""

from __future__ import annotations

from pathlib import Path

import presidio_analyzer.predefined_recognizers as presidio_predefined
import pytest

from recognizers.base import ValidatedPatternRecognizer
from recognizers.entities import ENTITY_SUBTYPES, ENTITY_TYPES
from recognizers.ner import NerRecognizer
from recognizers.registry import (
    RECOGNIZERS,
    REPORTED_SUBTYPES,
    REPORTED_TYPES,
    build_detector,
)

TESTS = Path(__file__).resolve().parent
PRESIDIO_NAMES = {name for name in dir(presidio_predefined) if name.endswith("Recognizer")}


@pytest.mark.parametrize("cls", RECOGNIZERS, ids=lambda c: c.__name__)
def test_each_recognizer_is_registered_once_and_has_its_own_test_file(cls: type) -> None:
    assert RECOGNIZERS.count(cls) == 1
    module = cls.__module__.removeprefix("recognizers.").split(".")
    test_file = TESTS.joinpath(*module[:-1], f"test_{module[-1]}.py")
    assert test_file.is_file(), f"{cls.__name__} needs {test_file.relative_to(TESTS.parent)}"


@pytest.mark.parametrize("cls", RECOGNIZERS, ids=lambda c: c.__name__)
def test_no_class_name_clashes_with_a_presidio_recognizer(cls: type) -> None:
    # Presidio finds its predefined recognizers by class name among all loaded subclasses:
    # a clash makes a default AnalyzerEngine pick our class and fail.
    assert cls.__name__ not in PRESIDIO_NAMES


@pytest.mark.parametrize("cls", RECOGNIZERS, ids=lambda c: c.__name__)
def test_each_recognizer_is_a_presidio_recognizer_of_one_kind(cls: type) -> None:
    assert issubclass(cls, ValidatedPatternRecognizer | NerRecognizer)
    assert cls.ENTITY in ENTITY_TYPES


def test_the_names_the_policy_checks_are_the_types_the_recognizers_report() -> None:
    # recognizers/entities.py is written by hand so that the core never loads a recognizer; it
    # must list exactly what the registry's recognizers report, sorted, each once.
    assert list(ENTITY_TYPES) == sorted(set(ENTITY_TYPES))
    assert ENTITY_TYPES == REPORTED_TYPES
    assert ENTITY_SUBTYPES == REPORTED_SUBTYPES


def test_a_detector_without_names_has_no_person() -> None:
    detector = build_detector(names=False)
    assert "PERSON" not in detector.entity_types
    assert detector.entity_types == set(ENTITY_TYPES) - {"PERSON"}
