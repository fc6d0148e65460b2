"""The record envelope: parsing, dead-letter reasons, text slots, paths and substitution."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from streams.core.envelope import (
    Limits,
    Record,
    Slot,
    collect_slots,
    parse_record,
    render_path,
    substitute,
)
from streams.errors import InvalidRecord
from streams.testing.samples import generate

SOURCE = "https://example.com/page/1"
# Synthetic personal data planted in invalid records: no error detail may repeat it.
PLANTED = "olga.sokolova@example.ru"


def envelope(**fields: Any) -> bytes:
    """A valid record with ``fields`` changed; a field set to ``...`` is left out."""
    obj: dict[str, Any] = {"id": "rec-1", "source": SOURCE, "data": {"title": "Hello"}}
    obj.update(fields)
    return orjson.dumps({k: v for k, v in obj.items() if v is not ...})


# --- parse_record: valid records ---------------------------------------------------------------


PARSE_RECORD_VALID_CASES = [
    (
        envelope(),
        Record(id="rec-1", source=SOURCE, data={"title": "Hello"}),
        "the three required fields only",
    ),
    (
        envelope(
            scraped_at="2026-11-21T10:00:00Z",
            lang="ru",
            subject_ref="subj-7",
            consent={"basis": "public"},
        ),
        Record(
            id="rec-1",
            source=SOURCE,
            data={"title": "Hello"},
            scraped_at="2026-11-21T10:00:00Z",
            lang="ru",
            subject_ref="subj-7",
            consent={"basis": "public"},
        ),
        "every optional field",
    ),
    (
        envelope(scraped_at=None, lang=None, subject_ref=None, consent=None),
        Record(id="rec-1", source=SOURCE, data={"title": "Hello"}),
        "optional fields given as null are absent",
    ),
    (
        envelope(scraped_at="2026-11-21 10:00:00.123456789+03:00", lang="en-GB"),
        Record(
            id="rec-1",
            source=SOURCE,
            data={"title": "Hello"},
            scraped_at="2026-11-21 10:00:00.123456789+03:00",
            lang="en-GB",
        ),
        "RFC 3339 with space, nanoseconds and offset; region subtag",
    ),
    (
        envelope(scraped_at="2026-11-21t10:00:00z"),
        Record(
            id="rec-1", source=SOURCE, data={"title": "Hello"}, scraped_at="2026-11-21t10:00:00z"
        ),
        "RFC 3339 allows lower-case t and z",
    ),
    (
        envelope(id="запись-1", source="ftp://files.example.org/a", data={}),
        Record(id="запись-1", source="ftp://files.example.org/a", data={}),
        "non-ASCII id, any URL scheme, empty data",
    ),
    (
        b" \n" + envelope() + b"\n",
        Record(id="rec-1", source=SOURCE, data={"title": "Hello"}),
        "surrounding JSON whitespace is fine",
    ),
]


@pytest.mark.parametrize(
    ("raw", "expected", "reason"),
    PARSE_RECORD_VALID_CASES,
    ids=[case[-1] for case in PARSE_RECORD_VALID_CASES],
)
def test_parse_record_valid(raw: bytes, expected: Record, reason: str) -> None:
    assert parse_record(raw) == expected


def test_parse_record_keeps_integers_wider_than_64_bits() -> None:
    raw = (
        b'{"id": "rec-1", "source": "https://example.com/", '
        b'"data": {"big": 123456789012345678901234567890, "neg": -9223372036854775809}}'
    )
    record = parse_record(raw)
    assert record.data == {"big": 123456789012345678901234567890, "neg": -9223372036854775809}
    assert all(type(v) is int for v in record.data.values())


# --- parse_record: dead-letter reasons ---------------------------------------------------------


PARSE_RECORD_DEAD_LETTER_CASES = [
    (b"\xff\xfe{}", "not_utf8", "byte 0", "invalid UTF-8 before any JSON"),
    (
        b'{"id": "rec-1", "source": "https://example.com/", "data": {"t": "\xc3("}}',
        "not_utf8",
        "byte",
        "invalid UTF-8 inside a JSON string",
    ),
    (b"", "not_json", "not valid JSON", "empty message"),
    (b'{"id": "rec-1",', "not_json", "not valid JSON", "truncated object"),
    (envelope() + b"x", "not_json", "not valid JSON", "trailing garbage"),
    (
        b'{"id": "rec-1", "source": "https://example.com/", "data": {"x": NaN}}',
        "not_json",
        "not valid JSON",
        "NaN is not JSON",
    ),
    (
        b'{"id": "rec-1", "source": "https://example.com/", "data": {"x": Infinity}}',
        "not_json",
        "not valid JSON",
        "Infinity is not JSON",
    ),
    (b"[1, 2]", "not_object", "list", "a JSON array"),
    (b'"rec-1"', "not_object", "str", "a JSON string"),
    (b"null", "not_object", "NoneType", "JSON null"),
    (envelope(id=...), "missing_field", "id: required", "no id"),
    (envelope(id=None), "missing_field", "id: required", "null id"),
    (envelope(source=...), "missing_field", "source: required", "no source"),
    (envelope(data=...), "missing_field", "data: required", "no data"),
    (envelope(id=42), "bad_field", "id: must be a non-empty string", "id not a string"),
    (envelope(id=""), "bad_field", "id: must be a non-empty string", "empty id"),
    (envelope(id="   "), "bad_field", "id: must be a non-empty string", "blank id"),
    (envelope(id="rec\n1"), "bad_field", "no control characters", "newline in id"),
    (envelope(id="rec\x001"), "bad_field", "no control characters", "NUL in id"),
    (envelope(id="rec\x7f1"), "bad_field", "no control characters", "DEL in id"),
    (envelope(id="rec\x851"), "bad_field", "no control characters", "C1 control (NEL) in id"),
    (envelope(id="r" * 513), "bad_field", "at most 512 characters", "id too long"),
    (envelope(source="example.com/page"), "bad_field", "source: must be a URL", "no scheme"),
    (envelope(source="https://exa mple.com"), "bad_field", "source: must be a URL", "space"),
    (envelope(source="mailto:x@example.com"), "bad_field", "source: must be a URL", "no //"),
    (envelope(source=["https://example.com"]), "bad_field", "source: must be a URL", "list"),
    (envelope(data=[1]), "bad_field", "data: must be an object, got list", "data a list"),
    (envelope(data="text"), "bad_field", "data: must be an object, got str", "data a string"),
    (
        envelope(scraped_at="21.11.2026"),
        "bad_field",
        "scraped_at: must be RFC 3339",
        "not RFC 3339",
    ),
    (
        envelope(scraped_at="2026-11-21T10:00:00"),
        "bad_field",
        "scraped_at: must be RFC 3339",
        "RFC 3339 requires an offset",
    ),
    (
        envelope(scraped_at="2026-02-30T10:00:00Z"),
        "bad_field",
        "scraped_at: not a real date",
        "February 30th does not exist",
    ),
    (
        envelope(scraped_at="2026-11-21T24:00:00Z"),
        "bad_field",
        "scraped_at: not a real date",
        "hour 24 does not exist",
    ),
    (envelope(scraped_at=1763719200), "bad_field", "scraped_at: must be a string", "epoch"),
    (envelope(lang="english"), "bad_field", "lang: must be a language tag", "a word"),
    (envelope(lang=""), "bad_field", "lang: must be a language tag", "empty lang"),
    (envelope(lang="r1"), "bad_field", "lang: must be a language tag", "digit in language"),
    (envelope(lang=7), "bad_field", "lang: must be a string, got int", "lang a number"),
    (envelope(subject_ref=7), "bad_field", "subject_ref: must be a string", "subject number"),
    (envelope(consent=True), "bad_field", "consent: must be an object, got bool", "bool"),
    (envelope(consent=["yes"]), "bad_field", "consent: must be an object, got list", "list"),
    (envelope(extra=1), "unknown_field", "'extra'", "an unknown top-level field"),
    (
        envelope(**{PLANTED: "x"}),
        "unknown_field",
        "<non-identifier>",
        "a non-identifier field name is not repeated",
    ),
]


@pytest.mark.parametrize(
    ("raw", "expected_reason", "detail_fragment", "why"),
    PARSE_RECORD_DEAD_LETTER_CASES,
    ids=[case[-1] for case in PARSE_RECORD_DEAD_LETTER_CASES],
)
def test_parse_record_dead_letter(
    raw: bytes, expected_reason: str, detail_fragment: str, why: str
) -> None:
    with pytest.raises(InvalidRecord) as caught:
        parse_record(raw)
    assert caught.value.reason == expected_reason
    assert detail_fragment in caught.value.detail
    assert str(caught.value) == f"{expected_reason}: {caught.value.detail}"


PARSE_RECORD_DETAILS_NEVER_CARRY_VALUES_CASES = [
    (envelope(id=f"{PLANTED}\n"), "control character next to an address in the id"),
    (envelope(source=f"not a url {PLANTED}"), "an address given as source"),
    (envelope(lang=PLANTED), "an address given as lang"),
    (envelope(scraped_at=PLANTED), "an address given as scraped_at"),
    (envelope(**{"id": "rec-1", PLANTED: 1}), "an address as a top-level field name"),
    (envelope(data=[PLANTED]), "data holding a list"),
    (envelope(consent=[PLANTED]), "consent holding a list"),
    (b'{"id": "' + PLANTED.encode() + b'", "x": \xff}', "invalid UTF-8"),
    (b'{"id": "' + PLANTED.encode() + b'", "x": }', "invalid JSON"),
]


@pytest.mark.parametrize(
    ("raw", "why"),
    PARSE_RECORD_DETAILS_NEVER_CARRY_VALUES_CASES,
    ids=[case[-1] for case in PARSE_RECORD_DETAILS_NEVER_CARRY_VALUES_CASES],
)
def test_parse_record_details_never_carry_values(raw: bytes, why: str) -> None:
    with pytest.raises(InvalidRecord) as caught:
        parse_record(raw)
    assert PLANTED not in str(caught.value)


def test_parse_record_too_large() -> None:
    raw = envelope(data={"text": PLANTED * 10})
    with pytest.raises(InvalidRecord) as caught:
        parse_record(raw, Limits(max_record_bytes=100))
    assert caught.value.reason == "too_large"
    assert f"{len(raw)} bytes, limit 100" in caught.value.detail
    assert PLANTED not in str(caught.value)


def test_parse_record_at_the_size_limit_is_fine() -> None:
    raw = envelope()
    assert parse_record(raw, Limits(max_record_bytes=len(raw))).id == "rec-1"


# --- parse_record: a key given twice ------------------------------------------------------------

_ENV = b'"source": "https://example.com/", '
PARSE_RECORD_REPEATED_KEY_CASES = [
    (
        b'{"id": "rec-1", "id": "rec-2", ' + _ENV + b'"data": {}}',
        "duplicate_field",
        "id: given more than once",
        "the id twice: which one is the record?",
    ),
    (
        b'{"id": "rec-1", "id": "rec-1", ' + _ENV + b'"data": {}}',
        "duplicate_field",
        "id: given more than once",
        "the id twice with the same value",
    ),
    (
        b'{"id": "rec-1", ' + _ENV + b'"data": {"t": "' + PLANTED.encode() + b'"}, "data": {}}',
        "duplicate_field",
        "data: given more than once",
        "a second data hides the first from the scan",
    ),
    (
        b'{"id" : "rec-1", ' + _ENV + b'"data": {}, "id"\n:\t"rec-2"}',
        "duplicate_field",
        "id: given more than once",
        "whitespace before the colons",
    ),
    (
        b'{"id": "rec-1", "\\u0069d": "rec-2", ' + _ENV + b'"data": {}}',
        "duplicate_field",
        "id: given more than once",
        "the same key spelled with an escape",
    ),
    (
        b'{"id": "rec-1", '
        + _ENV
        + b'"data": {}, "'
        + PLANTED.encode()
        + b'": 1, "'
        + PLANTED.encode()
        + b'": 2}',
        "duplicate_field",
        "a top-level field is given more than once",
        "an unknown top-level field twice is not named",
    ),
    (
        b'{"id": "rec-1", '
        + _ENV
        + b'"data": {"'
        + PLANTED.encode()
        + b'": "a", "'
        + PLANTED.encode()
        + b'": "b"}}',
        "duplicate_key",
        "an object under data repeats a key",
        "a key under data twice; the key is not named",
    ),
    (
        b'{"id": "rec-1", ' + _ENV + b'"data": {"a": [1, {"b": {"c": 1, "c": 2}}]}}',
        "duplicate_key",
        "an object under data repeats a key",
        "deep inside lists and objects",
    ),
    (
        b'{"id": "rec-1", ' + _ENV + b'"data": {"x": {"a": 1, "a": 2}, "x": {}}}',
        "duplicate_key",
        "an object under data repeats a key",
        "the repeating object is itself overwritten by a repeated key",
    ),
    (
        b'{"id": "rec-1", ' + _ENV + b'"data": {}, "consent": {"basis": "a", "basis": "b"}}',
        "duplicate_key",
        "an object under consent repeats a key",
        "under consent",
    ),
    (
        b'{"id": "rec-1", ' + _ENV + b'"data": {"q": "say \\":", "k": 1, "k": 2}}',
        "duplicate_key",
        "an object under data repeats a key",
        "an escaped quote before a colon in a string does not hide a repeat",
    ),
    (
        b'{"id": "rec-1", ' + _ENV + b'"data": {"q": "\\u0022:", "k": 1, "k": 2}}',
        "duplicate_key",
        "an object under data repeats a key",
        "nor does a quote written as \\u0022",
    ),
    (
        b'{"id": "rec-1", ' + _ENV + b'"data": {"n": 1234567890123456789012, "n": 1}}',
        "duplicate_key",
        "an object under data repeats a key",
        "a long integer sends the message to the standard library, which checks too",
    ),
    (
        b'[{"a": 1, "a": 2}]',
        "not_object",
        "list",
        "a list of objects is not a record, whatever it repeats",
    ),
    (
        b'{"id": "rec-1", "id": "rec-2", ',
        "not_json",
        "not valid JSON",
        "invalid JSON stays invalid JSON",
    ),
]


@pytest.mark.parametrize(
    ("raw", "expected_reason", "detail", "why"),
    PARSE_RECORD_REPEATED_KEY_CASES,
    ids=[case[-1] for case in PARSE_RECORD_REPEATED_KEY_CASES],
)
def test_parse_record_repeated_key(raw: bytes, expected_reason: str, detail: str, why: str) -> None:
    with pytest.raises(InvalidRecord) as caught:
        parse_record(raw)
    assert caught.value.reason == expected_reason
    assert detail in caught.value.detail
    assert PLANTED not in str(caught.value)
    assert "olga" not in str(caught.value)


PARSE_RECORD_NO_REPEAT_CASES = [
    (
        b'{"id": "rec-1", ' + _ENV + b'"data": {"json": "{\\"a\\": 1, \\"a\\": 2}"}}',
        {"json": '{"a": 1, "a": 2}'},
        "JSON inside a string may repeat what it likes (read twice, found fine)",
    ),
    (
        b'{"id": "rec-1", ' + _ENV + b'"data": {"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 3}]}}',
        {"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 3}]},
        "the same key in different objects is no repeat",
    ),
    (
        b'{"id": "rec-1", ' + _ENV + b'"data": {"k": "id", "id": "k"}}',
        {"k": "id", "id": "k"},
        "a key equal to another key's value",
    ),
]


@pytest.mark.parametrize(
    ("raw", "expected_data", "why"),
    PARSE_RECORD_NO_REPEAT_CASES,
    ids=[case[-1] for case in PARSE_RECORD_NO_REPEAT_CASES],
)
def test_parse_record_no_repeat(raw: bytes, expected_data: dict[str, Any], why: str) -> None:
    assert parse_record(raw).data == expected_data


def test_parse_record_generated_records_have_no_repeats() -> None:
    for sample in generate(200, seed=3):
        assert parse_record(orjson.dumps(sample.record)).id == sample.record["id"]


# --- collect_slots ------------------------------------------------------------------------------


def test_collect_slots_order() -> None:
    record = Record(
        id="rec-1",
        source=SOURCE,
        subject_ref="subj-7",
        data={
            "name": "Hello",
            "phones": [79161234567, "+7 916 123-45-67"],
            "nested": {"ok": True, "none": None, "ratio": 0.5},
        },
    )
    assert collect_slots(record) == [
        Slot(("source",), SOURCE, "value"),
        Slot(("subject_ref",), "subj-7", "value"),
        Slot(("data", "name"), "name", "key"),
        Slot(("data", "name"), "Hello", "value"),
        Slot(("data", "phones"), "phones", "key"),
        Slot(("data", "phones", 0), "79161234567", "number"),
        Slot(("data", "phones", 1), "+7 916 123-45-67", "value"),
        Slot(("data", "nested"), "nested", "key"),
        Slot(("data", "nested", "ok"), "ok", "key"),
        Slot(("data", "nested", "none"), "none", "key"),
        Slot(("data", "nested", "ratio"), "ratio", "key"),
        Slot(("data", "nested", "ratio"), "0.5", "number"),
    ]


COLLECT_SLOTS_UNDER_DATA_CASES = [
    ({}, [], "empty data adds nothing"),
    ({"flag": True}, [("key", "flag")], "booleans are not scanned"),
    ({"gone": None}, [("key", "gone")], "null is not scanned"),
    (
        {"n": 123456789012345678901234567890},
        [("key", "n"), ("number", "123456789012345678901234567890")],
        "a wide integer is scanned as its exact digits",
    ),
    ({"f": 1e21}, [("key", "f"), ("number", "1e+21")], "a float is scanned as its repr"),
    ({"list": [[["deep"]]]}, [("key", "list"), ("value", "deep")], "lists add no key"),
    ({"": ""}, [("key", ""), ("value", "")], "empty key and value are still slots"),
]


@pytest.mark.parametrize(
    ("data", "expected", "reason"),
    COLLECT_SLOTS_UNDER_DATA_CASES,
    ids=[case[-1] for case in COLLECT_SLOTS_UNDER_DATA_CASES],
)
def test_collect_slots_under_data(
    data: dict[str, Any], expected: list[tuple[str, str]], reason: str
) -> None:
    slots = collect_slots(Record(id="rec-1", source=SOURCE, data=data))
    assert slots[0] == Slot(("source",), SOURCE, "value")
    assert [(s.kind, s.text) for s in slots[1:]] == expected


def _nest(depth: int, leaf: Any) -> dict[str, Any]:
    node: Any = leaf
    for _ in range(depth):
        node = {"k": node}
    return node


COLLECT_SLOTS_LIMITS_CASES = [
    (_nest(4, PLANTED), Limits(max_depth=4), "too_deep", "a string one level too deep"),
    (_nest(3, [[PLANTED]]), Limits(max_depth=4), "too_deep", "lists count as levels"),
    (
        {"a": PLANTED, "b": "x"},
        Limits(max_strings=3),
        "too_many_strings",
        "source + key + value + key is four slots",
    ),
    ({"list": [PLANTED] * 20}, Limits(max_strings=10), "too_many_strings", "list items count"),
    ({"text": PLANTED * 5}, Limits(max_string_chars=100), "string_too_long", "a long value"),
    (
        {PLANTED * 5: "x"},
        Limits(max_string_chars=100),
        "string_too_long",
        "a long key is checked too; its text is not repeated",
    ),
    (
        {"outer": {"inner": [PLANTED * 5]}},
        Limits(max_string_chars=100),
        "string_too_long",
        "a long value deep inside",
    ),
]


@pytest.mark.parametrize(
    ("data", "limits", "expected_reason", "why"),
    COLLECT_SLOTS_LIMITS_CASES,
    ids=[case[-1] for case in COLLECT_SLOTS_LIMITS_CASES],
)
def test_collect_slots_limits(
    data: dict[str, Any], limits: Limits, expected_reason: str, why: str
) -> None:
    record = Record(id="rec-1", source=SOURCE, data=data)
    with pytest.raises(InvalidRecord) as caught:
        collect_slots(record, limits)
    assert caught.value.reason == expected_reason
    assert PLANTED not in str(caught.value)
    assert "olga" not in str(caught.value)


def test_collect_slots_at_the_limits_is_fine() -> None:
    record = Record(id="rec-1", source=SOURCE, data=_nest(3, "x" * len(SOURCE)))
    limits = Limits(max_depth=4, max_strings=5, max_string_chars=len(SOURCE))
    slots = collect_slots(record, limits)
    assert len(slots) == 5


COLLECT_SLOTS_CHECKS_TOP_LEVEL_STRINGS_CASES = [
    (
        Record(id="rec-1", source=SOURCE, subject_ref=PLANTED * 5, data={}),
        "a long subject_ref",
    ),
    (
        Record(id="rec-1", source=f"https://example.com/?q={PLANTED * 5}", data={}),
        "a long source",
    ),
]


@pytest.mark.parametrize(
    ("record", "why"),
    COLLECT_SLOTS_CHECKS_TOP_LEVEL_STRINGS_CASES,
    ids=[case[-1] for case in COLLECT_SLOTS_CHECKS_TOP_LEVEL_STRINGS_CASES],
)
def test_collect_slots_checks_top_level_strings(record: Record, why: str) -> None:
    with pytest.raises(InvalidRecord) as caught:
        collect_slots(record, Limits(max_string_chars=100))
    assert caught.value.reason == "string_too_long"
    assert PLANTED not in str(caught.value)


# --- render_path --------------------------------------------------------------------------------


RENDER_PATH_CASES = [
    (("data", "comments", 2, "text"), frozenset(), "data.comments[2].text", "the doc example"),
    (("source",), frozenset(), "source", "a top-level field"),
    (("data", "e-mail"), frozenset(), 'data["e-mail"]', "a hyphen needs quoting"),
    (("data", "имя"), frozenset(), 'data["имя"]', "non-ASCII keys are quoted, not escaped"),
    (("data", "2fa"), frozenset(), 'data["2fa"]', "a leading digit needs quoting"),
    (("data", ""), frozenset(), 'data[""]', "the empty key"),
    (("data", 'say "hi"'), frozenset(), 'data["say \\"hi\\""]', "quotes are escaped"),
    (("data", "_x1"), frozenset(), "data._x1", "underscore identifiers stay bare"),
    (("data", 0, 1), frozenset(), "data[0][1]", "nested list indexes"),
    (
        ("data", PLANTED, "note"),
        frozenset({PLANTED}),
        'data["<hidden>"].note',
        "a key holding personal data is hidden",
    ),
    (
        ("data", "contacts", "ivan", 0),
        frozenset({"ivan"}),
        'data.contacts["<hidden>"][0]',
        "an identifier-like hidden key is hidden too",
    ),
    (
        ("data", "a", "b"),
        frozenset({"c"}),
        "data.a.b",
        "unrelated hidden keys change nothing",
    ),
]


@pytest.mark.parametrize(
    ("segments", "hidden", "expected", "reason"),
    RENDER_PATH_CASES,
    ids=[case[-1] for case in RENDER_PATH_CASES],
)
def test_render_path(
    segments: tuple[str | int, ...], hidden: frozenset[str], expected: str, reason: str
) -> None:
    assert render_path(segments, hidden) == expected


# --- substitute ---------------------------------------------------------------------------------


SUBSTITUTE_CASES = [
    ({"a": "x"}, {}, {"a": "x"}, "no replacements: an equal copy"),
    ({"a": "x", "b": "y"}, {("data", "a"): "<R>"}, {"a": "<R>", "b": "y"}, "one key"),
    (
        {"list": ["x", "y", "z"]},
        {("data", "list", 1): "<R>"},
        {"list": ["x", "<R>", "z"]},
        "one list item",
    ),
    ({"n": 79161234567}, {("data", "n"): "<PHONE>"}, {"n": "<PHONE>"}, "a number to a string"),
    (
        {"o": {"p": [{"q": "x"}]}},
        {("data", "o", "p", 0, "q"): "<R>"},
        {"o": {"p": [{"q": "<R>"}]}},
        "deep inside",
    ),
    ({"a": {"b": "x"}}, {("data", "a"): "<R>"}, {"a": "<R>"}, "a whole subtree"),
    ({"a": "x"}, {("data", "zz"): "<R>"}, {"a": "x"}, "a path that is not there is ignored"),
    ({"a": "x"}, {("source",): "<R>"}, {"a": "x"}, "paths outside data are ignored"),
]


@pytest.mark.parametrize(
    ("data", "replacements", "expected", "reason"),
    SUBSTITUTE_CASES,
    ids=[case[-1] for case in SUBSTITUTE_CASES],
)
def test_substitute(
    data: dict[str, Any],
    replacements: dict[tuple[str | int, ...], Any],
    expected: dict[str, Any],
    reason: str,
) -> None:
    before = orjson.dumps(data)
    assert substitute(data, replacements) == expected
    assert orjson.dumps(data) == before, "the input must not be modified"


# --- values that cannot be carried unchanged ---------------------------------------------------

_BASE = '{"id":"r","source":"https://x.example/1",%s"data":%s}'

# (consent or other top-level fields, data, reason, why)
REFUSED_SHAPES: tuple[tuple[str, str, str, str], ...] = (
    (
        '"consent":{"status":"granted","evidence":"form-\\ud800"},',
        "{}",
        "bad_string",
        "lone high surrogate in consent.evidence",
    ),
    (
        '"consent":{"status":"granted","purposes":["a\\udc00"]},',
        "{}",
        "bad_string",
        "lone low surrogate in consent.purposes",
    ),
    ('"consent":{"status":"\\udfff"},', "{}", "bad_string", "in consent.status"),
    ('"consent":{"x\\ud800":1},', "{}", "bad_string", "in a key of consent"),
    ('"consent":{"n":[1,{"deep":"\\ud9ff"}]},', "{}", "bad_string", "nested deep in consent"),
    ('"scraped_at":"2026-01-01T00:00:00Z\\ud800",', "{}", "bad_string", "in scraped_at"),
    ("", '{"n":1e400}', "bad_number", "overflows a float: was published as null"),
    ("", '{"n":[-1E+400]}', "bad_number", "negative overflow, capital E"),
    ("", '{"n":1e-400}', "bad_number", "underflows to 0.0"),
    ("", '{"n":12.5e-999}', "bad_number", "underflow with a fraction"),
    ("", '{"n":%s}' % ("9" * 5000), "bad_number", "more digits than Python reads"),
    ('"consent":{"n":1e400},', "{}", "bad_number", "overflow outside data"),
)


@pytest.mark.parametrize(
    ("fields", "data", "reason", "why"),
    REFUSED_SHAPES,
    ids=[row[-1] for row in REFUSED_SHAPES],
)
def test_values_that_cannot_pass_unchanged_are_refused(
    fields: str, data: str, reason: str, why: str
) -> None:
    raw = (_BASE % (fields, data)).encode()
    with pytest.raises(InvalidRecord) as caught:
        parse_record(raw)
    assert caught.value.reason == reason, why
    assert "\\u" not in caught.value.detail or "escape" in caught.value.detail


# (data, parsed value, why)
KEPT_NUMBERS: tuple[tuple[str, object, str], ...] = (
    ('{"n":0e-500}', 0.0, "a zero with a big exponent is still zero"),
    ('{"n":1.5e300}', 1.5e300, "a large finite float"),
    ('{"n":4.9e-324}', 5e-324, "the smallest subnormal is the nearest double"),
    ('{"n":7.9161234567e10}', 79161234567.0, "a phone as a float in exponent form"),
    ('{"n":123456789012345678901234567890}', 123456789012345678901234567890, "wide int exact"),
    ('{"n":"1e400"}', "1e400", "a string is never a number"),
    ('{"t":"\\ud83d\\ude00"}', "\U0001f600", "a paired surrogate escape is one character"),
)


@pytest.mark.parametrize(("data", "value", "why"), KEPT_NUMBERS, ids=[r[-1] for r in KEPT_NUMBERS])
def test_representable_values_are_kept(data: str, value: object, why: str) -> None:
    record = parse_record((_BASE % ("", data)).encode())
    assert list(record.data.values()) == [value], why


def test_a_byte_order_mark_at_the_start_is_dropped() -> None:
    plain = b'{"id":"r","source":"https://x.example/1","data":{"t":"x"}}'
    assert parse_record(b"\xef\xbb\xbf" + plain) == parse_record(plain)
    with pytest.raises(InvalidRecord) as caught:  # only at the start: elsewhere it is not JSON
        parse_record(plain[:1] + b"\xef\xbb\xbf" + plain[1:])
    assert caught.value.reason == "not_json"


# (lang, accepted, why)
LANG_TAGS: tuple[tuple[str, bool, str], ...] = (
    ("en", True, "a language"),
    ("rus", True, "a three-letter language"),
    ("en-GB", True, "language and region"),
    ("en_GB", True, "an underscore, as locales write it"),
    ("es-419", True, "a numeric region"),
    ("zh-Hant-TW", True, "language, script and region"),
    ("sr-Latn", True, "language and script"),
    ("ru-Petrov", False, "a surname where a variant could stand"),
    ("en-GB-Ivanova", False, "a name after the region"),
    ("ru-RU-x-petrov85", False, "a private-use extension holding a handle"),
    ("ivan", False, "four letters are not a language"),
    ("en-GB ", False, "trailing space"),
    ("e", False, "one letter"),
    ("", False, "empty"),
)


@pytest.mark.parametrize(("lang", "accepted", "why"), LANG_TAGS, ids=[r[-1] for r in LANG_TAGS])
def test_lang_is_a_language_tag_and_nothing_else(lang: str, accepted: bool, why: str) -> None:
    raw = orjson.dumps({"id": "r", "source": "https://x.example/", "lang": lang, "data": {}})
    if accepted:
        assert parse_record(raw).lang == lang, why
    else:
        with pytest.raises(InvalidRecord) as caught:
            parse_record(raw)
        assert caught.value.reason == "bad_field", why
        assert caught.value.detail.startswith("lang: must be a language tag"), why
