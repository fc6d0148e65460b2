"""The language-neutral helpers of the name rules: tokens, case, cues, tables, recasing."""

from __future__ import annotations

import pytest

from recognizers.names import (
    Case,
    Cues,
    after,
    end_of,
    joined,
    merge,
    recase,
    table_cells,
    text_case,
    tokenize,
)


def _any(word: str) -> bool:
    return True


def words(text: str) -> list[str]:
    return [t.text for t in tokenize(text, _any)]


TOKEN_CASES = [
    ("Jean-Luc O'Neil", ["Jean-Luc", "O'Neil"], "inner hyphens and apostrophes stay"),
    ("J. R. Smith", ["J", "R", "Smith"], "a letter before a dot is an initial"),
    ("a b c", [], "a letter without a dot is no word"),
    ("Петров А.В.", ["Петров", "А", "В"], "glued Cyrillic initials"),
    ("mail@x.org 42", ["mail", "x", "org"], "digits are not words"),
]


@pytest.mark.parametrize(
    ("text", "expected", "reason"), TOKEN_CASES, ids=[c[-1] for c in TOKEN_CASES]
)
def test_tokenize(text: str, expected: list[str], reason: str) -> None:
    assert words(text) == expected


CASE_CASES = [
    ("ANNA LEE", Case.UPPER, "no lowercase letter"),
    ("anna lee", Case.LOWER, "no capital"),
    ("Anna lee", Case.MIXED, "both"),
    ("A. LEE", Case.UPPER, "an initial does not count"),
    ("", Case.MIXED, "no words"),
]


@pytest.mark.parametrize(
    ("text", "expected", "reason"), CASE_CASES, ids=[c[-1] for c in CASE_CASES]
)
def test_text_case(text: str, expected: Case, reason: str) -> None:
    assert text_case(tokenize(text, _any)) is expected


def test_joined_and_end_of_initials() -> None:
    text = "Ф.Б. Ефремов\nИван"
    f, b, surname, ivan = tokenize(text, _any)
    assert joined(text, f, b), "glued initials"
    assert joined(text, b, surname), "an initial, its dot, a space"
    assert not joined(text, surname, ivan), "a line break ends a name"
    assert end_of(text, b) == 4, "the dot of an initial belongs to it"
    slug = "anna-lee_marsh"
    a, lee, marsh = tokenize(slug, _any, slug=True)
    assert joined(slug, a, lee, slug=True) and joined(slug, lee, marsh, slug=True)


CUE_CASES = [
    ("Posted by Anna", 2, True, "a two-word cue"),
    ("posted   by:  Anna", 2, True, "spaces and a colon between"),
    ("Posted on Anna", 2, False, "not the phrase"),
    ('user="Anna"', 1, True, "key, equals sign and a quote"),
    ("Kind regards,\nAnna", 2, True, "one line break after a comma"),
    ("by Anna", 1, False, "half of a phrase"),
]


@pytest.mark.parametrize(
    ("text", "index", "expected", "reason"), CUE_CASES, ids=[c[-1] for c in CUE_CASES]
)
def test_cues(text: str, index: int, expected: bool, reason: str) -> None:
    cues = Cues(["posted by", "user", "regards"])
    assert cues.before(text, tokenize(text, _any), index) is expected


def test_after() -> None:
    text = "Anna Lee wrote: hi"
    tokens = tokenize(text, _any)
    assert after(text, tokens, 1, frozenset({"wrote"}))
    assert not after(text, tokens, 0, frozenset({"wrote"}))


def test_recase_keeps_length_and_only_wanted_capitals() -> None:
    text = "DEAR ANNA LEE, IBM"
    out = recase(text, tokenize(text, _any), lambda t: t.text in {"ANNA", "LEE"})
    assert out == "DEAR Anna Lee, IBM"
    assert len(out) == len(text)
    weird = "STRASSE ẞA"  # the capital sharp s lowercases to one character; stays the same length
    assert len(recase(weird, tokenize(weird, _any), _any)) == len(weird)


TABLE_CASES = [
    ("last_name;first_name\nLee;Anna", [("Lee", True), ("Anna", True)], "named columns"),
    ("id;city\n1;Oslo", [("id", False), ("city", False), ("1", False), ("Oslo", False)], "none"),
    ("a;b\nc", [], "rows of different widths are no table"),
    ("just one line; here", [], "one row"),
]


@pytest.mark.parametrize(
    ("text", "expected", "reason"), TABLE_CASES, ids=[c[-1] for c in TABLE_CASES]
)
def test_table_cells(text: str, expected: list[tuple[str, bool]], reason: str) -> None:
    cells = [(text[s:e], named) for s, e, named in table_cells(text, ["name"])]
    if expected and expected[0][1]:
        cells = [c for c in cells if c[0] not in ("last_name", "first_name")]
    assert cells == expected


def test_merge_joins_overlapping_and_touching() -> None:
    assert merge([(5, 9), (0, 3), (2, 4), (9, 10), (12, 13)]) == [(0, 4), (5, 10), (12, 13)]
