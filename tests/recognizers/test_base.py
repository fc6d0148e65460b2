"""The pattern recognizer base: context stems, scoring hooks, and failing closed on a timeout."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

import recognizers.base
from benchmarks.accuracy import load_generated
from benchmarks.accuracy_pages import load_pages
from recognizers.base import DetectionIncomplete, Stems, ValidatedPatternRecognizer
from recognizers.registry import build_detector

CONTEXT_CASES = [
    ("паспорт 4510 123456", 8, 12, ("паспорт",), True, "the stem itself"),
    ("серия паспорта 4510", 15, 19, ("паспорт",), True, "genitive"),
    ("с паспортом 4510", 12, 16, ("паспорт",), True, "instrumental"),
    ("ПАСПОРТ: 4510", 9, 13, ("паспорт",), True, "upper case"),
    ("номер телефона: 123", 16, 19, ("тел",), True, "a short stem covers телефона"),
    ("123 tel", 0, 3, ("tel",), True, "after the match"),
    ("Tel.123", 4, 7, ("tel",), True, "glued by a dot"),
    ("ИНН7707083893", 3, 13, ("инн",), True, "glued to the digits"),
    ("Hotel 123", 6, 9, ("tel",), False, "a stem matches word starts only"),
    ("123 ", 0, 3, (), False, "no stems"),
    ("номер 123", 6, 9, ("тел",), False, "no such word"),
    ("tel " + "x" * 60 + " 123", 65, 68, ("tel",), False, "too far before"),
    ("123 " + "x" * 30 + " tel", 0, 3, ("tel",), False, "too far after"),
    ("tel123", 3, 6, ("tel2",), False, "digits are not part of words"),
]


@pytest.mark.parametrize(
    ("text", "start", "end", "stems", "expected", "reason"),
    CONTEXT_CASES,
    ids=[c[-1] for c in CONTEXT_CASES],
)
def test_stems_near(
    text: str, start: int, end: int, stems: tuple[str, ...], expected: bool, reason: str
) -> None:
    assert Stems(stems).near(text, start, end) is expected


def test_stems_window_is_adjustable() -> None:
    text = "tel " + "x" * 60 + " 123"
    assert Stems(("tel",)).near(text, 65, 68, before=70)


class DigitsRecognizer(ValidatedPatternRecognizer):
    """Runs of digits; even-length runs are certain, runs of 1 dropped, context raises 0.5."""

    ENTITY: ClassVar[str] = "TEST_DIGITS"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (
        ("digits", r"(?<![0-9])[0-9]+(?![0-9])", 0.3),
        ("maybe-empty", r"[0-9]*", 0.2),
        ("same-span", r"(?<![0-9])[0-9]{4}(?![0-9])", 0.4),
    )
    CONTEXT: ClassVar[tuple[str, ...]] = ("num",)

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        if end - start == 1:
            return None
        if self.context_near(text, start, end):
            return 0.5
        return base_score


FIND_CASES = [
    ("a 12 b", [(2, 4, 0.3)], "one match; empty matches skipped"),
    ("a 1 b", [], "score_match returning None drops"),
    ("a 1234 b", [(2, 6, 0.4)], "the same span from two patterns keeps the higher score"),
    ("num 12", [(4, 6, 0.5)], "context raises the score"),
    ("12 and 345", [(0, 2, 0.3), (7, 10, 0.3)], "sorted by position"),
]


@pytest.mark.parametrize(
    ("text", "expected", "reason"), FIND_CASES, ids=[c[-1] for c in FIND_CASES]
)
def test_find(text: str, expected: list[tuple[int, int, float]], reason: str) -> None:
    assert DigitsRecognizer().find(text) == expected


def test_presidio_entry_point() -> None:
    recognizer = DigitsRecognizer()
    [result] = recognizer.analyze("a 12 b")
    assert (result.entity_type, result.start, result.end, result.score) == (
        "TEST_DIGITS",
        2,
        4,
        0.3,
    )
    assert recognizer.analyze("a 12 b", entities=["OTHER"]) == []


class SlowRecognizer(ValidatedPatternRecognizer):
    """A deliberately catastrophic pattern: exponential backtracking on a run of ``a``."""

    ENTITY: ClassVar[str] = "TEST_SLOW"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("slow", r"(?:(?:a|aa)+)+b", 0.5),)
    TIMEBOXED: ClassVar[bool] = True


def test_timeout_raises_detection_incomplete(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recognizers.base, "REGEX_TIMEOUT_SECONDS", 0.01)
    with pytest.raises(DetectionIncomplete, match="SlowRecognizer: pattern 'slow' timed out"):
        SlowRecognizer().find("a" * 40)


def test_timeout_is_not_a_partial_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan that times out after earlier matches still raises instead of returning them."""
    monkeypatch.setattr(recognizers.base, "REGEX_TIMEOUT_SECONDS", 0.01)
    with pytest.raises(DetectionIncomplete):
        SlowRecognizer().analyze("ab aab " + "a" * 40)


# --- one regex pass per batch finds what one pass per string finds ------------------------------

_EDGE_ALPHABET = "0123456789 .-:@()+,;/\u00a0°NSEWшдABCDEFabcdefxyzИННинн№\x00\n"
_EDGE_PIECES = ("ИНН ", "тел. ", "+7 ", "IMEI ", "mac ", "::", "ffff:", "192.168.", "@mail.ru",
                "СНИЛС ", "паспорт ", "55.7558, 37.6173", "ОГРН ", "р/с ", "БИК 044525225",
                "4111 1111 1111 1111", "8 916 123-45-67", "ivan@почта.рф")  # fmt: skip
