"""Consent: what a record or the consent registry says, reduced to one state per record.

A consent statement (on a record under ``consent``, or in a registry event) looks like::

    {"status": "granted", "scope": ["processing", "distribution"], "purposes": ["research"],
     "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2027-01-01T00:00:00Z",
     "jurisdiction": "RU", "evidence": "form-2026-118"}

Extra fields are allowed and ignored. Evaluated at a moment ``now`` it gives a
:class:`ConsentState`:

- ``distribution``: granted, scope includes ``distribution``, valid now;
- ``processing``: granted for ``processing`` only, valid now;
- ``expired``: granted, but ``valid_until`` has passed;
- ``withdrawn``: status ``withdrawn``, or ``withdrawn_at`` has passed;
- ``none``: anything else: missing, malformed, status ``none``, not valid yet, a scope that
  names neither use, or purposes that do not include the policy's purpose. Silence is never
  consent (152-FZ art. 10.1).

A sixth state, ``third_party``, is never a record's: it is given to a finding that belongs to
nobody known (:mod:`streams.core.people`): one person's consent never covers another's.

A statement that reads as a withdrawal (status ``withdrawn`` in any case, or a
``withdrawn_at``) is a withdrawal even when other fields are malformed; only a grant has to be
perfect to count (:func:`parse_consent`).

A record carries one subject (``subject_ref``, compared after :func:`normalise_subject_ref`);
the registry may hold a newer statement for that subject. :func:`resolve` picks the statement
that applies: a registry withdrawal or erasure always (only a newer registry grant undoes it);
a record without current consent (state ``none`` or ``expired``) takes the registry's; when
both say something else, the newer statement wins (the record's ``withdrawn_at`` or
``valid_from``, the registry event's ``at``), and on a tie or with no times the more
restrictive one. A record-level grant on a record without ``subject_ref`` counts at most as
``processing``. The result is a :class:`ConsentSnapshot`, which is what the policy, the clean
record's ``redaction`` block and the audit topic see. A snapshot shows no free text of the
statement: purposes only by the policy's own purpose name, evidence only as a keyed HMAC.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from streams.core.pickling import by_constructor
from streams.core.timestamps import format_rfc3339, parse_rfc3339
from streams.errors import ConsentError, TimestampError

_MAX_PURPOSES = 64
_MAX_TEXT = 256


class ConsentState(StrEnum):
    """What a subject has agreed to, at the moment a record is processed."""

    DISTRIBUTION = "distribution"
    PROCESSING = "processing"
    NONE = "none"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    #: Not a record's state: a finding that belongs to nobody the registry or the record knows
    #: (:mod:`streams.core.people`). Nobody consented, so the policy may only redact it.
    THIRD_PARTY = "third_party"


class Jurisdiction(StrEnum):
    """Whose law the consent was given under."""

    RU = "RU"
    EU = "EU"
    OTHER = "OTHER"


#: Most restrictive first: on a tie between two statements, the earlier one in this order wins.
_RESTRICTIVENESS = (
    ConsentState.WITHDRAWN,
    ConsentState.THIRD_PARTY,
    ConsentState.EXPIRED,
    ConsentState.NONE,
    ConsentState.PROCESSING,
    ConsentState.DISTRIBUTION,
)


def parse_time(value: object, name: str) -> datetime:
    """An RFC 3339 timestamp as an aware datetime. Raises :class:`ConsentError` naming
    ``name``."""
    try:
        return parse_rfc3339(value)
    except TimestampError as exc:
        if exc.shape_ok:
            raise ConsentError(f"{name}: not a real date and time") from None
        raise ConsentError(
            f"{name}: must be an RFC 3339 time such as 2026-11-21T10:00:00Z"
        ) from None


@by_constructor
@dataclass(frozen=True, slots=True)
class Consent:
    """A well-formed consent statement."""

    status: str
    scope: frozenset[str] = frozenset()
    purposes: tuple[str, ...] = ()
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    withdrawn_at: datetime | None = None
    jurisdiction: Jurisdiction | None = None
    evidence: str | None = None
    #: Fields that were not well formed in a statement read as a withdrawal (names only).
    irregular: tuple[str, ...] = ()

    def state(self, now: datetime, purpose: str | None = None) -> ConsentState:
        """The state this statement gives at ``now`` (for ``purpose``, if the policy has one)."""
        if self.status == "withdrawn" or (
            self.withdrawn_at is not None and self.withdrawn_at <= now
        ):
            return ConsentState.WITHDRAWN
        if self.status != "granted":
            return ConsentState.NONE
        if self.valid_from is not None and now < self.valid_from:
            return ConsentState.NONE
        if self.valid_until is not None and now >= self.valid_until:
            return ConsentState.EXPIRED
        if purpose is not None and purpose not in self.purposes:
            return ConsentState.NONE
        if "distribution" in self.scope:
            return ConsentState.DISTRIBUTION
        if "processing" in self.scope:
            return ConsentState.PROCESSING
        return ConsentState.NONE

    @property
    def stated_at(self) -> datetime | None:
        """When this statement was made, as far as it says: withdrawal, else start of validity."""
        return self.withdrawn_at if self.withdrawn_at is not None else self.valid_from


def normalise_subject_ref(value: str) -> str:
    """The one form of a subject reference used for every lookup (registry entries, subject
    keys, the identity index), for records and registry events alike: Unicode NFKC, surrounding
    whitespace stripped, the whole reference case-folded (``" VK:101 "``, ``"vk:101"`` and
    ``"ＶＫ:101"`` are one subject). Case-folding the whole reference, not only the scheme, can
    merge two references that differ only in case; for the random or numeric ids platforms use
    that is negligible, while a producer spelling one person's reference two ways is common and
    would otherwise miss a withdrawal. The result may be empty: callers refuse that."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


