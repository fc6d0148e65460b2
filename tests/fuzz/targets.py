"""Fuzz targets: each takes the fuzzer's bytes and checks one parser's contract.

The contract is the same for all: no exception escapes except the documented refusal (a record
or registry event is refused with :class:`~streams.errors.InvalidRecord` and dead-lettered; a
consent statement with :class:`~streams.core.consent.ConsentError`; a policy with
:class:`~streams.errors.PolicyError`), and what is accepted can be carried on (written as the
clean record, the audit entry, the table entry) without failing. For the whole core: every
input message gets exactly one outcome, and each outcome can be routed and audited.

Inputs are built in two ways, chosen by the fuzzer's first byte: the bytes as they are (what a
hostile producer sends), or a JSON document assembled from fuzzer-chosen parts, written with
escapes (``ensure_ascii``), so lone surrogates, control characters and odd numbers reach the
parsers inside otherwise valid messages. Every target is a plain function of ``bytes``, run by
atheris (:mod:`tests.fuzz.run`) and replayed by the regression test
(``tests/fuzz/test_crashes.py``).
"""

from __future__ import annotations

import json
import math
import pickle
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from streams.core import Outcome, Redactor, Verdict
from streams.core.consent import RegistryEntry, parse_consent, resolve
from streams.core.consent_events import apply_event, decode_entry, encode_entry, parse_event
from streams.core.envelope import collect_slots, parse_record
from streams.core.policy import DEFAULT_POLICY, parse_policy
from streams.errors import ConsentError, InvalidRecord, PolicyError
from streams.settings import Settings
from streams.worker.routing import SourceMessage, audit_message, bounded

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)

#: Parts the structured inputs are made of: the field names and values the parsers look for.
_KEYS = (
    "id",
    "source",
    "data",
    "scraped_at",
    "lang",
    "subject_ref",
    "consent",
    "status",
    "scope",
    "purposes",
    "valid_from",
    "valid_until",
    "withdrawn_at",
    "jurisdiction",
    "evidence",
    "type",
    "at",
    "email",
    "phone",
    "text",
    "",
)
_STRINGS = (
    "granted",
    "withdrawn",
    "none",
    "processing",
    "distribution",
    "publication",
    "research",
    "RU",
    "EU",
    "OTHER",
    "consent",
    "erasure",
    "https://x.example/p",
    "en",
    "ru",
    "2026-01-01T00:00:00Z",
    "2030-01-01T00:00:00+03:00",
    "1985-02-30T00:00:00Z",
    "olga.sokolova@example.ru",
    "+7 916 123-45-67",
    "4111 1111 1111 1111",
    "vk:1",
    "\ud800",
    "\udfff",
    "a\ud83d",
    "\x00",
    "\u202e",
    "\ufeff",
    "x" * 300,
)
_NUMBERS = (0, -1, 2**63, 2**64 + 1, 1e308, 0.1, 10**40, math.inf)


