"""The one context mechanism: decoy words by distance, and the words that count only beside a
dotted number."""

from __future__ import annotations

import pytest

from recognizers.context import DECOYS, Vocabulary, distance
from recognizers.registry import build_detector

DETECTOR = build_detector(names=False)

#: A valid 12-digit ИНН of a person (python-stdnum's ru.inn agrees).
INN = "770000000082"


# (text, entity type expected in it or None, why)
CASES: tuple[tuple[str, str | None, str], ...] = (
    (f"v.{INN}", "RU_INN", "an abbreviation labels dotted numbers only: fail closed"),
    (f"п. {INN}", "RU_INN", "a paragraph abbreviation before an undotted ИНН"),
    (f"раздел {INN}", "RU_INN", "a section word before an undotted ИНН"),
    ("раздел 3.2.1.4", None, "a section number is no IP address"),
    ("v. 4.15.2.7", None, "a version is no IP address"),
    (f"order {INN}", None, "an order number is an order number, dotted or not"),
    (f"build {INN}", None, "build numbers are undotted too"),
)


@pytest.mark.parametrize(("text", "expected", "why"), CASES, ids=[r[-1] for r in CASES])
def test_dotted_decoys_say_nothing_of_an_undotted_identifier(
    text: str, expected: str | None, why: str
) -> None:
    types = {f.entity_type for f in DETECTOR.analyze([text])[0]}
    assert types == ({expected} if expected else set()), why


def test_dotted_words_count_only_for_a_dotted_candidate() -> None:
    vocabulary = Vocabulary(dotted=Vocabulary(stems=("раздел",)))
    assert distance("раздел 1.2", 7, 10, vocabulary) == 1
    assert distance("раздел 12", 7, 9, vocabulary) is None
    assert vocabulary.mentioned("см. раздел")
    merged = DECOYS.union(vocabulary)
    assert merged.dotted is not None and merged.dotted.matches("раздела")
