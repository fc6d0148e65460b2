"""The worker's two global tables: the consent registry and the subject keys.

Every worker holds all of each, fed by a compacted changelog:

- ``consent``: the consent registry. The consent agent folds events from the consent topic into
  it (:mod:`streams.core.consent_events`); invalid events go to the dead-letter topic. An entry
  keeps the subject's identity only as keyed fingerprints (a grant's ``identity``; a later
  withdrawal without one keeps them, an erasure removes them); every entry written, and every
  one read from the changelog (other workers' writes, recovery), updates
  :attr:`ConsentTables.people`
  (:class:`~streams.worker.people.PeopleLog`), which the detection process mirrors.
- ``subject-keys``: each subject's pseudonym key, wrapped under the keyring
  (:mod:`streams.core.keys`). The redact agent creates a key the first time a subject needs one
  and waits until the broker has stored it before using it; an erasure deletes it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator, Mapping
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
)
from streams.core.keys import KeyBook, Keyring, WrappedKey, new_subject_key
from streams.core.policy import Policy, PseudonymScope
from streams.errors import KeyringError
from streams.settings import Settings
from streams.worker.people import PeopleLog, ephemeral_keyring

log = logging.getLogger("piiredact.worker")

_ERASED_UNREADABLE = RegistryEntry(at=datetime(1970, 1, 1, tzinfo=UTC), consent=None)


class ConsentTables:
    """The consent registry and the subject keys, as Faust global tables."""

    def __init__(
        self, app: faust.App, settings: Settings, policy: Policy, keyring: Keyring | None
    ) -> None:
        self.settings = settings
        self.policy = policy
        self.keyring = keyring
        #: The registered people's fingerprints and entries, for the detection process.
        self.people = PeopleLog(keyring if keyring is not None else ephemeral_keyring())
        self._identities = IdentityIndex(self.people.keyring)  # makes fingerprints, holds none
        # Written by key (use_partitioner), not by the partition of the event being processed:
        # a subject's entries always land in one changelog partition, whoever writes them.
        self.consent, self.keys = (
            app.GlobalTable(
                name,
                default=None,
                key_type=bytes,
                value_type=bytes,
                partitions=settings.topic_partitions,
                use_partitioner=True,
                on_changelog_event=self._on_consent_changelog if name == "consent" else None,
            )
            for name in ("consent", "subject-keys")
        )

    async def _on_consent_changelog(self, event: Any) -> None:
        """Every consent changelog record read (recovery at start, other workers' writes)."""
        key = event.key
        if isinstance(key, bytes):
            value = event.value
            offset = event.message.offset
            self.people.update_from_table(key, value if isinstance(value, bytes) else None, offset)

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

    def entry(self, subject_ref: str) -> RegistryEntry | None:
        """The registry's entry for ``subject_ref``; an unreadable one counts as withdrawn."""
        raw = self.consent.get(subject_ref.encode("utf-8"))
        if raw is None:
            return None
        try:
            return decode_entry(raw)[0]
        except ValueError:
            log.error("consent table entry unreadable; treating the subject as withdrawn")
            return _ERASED_UNREADABLE

    async def apply(self, event: ConsentEvent) -> bool:
        """Fold one registry event in; ``False`` if it was older than the entry and ignored."""
        key = event.subject_ref.encode("utf-8")
        updated = apply_event(self.entry(event.subject_ref), event, datetime.now(UTC))
        if updated is None:
            return False
        fingerprints = self._fingerprints(event, key) if updated.consent is not None else None
        value = encode_entry(updated, event.raw_consent, fingerprints)
        offset = await self.store(self.consent, key, value)
        # At once, with its changelog offset, so that older entries read back after it (the
        # changelog trails the table) cannot undo it.
        self.people.update_from_table(key, value, offset)
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
        raw = self.consent.get(key)
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


class _RegistryView(Mapping[str, RegistryEntry]):
    """The consent table as a read-only mapping of subject to entry (:meth:`ConsentTables.entry`
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
