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

A record carries one subject (``subject_ref``); the registry may hold a newer statement for that
subject. :func:`resolve` picks the statement that applies: a record without current consent
(state ``none`` or ``expired``) takes the registry's; when both say something, the newer
statement wins (the record's ``withdrawn_at`` or ``valid_from``, the registry event's ``at``),
and on a tie or with no times the more restrictive one. The result is a
:class:`ConsentSnapshot`, which is what the policy, the clean record's ``redaction`` block and
the audit topic see. A snapshot never holds the evidence text, only a short hash of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

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


class Jurisdiction(StrEnum):
    """Whose law the consent was given under."""

    RU = "RU"
    EU = "EU"
    OTHER = "OTHER"


#: Most restrictive first: on a tie between two statements, the earlier one in this order wins.
_RESTRICTIVENESS = (
    ConsentState.WITHDRAWN,
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


def parse_consent(obj: object) -> Consent:
    """Validate a consent statement. Raises :class:`ConsentError` naming the field."""
    if not isinstance(obj, Mapping):
        raise ConsentError("consent: must be an object")
    status = obj.get("status")
    if status not in ("granted", "withdrawn", "none"):
        raise ConsentError("consent.status: must be granted, withdrawn or none")
    scope = obj.get("scope", [])
    if not isinstance(scope, list) or not all(s in ("processing", "distribution") for s in scope):
        raise ConsentError("consent.scope: must be a list of processing and/or distribution")
    purposes = obj.get("purposes", [])
    if (
        not isinstance(purposes, list)
        or len(purposes) > _MAX_PURPOSES
        or not all(isinstance(p, str) and 0 < len(p) <= _MAX_TEXT for p in purposes)
    ):
        raise ConsentError(
            f"consent.purposes: must be a list of at most {_MAX_PURPOSES} non-empty strings"
        )
    times: dict[str, datetime | None] = {}
    for name in ("valid_from", "valid_until", "withdrawn_at"):
        value = obj.get(name)
        times[name] = None if value is None else parse_time(value, f"consent.{name}")
    valid_from, valid_until = times["valid_from"], times["valid_until"]
    if valid_from is not None and valid_until is not None and valid_until <= valid_from:
        raise ConsentError("consent.valid_until: must be after valid_from")
    jurisdiction = obj.get("jurisdiction")
    if jurisdiction is not None and jurisdiction not in Jurisdiction.__members__:
        raise ConsentError("consent.jurisdiction: must be RU, EU or OTHER")
    evidence = obj.get("evidence")
    if evidence is not None and (not isinstance(evidence, str) or len(evidence) > 4096):
        raise ConsentError("consent.evidence: must be a string of at most 4096 characters")
    return Consent(
        status=str(status),
        scope=frozenset(scope),
        purposes=tuple(sorted(set(purposes))),
        valid_from=valid_from,
        valid_until=valid_until,
        withdrawn_at=times["withdrawn_at"],
        jurisdiction=Jurisdiction(jurisdiction) if jurisdiction is not None else None,
        evidence=evidence,
    )


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """The consent registry's latest word on one subject (see :mod:`streams.core.consent_events`).

    ``at`` is when the statement was made (the event's ``at``); ``consent`` is ``None`` after
    an erasure, which counts as a withdrawal until a newer grant arrives.
    """

    at: datetime
    consent: Consent | None = None
    erased_at: datetime | None = None


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

    def as_dict(self) -> dict[str, Any]:
        """The snapshot as written to the ``redaction`` block and the audit topic."""
        out: dict[str, Any] = {
            "state": self.state.value,
            "jurisdiction": self.jurisdiction.value,
            "origin": self.origin,
        }
        c = self.consent
        if c is not None:
            out["status"] = c.status
            out["scope"] = sorted(c.scope)
            out["purposes"] = list(c.purposes)
            for name, value in (
                ("valid_from", c.valid_from),
                ("valid_until", c.valid_until),
                ("withdrawn_at", c.withdrawn_at),
            ):
                if value is not None:
                    out[name] = format_rfc3339(value)
            if c.evidence is not None:
                digest = hashlib.sha256(c.evidence.encode("utf-8")).hexdigest()
                out["evidence_sha256"] = digest[:16]
        if self.registry_at is not None:
            out["registry_at"] = format_rfc3339(self.registry_at)
        if self.erased:
            out["erased"] = True
        if self.malformed is not None:
            out["record_consent_ignored"] = self.malformed
        return out


def _more_restrictive(a: ConsentState, b: ConsentState) -> bool:
    return _RESTRICTIVENESS.index(a) < _RESTRICTIVENESS.index(b)


def resolve(
    record_consent: object,
    registry: RegistryEntry | None,
    now: datetime,
    *,
    default_jurisdiction: Jurisdiction = Jurisdiction.OTHER,
    purpose: str | None = None,
) -> ConsentSnapshot:
    """The consent that applies to a record at ``now``.

    ``record_consent`` is the record's ``consent`` field as parsed (``None`` when absent);
    ``registry`` the registry's entry for the record's subject, if any.
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
        if own is None or own_state in (ConsentState.NONE, ConsentState.EXPIRED):
            use_registry = True
        else:
            own_at = own.stated_at
            if own_at is not None and own_at != registry.at:
                use_registry = registry.at > own_at
            else:
                use_registry = _more_restrictive(reg_state, own_state)

    if use_registry and registry is not None and reg_state is not None:
        chosen = registry.consent
        state, origin = reg_state, "registry"
    elif own is not None:
        chosen, state, origin = own, own_state, "record"
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
    )
