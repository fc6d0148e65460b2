"""Per-person consent: whose consent decides each finding of a record.

One person's consent never covers another's (152-FZ art. 10.1, GDPR): a profile's subject
consenting to distribution says nothing about the people commenting under it. So each finding
is attributed (:mod:`streams.core.attribution`) to

- the record's **subject**, when its value matches the subject's identity (``consent.identity``
  on the record, or the identity the subject registered): judged under the record's consent,
  as resolved for the record (:func:`streams.core.consent.resolve`);
- a **registered** person, when it matches the identity of somebody else who registered with
  the consent registry: judged under that person's own registry entry, whoever the record is
  about;
- otherwise a **third party**: nobody consented, the finding gets the state ``third_party``
  (the built-in policy redacts it; a policy can never keep or mask it,
  :mod:`streams.core.policy`).

A value that matches several people (namesakes) is judged under the most restrictive of their
consents. A value that cannot be normalised belongs to nobody: fail closed. So does every
finding of a record without any identity: a record must say whose values it holds for any of
them to be published.

:class:`People` is the registered people as one process sees them: the fingerprint index and the
registry entries of the indexed subjects; the worker keeps it in its detection process, fed
with :class:`PersonChange` deltas (:mod:`streams.worker.people`). :class:`RecordPeople`
answers, for one record, whose consent decides each finding.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from streams.core.attribution import (
    THIRD_PARTY,
    Attribution,
    Fingerprints,
    IdentityError,
    IdentityIndex,
    Person,
    parse_identity,
)
from streams.core.consent import (
    ConsentSnapshot,
    ConsentState,
    RegistryEntry,
    most_restrictive,
    normalise_subject_ref,
)
from streams.core.keys import Keyring
from streams.errors import KeyringError

log = logging.getLogger("piiredact.core")


@dataclass(frozen=True, slots=True)
class PersonChange:
    """One registered subject as it now stands: their identity fingerprints (``None``: not
    indexed: erased, or never gave an identity) and their registry entry (``None``: none)."""

    subject_ref: str
    fingerprints: Fingerprints | None
    entry: RegistryEntry | None


@dataclass(slots=True)
class People:
    """The registered people one process knows: who each fingerprint belongs to, and the
    registry entry of everyone indexed. Holds the keyring the fingerprints are keyed by (also
    used for a record's own ``consent.identity``), never a clear identity value."""

    keyring: Keyring = field(repr=False)
    index: IdentityIndex = field(init=False, repr=False)
    entries: dict[str, RegistryEntry] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.index = IdentityIndex(self.keyring)

    def __len__(self) -> int:
        return len(self.index)

    def apply(self, changes: Iterable[PersonChange]) -> None:
        """Fold changes in (the last one per subject wins). A change whose fingerprints were
        made under a key the keyring no longer has unindexes that subject (their findings in
        other people's records become third parties: fail closed)."""
        for change in changes:
            ref = normalise_subject_ref(change.subject_ref)
            if change.fingerprints is None:
                self.index.remove(ref)
                self.entries.pop(ref, None)
                continue
            try:
                self.index.add_fingerprints(ref, change.fingerprints)
            except KeyringError:
                log.error("a registered identity was keyed by a removed key; not indexed")
                self.index.remove(ref)
                self.entries.pop(ref, None)
                continue
            if change.entry is None:
                self.entries.pop(ref, None)
            else:
                self.entries[ref] = change.entry

    def for_record(
        self,
        subject_ref: str | None,
        record_consent: Mapping[str, object] | None,
        subject: ConsentSnapshot,
        registry_consent: RegistryConsent,
    ) -> RecordPeople:
        """Whose consent decides the findings of one record about ``subject_ref``, whose own
        ``consent`` (holding any ``identity``) is ``record_consent`` and whose consent as
        resolved is ``subject``. ``registry_consent`` turns a registered person's entry into
        their consent (the policy's :meth:`~streams.core.policy.Policy.consent` at the batch's
        moment)."""
        identity: Fingerprints | None = None
        ignored: str | None = None
        raw = record_consent.get("identity") if record_consent is not None else None
        if raw is not None:
            try:
                identity = self.index.fingerprints(parse_identity(raw, "consent.identity"))
            except IdentityError as exc:
                ignored = str(exc)
        return RecordPeople(self, subject_ref, identity, subject, registry_consent, ignored)


class ConsentResolver(Protocol):
    """What :class:`RegistryConsent` needs: :meth:`streams.core.policy.Policy.consent`."""

    def __call__(
        self,
        record_consent: object,
        registry: RegistryEntry | None,
        now: datetime,
        *,
        subject_ref: str | None,
    ) -> ConsentSnapshot: ...


class RegistryConsent:
    """A registered person's consent at one moment, from their registry entry (none: the
    state ``none``)."""

    def __init__(self, resolve: ConsentResolver, now: datetime) -> None:
        self._resolve = resolve
        self._now = now

    def __call__(self, entry: RegistryEntry | None, subject_ref: str) -> ConsentSnapshot:
        return self._resolve(None, entry, self._now, subject_ref=subject_ref)


@dataclass(slots=True)
class RecordPeople:
    """For one record: whose consent decides each finding (:meth:`consent_of`). Answers are
    remembered per value, so a name repeated in a record is attributed once."""

    people: People
    subject_ref: str | None
    identity: Fingerprints | None
    subject: ConsentSnapshot
    registry_consent: RegistryConsent
    #: Why the record's ``consent.identity`` was ignored (its findings are then third parties
    #: unless the subject registered an identity), never a value.
    identity_ignored: str | None = None
    _seen: dict[tuple[str, str], tuple[Person, ConsentSnapshot]] = field(
        default_factory=dict, repr=False
    )

    def consent_of(self, entity_type: str, value: str) -> tuple[Person, ConsentSnapshot]:
        """Whose a finding ``value`` of ``entity_type`` is, and the consent that decides it."""
        key = (entity_type, value)
        known = self._seen.get(key)
        if known is None:
            known = self._seen[key] = self._judge(entity_type, value)
        return known

    def _judge(self, entity_type: str, value: str) -> tuple[Person, ConsentSnapshot]:
        try:
            attribution = self.people.index.attribute(
                entity_type, value, self.subject_ref, self.identity
            )
        except KeyringError:  # a record identity under a key gone from the keyring
            attribution = THIRD_PARTY
        return attribution.person, self._consent(attribution)

    def _consent(self, attribution: Attribution) -> ConsentSnapshot:
        if attribution.person is Person.THIRD_PARTY:
            return self.third_party
        snapshots = [self.subject] if attribution.person is Person.SUBJECT else []
        for ref in attribution.subject_refs:
            snapshots.append(self.registry_consent(self.people.entries.get(ref), ref))
        return most_restrictive(snapshots) if snapshots else self.third_party

    @property
    def third_party(self) -> ConsentSnapshot:
        """The consent of a finding nobody known owns in this record."""
        return third_party_consent(self.subject)


def third_party_consent(subject: ConsentSnapshot) -> ConsentSnapshot:
    """The consent of a finding nobody known owns, in a record whose subject's consent is
    ``subject``: none, state ``third_party``, the record's jurisdiction and the policy's
    purpose."""
    return ConsentSnapshot(
        state=ConsentState.THIRD_PARTY,
        jurisdiction=subject.jurisdiction,
        origin="none",
        purpose=subject.purpose,
    )
