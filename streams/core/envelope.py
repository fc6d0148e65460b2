"""The record envelope: parsing and validation of one input message, and its text slots.

A message on the input topic is one JSON object (UTF-8)::

    {"id": "...", "source": "https://...", "scraped_at": "2026-11-21T10:00:00Z",
     "lang": "ru", "subject_ref": "...", "consent": {...}, "data": {...}}

``id`` (non-empty string, at most 512 characters), ``source`` (a URL) and ``data`` (an object)
are required; ``scraped_at`` (RFC 3339), ``lang``, ``subject_ref`` and ``consent`` (an object)
are optional. Any other top-level field makes the record invalid: an unknown field would reach
the clean topic unscanned. So does a key given twice in one object: JSON parsers keep one of the
two silently, and which one differs between parsers, so the record is not read the same way by
everyone downstream.

Every string the pipeline publishes is scanned. :func:`collect_slots` lists them in a fixed
order as :class:`Slot` objects: ``source``, ``subject_ref``, then every key, string and number
under ``data``. A number is scanned as its decimal text (a phone number stored as an integer is
still a phone number; so is one stored as a float, ``79161234567.0``: :func:`number_text`).

Nothing is changed silently on the way in:

- a UTF-8 byte-order mark at the start of a message is accepted and dropped (``piiredact scan``
  reads files through the same parser, so a file saved with one reads the same);
- a number that does not fit a 64-bit float (``1e400``) or has more digits than Python reads
  (4,300) is refused (``bad_number``): it would otherwise be published as ``null`` or infinity;
- a string or key anywhere in the message (``consent`` included) holding an unpaired surrogate
  (``"\\ud800"``) is refused (``bad_string``): it cannot be written as UTF-8, so no output of it
  could be made.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from streams.core.timestamps import parse_rfc3339
from streams.errors import InvalidRecord, TimestampError

MAX_ID_CHARS = 512
_KNOWN_FIELDS = frozenset({"id", "source", "scraped_at", "lang", "subject_ref", "consent", "data"})
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]{0,31}://[^\s]{1,8192}$")
#: A language tag as the pipeline takes it, unscanned: a BCP 47 language (2-3 letters), then an
#: optional script (4 letters) and region (2 letters or 3 digits); no variants or extensions, whose
#: free-form 5-8 characters could carry a name (``ru-Petrov``) into the clean topic.
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z]{4})?(?:[-_](?:[A-Za-z]{2}|[0-9]{3}))?$")
_SURROGATE = re.compile("[\ud800-\udfff]")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: What orjson reads inexactly: integers of 19 digits or more (as floats), and exponents of three
#: digits (``1e-400`` silently as 0.0). Such messages go to the standard library's parser.
_ORJSON_INEXACT = re.compile(rb"[0-9]{19}|[eE][-+]?0*[1-9][0-9]{2}")
# Every key in a JSON text ends with a quote, optional JSON whitespace and a colon. An escaped
# quote inside a string (``\":``) matches too, so counting matches gives at least the keys written.
_KEY_END = re.compile(rb'"[ \t\n\r]*:')
_BOM = b"\xef\xbb\xbf"

SlotKind = Literal["value", "key", "number"]
Segment = str | int


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one record; a record past any of them is dead-lettered."""

    max_record_bytes: int = 1_048_576
    max_depth: int = 32
    max_strings: int = 10_000
    max_string_chars: int = 100_000


@dataclass(frozen=True, slots=True)
class Record:
    """A valid input record."""

    id: str
    source: str
    data: dict[str, Any]
    scraped_at: str | None = None
    lang: str | None = None
    subject_ref: str | None = None
    consent: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Slot:
    """One scanned text of a record: where it is, what it says, and what kind of place it is."""

    segments: tuple[Segment, ...]
    text: str
    kind: SlotKind


