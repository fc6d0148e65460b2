"""PERSON in English text with spaCy: names, possessives, punctuation, odd input."""

from __future__ import annotations

import pytest

from recognizers.en.person import EnPersonRecognizer

# Names are synthetic: common first names and surnames in made-up sentences.


@pytest.fixture(scope="module")
def recognizer() -> EnPersonRecognizer:
    """spaCy's small English model, loaded once for the module."""
    return EnPersonRecognizer()


def names(recognizer: EnPersonRecognizer, text: str) -> list[str]:
    [spans] = recognizer.analyze_batch([text])
    return [text[start:end] for start, end, _ in spans]


CASES = [
    ("Contact John Smith for details.", ["John Smith"], "first name and surname"),
    ("Meeting with Emily Clarke tomorrow.", ["Emily Clarke"], "mid-sentence"),
    ("Mr. John Smith", ["John Smith"], "the title is not part of the name"),
    ("John Smith's car", ["John Smith"], "possessive 's is cut"),
    ("John Smith’s car", ["John Smith"], "typographic possessive is cut"),
    ("(John Smith)", ["John Smith"], "in parentheses"),
    ("[John Smith]", ["John Smith"], "in square brackets"),
    ('"John Smith"', ["John Smith"], "in quotes"),
    ("«John Smith»", ["John Smith"], "in guillemets"),
    ("John Smith!", ["John Smith"], "before an exclamation mark"),
    ("John Smith)", ["John Smith"], "a closing parenthesis at the end"),
    ("😀 Emoji Mike Brown", ["Mike Brown"], "after an emoji"),
    ("Мария Иванова and John Smith", ["John Smith"], "Cyrillic names are not reported"),
    ("Иван Петров живёт тут", [], "Cyrillic only"),
    ("the weather is fine today", [], "no names"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_en_person(
    recognizer: EnPersonRecognizer, text: str, expected: list[str], reason: str
) -> None:
    assert names(recognizer, text) == expected


ODD_TEXTS = [
    ("", "empty"),
    ("   ", "spaces"),
    ("\n\t\r", "other whitespace"),
    ("12345", "digits only"),
    ("!!!???...", "punctuation only"),
    ("\x00\x01\x7f", "control characters"),
    ("😀" * 20, "emoji"),
    ("A", "one capital letter"),
    ("a" * 5000, "a long word"),
    ("John\u200bSmith", "a zero-width space inside a name"),
    ("Ab-" * 500, "capitalised fragments and hyphens"),
]


@pytest.mark.parametrize(("text", "reason"), ODD_TEXTS, ids=[c[-1] for c in ODD_TEXTS])
def test_odd_text_never_crashes(recognizer: EnPersonRecognizer, text: str, reason: str) -> None:
    [spans] = recognizer.analyze_batch([text])
    for start, end, score in spans:
        assert 0 <= start < end <= len(text)
        assert score == recognizer.SCORE


def test_batch_keeps_order(recognizer: EnPersonRecognizer) -> None:
    texts = ["", "Contact John Smith today.", "nothing here", "Meeting with Emily Clarke tomorrow."]
    results = recognizer.analyze_batch(texts)
    assert [[t[s:e] for s, e, _ in r] for t, r in zip(texts, results, strict=True)] == [
        [],
        ["John Smith"],
        [],
        ["Emily Clarke"],
    ]


WANTS_CASES = [
    ("John Smith", True, "a capitalised Latin word"),
    ("john smith", True, "lower case: the name-list rules find lowercase names"),
    ("Иван Петров", False, "Cyrillic only"),
    ("JOHN", True, "all capitals: the name-list rules find ALL CAPS names"),
    ("12345", False, "no Latin letter"),
    ("", False, "empty"),
]


@pytest.mark.parametrize(
    ("text", "expected", "reason"), WANTS_CASES, ids=[c[-1] for c in WANTS_CASES]
)
def test_wants(recognizer: EnPersonRecognizer, text: str, expected: bool, reason: str) -> None:
    assert recognizer.wants(text) is expected


def test_presidio_entry_point(recognizer: EnPersonRecognizer) -> None:
    [result] = recognizer.analyze("Contact John Smith for details.")
    assert (result.entity_type, result.start, result.end) == ("PERSON", 8, 18)
    assert recognizer.analyze("contact nobody") == []
