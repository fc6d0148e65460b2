"""Actions that rewrite one string: keep, mask and redact; quarantine never rewrites."""

from __future__ import annotations

import pytest

from streams.core.actions import Edit, apply_edits, mask_value, redact_value
from streams.core.policy import Action, Policy

POLICY = Policy(version="test-1")

MASK_CASES = [
    ("+7 916 123-45-67", 4, "*", "+* *** ***-45-67", "phone: last four digits and separators kept"),
    ("8 916 123 45 67", 4, "*", "* *** *** 45 67", "phone with spaces only"),
    ("4111 1111 1111 1111", 4, "*", "**** **** **** 1111", "card: last group kept"),
    ("+7 916 123-45-67", 0, "#", "+# ### ###-##-##", "keep_tail 0 hides every digit"),
    ("+7 916 123-45-67", 8, "*", "+* *** **3-45-67", "at least six are hidden even if 8 asked"),
    ("Иванов", 4, "*", "******", "six letters: all hidden"),
    ("123456", 4, "*", "******", "six digits: all hidden"),
    ("1234567", 4, "*", "******7", "seven: only one can show"),
    ("ivan.petrov@example.com", 4, "*", "****.******@******e.com", "dots and @ are separators"),
    ("192.168.0.1", 4, "*", "***.***.0.1", "an IPv4 address"),
    ("", 4, "*", "", "empty stays empty"),
    ("---", 4, "*", "---", "separators only are kept"),
]


@pytest.mark.parametrize(
    ("value", "keep_tail", "char", "expected", "reason"),
    MASK_CASES,
    ids=[c[-1] for c in MASK_CASES],
)
def test_mask_value(value: str, keep_tail: int, char: str, expected: str, reason: str) -> None:
    masked = mask_value(value, keep_tail, char)
    assert masked == expected
    assert len(masked) == len(value)


def test_redact_value() -> None:
    assert redact_value("EMAIL_ADDRESS") == "<EMAIL_ADDRESS>"


TEXT = "mail ivan@example.com or call +7 916 123-45-67 now"
EMAIL = (5, 21)
PHONE = (30, 46)

APPLY_CASES = [
    ([], TEXT, "no edits: unchanged"),
    (
        [Edit(*EMAIL, "EMAIL_ADDRESS", Action.REDACT)],
        "mail <EMAIL_ADDRESS> or call +7 916 123-45-67 now",
        "redact one span",
    ),
    (
        [Edit(*PHONE, "PHONE_NUMBER", Action.MASK)],
        "mail ivan@example.com or call +* *** ***-45-67 now",
        "mask one span",
    ),
    ([Edit(*EMAIL, "EMAIL_ADDRESS", Action.KEEP)], TEXT, "keep leaves the span"),
    (
        [
            Edit(*PHONE, "PHONE_NUMBER", Action.MASK),
            Edit(*EMAIL, "EMAIL_ADDRESS", Action.REDACT),
        ],
        "mail <EMAIL_ADDRESS> or call +* *** ***-45-67 now",
        "edits out of order are applied by position",
    ),
    (
        [
            Edit(0, 4, "X", Action.REDACT),
            Edit(4, 5, "Y", Action.REDACT),
        ],
        "<X><Y>ivan@example.com or call +7 916 123-45-67 now",
        "adjacent edits do not overlap",
    ),
    (
        [Edit(0, len(TEXT), "WHOLE", Action.REDACT)],
        "<WHOLE>",
        "the whole string",
    ),
    (
        [Edit(*EMAIL, "EMAIL_ADDRESS", Action.KEEP), Edit(*PHONE, "PHONE_NUMBER", Action.REDACT)],
        "mail ivan@example.com or call <PHONE_NUMBER> now",
        "keep and redact side by side",
    ),
]


@pytest.mark.parametrize(
    ("edits", "expected", "reason"), APPLY_CASES, ids=[c[-1] for c in APPLY_CASES]
)
def test_apply_edits(edits: list[Edit], expected: str, reason: str) -> None:
    assert TEXT[slice(*EMAIL)] == "ivan@example.com"
    assert TEXT[slice(*PHONE)] == "+7 916 123-45-67"
    assert apply_edits(TEXT, edits, POLICY) == expected


def test_apply_edits_mask_follows_the_policy() -> None:
    policy = Policy(version="test-1", mask_keep_tail=2, mask_char="#")
    edits = [Edit(*PHONE, "PHONE_NUMBER", Action.MASK)]
    assert apply_edits(TEXT, edits, policy) == "mail ivan@example.com or call +# ### ###-##-67 now"


OVERLAP_CASES = [
    ([Edit(0, 10, "A", Action.REDACT), Edit(5, 15, "B", Action.REDACT)], "partial overlap"),
    ([Edit(0, 20, "A", Action.REDACT), Edit(5, 10, "B", Action.MASK)], "one inside the other"),
    ([Edit(5, 10, "A", Action.KEEP), Edit(5, 10, "B", Action.REDACT)], "the same span twice"),
]


@pytest.mark.parametrize(("edits", "reason"), OVERLAP_CASES, ids=[c[-1] for c in OVERLAP_CASES])
def test_apply_edits_overlap_raises(edits: list[Edit], reason: str) -> None:
    with pytest.raises(ValueError, match="overlap"):
        apply_edits(TEXT, edits, POLICY)


def test_apply_edits_quarantine_raises() -> None:
    edits = [Edit(*EMAIL, "EMAIL_ADDRESS", Action.QUARANTINE)]
    with pytest.raises(ValueError, match="quarantine") as caught:
        apply_edits(TEXT, edits, POLICY)
    assert "ivan" not in str(caught.value)