def render_path(segments: tuple[Segment, ...], hidden_keys: frozenset[str] = frozenset()) -> str:
    """``("data", "comments", 2, "text")`` -> ``data.comments[2].text``.

    Keys that are not identifiers are quoted (``data["e-mail"]``). Keys listed in
    ``hidden_keys`` (keys found to hold personal data) are shown as ``["<hidden>"]`` so a path
    never carries a detected value.
    """
    parts: list[str] = []
    for index, segment in enumerate(segments):
        if isinstance(segment, int):
            parts.append(f"[{segment}]")
        elif segment in hidden_keys:
            parts.append('["<hidden>"]')
        elif _IDENTIFIER.match(segment):
            parts.append(segment if index == 0 else f".{segment}")
        else:
            parts.append(f"[{json.dumps(segment, ensure_ascii=False)}]")
    return "".join(parts)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class _BadNumber(Exception):
    """A JSON number the pipeline cannot carry unchanged."""


def _finite_float(text: str) -> float:
    """``text`` as a float, refusing one that overflows (``1e400``) or underflows to zero
    (``1e-400``): either would be published as another number."""
    value = float(text)
    if not math.isfinite(value):
        raise _BadNumber("a number is too large for a 64-bit float (such as 1e400)")
    if value == 0 and any(ch in "123456789" for ch in text.partition("e")[0].partition("E")[0]):
        raise _BadNumber("a number is too small for a 64-bit float (such as 1e-400)")
    return value


def _exact_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # more digits than sys.get_int_max_str_digits()
        raise _BadNumber(f"a number has more than {sys.get_int_max_str_digits()} digits") from None


def _loads(raw: bytes) -> Any:
    """The parsed message. Raises :class:`InvalidRecord` if it is not JSON or an object in it
    repeats a key."""
    # orjson reads integers wider than 64 bits as floats, losing digits, and a tiny number such
    # as 1e-400 as 0.0; such a message goes to the standard library, which reads integers exactly
    # and whose float hook refuses what a float cannot hold.
    if not _ORJSON_INEXACT.search(raw):
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
        else:
            # orjson keeps the last of repeated keys without a word. The key ends counted in the
            # bytes are at least the keys written; when they equal the keys parsed, none was
            # repeated. Otherwise (a repeat, or a string holding an escaped quote before a
            # colon) the standard library reads it again and tells which.
            if len(_KEY_END.findall(raw)) == _count_keys(obj):
                return obj
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRecord("not_utf8", f"invalid UTF-8 at byte {exc.start}") from None
    repeating: list[tuple[dict[str, Any], str]] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            # The object itself is kept, so identities stay unique while they are compared.
            repeating.append((obj, _first_repeat(pairs)))
        return obj

    try:
        parsed = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_exact_int,
            object_pairs_hook=pairs_hook,
        )
    except _BadNumber as exc:
        raise InvalidRecord("bad_number", f"{exc}; send it as a string") from None
    except (ValueError, RecursionError) as exc:
        position = getattr(exc, "pos", None)
        where = f" at character {position}" if position is not None else ""
        raise InvalidRecord("not_json", f"message is not valid JSON{where}") from None
    if repeating and isinstance(parsed, dict):
        _reject_repeats(parsed, repeating)
    # orjson refuses unpaired surrogates; the standard library reads them into strings that no
    # encoder can write back. Only this path can hold one.
    _reject_surrogates(parsed)
    return parsed


def _reject_surrogates(top: Any) -> None:
    """Raise ``bad_string`` if a key or string anywhere in ``top`` holds an unpaired surrogate,
    naming the envelope field it sits under (never the value)."""
    fields = top.items() if isinstance(top, dict) else [("the message", top)]
    for name, node in fields:
        where = name if name in _KNOWN_FIELDS else "a top-level field"
        if _SURROGATE.search(name) or _holds_surrogate(node):
            raise InvalidRecord(
                "bad_string",
                f"a string under {where} holds an unpaired surrogate (\\uD800-\\uDFFF escape)",
            )


def _holds_surrogate(node: Any) -> bool:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _first_repeat(pairs: list[tuple[str, Any]]) -> str:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return key
        seen.add(key)
    raise AssertionError("no repeated key")  # pragma: no cover - called only with a repeat