def _fold(value: object) -> object:
    """A string stripped and case-folded (for reading a withdrawal leniently); else as is."""
    return (
        unicodedata.normalize("NFKC", value).strip().casefold() if isinstance(value, str) else value
    )


#: An unpaired surrogate: a string holding one cannot be written as UTF-8 (the record parser
#: refuses such messages; a statement built in code is checked here too).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _status(obj: Mapping[str, Any]) -> str:
    status = obj.get("status")
    if status not in ("granted", "withdrawn", "none"):
        raise ConsentError("consent.status: must be granted, withdrawn or none")
    return str(status)


def _scope(obj: Mapping[str, Any]) -> frozenset[str]:
    scope = obj.get("scope", [])
    if not isinstance(scope, list) or not all(s in ("processing", "distribution") for s in scope):
        raise ConsentError("consent.scope: must be a list of processing and/or distribution")
    return frozenset(scope)


def _purposes(obj: Mapping[str, Any]) -> tuple[str, ...]:
    purposes = obj.get("purposes", [])
    if (
        not isinstance(purposes, list)
        or len(purposes) > _MAX_PURPOSES
        or not all(isinstance(p, str) and 0 < len(p) <= _MAX_TEXT for p in purposes)
        or any(_SURROGATE.search(p) for p in purposes)
    ):
        raise ConsentError(
            f"consent.purposes: must be a list of at most {_MAX_PURPOSES} non-empty strings"
            " of text (no unpaired surrogates)"
        )
    return tuple(sorted(set(purposes)))


def _time(obj: Mapping[str, Any], name: str) -> datetime | None:
    value = obj.get(name)
    return None if value is None else parse_time(value, f"consent.{name}")


def _jurisdiction(obj: Mapping[str, Any]) -> Jurisdiction | None:
    jurisdiction = obj.get("jurisdiction")
    # isinstance first: an object or list is unhashable, and `in` would raise TypeError.
    if jurisdiction is not None and (
        not isinstance(jurisdiction, str) or jurisdiction not in Jurisdiction.__members__
    ):
        raise ConsentError("consent.jurisdiction: must be RU, EU or OTHER")
    return Jurisdiction(jurisdiction) if jurisdiction is not None else None


def _evidence(obj: Mapping[str, Any]) -> str | None:
    evidence = obj.get("evidence")
    if evidence is not None and (
        not isinstance(evidence, str) or len(evidence) > 4096 or _SURROGATE.search(evidence)
    ):
        raise ConsentError(
            "consent.evidence: must be a string of at most 4096 characters of text"
            " (no unpaired surrogates)"
        )
    return evidence


def reads_as_withdrawal(obj: object) -> bool:
    """Whether a consent statement, however malformed otherwise, says it is withdrawn: its
    ``status`` is ``withdrawn`` in any case or spacing, or it carries a ``withdrawn_at``."""
    return isinstance(obj, Mapping) and (
        _fold(obj.get("status")) == "withdrawn" or obj.get("withdrawn_at") is not None
    )


_T = TypeVar("_T")


def _lenient_withdrawal(obj: Mapping[str, Any]) -> Consent:
    """A statement that reads as a withdrawal but is not well formed, taken as a withdrawal.
    Every field that is not well formed is dropped (a case-variant jurisdiction is read) and
    named in ``irregular``."""
    irregular: list[str] = []

    def read(name: str, reader: Callable[[Mapping[str, Any]], _T], fallback: _T) -> _T:
        try:
            return reader(obj)
        except ConsentError:
            irregular.append(f"consent.{name}")
            return fallback

    if obj.get("status") != "withdrawn":
        irregular.append("consent.status")
    jurisdiction = read("jurisdiction", _jurisdiction, None)
    if jurisdiction is None and isinstance(obj.get("jurisdiction"), str):
        folded = str(obj["jurisdiction"]).strip().upper()
        jurisdiction = Jurisdiction(folded) if folded in Jurisdiction.__members__ else None
    withdrawn_at = read("withdrawn_at", lambda o: _time(o, "withdrawn_at"), None)
    return Consent(
        status="withdrawn",
        scope=read("scope", _scope, frozenset()),
        purposes=read("purposes", _purposes, ()),
        valid_from=read("valid_from", lambda o: _time(o, "valid_from"), None),
        valid_until=read("valid_until", lambda o: _time(o, "valid_until"), None),
        withdrawn_at=withdrawn_at,
        jurisdiction=jurisdiction,
        evidence=read("evidence", _evidence, None),
        irregular=tuple(irregular),
    )


