"""The registered people, kept by the worker and mirrored in its detection process.

Whose consent decides a finding (:mod:`streams.core.people`) is answered in the detection
process, which must therefore know every registered person's identity fingerprints and
registry entry. The worker's :class:`PeopleLog` is fed with each consent registry entry that
becomes a subject's (this worker's writes at once, other workers' as they are read; the
registry, :mod:`streams.worker.tables`, decides which of two entries wins, so an older one
never undoes a newer one) and numbers each change. Each detection call carries a
:class:`PeopleUpdate`: everything, to a fresh detection process, else only what changed since
the call before. The child folds it into its
:class:`~streams.core.people.People` (:func:`apply_update`).

Nothing here holds a clear identity value: only keyed fingerprints.
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from dataclasses import dataclass

from streams.core.attribution import Fingerprints
from streams.core.consent import RegistryEntry, normalise_subject_ref
from streams.core.consent_events import decode_entry, entry_fingerprints
from streams.core.keys import Keyring
from streams.core.people import People, PersonChange

log = logging.getLogger("piiredact.worker")


@dataclass(frozen=True, slots=True)
class PeopleUpdate:
    """What a detection call carries: all people (``full``, with the keyring the fingerprints
    are keyed by) or the changes after the previous call; ``version`` is the log's."""

    full: bool
    version: int
    changes: tuple[PersonChange, ...]
    keyring: Keyring | None = None


def ephemeral_keyring() -> Keyring:
    """A keyring for identity fingerprints when none is configured: they then hold only until
    the worker restarts (a stored fingerprint under its key id no longer reads, and is
    dropped, failing closed)."""
    return Keyring.generate(f"ephemeral-{os.urandom(4).hex()}")


class PeopleLog:
    """Every registered subject's latest :class:`~streams.core.people.PersonChange`, numbered."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self.version = 0
        self._latest: OrderedDict[str, tuple[int, PersonChange]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._latest)

    def update(
        self, subject_ref: str, fingerprints: Fingerprints | None, entry: RegistryEntry | None
    ) -> None:
        """Record how one subject now stands (``fingerprints`` ``None``: not indexed)."""
        ref = normalise_subject_ref(subject_ref)
        known = self._latest.get(ref)
        if fingerprints is None and (known is None or known[1].fingerprints is None):
            # Never indexed: nothing for detection to learn or forget.
            self._latest.pop(ref, None)
            return
        self.version += 1
        self._latest[ref] = (self.version, PersonChange(ref, fingerprints, entry))
        self._latest.move_to_end(ref)

    def update_from_table(self, key: bytes, value: bytes | None) -> None:
        """Record a consent registry entry that has become the subject's (``None``: deleted);
        which entry wins when two meet is decided before (``ConsentTables._remember``)."""
        ref = key.decode("utf-8", "replace")
        if value is None:
            self.update(ref, None, None)
            return
        try:
            entry, _consent = decode_entry(value)
            fingerprints = entry_fingerprints(value)
        except ValueError:
            # Unreadable: the registry view reads it as withdrawn; unindex the subject.
            log.error("consent table entry unreadable; its identity is not indexed")
            self.update(ref, None, None)
            return
        self.update(ref, fingerprints if entry.consent is not None else None, entry)

    def since(self, version: int | None) -> PeopleUpdate:
        """Everything (``version`` ``None``: a fresh detection process), else the changes
        after ``version``."""
        if version is None:
            changes = tuple(change for _v, change in self._latest.values())
            return PeopleUpdate(True, self.version, changes, self.keyring)
        newer: list[PersonChange] = []
        for v, change in reversed(self._latest.values()):
            if v <= version:
                break
            newer.append(change)
        newer.reverse()
        return PeopleUpdate(False, self.version, tuple(newer))

    def snapshot(self) -> People:
        """The people as a detection process would hold them (for one in this process)."""
        return apply_update(None, self.since(None))


def apply_update(people: People | None, update: PeopleUpdate) -> People:
    """``people`` with ``update`` folded in (a full update starts afresh)."""
    if update.full or people is None:
        if update.keyring is None:
            raise ValueError("a full people update carries its keyring")
        people = People(update.keyring)
    people.apply(update.changes)
    return people