def _count_keys(node: Any) -> int:
    """Keys of every object in a parsed JSON value."""
    count = 0
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            count += len(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _reject_repeats(top: dict[str, Any], repeating: list[tuple[dict[str, Any], str]]) -> None:
    """Raise for the objects of ``top`` that repeat a key. A top-level field is named when it is
    one of the envelope's; a key below is never named (it may itself be personal data), only the
    top-level field it sits under."""
    for obj, key in repeating:
        if obj is top:
            if key in _KNOWN_FIELDS:
                raise InvalidRecord("duplicate_field", f"{key}: given more than once")
            raise InvalidRecord("duplicate_field", "a top-level field is given more than once")
    ids = {id(obj) for obj, _ in repeating}
    for name, value in top.items():
        if name in _KNOWN_FIELDS and _holds(value, ids):
            raise InvalidRecord("duplicate_key", f"an object under {name} repeats a key")
    raise InvalidRecord("duplicate_key", "an object in the message repeats a key")


def _holds(node: Any, ids: set[int]) -> bool:
    """Whether ``node`` is or contains one of the objects whose identities are ``ids``."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if id(item) in ids:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _optional_str(obj: dict[str, Any], name: str) -> str | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidRecord("bad_field", f"{name}: must be a string, got {type(value).__name__}")
    return value


def parse_record(raw: bytes, limits: Limits = Limits()) -> Record:
    """Parse and validate one message. Raises :class:`InvalidRecord` with the reason."""
    if len(raw) > limits.max_record_bytes:
        raise InvalidRecord(
            "too_large", f"message has {len(raw)} bytes, limit {limits.max_record_bytes}"
        )
    obj = _loads(raw.removeprefix(_BOM))
    if not isinstance(obj, dict):
        raise InvalidRecord("not_object", f"message is a JSON {type(obj).__name__}, not an object")
    unknown = sorted(set(obj) - _KNOWN_FIELDS)
    if unknown:
        names = ", ".join(
            repr(name) if _IDENTIFIER.match(name) else "<non-identifier>" for name in unknown[:5]
        )
        raise InvalidRecord("unknown_field", f"unknown top-level field(s): {names}")
    for name in ("id", "source", "data"):
        if name not in obj or obj[name] is None:
            raise InvalidRecord("missing_field", f"{name}: required")
    record_id = obj["id"]
    if not isinstance(record_id, str) or not record_id.strip():
        raise InvalidRecord("bad_field", "id: must be a non-empty string")
    if (
        len(record_id) > MAX_ID_CHARS
        or any(
            ord(ch) < 32 or 127 <= ord(ch) < 160
            for ch in record_id  # C0, DEL and C1 controls
        )
        or _SURROGATE.search(record_id)
    ):
        raise InvalidRecord(
            "bad_field",
            f"id: at most {MAX_ID_CHARS} characters, no control characters or surrogates",
        )
    source = obj["source"]
    if not isinstance(source, str) or not _URL.match(source):
        raise InvalidRecord("bad_field", "source: must be a URL such as https://example.com/page")
    data = obj["data"]
    if not isinstance(data, dict):
        raise InvalidRecord("bad_field", f"data: must be an object, got {type(data).__name__}")
    scraped_at = _optional_str(obj, "scraped_at")
    if scraped_at is not None:
        _check_rfc3339(scraped_at)
    lang = _optional_str(obj, "lang")
    if lang is not None and not _LANG.match(lang):
        raise InvalidRecord(
            "bad_field",
            "lang: must be a language tag such as en, ru, en-GB or zh-Hant-TW "
            "(language, optional script and region)",
        )
    subject_ref = _optional_str(obj, "subject_ref")
    consent = obj.get("consent")
    if consent is not None and not isinstance(consent, dict):
        raise InvalidRecord(
            "bad_field", f"consent: must be an object, got {type(consent).__name__}"
        )
    return Record(
        id=record_id,
        source=source,
        data=data,
        scraped_at=scraped_at,
        lang=lang,
        subject_ref=subject_ref,
        consent=consent,
    )


def _check_rfc3339(value: str) -> None:
    try:
        parse_rfc3339(value)
    except TimestampError as exc:
        detail = (
            "scraped_at: not a real date and time"
            if exc.shape_ok
            else "scraped_at: must be RFC 3339, e.g. 2026-11-21T10:00:00Z"
        )
        raise InvalidRecord("bad_field", detail) from None


def collect_slots(record: Record, limits: Limits = Limits()) -> list[Slot]:
    """Every text of ``record`` that is scanned, in a fixed order.

    Raises :class:`InvalidRecord` when ``data`` is nested deeper than ``limits.max_depth``,
    holds more than ``limits.max_strings`` keys and strings, or a string longer than
    ``limits.max_string_chars``.
    """
    _check_string(record.source, ("source",), limits)
    slots: list[Slot] = [Slot(("source",), record.source, "value")]
    if record.subject_ref is not None:
        _check_string(record.subject_ref, ("subject_ref",), limits)
        slots.append(Slot(("subject_ref",), record.subject_ref, "value"))
    for slot in _walk(record.data, ("data",), 1, limits):
        slots.append(slot)
        if len(slots) > limits.max_strings:
            raise InvalidRecord(
                "too_many_strings", f"record has more than {limits.max_strings} strings"
            )
    return slots


def _check_string(text: str, segments: tuple[Segment, ...], limits: Limits) -> None:
    if len(text) > limits.max_string_chars:
        # Only the top-level field is named: deeper keys may themselves be personal data.
        raise InvalidRecord(
            "string_too_long",
            f"a string under {segments[0]} has {len(text)} characters, "
            f"limit {limits.max_string_chars}",
        )
    if _SURROGATE.search(text):
        raise InvalidRecord(
            "bad_string",
            f"a string under {segments[0]} holds an unpaired surrogate (\\uD800-\\uDFFF escape)",
        )


def _walk(node: Any, segments: tuple[Segment, ...], depth: int, limits: Limits) -> Iterator[Slot]:
    if depth > limits.max_depth:
        raise InvalidRecord("too_deep", f"data is nested deeper than {limits.max_depth} levels")
    if isinstance(node, dict):
        for key, value in node.items():
            child = (*segments, key)
            _check_string(key, segments, limits)
            yield Slot(child, key, "key")
            yield from _walk(value, child, depth + 1, limits)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*segments, index), depth + 1, limits)
    elif isinstance(node, str):
        _check_string(node, segments, limits)
        yield Slot(segments, node, "value")
    elif isinstance(node, bool) or node is None:
        return
    elif isinstance(node, int | float):
        yield Slot(segments, number_text(node), "number")


#: Integral floats below this are scanned as their digits: every integer up to it has at most
#: 19 digits, as many as any identifier.
_INTEGRAL_FLOAT_LIMIT = 1e19


def number_text(number: int | float) -> str:
    """The text a number is scanned as: an integer's digits; an integral float's digits too
    (``79161234567.0`` and ``7.9161234567e10`` are the phone ``79161234567``), up to 19 digits;
    any other float its ``repr``."""
    if isinstance(number, float):
        if number.is_integer() and abs(number) < _INTEGRAL_FLOAT_LIMIT:
            return str(int(number))
        return repr(number)
    return str(number)


def substitute(data: Any, replacements: dict[tuple[Segment, ...], Any]) -> Any:
    """A copy of ``data`` with the values at the given paths (``data`` segment first) replaced."""
    return _substitute(data, ("data",), replacements)


def _substitute(
    node: Any, segments: tuple[Segment, ...], repl: dict[tuple[Segment, ...], Any]
) -> Any:
    if segments in repl:
        return repl[segments]
    if isinstance(node, dict):
        return {key: _substitute(value, (*segments, key), repl) for key, value in node.items()}
    if isinstance(node, list):
        return [_substitute(value, (*segments, index), repl) for index, value in enumerate(node)]
    return node
