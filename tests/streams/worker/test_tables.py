"""The consent registry as the worker holds it: later entries win, events wait for a current
registry after each assignment."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import faust
import orjson

from streams.core.consent import RegistryEntry, parse_consent
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


def granted(at: datetime) -> bytes:
    consent = {"status": "granted", "scope": ["distribution"]}
    return encode_entry(RegistryEntry(at=at, consent=parse_consent(consent)), consent)


def test_an_older_grant_written_after_a_withdrawal_does_not_undo_it() -> None:
    # A worker that had not read the withdrawal yet folded an older grant and wrote it later
    # (the subject's events came under keys spelt differently, on two workers).
    tables = make_tables()
    key = SUBJECT.encode()
    tables._read_entry(0, 3, key, value(LATE))  # the withdrawal
    tables._read_entry(0, 4, key, granted(EARLY))
    entry = tables.entry(SUBJECT)
    assert entry is not None and entry.consent is None and entry.at == LATE
    tables._read_entry(0, 5, key, granted(LATE + (LATE - EARLY)))
    entry = tables.entry(SUBJECT)
    assert entry is not None and entry.consent is not None, "a newer grant does"


def test_a_withdrawal_in_another_partition_wins_by_its_time_not_its_offset() -> None:
    # The changelog gained partitions: the subject's key now lands in partition 1, where the
    # offsets are far lower than in the partition its grant was written to.
    tables = make_tables()
    key = SUBJECT.encode()
    tables._read_entry(0, 500, key, granted(EARLY))
    tables._read_entry(1, 3, key, value(LATE))
    entry = tables.entry(SUBJECT)
    assert entry is not None and entry.consent is None
    tables._read_entry(0, 500, key, granted(EARLY))  # read again after a restart
    entry = tables.entry(SUBJECT)
    assert entry is not None and entry.consent is None


def test_an_unreadable_entry_reads_as_withdrawn_until_a_later_write() -> None:
    tables = make_tables()
    key = SUBJECT.encode()
    tables._read_entry(0, 1, key, granted(LATE))
    tables._read_entry(0, 2, key, b"{not json")
    entry = tables.entry(SUBJECT)
    assert entry is not None and entry.consent is None, "fail closed"
    tables._read_entry(1, 9, key, granted(LATE))  # elsewhere: not a later write
    entry = tables.entry(SUBJECT)
    assert entry is not None and entry.consent is None
    tables._read_entry(0, 3, key, granted(EARLY))
    entry = tables.entry(SUBJECT)
    assert entry is not None and entry.consent is not None


def test_consent_events_wait_for_a_current_registry_after_each_assignment() -> None:
    tables = make_tables()
    answers = [False, True, True]
    calls: list[bool] = []
    written: list[bytes] = []

    async def current() -> bool:
        calls.append(answers[len(calls)])
        return calls[-1]

    async def write(key: bytes, entry: bytes) -> tuple[int, int]:
        written.append(key)
        return 0, len(written)

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


class _Ack:
    def __init__(self, offset: int) -> None:
        self.offset = offset


class _FlakyProducer:
    """Fails the first ``failures`` fence writes, then acknowledges each at offset 5."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[int] = []

    async def send(self, topic: str, key: bytes, value: bytes, partition: int, *_: object) -> Any:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("broker gone for a moment")
        self.sent.append(partition)
        done: asyncio.Future[_Ack] = asyncio.get_running_loop().create_future()
        done.set_result(_Ack(5))
        return done


class _Follower:
    """A follower that has read everything up to offset 5 of partitions 0 and 1."""

    partitions = (0, 1)
    stopped = False

    def __init__(self) -> None:
        self.waited: list[dict[int, int]] = []

    async def start(self) -> None:
        return None

    async def wait_until(self, offsets: dict[int, int], patience: float) -> bool:
        self.waited.append(offsets)
        return True


def tables_with(producer: _FlakyProducer, wait: float) -> tuple[ConsentTables, _Follower]:
    app = faust.App("tables-test", broker="kafka://127.0.0.1:9", autodiscover=False)
    tables = ConsentTables(app, Settings(registry_wait_timeout=wait), Policy(version="t"), None)
    follower = _Follower()
    tables.follower = follower  # type: ignore[assignment]
    tables._app = SimpleNamespace(producer=producer)  # type: ignore[assignment]
    return tables, follower


def test_a_failed_fence_write_is_tried_again_within_the_wait() -> None:
    producer = _FlakyProducer(failures=2)
    tables, follower = tables_with(producer, wait=10.0)
    assert asyncio.run(tables.current()) is True
    assert producer.sent == [0, 1] and follower.waited == [{0: 5, 1: 5}]


def test_fences_that_cannot_be_written_within_the_wait_fail_closed() -> None:
    producer = _FlakyProducer(failures=10**6)
    tables, follower = tables_with(producer, wait=0.3)
    started = time.monotonic()
    assert asyncio.run(tables.current()) is False
    assert time.monotonic() - started < 5, "it gave up after the wait"
    assert follower.waited == [], "no barrier without fences"