_edge_texts = st.lists(
    st.one_of(st.sampled_from(_EDGE_PIECES), st.text(_EDGE_ALPHABET, max_size=20)), max_size=6
).map("".join)


class CrossingRecognizer(ValidatedPatternRecognizer):
    """Patterns that do reach the separator, so the batch pass must fall back for them."""

    ENTITY: ClassVar[str] = "TEST_CROSSING"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (
        ("not-space", r"[^ ]{2,}", 0.5),
        ("any-to-digit", r".{1,6}[0-9]", 0.5),
    )


class OverlappedCrossingRecognizer(CrossingRecognizer):
    OVERLAPPED: ClassVar[bool] = True


_BATCH_RECOGNIZERS = (
    *build_detector(names=False)._patterns,
    CrossingRecognizer(),
    OverlappedCrossingRecognizer(),
)


def find_each(
    recognizer: ValidatedPatternRecognizer, texts: Sequence[str]
) -> list[list[tuple[int, int, float]]]:
    """What one batch pass (``find_indexed``) finds in each of ``texts``, in order."""
    found = recognizer.find_indexed(texts)
    return [found.get(index, []) for index in range(len(texts))]


@settings(max_examples=300, deadline=None)
@given(st.lists(_edge_texts, min_size=1, max_size=10))
def test_a_batch_pass_finds_what_a_pass_per_string_finds(texts: list[str]) -> None:
    for recognizer in _BATCH_RECOGNIZERS:
        alone = [recognizer.find(text) for text in texts]
        assert find_each(recognizer, texts) == alone, type(recognizer).__name__


def test_a_match_reaching_the_separator_sends_its_strings_to_a_pass_of_their_own() -> None:
    texts = ["ab", "cd ef", "", "g1", "h"]
    recognizer = CrossingRecognizer()
    assert find_each(recognizer, texts) == [recognizer.find(text) for text in texts]
    assert find_each(recognizer, texts)[1] == [(0, 2, 0.5), (3, 5, 0.5)]


def test_every_registered_recognizer_is_batch_safe_on_the_generated_corpus() -> None:
    # The generated records plant none of issue 19's types: the page corpus adds them.
    pages = load_pages(per_type=12, seed=13).cases
    texts = list(dict.fromkeys(case.text for case in (*load_generated(200, 13).cases, *pages)))
    for recognizer in build_detector(names=False)._patterns:
        alone = [recognizer.find(text) for text in texts]
        assert find_each(recognizer, texts) == alone, type(recognizer).__name__
        assert sum(1 for found in alone if found) >= 10, type(recognizer).__name__


def test_a_pass_covers_a_bounded_stretch_of_a_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Strings are joined up to JOINED_PASS_CHARS per pass (a longer one alone), so a slow
    string cannot use up the regex time of the strings joined with it."""
    monkeypatch.setattr(recognizers.base, "JOINED_PASS_CHARS", 10)
    passes: list[str] = []
    recognizer = DigitsRecognizer()
    scan_joined = recognizer._scan_joined

    def spy(
        joined: str, offsets: Sequence[int], ends: Sequence[int]
    ) -> tuple[dict[int, list[tuple[int, int, float]]], set[int]]:
        passes.append(joined)
        return scan_joined(joined, offsets, ends)

    monkeypatch.setattr(recognizer, "_scan_joined", spy)
    texts = ["12", "345", "6789", "0" * 30, "42", "7"]
    assert find_each(recognizer, texts) == [DigitsRecognizer().find(text) for text in texts]
    assert [p.split("\x00") for p in passes] == [
        ["12", "345"],
        ["6789"],
        ["0" * 30],
        ["42", "7"],
    ]


# --- patterns run on `re` with a hint, and find what `regex` finds -----------------------------


@settings(max_examples=300, deadline=None)
@given(_edge_texts)
def test_every_registered_pattern_finds_on_re_what_it_finds_on_regex(text: str) -> None:
    for recognizer in build_detector(names=False)._patterns:
        for (name, pattern, _score), (_name, compiled, _base) in zip(
            recognizer.PATTERNS, recognizer._compiled, strict=True
        ):
            assert isinstance(compiled, re.Pattern), name
            plain = regex.compile(pattern, recognizer.FLAGS)
            expected = [m.span() for m in plain.finditer(text, overlapped=recognizer.OVERLAPPED)]
            assert recognizer._spans(name, compiled, text) == expected, name


def test_an_overlapped_pattern_on_re_tries_every_start() -> None:
    recognizer = OverlappedCrossingRecognizer()
    assert recognizer._spans("p", re.compile("[0-9]{2}"), "12345") == [
        (0, 2),
        (1, 3),
        (2, 4),
        (3, 5),
    ]


class RegexOnlyRecognizer(ValidatedPatternRecognizer):
    ENTITY: ClassVar[str] = "TEST_LETTERS"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("letters", r"\p{Lu}{2}", 0.5),)


def test_timeboxed_and_regex_only_patterns_run_on_regex() -> None:
    assert isinstance(SlowRecognizer()._compiled[0][1], regex.Pattern)
    assert isinstance(RegexOnlyRecognizer()._compiled[0][1], regex.Pattern)
    assert RegexOnlyRecognizer().find("ab ИНН x") == [(3, 5, 0.5)]
    assert isinstance(DigitsRecognizer()._compiled[0][1], re.Pattern)