def parse_consent(obj: object) -> Consent:
    """Validate a consent statement. Raises :class:`ConsentError` naming the field.

    Only a grant has to be perfect to count. A statement that :func:`reads_as_withdrawal` but is
    not well formed (``"WITHDRAWN"``, a scope ``Distribution``, a jurisdiction ``ru``, a time
    without a zone) is a withdrawal all the same: its ``status`` becomes ``withdrawn`` and
    :attr:`Consent.irregular` names the fields that were not well formed, never their values.
    """
    try:
        return _strict_consent(obj)
    except ConsentError:
        if isinstance(obj, Mapping) and reads_as_withdrawal(obj):
            return _lenient_withdrawal(obj)
        raise


def _strict_consent(obj: object) -> Consent:
    if not isinstance(obj, Mapping):
        raise ConsentError("consent: must be an object")
    status, scope, purposes = _status(obj), _scope(obj), _purposes(obj)
    valid_from, valid_until = _time(obj, "valid_from"), _time(obj, "valid_until")
    withdrawn_at = _time(obj, "withdrawn_at")
    if valid_from is not None and valid_until is not None and valid_until <= valid_from:
        raise ConsentError("consent.valid_until: must be after valid_from")
    return Consent(
        status=status,
        scope=scope,
        purposes=purposes,
        valid_from=valid_from,
        valid_until=valid_until,
        withdrawn_at=withdrawn_at,
        jurisdiction=_jurisdiction(obj),
        evidence=_evidence(obj),
    )


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """The consent registry's latest word on one subject (see :mod:`streams.core.consent_events`).

    ``at`` is when the statement was made (the event's ``at``, never later than the worker's
    clock plus :data:`streams.core.consent_events.MAX_CLOCK_SKEW` when it was applied;
    ``future_dated`` says it was clamped); ``consent`` is ``None`` after an erasure, which
    counts as a withdrawal until a newer grant arrives.
    """

    at: datetime
    consent: Consent | None = None
    erased_at: datetime | None = None
    future_dated: bool = False

    def withdrawn(self, now: datetime) -> bool:
        """Whether this entry is a withdrawal or an erasure at ``now``."""
        return self.consent is None or self.consent.state(now) is ConsentState.WITHDRAWN


