"""The detector over a batch of strings, and merging overlapping findings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import pytest

from recognizers.base import DetectionIncomplete, ValidatedPatternRecognizer
from recognizers.engine import Detector
from recognizers.findings import Finding, resolve_overlaps
from recognizers.ner import LATIN_CAPITALISED, NerRecognizer, Span
from recognizers.registry import build_detector


@pytest.fixture(scope="module")
def detector() -> Detector:
    """Every registered pattern recognizer, no NER models."""
    return build_detector(names=False)


def spans(text: str, findings: list[Finding]) -> list[tuple[str, str]]:
    return [(text[f.start : f.end], f.entity_type) for f in findings]


def test_names_false_has_no_ner(detector: Detector) -> None:
    assert "PERSON" not in detector.entity_types
    assert {"EMAIL_ADDRESS", "PHONE_NUMBER", "IP_ADDRESS", "CREDIT_CARD"} <= detector.entity_types
    assert detector.recognizer_names[:4] == (
        "EmailAddressRecognizer",
        "PhoneNumberRecognizer",
        "IpAddressRecognizer",
        "CreditCardNumberRecognizer",
    )
    assert "EnPersonRecognizer" not in detector.recognizer_names


ANALYZE_CASES = [
    (
        "mail ivan@example.com, tel +7 916 123-45-67",
        [("ivan@example.com", "EMAIL_ADDRESS"), ("+7 916 123-45-67", "PHONE_NUMBER")],
        "an address and a phone, by position",
    ),
    (
        "paid with 4111 1111 1111 1111 from 192.168.0.1",
        [("4111 1111 1111 1111", "CREDIT_CARD"), ("192.168.0.1", "IP_ADDRESS")],
        "a card and an IPv4 address",
    ),
    ("Hello, world", [], "nothing personal"),
    ("", [], "empty string"),
    ("   \n\t", [], "whitespace only"),
    ("Заказ №123456789 от 01.03.2021 на 1 299 000 руб", [], "an order, a date and a price"),
]


@pytest.mark.parametrize(
    ("text", "expected", "reason"), ANALYZE_CASES, ids=[c[-1] for c in ANALYZE_CASES]
)
def test_analyze(
    detector: Detector, text: str, expected: list[tuple[str, str]], reason: str
) -> None:
    [findings] = detector.analyze([text])
    assert spans(text, findings) == expected
    for finding in findings:
        assert 0.0 < finding.score <= 1.0
        assert finding.recognizer in detector.recognizer_names


def test_analyze_batch_keeps_order_and_duplicates(detector: Detector) -> None:
    texts = ["a@example.com", "nothing", "a@example.com", "", "b@example.org x a@example.com"]
    results = detector.analyze(texts)
    assert [spans(t, r) for t, r in zip(texts, results, strict=True)] == [
        [("a@example.com", "EMAIL_ADDRESS")],
        [],
        [("a@example.com", "EMAIL_ADDRESS")],
        [],
        [("b@example.org", "EMAIL_ADDRESS"), ("a@example.com", "EMAIL_ADDRESS")],
    ]
    assert results[0] == results[2]
    assert results[0] is not results[2], "each text gets its own list"


def test_analyze_empty_batch(detector: Detector) -> None:
    assert detector.analyze([]) == []


class FailingRecognizer(ValidatedPatternRecognizer):
    ENTITY: ClassVar[str] = "TEST_FAIL"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("any", r"x", 0.5),)

    def judge(
        self, text: str, candidates: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        if "boom" in text:
            raise DetectionIncomplete("gave up")
        return super().judge(text, candidates)


def test_a_failing_recognizer_fails_the_whole_call() -> None:
    detector = Detector([FailingRecognizer()], [])
    assert detector.analyze(["x"]) == [[Finding(0, 1, "TEST_FAIL", 0.5, "FailingRecognizer")]]
    with pytest.raises(DetectionIncomplete):
        detector.analyze(["x", "x boom"])


class FakeNer(NerRecognizer):
    """Reports every capitalised Latin word; records what it was asked."""

    LANGUAGE: ClassVar[str] = "en"

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def wants(self, text: str) -> bool:
        return LATIN_CAPITALISED.search(text) is not None

    def analyze_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        self.batches.append(list(texts))
        out: list[list[Span]] = []
        for text in texts:
            found: list[Span] = []
            for match in LATIN_CAPITALISED.finditer(text):
                end = match.start()
                while end < len(text) and text[end].isalpha():
                    end += 1
                found.append((match.start(), end, self.SCORE))
            out.append(found)
        return out


def test_ner_runs_once_over_wanted_unique_texts() -> None:
    ner = FakeNer()
    detector = Detector([], [ner])
    texts = ["Hello Bob", "12345", "Hello Bob", "lower case", "Ann"]
    results = detector.analyze(texts)
    assert ner.batches == [["Hello Bob", "Ann"]]
    assert [spans(t, r) for t, r in zip(texts, results, strict=True)] == [
        [("Hello", "PERSON"), ("Bob", "PERSON")],
        [],
        [("Hello", "PERSON"), ("Bob", "PERSON")],
        [],
        [("Ann", "PERSON")],
    ]


def test_ner_is_skipped_when_nothing_is_wanted() -> None:
    ner = FakeNer()
    Detector([], [ner]).analyze(["123", "lower"])
    assert ner.batches == []


def fnd(start: int, end: int, entity: str = "A", score: float = 0.5) -> Finding:
    return Finding(start, end, entity, score, "R")


OVERLAP_CASES = [
    ([], [], "nothing"),
    ([fnd(0, 5)], [fnd(0, 5)], "one finding"),
    ([fnd(6, 9), fnd(0, 5)], [fnd(0, 5), fnd(6, 9)], "disjoint findings are sorted"),
    ([fnd(0, 5), fnd(5, 9, "B")], [fnd(0, 5), fnd(5, 9, "B")], "adjacent findings stay apart"),
    ([fnd(0, 5), fnd(3, 9, "B")], [fnd(0, 9, "B")], "equal scores: the longer span wins"),
    (
        [fnd(0, 5, "A", 0.9), fnd(3, 12, "B", 0.6)],
        [fnd(0, 12, "A", 0.9)],
        "the union takes the strongest member's type and score",
    ),
    ([fnd(0, 10), fnd(2, 4, "B", 0.95)], [fnd(0, 10, "B", 0.95)], "a strong finding inside"),
    ([fnd(0, 4, "A"), fnd(0, 4, "B")], [fnd(0, 4, "B")], "a full tie goes to the last type name"),
    (
        [fnd(0, 4), fnd(3, 7), fnd(6, 10), fnd(12, 14, "C")],
        [fnd(0, 10), fnd(12, 14, "C")],
        "a chain merges into one; the next group starts after it",
    ),
    ([fnd(0, 10), fnd(1, 2), fnd(9, 12)], [fnd(0, 12)], "a group grows past its first member"),
]


@pytest.mark.parametrize(
    ("findings", "expected", "reason"), OVERLAP_CASES, ids=[c[-1] for c in OVERLAP_CASES]
)
def test_resolve_overlaps(findings: list[Finding], expected: list[Finding], reason: str) -> None:
    assert resolve_overlaps(findings) == expected


def test_resolve_overlaps_with_the_real_detector(detector: Detector) -> None:
    text = "::ffff:192.0.2.1"
    [findings] = detector.analyze([text])
    assert len(findings) >= 2, "the IPv6 and its embedded IPv4 overlap"
    [merged] = resolve_overlaps(findings)
    assert (merged.start, merged.end, merged.entity_type) == (0, len(text), "IP_ADDRESS")


# --- canonical text, contexts, and overlaps weighed by context -------------------------------

CANONICAL_CASES = [
    (
        "tel +7\u00a0916\u00a0123\u201345\u201367 ok",
        "+7\u00a0916\u00a0123\u201345\u201367",
        "PHONE_NUMBER",
    ),
    ("ivan.petrov [at] mail [dot] ru", "ivan.petrov [at] mail [dot] ru", "EMAIL_ADDRESS"),
    ("x ivan&#64;mail.ru y", "ivan&#64;mail.ru", "EMAIL_ADDRESS"),
    ("host 192[.]168[.]1[.]1 up", "192[.]168[.]1[.]1", "IP_ADDRESS"),
    ("тел. +7 916 123 45\u200b67", "+7 916 123 45\u200b67", "PHONE_NUMBER"),
]


@pytest.mark.parametrize(
    ("text", "value", "entity"), CANONICAL_CASES, ids=[c[1] for c in CANONICAL_CASES]
)
def test_findings_cover_the_whole_original_value(
    detector: Detector, text: str, value: str, entity: str
) -> None:
    [findings] = detector.analyze([text])
    assert (value, entity) in spans(text, resolve_overlaps(findings))


CONTEXT_CASES = [
    ("4505 678901", "паспорт", "RU_PASSPORT", "the key names a passport"),
    ("4951234567", "phone", "PHONE_NUMBER", "the key names a phone (the number is also an ИНН)"),
    ("4951234567", "contactPhone", "PHONE_NUMBER", "camelCase"),
    ("4951234567", "mobile_phone", "PHONE_NUMBER", "snake_case"),
    ("4951234567", "Телефон", "PHONE_NUMBER", "Russian, capitalised"),
]


@pytest.mark.parametrize(
    ("text", "key", "entity", "reason"), CONTEXT_CASES, ids=[c[-1] for c in CONTEXT_CASES]
)
def test_a_context_names_the_value(
    detector: Detector, text: str, key: str, entity: str, reason: str
) -> None:
    [findings] = detector.analyze([text], [key])
    merged = resolve_overlaps(f for f in findings if f.score >= 0.4)
    assert [(f.start, f.end, f.entity_type) for f in merged] == [(0, len(text), entity)]


def test_without_context_the_same_value_is_not_a_phone(detector: Detector) -> None:
    [findings] = detector.analyze(["4951234567"], [None])
    assert "PHONE_NUMBER" not in {f.entity_type for f in findings}


def test_a_decoy_key_blocks_a_phone(detector: Detector) -> None:
    [plain, ordered] = detector.analyze(["79161234567", "79161234567"], ["value", "order_id"])
    assert [f.entity_type for f in plain] == ["PHONE_NUMBER"]
    assert ordered == []


def test_contexts_must_match_texts(detector: Detector) -> None:
    with pytest.raises(ValueError, match="as many"):
        detector.analyze(["a", "b"], ["x"])


def test_nothing_is_reported_inside_a_context(detector: Detector) -> None:
    [findings] = detector.analyze(["plain"], ["ivan@mail.ru"])
    assert findings == []


def test_own_context_decides_an_overlap() -> None:
    phone = Finding(8, 18, "PHONE_NUMBER", 0.7, "Phone")
    passport = Finding(8, 18, "RU_PASSPORT", 0.4, "Passport", context=True)
    [merged] = resolve_overlaps([phone, passport])
    assert merged.entity_type == "RU_PASSPORT"
    [merged] = resolve_overlaps([phone, Finding(8, 18, "RU_PASSPORT", 0.4, "Passport")])
    assert merged.entity_type == "PHONE_NUMBER", "without context the score decides"


def test_passport_after_its_word_is_a_passport(detector: Detector) -> None:
    for text in ("паспорт 73 84 265143 выдан ОВД", "паспорт 8068756734 выдан ОВД"):
        [findings] = detector.analyze([text])
        merged = resolve_overlaps(f for f in findings if f.score >= 0.4)
        assert [f.entity_type for f in merged] == ["RU_PASSPORT"], text
