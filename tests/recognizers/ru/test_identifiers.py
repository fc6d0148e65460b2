"""Context lookup shared by the Russian identifier recognizers: ``distance`` with one compiled
pattern per vocabulary gives what matching word by word gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recognizers.base import WORD
from recognizers.ru._identifiers import NOT_PERSONAL, Vocabulary, distance
from recognizers.ru.inn import CONTEXT as INN_CONTEXT
from recognizers.ru.passport import CONTEXT as PASSPORT_CONTEXT


def word_by_word(
    text: str, start: int, end: int, vocabulary: Vocabulary, before: int = 48, after: int = 24
) -> int | None:
    """The definition: the nearest lower-cased word (a run of letters, cut by the window) that
    ``vocabulary.matches``; phrases left out."""
    best: int | None = None
    for match in WORD.finditer(text, max(0, start - before), start):
        if vocabulary.matches(match.group().lower()):
            best = start - match.end()
    for match in WORD.finditer(text, end, min(len(text), end + after)):
        if vocabulary.matches(match.group().lower()):
            gap = match.start() - end
            return gap if best is None or gap < best else best
    return best


VOCABULARIES = [
    INN_CONTEXT,
    PASSPORT_CONTEXT,
    NOT_PERSONAL,
    Vocabulary(stems=("тел", "phone"), words=frozenset({"инн", "id"})),
]
_words = [w for v in VOCABULARIES for w in (*v.stems, *v.words)]
_side = st.lists(
    st.one_of(
        st.sampled_from(_words).map(lambda w: w.upper() if len(w) % 2 else w),
        st.text("абвинтелАБВ ,.:-№ \u0130x1", max_size=8),
    ),
    max_size=6,
).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(left=_side, right=_side, which=st.integers(0, len(VOCABULARIES) - 1))
def test_distance_is_the_nearest_matching_word(left: str, right: str, which: int) -> None:
    vocabulary = Vocabulary(VOCABULARIES[which].stems, VOCABULARIES[which].words)
    text = f"{left}7707083893{right}"
    start, end = len(left), len(left) + 10
    assert distance(text, start, end, vocabulary) == word_by_word(text, start, end, vocabulary)


@pytest.mark.parametrize(
    ("text", "expected", "why"),
    [
        ("ИНН 7707083893", 1, "a whole word"),
        ("иннн 7707083893", None, "a whole word only"),
        ("налогоплательщика 7707083893", 1, "a stem covers its forms"),
        ("ИНН:  7707083893 инн", 1, "the nearer side wins"),
        ("İnn 7707083893", None, "a letter whose lower case is longer"),
        ("7707083893 (ИНН)", 2, "after the number"),
    ],
)
def test_distance_cases(text: str, expected: int | None, why: str) -> None:
    vocabulary = Vocabulary(INN_CONTEXT.stems, INN_CONTEXT.words)
    start = text.index("7707")
    assert distance(text, start, start + 10, vocabulary) == expected, why
