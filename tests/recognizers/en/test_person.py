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


# --- names in scraped records: cues, case, layout (rules of recognizers.en.names) -------------

SCRAPED_CASES = [
    (
        "Dear Marcus Ellery, your card ending 1111 was charged.",
        ["Marcus Ellery"],
        "after the cue Dear",
    ),
    ("Posted by Helen Ostrowski from Ohio", ["Helen Ostrowski"], "Posted by; stops at from"),
    (
        "Our team: Lena Marsh (CEO), Omar Dalton (COO) and Rita Vance",
        ["Lena Marsh", "Omar Dalton", "Rita Vance"],
        "an enumeration after a cue, past the job titles",
    ),
    ("DEAR LENA MARSH, YOUR ORDER SHIPPED", ["LENA MARSH"], "ALL CAPS text"),
    ("posted by lena marsh yesterday", ["lena marsh"], "lowercase text"),
    ("Marsh, Lena", ["Marsh, Lena"], "Last, First"),
    ("MARSH, LENA", ["MARSH, LENA"], "Last, First in capitals"),
    ("Volkov, Pavel", ["Volkov, Pavel"], "a transliterated Slavic surname, then a first name"),
    ("Lena Marsh", ["Lena Marsh"], "a whole name field"),
    ("LENA MARSH", ["LENA MARSH"], "a whole name field in capitals"),
    ("lena marsh", ["lena marsh"], "a whole name field in lowercase"),
    ("Lena", ["Lena"], "a first name alone as a whole field"),
    ("Mr. Dalton will call back", ["Dalton"], "a title, then a surname"),
    ("Contact: Siiri Mäkinen", ["Siiri Mäkinen"], "a cue, then a name in no list"),
    ('login ok user="omar dalton" ip=10.0.0.1', ["omar dalton"], "the quoted value of a key"),
    ("Review by Omar D.", ["Omar D."], "a cue, then a name with an initial"),
    ("Lena Marsh wrote:", ["Lena Marsh"], "a name before wrote"),
    ("https://forum.example.com/u/lena-marsh", ["lena-marsh"], "a name in a URL slug"),
    ("Agreed, Leonora.", ["Leonora"], "a first name alone that is no English word"),
    ("Dear Marlies Bruder, hello", ["Marlies Bruder"], "no stemming of capitalised words"),
    ("Agreed, Hampus. Pin this.", ["Hampus"], "a person addressed by name"),
    ("Hi, I'm Thales.", ["Thales"], "an introduction: a noun may be a name"),
    (
        "Sean O'Neil and Amy McDonald met",
        ["Sean O'Neil", "Amy McDonald"],
        "Mc and O' are name prefixes, not CamelCase brands",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected", "reason"), SCRAPED_CASES, ids=[c[-1] for c in SCRAPED_CASES]
)
def test_names_in_scraped_records(
    recognizer: EnPersonRecognizer, text: str, expected: list[str], reason: str
) -> None:
    assert names(recognizer, text) == expected


DECOY_CASES = [
    ("SpaceX launched another rocket", "a CamelCase brand"),
    ("Meet at Lovers Lane 12", "a street named like a person"),
    ("Dear Customer, your order shipped", "a role after a cue"),
    ("Posted by admin", "a role word after a cue"),
    ("the city will grant permits", "lowercase words that are also names"),
    ("Used laptop, 16 GB RAM", "acronyms"),
    ("seller", "a lone lowercase key that is a surname"),
    ("Grant Park Hotel", "a pair of names followed by an organisation word"),
    ("Maccabi Haifa", "a sports club"),
    ("Santa Monica", "a place opener"),
    ("The bus station is on Villacher Strasse 89", "a street in another language"),
    ("Ship to 1737 Cheriton Reach, Apt 5", "words right after a house number"),
    ("You said your email is wrong", "a stop word that opens a sentence"),
    ("Hi, I'm Sorry.", "an introduction of an adjective"),
    ("Thanks, Google!", "a brand addressed like a person (a verb in WordNet)"),
]


@pytest.mark.parametrize(("text", "reason"), DECOY_CASES, ids=[c[-1] for c in DECOY_CASES])
def test_organisations_and_words_are_not_people(
    recognizer: EnPersonRecognizer, text: str, reason: str
) -> None:
    assert names(recognizer, text) == []


def test_title_cased_copy_keeps_offsets(recognizer: EnPersonRecognizer) -> None:
    text = "REFUND FOR LENA MARSH, ORDER 7"
    [spans] = recognizer.analyze_batch([text])
    assert [text[s:e] for s, e, _ in spans] == ["LENA MARSH"]


def recording(recognizer: EnPersonRecognizer) -> tuple[EnPersonRecognizer, list[str]]:
    """The same recognizer over a model that records every text it is given."""
    model = recognizer._nlp
    seen: list[str] = []

    class Recording:
        def pipe(self, texts: list[str], **kwargs: object) -> object:
            seen.extend(texts)
            return model.pipe(texts, **kwargs)

    return EnPersonRecognizer(nlp=Recording(), names=recognizer._names), seen


def test_a_text_the_rules_have_named_whole_does_not_reach_the_model(
    recognizer: EnPersonRecognizer,
) -> None:
    spy, seen = recording(recognizer)
    texts = ["Mary Miller", "MARY MILLER", "Call Mary Miller today"]
    found = spy.analyze_batch(texts)
    assert seen == ["Call Mary Miller today"]
    assert found == recognizer.analyze_batch(texts)
    assert [[t[s:e] for s, e, _ in spans] for t, spans in zip(texts, found, strict=True)] == [
        ["Mary Miller"],
        ["MARY MILLER"],
        ["Mary Miller"],
    ]


def test_a_text_whose_only_capital_opens_a_sentence_with_a_plain_word_does_not_reach_the_model(
    recognizer: EnPersonRecognizer,
) -> None:
    spy, seen = recording(recognizer)
    texts = ["Order #99547894", "Write to mary miller today", "Order from Kullervo"]
    found = spy.analyze_batch(texts)
    assert sorted(seen) == ["Order from Kullervo", "Write to mary miller today"]
    assert found == recognizer.analyze_batch(texts)


def test_only_a_lowercase_listed_name_outside_addresses_sends_a_named_text_to_the_model(
    recognizer: EnPersonRecognizer,
) -> None:
    spy, seen = recording(recognizer)
    texts = [
        "Mark King said the refund went to card 5516 7612 2202 9723.",
        "write to mark.king25@example.org or https://example.org/adam please",
        "we were watching adam win",
    ]
    found = spy.analyze_batch(texts)
    assert seen == ["we were watching adam win"]
    first_text, first_spans = texts[0], found[0]
    assert [first_text[s:e] for s, e, _ in first_spans] == ["Mark King"]


def test_the_model_multiplies_with_numpy_not_blis(recognizer: EnPersonRecognizer) -> None:
    """The speed measured in benchmarks/README.md depends on it (the entities do not)."""
    layers = list(recognizer._nlp.get_pipe("ner").model.walk())
    assert layers and all(getattr(layer.ops, "use_blis", True) is False for layer in layers)
