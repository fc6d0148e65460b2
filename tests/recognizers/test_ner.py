"""The NER base: which texts a model is spared (``names_cover``)."""

from __future__ import annotations

import pytest

from recognizers.names import Interval
from recognizers.ner import names_cover


def _spans(text: str, *names: str) -> list[Interval]:
    out = []
    for name in names:
        start = text.index(name)
        out.append((start, start + len(name)))
    return sorted(out)


@pytest.mark.parametrize(
    ("text", "names", "covered"),
    [
        ("Иванов Иван Иванович", ["Иванов Иван Иванович"], True),
        ("Mary Miller said the refund went to card 5570", ["Mary Miller"], True),
        ("Smith, John", ["Smith", "John"], True),
        ("Mary Miller met Tom", ["Mary Miller"], False),  # Tom: a capitalised word left
        ("Posted by Gregory Haynes", ["Gregory Haynes"], False),  # Posted opens with a capital
        ("ООО Ромашка: Иван Петров", ["Иван Петров"], False),  # ALL CAPS counts
        ("Иван Петров и Maria", ["Иван Петров"], False),  # either script
        ("Ludwig van Beethoven", ["Ludwig", "Beethoven"], False),  # a particle between
        ("anna lee", [], False),  # nothing found: the model decides
        ("", [], False),
    ],
)
def test_names_cover(text: str, names: list[str], covered: bool) -> None:
    assert names_cover(text, _spans(text, *names)) is covered