@dataclass(frozen=True, slots=True)
class EvidenceKey:
    """The key that makes a consent's ``evidence`` text a keyed digest (see
    :func:`streams.core.keys.evidence_key`): without the key, digests of guessed evidence (a phone
    number, a form id) cannot be computed, so they cannot be matched."""

    key_id: str
    key: bytes = field(repr=False)

    def digest(self, text: str) -> str:
        """``<key id>:<128 bits of HMAC-SHA-256 of text>``."""
        mac = hmac.new(self.key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
        return f"{self.key_id}:{mac}"


@by_constructor
@dataclass(frozen=True, slots=True)
class ConsentSnapshot:
    """The consent used for one record: its state and the statement behind it, no raw text."""

    state: ConsentState
    jurisdiction: Jurisdiction
    origin: str  # "record", "registry" or "none"
    consent: Consent | None = None
    malformed: str | None = None  # why the record's own statement was ignored
    registry_at: datetime | None = None
    erased: bool = False
    purpose: str | None = None  # the policy's purpose: the one purpose name shown as is
    limited: str | None = None  # why a record-level grant counts for less than it says

    def as_dict(self, evidence_key: EvidenceKey | None = None) -> dict[str, Any]:
        """The snapshot as written to the ``redaction`` block and the audit topic.

        No free text of the statement is copied: ``purposes`` lists only the policy's own
        purpose name (others are counted in ``other_purposes``), and ``evidence`` appears only
        as ``evidence_hmac``, keyed by ``evidence_key`` (none without a key).
        """
        out: dict[str, Any] = {
            "state": self.state.value,
            "jurisdiction": self.jurisdiction.value,
            "origin": self.origin,
        }
        c = self.consent
        if c is not None:
            out["status"] = c.status
            out["scope"] = sorted(c.scope)
            known = [p for p in c.purposes if p == self.purpose]
            out["purposes"] = known
            if len(c.purposes) > len(known):
                out["other_purposes"] = len(c.purposes) - len(known)
            for name, value in (
                ("valid_from", c.valid_from),
                ("valid_until", c.valid_until),
                ("withdrawn_at", c.withdrawn_at),
            ):
                if value is not None:
                    out[name] = format_rfc3339(value)
            if c.evidence is not None and evidence_key is not None:
                out["evidence_hmac"] = evidence_key.digest(c.evidence)
            if c.irregular:
                out["irregular"] = list(c.irregular)
        if self.registry_at is not None:
            out["registry_at"] = format_rfc3339(self.registry_at)
        if self.erased:
            out["erased"] = True
        if self.malformed is not None:
            out["record_consent_ignored"] = self.malformed
        if self.limited is not None:
            out["record_consent_limited"] = self.limited
        return out


def _more_restrictive(a: ConsentState, b: ConsentState) -> bool:
    return _RESTRICTIVENESS.index(a) < _RESTRICTIVENESS.index(b)


def most_restrictive(snapshots: Iterable[ConsentSnapshot]) -> ConsentSnapshot:
    """The most restrictive of ``snapshots`` (the first of equals). Raises ``ValueError`` when
    there are none."""
    chosen: ConsentSnapshot | None = None
    for snapshot in snapshots:
        if chosen is None or _more_restrictive(snapshot.state, chosen.state):
            chosen = snapshot
    if chosen is None:
        raise ValueError("no consent to choose from")
    return chosen


#: Why a record-level grant without ``subject_ref`` counts at most as ``processing``.
NO_SUBJECT_LIMIT = "no subject_ref: a grant nobody can withdraw counts at most as processing"


def resolve(
    record_consent: object,
    registry: RegistryEntry | None,
    now: datetime,
    *,
    subject_ref: str | None,
    default_jurisdiction: Jurisdiction = Jurisdiction.OTHER,
    purpose: str | None = None,
) -> ConsentSnapshot:
    """The consent that applies to a record at ``now``.

    ``record_consent`` is the record's ``consent`` field as parsed (``None`` when absent);
    ``registry`` the registry's entry for the record's subject, if any; ``subject_ref`` the
    record's subject reference (``None`` when it has none).

    - A registry withdrawal or erasure always applies: a record-level grant cannot override
      it, only a newer registry grant can.
    - A record without current consent (``none``, ``expired``) takes the registry's state.
    - Otherwise the newer statement wins (the record's ``withdrawn_at`` or ``valid_from``, the
      registry entry's ``at``); on a tie or with no times, the more restrictive one.
    - A record-level ``distribution`` grant on a record without ``subject_ref`` counts as
      ``processing``: no registry event can ever withdraw it.
    """
    malformed: str | None = None
    own: Consent | None = None
    if record_consent is not None:
        try:
            own = parse_consent(record_consent)
        except ConsentError as exc:
            malformed = str(exc)
    own_state = own.state(now, purpose) if own is not None else ConsentState.NONE

    reg_state: ConsentState | None = None
    if registry is not None:
        reg_state = (
            registry.consent.state(now, purpose)
            if registry.consent is not None
            else ConsentState.WITHDRAWN  # erased: nothing may be done until a newer grant
        )

    use_registry = False
    if reg_state is not None and registry is not None:
        # A registry withdrawal or erasure is never overridden by the record; a record
        # without current consent takes the registry's.
        if (
            reg_state is ConsentState.WITHDRAWN
            or own is None
            or own_state in (ConsentState.NONE, ConsentState.EXPIRED)
        ):
            use_registry = True
        else:
            own_at = own.stated_at
            if own_at is not None and own_at != registry.at:
                use_registry = registry.at > own_at
            else:
                use_registry = _more_restrictive(reg_state, own_state)

    limited: str | None = None
    if use_registry and registry is not None and reg_state is not None:
        chosen = registry.consent
        state, origin = reg_state, "registry"
    elif own is not None:
        chosen, state, origin = own, own_state, "record"
        anonymous = subject_ref is None or not normalise_subject_ref(subject_ref)
        if anonymous and state is ConsentState.DISTRIBUTION:
            state, limited = ConsentState.PROCESSING, NO_SUBJECT_LIMIT
    else:
        chosen, state, origin = None, ConsentState.NONE, "none"
    jurisdiction = (
        chosen.jurisdiction
        if chosen is not None and chosen.jurisdiction is not None
        else default_jurisdiction
    )
    return ConsentSnapshot(
        state=state,
        jurisdiction=jurisdiction,
        origin=origin,
        consent=chosen,
        malformed=malformed,
        registry_at=registry.at if registry is not None else None,
        erased=registry is not None and registry.erased_at is not None and use_registry,
        purpose=purpose,
        limited=limited,
    )