class _Bytes:
    """Reads choices from the fuzzer's bytes (0 once they run out)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def byte(self) -> int:
        if self.at >= len(self.data):
            return 0
        self.at += 1
        return self.data[self.at - 1]

    def rest(self) -> bytes:
        return self.data[self.at :]

    def text(self) -> str:
        """A short string: one of :data:`_STRINGS`, or code points taken from the bytes
        (surrogates included)."""
        choice = self.byte()
        if choice < 160:
            return _STRINGS[choice % len(_STRINGS)]
        length = self.byte() % 12
        return "".join(chr((self.byte() << 8 | self.byte()) % 0x110000) for _ in range(length))

    def value(self, depth: int = 0) -> Any:
        kind = self.byte() % (8 if depth < 4 else 5)
        if kind == 0:
            return None
        if kind == 1:
            return bool(self.byte() & 1)
        if kind == 2:
            return _NUMBERS[self.byte() % len(_NUMBERS)]
        if kind in (3, 4):
            return self.text()
        if kind == 5:
            return [self.value(depth + 1) for _ in range(self.byte() % 4)]
        return self.mapping(depth + 1)

    def mapping(self, depth: int = 0) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for _ in range(self.byte() % 6):
            key = _KEYS[self.byte() % len(_KEYS)] if self.byte() < 200 else self.text()
            out[key] = self.value(depth)
        return out


def _dumps(doc: Any) -> bytes:
    """JSON as a producer other than ours may write it: escapes for anything not ASCII, so a
    lone surrogate travels as ``\\ud800``, and an infinite number as ``1e400`` (too large for
    a float)."""
    text = json.dumps(doc, ensure_ascii=True).replace("Infinity", "1e400")
    return text.encode("ascii")


def record_message(data: bytes) -> bytes:
    """A raw-topic message: the bytes themselves, or a record built from them."""
    choices = _Bytes(data)
    if choices.byte() < 96:
        return choices.rest()
    record: dict[str, Any] = {
        "id": choices.text() if choices.byte() < 64 else "rec-1",
        "source": "https://x.example/1" if choices.byte() < 200 else choices.text(),
        "data": choices.mapping(),
    }
    if choices.byte() < 128:
        record["subject_ref"] = "vk:1" if choices.byte() < 128 else choices.text()
    if choices.byte() < 160:
        record["consent"] = consent_doc(choices)
    for key in ("scraped_at", "lang"):
        if choices.byte() < 64:
            record[key] = choices.value()
    return _dumps(record)


def consent_doc(choices: _Bytes) -> Any:
    """A consent statement: mostly well-formed, with fuzzer-chosen fields and values."""
    if choices.byte() < 16:
        return choices.value()
    doc: dict[str, Any] = {"status": ("granted", "withdrawn", "none")[choices.byte() % 3]}
    for key in ("scope", "purposes"):
        if choices.byte() < 200:
            doc[key] = [choices.text() for _ in range(choices.byte() % 4)]
    for key in ("valid_from", "valid_until", "withdrawn_at", "jurisdiction", "evidence"):
        if choices.byte() < 128:
            doc[key] = choices.text() if choices.byte() < 200 else choices.value()
    doc.update(choices.mapping(3))
    return doc


def fuzz_record(data: bytes) -> None:
    """:func:`streams.core.envelope.parse_record` and :func:`~streams.core.envelope.collect_slots`: a
    record, or :class:`InvalidRecord`."""
    raw = record_message(data)
    try:
        record = parse_record(raw)
        collect_slots(record)
    except InvalidRecord as error:
        assert isinstance(error.reason, str)
        assert isinstance(error.detail, str)


def fuzz_consent(data: bytes) -> None:
    """:func:`streams.core.consent.parse_consent`, then what the worker does with a statement:
    its state, the snapshot against a registry statement, and the snapshot as written."""
    choices = _Bytes(data)
    if choices.byte() < 64:
        try:
            doc: Any = json.loads(choices.rest().decode("utf-8", "surrogatepass"))
        except (ValueError, RecursionError):
            return
    else:
        doc = consent_doc(choices)
    try:
        consent = parse_consent(doc)
    except ConsentError:
        return
    consent.state(NOW, "publication")
    for entry in (None, RegistryEntry(at=NOW, consent=consent)):
        snapshot = resolve(doc, entry, NOW, purpose="publication", subject_ref="vk:1")
        orjson.dumps(snapshot.as_dict())  # as the clean record and the audit entry are written
    pickle.loads(pickle.dumps(consent))  # it crosses to the detection process


def fuzz_registry(data: bytes) -> None:
    """:func:`streams.core.consent_events.parse_event`, then folding the event into an entry and the
    table's encoding of it, which must read back as the same entry."""
    choices = _Bytes(data)
    mode = choices.byte()
    if mode < 96:
        value = choices.rest()
    else:
        doc: dict[str, Any] = {
            "subject_ref": "vk:1" if choices.byte() < 160 else choices.text(),
            "type": ("consent", "erasure")[choices.byte() & 1],
            "at": "2026-11-21T10:00:00Z" if choices.byte() < 160 else choices.text(),
        }
        if doc["type"] == "consent" or choices.byte() < 16:
            doc["consent"] = consent_doc(choices)
        value = _dumps(doc)
    key = _event_key(value) if mode & 1 else (None if mode & 2 else value[:8])
    try:
        event = parse_event(key, value)
    except InvalidRecord as error:
        assert error.reason == "bad_consent_event"
        return
    entry = apply_event(None, event, NOW)
    assert entry is not None
    encoded = encode_entry(entry, event.raw_consent)
    assert decode_entry(encoded)[0] == entry


def _event_key(value: bytes) -> bytes | None:
    """The key a well-behaved producer would give: the event's ``subject_ref``."""
    try:
        doc = json.loads(value.decode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError):
        return None
    ref = doc.get("subject_ref") if isinstance(doc, dict) else None
    return ref.encode("utf-8", "surrogatepass") if isinstance(ref, str) else None


def fuzz_policy(data: bytes) -> None:
    """:func:`streams.core.policy.parse_policy`: a policy, or :class:`PolicyError`."""
    try:
        parse_policy(data.decode("utf-8", "replace"), "<fuzz>")
    except PolicyError:
        return


@cache
def _redactor() -> Redactor:
    from recognizers.registry import build_detector  # noqa: PLC0415 - loaded once, lazily

    return Redactor(build_detector(names=False), DEFAULT_POLICY, clock=lambda: NOW)


@cache
def _settings() -> Settings:
    return Settings(web_enabled=False)


