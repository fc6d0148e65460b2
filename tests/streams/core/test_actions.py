"""Actions that rewrite one string: keep, mask, redact, pseudonymise and encrypt, each a
presidio-anonymizer operator; quarantine never rewrites."""

from __future__ import annotations

import os
from typing import Any

import pytest

from streams.core.actions import (
    OPERATORS,
    Edit,
    EncryptOperator,
    MaskOperator,
    PseudonymiseOperator,
    apply_edits,
    mask_value,
    redact_value,
)
from streams.core.anonymizer import InvalidParamError, Operator, OperatorType
from streams.core.keys import Keyring
from streams.core.policy import Action, Policy
from streams.core.pseudonym import Pseudonymiser
from streams.core.reveal import TOKEN, RevealCipher

POLICY = Policy(version="test-1")
#: A fixed key, so that pseudonyms below are the exact bytes the pre-operator code wrote.
PSEUDONYMISER = Pseudonymiser(b"p" * 32, "k2026-11")
CIPHER = RevealCipher(Keyring("r1", {"r1": os.urandom(32)}))

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


# Outputs as the hand-written loop wrote them before the actions became operators (pinned bytes).
PINNED_CASES = [
    (
        [
            Edit(*EMAIL, "EMAIL_ADDRESS", Action.PSEUDONYMISE),
            Edit(*PHONE, "PHONE_NUMBER", Action.PSEUDONYMISE),
        ],
        POLICY,
        "mail <EMAIL_ADDRESS:k2026-11:5a452c8560372e3c20e6b0fe> or call "
        "<PHONE_NUMBER:k2026-11:4960a5b830e5e1e7693e0aa8> now",
        "two pseudonyms under one key",
    ),
    (
        [
            Edit(*PHONE, "PHONE_NUMBER", Action.MASK),
            Edit(0, 4, "X", Action.REDACT),
            Edit(*EMAIL, "EMAIL_ADDRESS", Action.PSEUDONYMISE),
        ],
        Policy(version="test-1", mask_keep_tail=2, mask_char="#"),
        "<X> <EMAIL_ADDRESS:k2026-11:5a452c8560372e3c20e6b0fe> or call +# ### ###-##-67 now",
        "mask, redact and pseudonymise in one string, out of order",
    ),
]


@pytest.mark.parametrize(
    ("edits", "policy", "expected", "reason"), PINNED_CASES, ids=[c[-1] for c in PINNED_CASES]
)
def test_apply_edits_writes_the_pinned_bytes(
    edits: list[Edit], policy: Policy, expected: str, reason: str
) -> None:
    assert apply_edits(TEXT, edits, policy, PSEUDONYMISER) == expected


OPERATOR_CASES = [
    # (action, value, params, expected, reason)
    (Action.KEEP, "ivan@example.com", {}, "ivan@example.com", "presidio's Keep"),
    (
        Action.REDACT,
        "ivan@example.com",
        {"entity_type": "EMAIL_ADDRESS"},
        "<EMAIL_ADDRESS>",
        "presidio's Replace without new_value: the type in brackets",
    ),
    (
        Action.MASK,
        "+7 916 123-45-67",
        {"keep_tail": 4, "masking_char": "*"},
        "+* *** ***-45-67",
        "ours: separators kept",
    ),
    (
        Action.MASK,
        "Иванов",
        {"keep_tail": 4, "masking_char": "*"},
        "******",
        "ours: six hidden at least, so a short value is hidden whole",
    ),
    (
        Action.PSEUDONYMISE,
        "ivan@example.com",
        {"entity_type": "EMAIL_ADDRESS", "pseudonymiser": PSEUDONYMISER},
        "<EMAIL_ADDRESS:k2026-11:5a452c8560372e3c20e6b0fe>",
        "ours: the keyed token of Pseudonymiser.token",
    ),
]


@pytest.mark.parametrize(
    ("action", "value", "params", "expected", "reason"),
    OPERATOR_CASES,
    ids=[c[-1] for c in OPERATOR_CASES],
)
def test_operators(
    action: Action, value: str, params: dict[str, Any], expected: str, reason: str
) -> None:
    operator = OPERATORS[action]
    assert isinstance(operator, Operator)
    # presidio's own operators keep their names (redact is presidio's "replace").
    assert operator.operator_name() == ("replace" if action is Action.REDACT else action.value)
    assert operator.operator_type() is OperatorType.Anonymize
    operator.validate(params)
    assert operator.operate(value, params) == expected


def test_every_rewriting_action_has_an_operator() -> None:
    assert set(OPERATORS) == set(Action) - {Action.QUARANTINE}


