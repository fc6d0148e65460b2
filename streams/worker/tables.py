"""The worker's consent registry and subject keys.

- ``consent``: the consent registry, a compacted changelog topic
  (``<app id>-consent-changelog``) that every worker reads whole, on a consumer of its own
  (:class:`~streams.worker.follower.ChangelogFollower`, which no rebalance pauses). The consent
  agent folds events from the consent topic into it (:mod:`streams.core.consent_events`);
  invalid events go to the dead-letter topic. An entry keeps the subject's identity only as
  keyed fingerprints (a grant's ``identity``; a later withdrawal without one keeps them, an
  erasure removes them); every entry written, and every one read (other workers' writes, the
  registry read at start), updates :attr:`ConsentTables.people`
  (:class:`~streams.worker.people.PeopleLog`), which the detection process mirrors. Of two
  entries for a subject the later statement wins (by its time, the rules events are folded
  by), whichever is read or written first: two workers can write one subject's entries (its
  events sent under keys spelt differently, a changelog that gained partitions).
- ``subject-keys``: each subject's pseudonym key, wrapped under the keyring
  (:mod:`streams.core.keys`), a Faust global table. The redact agent creates a key the first
  time a subject needs one and waits until the broker has stored it before using it; an
  erasure deletes it.

**A batch is judged against a registry as current as the moment it was taken**
(:meth:`ConsentTables.current`): fences are written to every changelog partition and the batch
waits until the follower has read them (see :mod:`streams.worker.follower`); if it cannot, the
batch is quarantined (``registry_unconfirmed``), never published. A consent event is folded in
once the registry has been read up to a fence written after the worker's last assignment, so
the worker's copy of its own subjects' entries is current; an event folded into a copy that
had not read another worker's newer entry yet makes an older statement, which loses to that
entry on every worker.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import faust

from streams.core.attribution import Fingerprints, IdentityError, IdentityIndex
from streams.core.consent import RegistryEntry
from streams.core.consent_events import (
    ConsentEvent,
    apply_event,
    decode_entry,
    encode_entry,
    entry_fingerprints,
    supersedes,
)
from streams.core.keys import KeyBook, Keyring, WrappedKey, new_subject_key
from streams.core.policy import Policy, PseudonymScope
from streams.errors import KeyringError
from streams.settings import Settings
from streams.worker.follower import FENCE_KEY, ChangelogFollower
from streams.worker.people import PeopleLog, ephemeral_keyring

log = logging.getLogger("piiredact.worker")

#: Seconds between two tries to write the fences.
FENCE_RETRY_SECONDS = 0.5

_ERASED_UNREADABLE = RegistryEntry(at=datetime(1970, 1, 1, tzinfo=UTC), consent=None)


class ConsentTables:
    """The consent registry (read by a follower, see the module) and the subject keys (a Faust
    global table)."""

    def __init__(
        self, app: faust.App, settings: Settings, policy: Policy, keyring: Keyring | None
    ) -> None:
        self.settings = settings
        self.policy = policy
        self.keyring = keyring
        self._app = app
        #: The registered people's fingerprints and entries, for the detection process.
        self.people = PeopleLog(keyring if keyring is not None else ephemeral_keyring())
        self._identities = IdentityIndex(self.people.keyring)  # makes fingerprints, holds none
        self.consent_topic = settings.changelog_topics[0]
        #: The registry: each subject's entry as read or written (see :meth:`_remember`).
        self._entries: dict[bytes, _Kept] = {}
        self.follower = ChangelogFollower(settings, self.consent_topic, self._read_entry)
        #: Assignments seen, and the last one after which the registry was read up to a fence.
        self._assignments = 0
        self._current_since = -1
        # Written by key (use_partitioner), not by the partition of the event being processed:
        # a subject's key always lands in one changelog partition, whoever writes it.
        self.keys = app.GlobalTable(
            "subject-keys",
            default=None,
            key_type=bytes,
            value_type=bytes,
            partitions=settings.topic_partitions,
            use_partitioner=True,
        )

    def _read_entry(self, partition: int, offset: int, key: bytes, value: bytes | None) -> None:
        """A consent changelog record the follower read."""
        self._remember(key, value, partition, offset)

    def _remember(self, key: bytes, value: bytes | None, partition: int, offset: int) -> None:
        """Keep ``value`` (the record at ``offset`` of changelog ``partition``) as the
        subject's entry unless the entry kept already wins over it (:func:`_replaces`), in
        whichever order the two are read or written."""
        kept = self._entries.get(key)
        entry = _decoded(value)
        if kept is not None and not _replaces(kept, value, entry, partition, offset):
            return
        self._entries[key] = _Kept(partition, offset, value, entry)
        self.people.update_from_table(key, value)

    async def on_assigned(self, *_args: Any, **_kwargs: Any) -> None:
        """Partitions assigned (Faust's ``on_partitions_assigned``): consent events wait for the
        registry to be read up to a fence again (:meth:`apply`)."""
        self._assignments += 1

    async def stop(self, *_args: Any, **_kwargs: Any) -> None:
        """The worker stops (Faust's ``on_before_shutdown``): the follower's consumer closes."""
        await self.follower.stop()

    async def current(self) -> bool:
        """Wait until the registry holds every entry written before now: a fence written to
        every changelog partition, then read back by the follower. ``False`` (fail closed) if
        the fences cannot be written within ``registry_wait_timeout`` seconds (a failed write
        is tried again until then) or the follower then reads nothing for that long."""
        if self.follower.stopped:  # shutting down: nothing will be read any more
            return False
        patience = self.settings.registry_wait_timeout
        deadline = time.monotonic() + patience
        while True:
            try:
                offsets = await self._write_fences()
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.follower.stopped:
                    log.warning("writing the consent fences failed (%s)", type(exc).__name__)
                    return False
                log.info("writing the consent fences failed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(min(FENCE_RETRY_SECONDS, remaining))
        reached = await self.follower.wait_until(offsets, patience)
        if not reached:
            log.warning(
                "the consent registry was not read up to its fences within %gs of no progress",
                patience,
            )
        return reached

    async def _write_fences(self) -> dict[int, int]:
        """One fence per changelog partition; their offsets, once the broker has stored them."""
        await self.follower.start()
        sent: list[asyncio.Future[Any]] = []  # what Faust's producer returns
        try:
            for partition in self.follower.partitions:
                future = await self._app.producer.send(
                    self.consent_topic, FENCE_KEY, b"", partition, None, None
                )
                sent.append(asyncio.ensure_future(future))
            acks = await asyncio.gather(*sent)
        except BaseException:
            for future in sent:  # their outcome no longer matters: retrieved, not raised
                future.add_done_callback(_retrieved)
            raise
        return {
            partition: int(ack.offset)
            for partition, ack in zip(self.follower.partitions, acks, strict=True)
        }

    async def _write_consent(self, key: bytes, value: bytes) -> tuple[int, int]:
        """Append one registry entry to the changelog; its partition and offset once stored."""
        sent = await self._app.producer.send(self.consent_topic, key, value, None, None, None)
        ack = await sent
        return int(ack.partition), int(ack.offset)

    @staticmethod
    async def store(table: Any, key: bytes, value: bytes | None) -> int | None:
        """Write one table entry and wait until the broker has its changelog record; returns
        the record's changelog offset, if the broker said."""
        if value is None:
            table.data.pop(key, None)
            future = table.send_changelog(None, key, None, value_serializer="raw")
        else:
            table.data[key] = value
            future = table.send_changelog(None, key, value)
        offset = getattr(await future, "offset", None)
        return offset if isinstance(offset, int) else None

    def _raw_entry(self, key: bytes) -> bytes | None:
        kept = self._entries.get(key)
        return None if kept is None else kept.value

    def entry(self, subject_ref: str) -> RegistryEntry | None:
        """The registry's entry for ``subject_ref``; an unreadable one counts as withdrawn."""
        kept = self._entries.get(subject_ref.encode("utf-8"))
        if kept is None or kept.value is None:
            return None
        if kept.entry is None:
            log.error("consent table entry unreadable; treating the subject as withdrawn")
            return _ERASED_UNREADABLE
        return kept.entry

    async def apply(self, event: ConsentEvent) -> bool:
        """Fold one registry event in; ``False`` if it was older than the entry and ignored.
        The first event after an assignment waits until the registry is current (retrying
        until it is, so that no event is folded into a registry still being read)."""
        while self._current_since < self._assignments:
            assignments = self._assignments
            if await self.current():
                self._current_since = assignments
            else:
                await asyncio.sleep(1.0)
        key = event.subject_ref.encode("utf-8")
        updated = apply_event(self.entry(event.subject_ref), event, datetime.now(UTC))
        if updated is None:
            return False
        fingerprints = self._fingerprints(event, key) if updated.consent is not None else None
        value = encode_entry(updated, event.raw_consent, fingerprints)
        partition, offset = await self._write_consent(key, value)
        # At once (the follower reads it back later); entries read after it replace it only
        # if they win over it (:func:`_replaces`), so an older one cannot undo it.
        self._remember(key, value, partition, offset)
        if event.type == "erasure":
            await self.store(self.keys, key, None)
        return True

    def _fingerprints(self, event: ConsentEvent, key: bytes) -> Fingerprints | None:
        """The subject's identity fingerprints after ``event``: the event's identity, else
        (a withdrawal need not repeat it) the ones stored before."""
        if event.identity is not None:
            try:
                return self._identities.fingerprints(event.identity)
            except IdentityError:  # validated when parsed; a value that cannot be read
                log.warning("a consent event's identity cannot be fingerprinted; not indexed")
                return None
        raw = self._raw_entry(key)
        if raw is None:
            return None
        try:
            return entry_fingerprints(raw)
        except ValueError:
            return None

    @property
    def registry(self) -> Mapping[str, RegistryEntry]:
        """The registry's entries by subject, read from the table as they are looked up."""
        return _RegistryView(self)

    def _stored_key(self, subject_ref: str, entry: RegistryEntry | None) -> WrappedKey | None:
        """The subject's stored key, unless an erasure came after it was made."""
        raw = self.keys.get(subject_ref.encode("utf-8"))
        if raw is None:
            return None
        wrapped = WrappedKey.decode(raw)
        erased_at = entry.erased_at if entry is not None else None
        return wrapped if erased_at is None or wrapped.created_at >= erased_at else None

    async def key_book(self, subjects: Iterable[str], now: datetime) -> KeyBook | None:
        """The key book for a batch whose ``subjects`` need pseudonym keys (their consent lets
        the policy pseudonymise); makes (and stores) the keys they lack. A subject whose key
        cannot be read or stored is left out: its records are quarantined."""
        if self.keyring is None or not self.policy.uses_pseudonyms:
            return None
        book = KeyBook(self.keyring, self.policy.pseudonym_scope.value)
        if self.policy.pseudonym_scope is not PseudonymScope.SUBJECT:
            return book
        pending: list[tuple[str, WrappedKey]] = []
        for ref in subjects:
            try:
                wrapped = self._stored_key(ref, self.entry(ref))
            except KeyringError:
                log.error("a stored subject key is unreadable; its records are quarantined")
                continue
            if wrapped is not None:
                book.store[ref] = wrapped
            else:
                pending.append((ref, new_subject_key(self.keyring, ref, now)))
        if not pending:
            return book
        writes = (self.store(self.keys, r.encode("utf-8"), w.encode()) for r, w in pending)
        try:
            await asyncio.wait_for(asyncio.gather(*writes), timeout=self.settings.key_wait_timeout)
        except Exception as exc:  # includes TimeoutError: fail closed
            log.warning(
                "storing %d new subject keys failed (%s); their records are quarantined",
                len(pending),
                type(exc).__name__,
            )
            return book
        book.store.update(pending)
        return book


@dataclass(frozen=True, slots=True)
class _Kept:
    """A subject's entry as the worker holds it: where in the changelog it was written, its
    value (``None``: deleted) and the value decoded (``None``: deleted or unreadable)."""

    partition: int
    offset: int
    value: bytes | None
    entry: RegistryEntry | None


def _retrieved(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def _decoded(value: bytes | None) -> RegistryEntry | None:
    if value is None:
        return None
    try:
        return decode_entry(value)[0]
    except ValueError:
        return None


def _replaces(
    kept: _Kept,
    value: bytes | None,
    entry: RegistryEntry | None,
    partition: int,
    offset: int,
) -> bool:
    """Whether the changelog record ``value`` (decoded: ``entry``) at ``offset`` of
    ``partition`` replaces the entry ``kept`` for its subject. Two readable entries: the later
    statement (:func:`~streams.core.consent_events.supersedes`), not the later offset: a
    worker that had not read a withdrawal yet can write an older grant after it. A deletion
    replaces only what was written before it in its partition; an unreadable entry replaces
    any (it reads as withdrawn: fail closed) and is replaced only by a later write in its
    partition."""
    same_partition = partition == kept.partition
    if same_partition and offset == kept.offset:
        return False  # the same record, read again
    written_after = same_partition and offset > kept.offset
    if value is None:
        return written_after
    if entry is None:
        return True
    if kept.value is None:
        return written_after or not same_partition
    if kept.entry is None:
        return written_after
    return supersedes(entry, kept.entry, datetime.now(UTC), written_after=written_after)


class _RegistryView(Mapping[str, RegistryEntry]):
    """The consent registry as a read-only mapping of subject to entry (:meth:`ConsentTables.entry`
    per look-up: an unreadable entry reads as withdrawn). Not iterable: only look-ups."""

    def __init__(self, tables: ConsentTables) -> None:
        self._tables = tables

    def __getitem__(self, subject_ref: str) -> RegistryEntry:
        entry = self._tables.entry(subject_ref)
        if entry is None:
            raise KeyError(subject_ref)
        return entry

    def __iter__(self) -> Iterator[str]:
        raise TypeError("the consent registry view only answers look-ups")

    def __len__(self) -> int:
        raise TypeError("the consent registry view only answers look-ups")
