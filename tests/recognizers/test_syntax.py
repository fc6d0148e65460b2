"""Reading patterns: which ones ``re`` reads as ``regex`` does, and what a match starts with."""

from __future__ import annotations

import re

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from recognizers.syntax import first_chars, hinted, holds_non_ascii, parse

FIRST_CHARS_CASES = [
    (r"[0-9]{4}", frozenset("0123456789"), "a class"),
    (r"(?<![0-9])(?![a])[0-9]{2}", frozenset("0123456789"), "assertions skipped"),
    (r"\+?[0-9]", frozenset("+0123456789"), "an optional part adds its start"),
    (r"(?:ab|c)d", frozenset("ac"), "alternatives"),
    (r"(?:a|)b", frozenset("ab"), "an empty alternative lets the next part start"),
    (r"(?:x{0,3})?-?[0-9]", frozenset("x-0123456789"), "nested optional parts"),
    (r"(?i:a)b", None, "a letter under IGNORECASE: not known"),
    (r"(?i:1)b", frozenset("1"), "a digit under IGNORECASE is itself"),
    (r"[^0-9]x", None, "a negated class: anything"),
    (r".x", None, "any character"),
    (r"\wx", None, "a category"),
    (r"a?", None, "may match the empty string"),
    (r"(?=a)", None, "only an assertion: empty"),
    (r"(a)\1", frozenset("a"), "a group"),
    (r"\1?(a)", None, "a back reference first"),
    (r"[\u0000-\uffff]", None, "too many characters to be worth a hint"),
    (r"\p{L}x", None, "a regex-only construct"),
    (r"(?:ab){e<=1}", None, "fuzzy matching, which re reads as braces"),
    (r"(?V1)[0-9]", None, "version 1"),
]


@pytest.mark.parametrize(
    ("pattern", "expected", "why"), FIRST_CHARS_CASES, ids=[c[2] for c in FIRST_CHARS_CASES]
)
def test_first_chars(pattern: str, expected: frozenset[str] | None, why: str) -> None:
    assert first_chars(pattern) == expected, why


def test_regex_only_constructs_are_not_parsed() -> None:
    assert parse(r"\p{Lu}") is None
    assert parse(r"(?|a|b)") is None
    assert parse(r"(?:ab){e<=1}") is None
    assert parse("[0-9]", regex.VERSION1) is None
    assert parse(r"[0-9]{2,3}") is not None


def test_a_pattern_without_known_start_is_left_as_it_is() -> None:
    assert hinted(r".x") == r".x"
    assert hinted(r"[\-\]^]x") == r"(?=[\-\]\^])[\-\]^]x"


_PATTERNS = (
    r"(?<![0-9])[0-9]{2}[ -]?[0-9]{2}(?![0-9])",
    r"(?:\+[ ]?)?(?:\([0-9]{1,3}\))?[0-9]{3}",
    r"[\-^\]a]{1,3}(?:[0-9]|x)",
    r"(?:-|ab|c?)d",
    r"(?i:[0-9]a)",
)


@settings(max_examples=200, deadline=None)
@given(st.text("0123456789 -+()^]abcdxAX", max_size=40))
def test_a_hint_changes_no_match(text: str) -> None:
    for pattern in _PATTERNS:
        plain = [m.span() for m in regex.finditer(pattern, text)]
        assert [m.span() for m in re.finditer(hinted(pattern), text)] == plain, pattern


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"ул\.", True),
        (r"(?:улица|пр-т|ш\.)", True),
        (r"(?:улица|street)", False),  # one alternative is all ASCII
        (r"[а-я]{2}", True),
        (r"[а-я]{0,2}x", False),  # may hold none
        (r"[аz]", False),  # a class with an ASCII character
        (r"(?i:ſ)", False),  # under IGNORECASE the long s matches an ASCII s
        (r"x(?=у)", False),  # a lookahead consumes nothing of the match
        (r"(?:a|б)б", True),
    ],
)
def test_holds_non_ascii(pattern: str, expected: bool) -> None:
    tree = parse(pattern)
    assert tree is not None
    assert holds_non_ascii(list(tree.data)) is expected