INVALID_PARAMS = [
    (MaskOperator(), {"keep_tail": 9, "masking_char": "*"}, "keep_tail", "more than 8 kept"),
    (MaskOperator(), {"keep_tail": 4, "masking_char": "x"}, "masking_char", "a letter as mask"),
    (MaskOperator(), {"keep_tail": 4, "masking_char": "**"}, "masking_char", "two characters"),
    (MaskOperator(), {"keep_tail": True, "masking_char": "*"}, "keep_tail", "a bool, not a count"),
    (MaskOperator(), {"masking_char": "*"}, "keep_tail", "keep_tail missing"),
]


@pytest.mark.parametrize(
    ("operator", "params", "named", "reason"), INVALID_PARAMS, ids=[c[-1] for c in INVALID_PARAMS]
)
def test_operators_validate_their_params(
    operator: Operator, params: dict[str, Any], named: str, reason: str
) -> None:
    with pytest.raises(InvalidParamError, match=named):
        operator.validate(params)


@pytest.mark.parametrize(
    ("operator", "message"),
    [(PseudonymiseOperator(), "pseudonymise needs a key"), (EncryptOperator(), "reveal key")],
)
def test_keyed_operators_refuse_without_their_key(operator: Operator, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        operator.validate({"entity_type": "EMAIL_ADDRESS"})


def test_apply_edits_pseudonymise_without_a_key_raises() -> None:
    with pytest.raises(ValueError, match="pseudonymise needs a key"):
        apply_edits(TEXT, [Edit(*EMAIL, "EMAIL_ADDRESS", Action.PSEUDONYMISE)], POLICY)


def test_apply_edits_encrypt_without_a_cipher_raises() -> None:
    with pytest.raises(ValueError, match="reveal key"):
        apply_edits(TEXT, [Edit(*EMAIL, "EMAIL_ADDRESS", Action.ENCRYPT)], POLICY)


def test_apply_edits_encrypt_round_trips() -> None:
    edits = [
        Edit(*EMAIL, "EMAIL_ADDRESS", Action.ENCRYPT),
        Edit(*PHONE, "PHONE_NUMBER", Action.MASK),
    ]
    out = apply_edits(TEXT, edits, POLICY, cipher=CIPHER)
    assert "ivan" not in out
    assert out.startswith("mail <EMAIL_ADDRESS:enc:r1:")
    assert out.endswith("> or call +* *** ***-45-67 now")
    tokens = list(TOKEN.finditer(out))
    assert [t["entity"] for t in tokens] == ["EMAIL_ADDRESS"]
    assert CIPHER.open(tokens[0][0]).value == "ivan@example.com"
    revealed, opened = CIPHER.reveal(out)
    assert revealed == "mail ivan@example.com or call +* *** ***-45-67 now"
    assert [(o.entity_type, o.key_id) for o in opened] == [("EMAIL_ADDRESS", "r1")]


def test_apply_edits_encrypts_afresh_each_time() -> None:
    # A fresh IV per value: equal values give unequal tokens (they do not link records).
    edits = [Edit(*EMAIL, "EMAIL_ADDRESS", Action.ENCRYPT)]
    assert apply_edits(TEXT, edits, POLICY, cipher=CIPHER) != apply_edits(
        TEXT, edits, POLICY, cipher=CIPHER
    )


def test_apply_edits_quarantine_raises() -> None:
    edits = [Edit(*EMAIL, "EMAIL_ADDRESS", Action.QUARANTINE)]
    with pytest.raises(ValueError, match="quarantine") as caught:
        apply_edits(TEXT, edits, POLICY)
    assert "ivan" not in str(caught.value)


GENERALISE_CASES = [
    ("г. Москва, ул. Тверская, д. 7, кв. 15", "ADDRESS", "г. Москва, <ADDRESS>", "Russian"),
    ("123 Main St, Springfield, IL 62704", "ADDRESS", "Springfield, IL, <ADDRESS>", "English"),
    ("ул. Тверская, д. 7, кв. 15", "ADDRESS", "<ADDRESS>", "no city: all redacted"),
    ("+7 916 123-45-67", "PHONE_NUMBER", "<PHONE_NUMBER>", "no coarser form: redacted"),
]


@pytest.mark.parametrize(
    ("value", "entity", "expected", "reason"),
    GENERALISE_CASES,
    ids=[c[-1] for c in GENERALISE_CASES],
)
def test_generalise(value: str, entity: str, expected: str, reason: str) -> None:
    text = f"Адрес: {value}."
    edit = Edit(7, 7 + len(value), entity, Action.GENERALISE)
    assert apply_edits(text, [edit], Policy(version="v")) == f"Адрес: {expected}.", reason
