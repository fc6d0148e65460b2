"""The consent registry as the worker holds it: later entries win, events wait for a current
registry after each assignment."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import faust
import orjson

from streams.core.consent import RegistryEntry
from streams.core.consent_events import encode_entry, parse_event
from streams.core.policy import Policy
from streams.settings import Settings
from streams.worker.tables import ConsentTables

SUBJECT = "vk:1001"
EARLY = datetime(2026, 1, 1, tzinfo=UTC)
LATE = datetime(2026, 6, 1, tzinfo=UTC)


def make_tables() -> ConsentTables:
    app = faust.App("tables-test", broker="kafka://127.0.0.1:9", autodiscover=False)
    return ConsentTables(app, Settings(), Policy(version="t"), None)


def value(at: datetime) -> bytes:
    return encode_entry(RegistryEntry(at=at, consent=None), None)


def test_the_entry_later_in_the_changelog_wins_whichever_is_read_first() -> None:
    tables = make_tables()
    key = SUBJECT.encode()
    tables._read_entry(0, 7, key, value(LATE))
    tables._read_entry(0, 3, key, value(EARLY))  # read after, written before
    entry = tables.entry(SUBJECT)
    assert entry is not None and entry.at == LATE
    tables._read_entry(0, 9, key, None)
    assert tables.entry(SUBJECT) is None, "a deletion read later removes the entry"
    assert SUBJECT not in [c.subject_ref for c in tables.people.since(None).changes]


def test_consent_events_wait_for_a_current_registry_after_each_assignment() -> None:
    tables = make_tables()
    answers = [False, True, True]
    calls: list[bool] = []
    written: list[bytes] = []

    async def current() -> bool:
        calls.append(answers[len(calls)])
        return calls[-1]

    async def write(key: bytes, entry: bytes) -> int:
        written.append(key)
        return len(written)

    tables.current = current  # type: ignore[method-assign]
    tables._write_consent = write  # type: ignore[method-assign]
    body = {
        "subject_ref": SUBJECT,
        "type": "consent",
        "at": "2026-11-01T00:00:00Z",
        "consent": {"status": "withdrawn", "withdrawn_at": "2026-11-01T00:00:00Z"},
    }
    event = parse_event(SUBJECT.encode(), orjson.dumps(body))

    async def scenario() -> None:
        await tables.apply(event)  # the registry is not current at first: it waits, retries
        assert calls == [False, True] and len(written) == 1
        await tables.apply(event)
        assert calls == [False, True], "current since the last assignment: no new wait"
        await tables.on_assigned()
        await tables.apply(event)
        assert calls == [False, True, True]

    asyncio.run(scenario())
