"""Properties of the whole core with the real detector: planted personal data never comes out
clean, and a message that is not a valid record is always dead-lettered.

Canaries are generated valid: e-mail addresses, Russian phone numbers in their usual layouts,
Luhn-valid card numbers, checksum-valid ИНН and СНИЛС. Each is planted in a string of an
arbitrary nested ``data`` (as a value or as a key) between arbitrary text, and the outcome must
not be ``clean`` with the canary anywhere in its bytes (a quarantine is fine).

What may stand next to a canary, and why (a canary that cannot be told apart from a longer
token is not a fair test):

- no letter or digit glued to it: ``abc7707083893`` or ``ivan@mail.ruабв`` is another token,
  and so is a number with ``+`` glued before it (``+7707083893``, ``++7 916 …``);
- no digit joined to it by a space, ``.``, ``,`` or ``-``: ``5.7707083893`` is a decimal,
  ``+7 916 123-45-67 8`` or ``4111 1111 1111 1111 2`` a longer grouped number (the recognizers
  read number runs whole, and try the pieces of a run only when the whole fails);
- no currency sign (``$7707083893`` is a price) and no word that tells a number is something
  else (order, SKU, price, ``ts``, …) anywhere in the text, nor in the key a value stands
  under (a key is context too, ``{"sku": …}``): the recognizers drop numbers next to those
  words on purpose, and ``tests/recognizers`` checks that trade-off.

Everything else is allowed: Latin and Cyrillic text, punctuation, line breaks, any depth.
Shapes that leaked once are pinned by :data:`FIXED_LEAK_CASES`; none is known to leak now.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from recognizers.checksums import luhn_valid
from recognizers.generic.credit_card import _NOT_CARD
from recognizers.generic.phone import _NOT_PHONE_CONTEXT
from recognizers.registry import build_detector
from recognizers.ru import inn, snils
from recognizers.ru._identifiers import NOT_PERSONAL
from streams.core import Outcome, Redactor, Verdict
from streams.core.envelope import parse_record
from streams.core.policy import DEFAULT_POLICY
from streams.errors import InvalidRecord

SOURCE = "https://example.com/page"
PROPERTY = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def redactor() -> Redactor:
    """The real detector without the NER models (they add names, not identifiers)."""
    return Redactor(build_detector(names=False), DEFAULT_POLICY)


def redact(raw: bytes) -> Outcome:
    [outcome] = redactor().redact_batch([raw])
    return outcome


# --- canaries -----------------------------------------------------------------------------------

DIGIT = st.sampled_from("0123456789")


def digits(count: int) -> st.SearchStrategy[str]:
    return st.text(DIGIT, min_size=count, max_size=count)


@st.composite
def emails(draw: st.DrawFn) -> str:
    first = draw(st.sampled_from(["ivan", "olga", "j", "anna", "petr77", "user"]))
    rest = draw(st.sampled_from(["", ".sokolova", "_smith", "-k", "+tag", ".p.petrov", "2001"]))
    domain = draw(
        st.sampled_from(
            ["example.ru", "mail.example.com", "почта.рф", "yandex.ru", "sub.example.co.uk"]
        )
    )
    return f"{first}{rest}@{domain}"


@st.composite
def phones(draw: st.DrawFn) -> str:
    code = draw(st.sampled_from(["916", "903", "925", "985", "999", "912"]))
    a, b, c = draw(digits(3)), draw(digits(2)), draw(digits(2))
    layouts = [
        f"+7 {code} {a}-{b}-{c}",
        f"+7 ({code}) {a}-{b}-{c}",
        f"+7({code}){a}-{b}-{c}",
        f"8 {code} {a} {b} {c}",
        f"8 ({code}) {a}-{b}-{c}",
        f"8({code}){a}-{b}-{c}",
        f"8-{code}-{a}-{b}-{c}",
        f"+7-{code}-{a}-{b}-{c}",
        f"+7{code}{a}{b}{c}",
        f"8{code}{a}{b}{c}",
        f"+7 {code} {a}{b}{c}",
        f"7{code}{a}{b}{c}",  # how a phone stored as a number reads
    ]
    return draw(st.sampled_from(layouts))


@st.composite
def cards(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["4", "51", "55", "2200", "2201"]))
    body = prefix + draw(digits(15 - len(prefix)))
    number = next(body + d for d in "0123456789" if luhn_valid(body + d))
    sep = draw(st.sampled_from(["", " ", "-"]))
    return sep.join(number[i : i + 4] for i in range(0, 16, 4))


# Regions as in streams.testing.samples. Not 1x: a bare 10-digit number starting with 1 reads as a Unix
# timestamp and is dropped without a context word, by design (README, "look-alikes").
REGIONS = ("77", "78", "50", "52", "66", "54")


@st.composite
def inns(draw: st.DrawFn) -> str:
    """A person's ИНН (12 digits). An organisation's (10) is not personal data: the default
    policy keeps it."""
    body = draw(st.sampled_from(REGIONS)) + draw(digits(8))
    return body + inn.calc_check_digits(body)


@st.composite
def snilses(draw: st.DrawFn) -> str:
    body = f"{draw(st.integers(2_000_000, 999_999_999)):09d}"
    check = snils.calc_checksum(body)
    layouts = [
        f"{body[:3]}-{body[3:6]}-{body[6:]} {check}",
        f"{body[:3]} {body[3:6]} {body[6:]} {check}",
        f"{body[:3]}-{body[3:6]}-{body[6:]}-{check}",
        body + check,
    ]
    return draw(st.sampled_from(layouts))


CANARIES = st.one_of(emails(), phones(), cards(), inns(), snilses())

# --- text around canaries -----------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + (
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
)
#: Characters that may stand right next to a canary.
BOUNDARIES = " \u00a0\n\t,;:!?()[]{}«»\"'/\\|*&#№<>=~.-_—–…@%+"
#: Characters numbers are grouped or written with: next to a canary, they must not lead to a
#: digit (``5.7707083893``, ``+7 916 123-45-67 8``).
JOINERS = " \u00a0.,-"
FILLER_ALPHABET = LETTERS + "0123456789" + BOUNDARIES
_WORD = re.compile(r"[^\W\d_]+")


def says_not_personal(text: str) -> bool:
    """Whether ``text`` holds a word after which the recognizers drop a number on purpose."""
    if NOT_PERSONAL.mentioned(text):  # also an abbreviation with its dot: "v.", "п."
        return True
    for word in _WORD.findall(text.lower()):
        # NOT_PERSONAL holds the decoys of every recognizer (recognizers.context.DECOYS).
        if any(v.matches(word) for v in (NOT_PERSONAL, _NOT_PHONE_CONTEXT, _NOT_CARD)):
            return True
    return False


FILLER = st.text(FILLER_ALPHABET, max_size=16).filter(lambda t: not says_not_personal(t))


@st.composite
def planted(draw: st.DrawFn) -> tuple[str, str]:
    """``(text, canary)``: a canary between arbitrary text, as the module docstring allows."""
    canary = draw(CANARIES)
    left = draw(st.one_of(st.just(""), st.tuples(FILLER, st.sampled_from(BOUNDARIES)).map("".join)))
    right = draw(
        st.one_of(st.just(""), st.tuples(st.sampled_from(BOUNDARIES), FILLER).map("".join))
    )
    assume(not (left and left[-1] in JOINERS and left[:-1][-1:].isdigit()))
    assume(not (right and right[0] in JOINERS and right[1:2].isdigit()))
    # A plus glued to a number makes it an international or signed number: another token.
    assume(not (left.endswith("+") and "@" not in canary))
    return left + canary + right, canary


# --- arbitrary JSON data ------------------------------------------------------------------------

KEYS = st.text(LETTERS + "0123456789_- ", max_size=8).filter(lambda k: not says_not_personal(k))
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(FILLER_ALPHABET, max_size=12),
)


def values(depth: int) -> st.SearchStrategy[Any]:
    """Any JSON value nested at most ``depth`` levels."""
    if depth == 0:
        return LEAVES
    inner = values(depth - 1)
    return st.one_of(
        LEAVES,
        st.lists(inner, max_size=3),
        st.dictionaries(KEYS, inner, max_size=3),
    )


DATA = st.dictionaries(KEYS, values(5), max_size=4)  # data itself is level 1: depth <= 6


def _containers(node: Any, out: list[Any]) -> list[Any]:
    if isinstance(node, dict):
        out.append(node)
        for value in node.values():
            _containers(value, out)
    elif isinstance(node, list):
        out.append(node)
        for value in node:
            _containers(value, out)
    return out


def plant(draw: st.DrawFn, data: dict[str, Any], text: str) -> None:
    """Put ``text`` into ``data``: as a new value or key of any object, or a new list item."""
    target = draw(st.sampled_from(_containers(data, [])))
    if isinstance(target, list):
        target.insert(draw(st.integers(0, len(target))), text)
    elif draw(st.booleans()):
        target[text] = draw(LEAVES)
    else:
        target[draw(KEYS)] = text


def message(data: dict[str, Any], **fields: Any) -> bytes:
    # The standard library writes integers wider than 64 bits; orjson refuses them.
    record = {"id": "rec-1", "source": SOURCE, "data": data, **fields}
    return json.dumps(record, ensure_ascii=False).encode()


def assert_not_clean_with(outcome: Outcome, canaries: list[str]) -> None:
    assert outcome.verdict in (Verdict.CLEAN, Verdict.QUARANTINE), outcome
    if outcome.verdict is Verdict.CLEAN:
        assert outcome.value is not None
        for canary in canaries:
            assert canary.encode() not in outcome.value, f"{canary!r} published"


# --- properties ---------------------------------------------------------------------------------


@PROPERTY
@given(data=DATA, plants=st.lists(planted(), min_size=1, max_size=4), draw=st.data())
def test_planted_canaries_never_come_out_clean(
    data: dict[str, Any], plants: list[tuple[str, str]], draw: st.DataObject
) -> None:
    for text, _ in plants:
        plant(draw.draw, data, text)
    assert_not_clean_with(redact(message(data)), [canary for _, canary in plants])


@PROPERTY
@given(text_and_canary=planted(), where=st.sampled_from(["value", "key", "subject_ref"]))
def test_a_canary_is_found_wherever_it_stands(text_and_canary: tuple[str, str], where: str) -> None:
    text, canary = text_and_canary
    if where == "value":
        raw = message({"text": text})
    elif where == "key":
        raw = message({"nested": [{text: "x"}]})
    else:
        raw = message({}, subject_ref=text)
    outcome = redact(raw)
    assert_not_clean_with(outcome, [canary])
    if where == "key":
        assert outcome.verdict is Verdict.QUARANTINE, "a key holding personal data"
    else:
        assert outcome.verdict is Verdict.CLEAN
        assert outcome.findings, "the canary was found"


# A leading zero would not survive as a number.
NUMERIC_CANARIES = st.one_of(inns(), snilses(), cards(), phones()).filter(
    lambda c: c.isdigit() and not c.startswith("0")
)


@PROPERTY
@given(canary=NUMERIC_CANARIES)
def test_a_canary_stored_as_a_number_is_found(canary: str) -> None:
    outcome = redact(message({"n": [int(canary)]}))
    assert_not_clean_with(outcome, [canary])
    assert outcome.findings


# --- shapes that leaked once ---------------------------------------------------------------------

FIXED_LEAK_CASES = [
    ({"t": "Пишите...ivan@mail.ru"}, "ivan@mail.ru", "an ellipsis glued to an address"),
    ({"t": "см. список.olga@example.ru"}, "olga@example.ru", "a full stop glued to an address"),
    ({"t": "ivan@mail.ru-пишите"}, "ivan@mail.ru", "a hyphen glued after an address"),
    (
        {"t": "4111 1111 1111 1111 2 шт"},
        "4111 1111 1111 1111",
        "a card, a space, another number: the card alone is tried too",
    ),
    ({"phone": 79161234567}, "79161234567", "a phone stored as a number"),
    ({"t": "79161234567"}, "79161234567", "a mobile number without + or 8"),
    ({"t": "79300258700"}, "79300258700", "a valid СНИЛС starting with 79, no separators"),
    (
        {"t": "Ольга +7 916 123-45-67 9-18ч"},
        "+7 916 123-45-67",
        "a phone, a space, another number: the phone alone is tried too",
    ),
]


@pytest.mark.parametrize(
    ("data", "canary", "why"), FIXED_LEAK_CASES, ids=[c[-1] for c in FIXED_LEAK_CASES]
)
def test_fixed_leak(data: dict[str, Any], canary: str, why: str) -> None:
    assert_not_clean_with(redact(message(data)), [canary])


# --- messages that are not records --------------------------------------------------------------


@PROPERTY
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_are_dead_lettered(raw: bytes) -> None:
    assert redact(raw).verdict is Verdict.DEAD_LETTER


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(), inner)),
    max_leaves=12,
)
TOP_LEVEL = ("id", "source", "data", "scraped_at", "lang", "subject_ref", "consent")


def _valid_record() -> dict[str, Any]:
    return {"id": "rec-1", "source": SOURCE, "data": {"t": "x"}}


@st.composite
def invalid_records(draw: st.DrawFn) -> Any:
    """A JSON value that is not a valid record, by construction."""
    record = _valid_record()
    kind = draw(
        st.sampled_from(
            ["not_object", "missing", "unknown", "bad_id", "bad_source", "bad_data", "bad_optional"]
        )
    )
    if kind == "not_object":
        return draw(JSON_VALUES.filter(lambda v: not isinstance(v, dict)))
    if kind == "missing":
        del record[draw(st.sampled_from(["id", "source", "data"]))]
    elif kind == "unknown":
        record[draw(st.text(min_size=1).filter(lambda k: k not in TOP_LEVEL))] = draw(JSON_VALUES)
    elif kind == "bad_id":
        record["id"] = draw(
            st.one_of(
                JSON_VALUES.filter(lambda v: not isinstance(v, str)),
                st.text(" \t\n", max_size=3),
                st.text(min_size=513, max_size=600),
                st.tuples(st.text(max_size=5), st.characters(max_codepoint=31)).map("".join),
            )
        )
    elif kind == "bad_source":
        record["source"] = draw(
            st.one_of(
                JSON_VALUES.filter(lambda v: not isinstance(v, str)),
                st.text(max_size=20).filter(lambda s: "://" not in s),
            )
        )
    elif kind == "bad_data":
        record["data"] = draw(JSON_VALUES.filter(lambda v: not isinstance(v, dict)))
    else:
        name = draw(st.sampled_from(["scraped_at", "lang", "subject_ref", "consent"]))
        wrong = JSON_VALUES.filter(
            lambda v: v is not None and not isinstance(v, dict if name == "consent" else str)
        )
        record[name] = draw(wrong)
    return record


@PROPERTY
@given(value=invalid_records())
def test_json_that_is_not_a_record_is_dead_lettered(value: Any) -> None:
    raw = json.dumps(value).encode()  # ASCII: lone surrogates are written escaped
    outcome = redact(raw)
    assert outcome.verdict is Verdict.DEAD_LETTER, outcome
    assert outcome.reason


@PROPERTY
@given(raw=st.binary(max_size=40), at=st.integers(0, 200), drop=st.integers(0, 5))
def test_damaged_records_never_raise(raw: bytes, at: int, drop: int) -> None:
    """Bytes spliced into a valid record: dead-lettered, or (if still valid) an outcome."""
    good = message({"bio": "Write to ivan@example.ru", "n": [1, 2.5, None]})
    at = min(at, len(good))
    damaged = good[:at] + raw + good[at + drop :]
    outcome = redact(damaged)
    assert outcome.verdict in (Verdict.CLEAN, Verdict.QUARANTINE, Verdict.DEAD_LETTER)
    if outcome.verdict is Verdict.CLEAN:
        assert b"ivan@example.ru" not in (outcome.value or b"")


# --- a key given twice ----------------------------------------------------------------------------

JSON_SPACE = st.text(" \t\n\r", max_size=2)


def escape_key(key: str, escape: bool) -> str:
    """``key`` as a JSON string, optionally with every character written as ``\\uXXXX``."""
    if not escape:
        return json.dumps(key)
    return '"' + "".join(f"\\u{ord(ch):04x}" for ch in key) + '"'


@st.composite
def objects_with_pairs(draw: st.DrawFn, depth: int = 3) -> tuple[str, bool]:
    """``(JSON text of an object, whether some object in it repeats a key)``."""
    keys = draw(st.lists(st.sampled_from(["a", "b", "id", "data", "é", 'q"']), max_size=4))
    repeated = len(set(keys)) != len(keys)
    parts = []
    for key in keys:
        if depth > 0 and draw(st.booleans()):
            child, child_repeats = draw(objects_with_pairs(depth - 1))
            repeated = repeated or child_repeats
            value = draw(st.sampled_from(["{}", "[{}]"])).replace("{}", child)
        else:
            value = draw(
                st.sampled_from(["1", '"x"', '"\\":"', "null", "[]", "123456789012345678901"])
            )
        space = draw(JSON_SPACE)
        parts.append(f"{escape_key(key, draw(st.booleans()))}{space}:{space}{value}")
    return "{" + ",".join(parts) + "}", repeated


@PROPERTY
@given(data_object=objects_with_pairs())
def test_a_repeated_key_anywhere_under_data_is_dead_lettered(data_object: tuple[str, bool]) -> None:
    text, repeated = data_object
    raw = f'{{"id": "rec-1", "source": "{SOURCE}", "data": {text}}}'.encode()
    if repeated:
        with pytest.raises(InvalidRecord) as caught:
            parse_record(raw)
        assert caught.value.reason == "duplicate_key"
        assert redact(raw).verdict is Verdict.DEAD_LETTER
    else:
        assert parse_record(raw).data == json.loads(text)


@PROPERTY
@given(data=DATA, draw=st.data())
def test_same_message_same_bytes(data: dict[str, Any], draw: st.DataObject) -> None:
    plant(draw.draw, data, draw.draw(planted())[0])
    raw = message(data)
    first, second = redact(raw), redact(raw)
    assert first == second


@PROPERTY
@given(raw=st.binary(max_size=64))
def test_a_batch_gives_one_outcome_per_message(raw: bytes) -> None:
    good = message({"t": "ivan@example.ru"})
    outcomes = redactor().redact_batch([good, raw, good])
    assert len(outcomes) == 3
    assert outcomes[0] == outcomes[2]