def fuzz_redact(data: bytes) -> None:
    """The whole core: :meth:`streams.core.Redactor.redact_batch` over a batch of messages
    (the patterns and checksums, no NER models), then what the worker does with each outcome:
    pickle it (it comes back from the detection process), bound and route it, and write its
    audit entry. Exactly one outcome per message, each one routable."""
    choices = _Bytes(data)
    count = 1 + choices.byte() % 3
    parts = choices.rest()
    size = max(1, len(parts) // count)
    raws = [record_message(parts[i * size : (i + 1) * size]) for i in range(count)]
    outcomes = _redactor().redact_batch(raws, now=NOW)
    assert len(outcomes) == len(raws)
    outcomes = pickle.loads(pickle.dumps(outcomes))
    settings = _settings()
    for offset, (raw, outcome) in enumerate(zip(raws, outcomes, strict=True)):
        assert isinstance(outcome, Outcome)
        assert isinstance(outcome.verdict, Verdict)
        if outcome.verdict is Verdict.CLEAN:
            assert outcome.value is not None
            written = json.loads(outcome.value)["data"]
            for path in _non_finite(json.loads(raw.decode("utf-8", "surrogatepass"))["data"]):
                assert _at(written, path) is not None, "a number became null on the way through"
        source = SourceMessage("raw", 0, offset, None, raw, [])
        bounded(outcome, source, settings)
        audit_message(outcome, source, settings)


def _non_finite(node: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Where ``node`` holds a number too large for a float (``1e400`` reads as infinity)."""
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _non_finite(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _non_finite(v, (*path, i))]
    if isinstance(node, float) and not math.isfinite(node):
        return [path]
    return []


def _at(node: Any, path: tuple[str | int, ...]) -> Any:
    """The value at ``path`` in ``node``; a placeholder where the path is not there (a
    redacted value may have replaced a whole branch)."""
    for step in path:
        there = (isinstance(node, dict) and isinstance(step, str) and step in node) or (
            isinstance(node, list) and isinstance(step, int) and step < len(node)
        )
        if not there:
            return "<not there>"
        node = node[step]
    return node


def seeds(target: str) -> list[bytes]:
    """Valid inputs to start from, in the form each target reads (the first byte chooses raw
    bytes; see :mod:`tests.fuzz.targets`)."""
    from streams.core.policy import DEFAULT_POLICY_FILE  # noqa: PLC0415
    from streams.testing.samples import CONSENTS, MALFORMED, consent_samples, generate  # noqa: PLC0415

    records = [json.dumps(s.record).encode() for s in generate(20, seed=3)]
    records += [json.dumps(s.record).encode() for s in consent_samples(5, seed=3)]
    records += [raw for raw, _ in MALFORMED]
    if target == "record":
        return [b"\x00" + r for r in records]
    if target == "redact":
        return [b"\x00\x00" + r for r in records]
    if target == "consent":
        return [b"\x00" + json.dumps(c).encode() for c in CONSENTS.values()]
    if target == "registry":
        events = [
            {"subject_ref": "vk:1", "type": "consent", "at": "2026-11-21T10:00:00Z", "consent": c}
            for c in CONSENTS.values()
            if c is not None
        ] + [{"subject_ref": "vk:1", "type": "erasure", "at": "2026-11-22T08:00:00Z"}]
        return [b"\x01" + json.dumps(e).encode() for e in events]
    policies = Path(__file__).resolve().parents[2] / "streams" / "core" / "policies"
    return [(policies / DEFAULT_POLICY_FILE).read_bytes()]


TARGETS: dict[str, Callable[[bytes], None]] = {
    "record": fuzz_record,
    "consent": fuzz_consent,
    "registry": fuzz_registry,
    "policy": fuzz_policy,
    "redact": fuzz_redact,
}


def signature(exc: BaseException) -> str:
    """What makes two crashes the same bug: the exception's type and the innermost frame of
    the project's code (``streams`` or ``recognizers``) it came through, else the innermost
    (and for a failed assertion of a target, its message)."""
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    ours = [f for f in frames if "/streams/" in f.co_filename or "/recognizers/" in f.co_filename]
    code = (ours or frames or [None])[-1]
    where = f"{Path(code.co_filename).name}:{code.co_name}" if code is not None else "?"
    # An assertion's message is fixed text naming the broken promise: part of the bug.
    said = f" ({exc})" if isinstance(exc, AssertionError) else ""
    return f"{type(exc).__name__} at {where}{said}"


CRASHES = Path(__file__).resolve().parent / "crashes"


def saved_crashes(target: str) -> list[Path]:
    """The inputs kept for ``target`` in ``tests/fuzz/crashes/<target>/``."""
    folder = CRASHES / target
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
