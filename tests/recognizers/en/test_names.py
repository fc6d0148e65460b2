"""The English name rules alone (no model): lists, common words, cues, pairs, whole fields."""

from __future__ import annotations

import gc

import pytest

from benchmarks.hostile import INPUTS, KB, best_times
from recognizers.en.names import EnglishNames, address_runs, first_names, last_names


@pytest.fixture(scope="module")
def rules() -> EnglishNames:
    return EnglishNames()


def found(rules: EnglishNames, text: str) -> tuple[list[str], list[str]]:
    sure, unsure = rules.find(text)
    return [text[s:e] for s, e in sure], [text[s:e] for s, e in unsure]


def test_census_lists_are_shipped() -> None:
    assert {"mary", "james", "lena"} <= first_names()
    assert {"smith", "figueroa", "haynes"} <= last_names()
    assert len(first_names()) > 5000 and len(last_names()) >= 40000


COMMON_CASES = [
    ("will", True, "a verb, even though a first name"),
    ("young", True, "an adjective, even though a surname"),
    ("gregory", False, "a WordNet noun, but a listed name"),
    ("customer", True, "a noun in no name list"),
    ("appears", True, "an inflected verb"),
    ("figueroa", False, "a surname only"),
    ("siiri", False, "no English word at all"),
]


@pytest.mark.parametrize(
    ("word", "expected", "reason"), COMMON_CASES, ids=[c[-1] for c in COMMON_CASES]
)
def test_common_words(rules: EnglishNames, word: str, expected: bool, reason: str) -> None:
    assert rules.common(word) is expected


RULE_CASES = [
    ("Dear Omar Dalton, hello", ["Omar Dalton"], [], "a cue"),
    ("omar dalton", ["omar dalton"], [], "a lowercase whole field"),
    ("will grant", [], [], "lowercase common words"),
    ("Contact xavier quennell after 6pm", ["xavier quennell"], [], "lowercase after a cue"),
    ("My name appears twice", [], [], "an inflected verb after the cue name"),
    ("Warinder Vaidya", [], ["Warinder Vaidya"], "two unknown words: unsure"),
    ("Hi, I'm Atagün.", [], ["Atagün"], "an introduction: unsure"),
    ("Los Angeles;Leonora;Oslo", [], ["Leonora"], "a first name alone: unsure"),
    ("San Francisco", [], [], "a place opener, never a name"),
    ("Grant Park Hotel", [], [], "an organisation word after a pair"),
    ("Omar Dalton (CTO), Rita Vance (CFO)", ["Omar Dalton", "Rita Vance"], [], "pairs"),
    ("SMITH, JOHN", ["SMITH, JOHN"], [], "Last, First in capitals"),
    (
        "founders: Kónya, Becker and Vasquez.",
        [],
        ["Kónya", "Becker", "Vasquez"],
        "a list of names: unsure",
    ),
    ("Red, White and Blue", [], [], "a list of English words"),
    ("Halldór: What a wife.", [], ["Halldór"], "a speaker in a transcript: unsure"),
    ("Note: the shop is closed", [], [], "a label, not a speaker"),
    ("What's your last name? Turgeon", ["Turgeon"], [], "an answer after a question cue"),
    ("everyone calls me borna", ["borna"], [], "lowercase after calls me"),
    ("Partners: Acme", [], [], "a plural noun is an English word"),
]


@pytest.mark.parametrize(
    ("text", "sure", "unsure", "reason"), RULE_CASES, ids=[c[-1] for c in RULE_CASES]
)
def test_rules(
    rules: EnglishNames, text: str, sure: list[str], unsure: list[str], reason: str
) -> None:
    assert found(rules, text) == (sure, unsure)


def test_recased_copy_titles_only_names(rules: EnglishNames) -> None:
    assert rules.recased("REFUND FOR LENA MARSH") == "REFUND FOR Lena Marsh"
    assert rules.recased("KEIJO KIVIMAKI") == "Keijo Kivimaki"
    assert rules.recased("Call IBM support") == "Call IBM support"


PLAIN_OPENER_CASES = [
    ("Order #99547894", True, "a common word opens the text"),
    ("Order 5 is here. Reply after six.", True, "each sentence opens with one"),
    ("Call after six", False, "a common word that a name list has (Call is a surname)"),
    ('"Please" she asked', True, "a quote before the first word"),
    ("order #99547894", False, "no capitalised word: nothing to say"),
    ("Mary called", False, "a listed first name opens the text"),
    ("White paper", False, "a colour that is a surname too"),
    ("Kullervo wrote", False, "a word no English dictionary has"),
    ("Ask for Smith", False, "a capitalised word inside the sentence"),
    ("Ask for Order", False, "a common word, but not a sentence's first"),
    ("call 555 1234. Reply", True, "a full stop before it"),
    ("Sent from: Reply", False, "a colon is no sentence end"),
    ("Jar jar binx is here", False, "a lowercase word no dictionary has"),
    ("Legend has it", False, "a noun opener: some given names are nouns in no list"),
    ("Thanks. Jоhn will call.", False, "a word mixing scripts (a Cyrillic о)"),
]


@pytest.mark.parametrize(
    ("text", "expected", "reason"), PLAIN_OPENER_CASES, ids=[c[-1] for c in PLAIN_OPENER_CASES]
)
def test_only_plain_openers(rules: EnglishNames, text: str, expected: bool, reason: str) -> None:
    assert rules.only_plain_openers(text) is expected, reason


LOWERCASE_NAME_CASES = [
    ("we were watching adam win", True, "a lowercase listed name in a sentence"),
    ("Adam Smith said the refund went to card 5516", False, "a capitalised name"),
    ("write to adam.smith@example.org please", False, "inside an e-mail address"),
    ("see https://example.org/adam and www.example.org/adam today", False, "inside URLs"),
    ("mail adam.smith@example.org or ask adam today", True, "outside the address too"),
    ("ask adam,mary@example.org today", True, "glued to an address by a comma"),
    ('see <a href="mailto:x@example.org">adam</a> now', True, "between the tags of a link"),
    ("thanks @adam for the tip", True, "a handle is no address"),
    ("see github.com/adam and WWW.example.org/mary today", False, "URLs without a scheme"),
    ("adam", False, "fewer than three words"),
]


@pytest.mark.parametrize(
    ("text", "expected", "reason"), LOWERCASE_NAME_CASES, ids=[c[-1] for c in LOWERCASE_NAME_CASES]
)
def test_lowercase_sentence_with_name(
    rules: EnglishNames, text: str, expected: bool, reason: str
) -> None:
    assert rules.lowercase_sentence_with_name(text) is expected, reason


def test_address_runs() -> None:
    text = "a@b.c, x http://e.org/p www.f.org ww.g @handle name:x;mail:y@z.org github.com/u"
    assert [text[s:e] for s, e in address_runs(text)] == [
        "a@b.c",
        "http://e.org/p",
        "www.f.org",
        "mail:y@z.org",
        "github.com/u",
    ]


def test_lowercase_names_in_one_long_run_take_linear_time(rules: EnglishNames) -> None:
    """A run without spaces full of names (``adam.mary@adam.mary@…``) is looked at once, not
    once per name in it: ten times the text takes about ten times as long (a hundred when
    quadratic), and 50 KB well under a second (a quadratic version took 22 s)."""
    texts = [INPUTS["lowercase names without spaces"](kb * KB) for kb in (5, 50)]
    assert not rules.lowercase_sentence_with_name(texts[0])
    gc.disable()  # the words are many objects: collections would time the heap, not the rule
    try:
        small, large = best_times(rules.lowercase_sentence_with_name, texts, 3, 0.05, budget=1.0)
    finally:
        gc.enable()
    assert large < 1.0, f"50 KB took {large:.2f}s"
    assert large / small < 30, f"5 KB: {small:.4f}s, 50 KB: {large:.4f}s"
