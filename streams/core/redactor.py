"""The pure redaction core's entry point: :class:`Redactor` turns raw messages into outcomes.

Each message is prepared once: parsed (:mod:`streams.core.envelope`) and its consent resolved
(its own ``consent`` field and the registry's entry for its ``subject_ref``, at one moment
``now`` per batch). Detection runs once per batch over every string of every record; if it
raises, each record is analysed alone so one bad record cannot hold back the rest, and a record
whose own analysis fails is quarantined with ``detection_error`` (fail closed). The policy is
then applied to each record (:func:`streams.core.decide.decide`). A step that raises on one
message quarantines that message alone (``worker_error``). Every valid record also yields an
audit entry. Outputs are deterministic: the same message always yields the same bytes, except
where the policy says ``encrypt`` (each encryption has a fresh IV, see
:mod:`streams.core.reveal`).

The detector is anything with ``analyze(texts) -> findings per text``
(:class:`~streams.core.redactor.Detector`); the real one is
:class:`recognizers.engine.Detector`, which the core never imports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from recognizers.findings import Finding
from streams.core.consent import ConsentSnapshot, RegistryEntry, normalise_subject_ref
from streams.core.decide import RecordContext, decide
from streams.core.envelope import Limits, Record, Slot, collect_slots, parse_record
from streams.core.keys import KeyBook, Keyring
from streams.core.outcome import Outcome, Reason, dead_letter, quarantine, worker_error
from streams.core.people import People, RecordPeople, RegistryConsent
from streams.core.policy import Policy
from streams.core.pseudonym import Pseudonymiser
from streams.core.reveal import RevealCipher
from streams.errors import InvalidRecord, PiiRedactError

log = logging.getLogger("piiredact.core")


class Detector(Protocol):
    """What the core needs of a detector: findings for each text, in order."""

    def analyze(
        self, texts: Sequence[str], contexts: Sequence[str | None] | None = None
    ) -> list[list[Finding]]:
        """Findings for each of ``texts``; ``contexts`` gives each text's nearest JSON key."""
        ...


@dataclass(frozen=True, slots=True)
class _Parsed:
    record: Record
    slots: list[Slot]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A valid record made ready for detection: parsed once (``slots`` are its scanned strings)
    and its consent resolved once, at the batch's moment. The worker prepares a batch before it
    sends it to the detection process, which detects and decides on exactly this."""

    record: Record
    slots: list[Slot]
    consent: ConsentSnapshot


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Redactor:
    """Turns batches of raw messages into outcomes with one detector and one policy.

    Two steps, which the worker runs in two processes and :meth:`redact_batch` runs in one:
    :meth:`prepare` (parse, resolve consent: no detector needed) and :meth:`judge` (detect,
    pseudonymise, apply the policy).

    ``keys`` makes pseudonyms (required when the policy pseudonymises; without it such records
    are quarantined with ``key_unavailable``). ``reveal`` encrypts for the ``encrypt`` action,
    under the reveal keyring (not the pseudonymisation keys; without it such records are
    quarantined with ``key_unavailable``). ``clock`` gives the moment consent is judged at.
    ``people`` are the registered people whose consent decides their findings in any record
    (:mod:`streams.core.people`); by default nobody is registered, and the fingerprints of a
    record's own ``consent.identity`` are keyed by a random key made for this process.
    """

    def __init__(
        self,
        detector: Detector,
        policy: Policy,
        limits: Limits = Limits(),  # noqa: B008
        *,
        keys: KeyBook | None = None,
        reveal: RevealCipher | None = None,
        clock: Callable[[], datetime] = _utcnow,
        people: People | None = None,
    ) -> None:
        self.people = people if people is not None else People(Keyring.generate("identity"))
        self.detector = detector
        self.policy = policy
        self.limits = limits
        self.keys = keys
        self.reveal = reveal
        self.clock = clock

    def parse(self, raw: bytes) -> _Parsed | Outcome:
        """The parsed record with its slots, a dead-letter outcome, or a ``worker_error``
        quarantine if the parser itself raised (never an exception)."""
        try:
            record = parse_record(raw, self.limits)
            return _Parsed(record, collect_slots(record, self.limits))
        except InvalidRecord as error:
            return dead_letter(error)
        except Exception as exc:
            log.error("parsing a message failed (%s)", type(exc).__name__)
            return worker_error(f"parsing raised {type(exc).__name__}")

    def consent_of(
        self, record: Record, registry: Mapping[str, RegistryEntry], now: datetime
    ) -> ConsentSnapshot:
        """The consent that applies to ``record`` at ``now``: the registry is looked up by the
        subject reference in its one normal form
        (:func:`~streams.core.consent.normalise_subject_ref`)."""
        ref = record.subject_ref
        entry = registry.get(normalise_subject_ref(ref)) if ref is not None else None
        return self.policy.consent(record.consent, entry, now, subject_ref=ref)

    def prepare(
        self, raws: Sequence[bytes], registry: Mapping[str, RegistryEntry], now: datetime
    ) -> list[Prepared | Outcome]:
        """Each message parsed and its consent resolved at ``now`` with ``registry`` (the
        registry's entries by subject; only ``get`` is used), or its outcome already: a dead
        letter, or ``worker_error`` if a step raised. Never raises for one message."""
        out: list[Prepared | Outcome] = []
        for raw in raws:
            parsed = self.parse(raw)
            if isinstance(parsed, Outcome):
                out.append(parsed)
                continue
            try:
                consent = self.consent_of(parsed.record, registry, now)
            except Exception as exc:
                log.error("resolving consent failed for one record (%s)", type(exc).__name__)
                out.append(worker_error(f"resolving consent raised {type(exc).__name__}"))
                continue
            out.append(Prepared(parsed.record, parsed.slots, consent))
        return out

    def subjects_wanting_keys(self, prepared: Sequence[Prepared | Outcome]) -> list[str]:
        """The subjects of ``prepared`` records whose consent lets the policy pseudonymise: the
        ones that need a pseudonym key, each once, in order."""
        wanted: dict[str, None] = {}
        for p in prepared:
            if (
                isinstance(p, Prepared)
                and p.record.subject_ref is not None
                and self.policy.may_pseudonymise(p.consent)
                and (ref := normalise_subject_ref(p.record.subject_ref))
            ):
                wanted[ref] = None
        return list(wanted)

    def judge(
        self,
        prepared: Sequence[Prepared],
        keys: KeyBook | None,
        now: datetime,
        people: People | None = None,
    ) -> list[Outcome]:
        """One outcome per prepared record, in order: detection over the whole batch (each
        record alone if that raises), then each record's pseudonym key, whose consent decides
        each finding (``people``, else the redactor's) and the policy. A record whose step
        raises is quarantined alone (``detection_error``, ``worker_error``)."""
        known = people if people is not None else self.people
        registry_consent = RegistryConsent(self.policy.consent, now)
        outcomes: list[Outcome] = []
        detected = self._detect(prepared)
        for p, found in zip(prepared, detected, strict=True):
            if isinstance(found, Exception):
                outcomes.append(
                    quarantine(
                        p.record.id,
                        Reason.DETECTION_ERROR,
                        f"detector raised {type(found).__name__}",
                        policy_version=self.policy.version,
                        consent=p.consent,
                    )
                )
                continue
            id_findings, slot_findings = found
            try:
                context = RecordContext(
                    p.consent,
                    self._pseudonymiser(p, keys, now),
                    self.reveal,
                    self._record_people(known, p, registry_consent),
                )
                outcome = decide(
                    p.record, p.slots, id_findings, slot_findings, self.policy, context
                )
            except Exception as exc:
                log.error("applying the policy failed for one record (%s)", type(exc).__name__)
                outcome = worker_error(f"applying the policy raised {type(exc).__name__}")
            outcomes.append(outcome)
        return outcomes

    def redact_batch(
        self,
        raws: Sequence[bytes],
        *,
        registry: Mapping[str, RegistryEntry] | None = None,
        keys: KeyBook | None = None,
        now: datetime | None = None,
    ) -> list[Outcome]:
        """One outcome per message, in order: :meth:`prepare` then :meth:`judge` in this
        process. Never raises for one message's failure.

        ``registry`` holds the consent registry's entries by subject, ``keys`` overrides the
        redactor's key book for this batch, ``now`` the moment consent is judged at.
        """
        moment = now if now is not None else self.clock()
        book = keys if keys is not None else self.keys
        prepared = self.prepare(raws, registry if registry is not None else {}, moment)
        valid = [p for p in prepared if isinstance(p, Prepared)]
        return merge(prepared, self.judge(valid, book, moment))

    def held(self, prepared: Sequence[Prepared], reason: Reason, detail: str) -> list[Outcome]:
        """Outcomes for prepared records whose detection did not finish: each quarantined with
        ``reason``, its consent kept for the audit."""
        return [
            quarantine(
                p.record.id, reason, detail, policy_version=self.policy.version, consent=p.consent
            )
            for p in prepared
        ]

    def unanalysed(self, raws: Sequence[bytes], reason: Reason, detail: str) -> list[Outcome]:
        """Outcomes for messages whose detection did not finish: valid records are quarantined
        with ``reason``, invalid ones dead-lettered as usual."""
        outcomes: list[Outcome] = []
        for raw in raws:
            p = self.parse(raw)
            outcomes.append(
                p
                if isinstance(p, Outcome)
                else quarantine(p.record.id, reason, detail, policy_version=self.policy.version)
            )
        return outcomes

    @staticmethod
    def _record_people(
        people: People, prepared: Prepared, registry_consent: RegistryConsent
    ) -> RecordPeople:
        record = prepared.record
        return people.for_record(
            record.subject_ref, record.consent, prepared.consent, registry_consent
        )

    def _pseudonymiser(
        self, prepared: Prepared, keys: KeyBook | None, now: datetime
    ) -> Pseudonymiser | None:
        if keys is None or not self.policy.may_pseudonymise(prepared.consent):
            return None
        try:
            return keys.for_subject(prepared.record.subject_ref, now)
        except PiiRedactError as exc:  # a damaged or unreadable key: fail closed
            # Not the record id: it may itself hold personal data.
            log.warning("a pseudonym key is unusable (%s); record quarantined", exc)
            return None

    def _detect(
        self, batch: Sequence[Prepared]
    ) -> list[tuple[list[Finding], list[list[Finding]]] | Exception]:
        """Per record, the findings in its id and in each of its slots; the exception for a
        record whose detection raised. The batch is analysed at once and, if that raises, one
        record at a time, so one bad record cannot hold back the rest."""
        try:
            return list(self._analyse(batch))
        except Exception as exc:
            if len(batch) > 1:
                log.warning(
                    "detection failed for a batch of %d records (%s); retrying one by one",
                    len(batch),
                    type(exc).__name__,
                )
            else:
                log.warning("detection failed for one record (%s); quarantined", type(exc).__name__)
                return [exc]
        results: list[tuple[list[Finding], list[list[Finding]]] | Exception] = []
        for p in batch:
            try:
                results.extend(self._analyse([p]))
            except Exception as one_exc:
                log.warning(
                    "detection failed for one record (%s); quarantined", type(one_exc).__name__
                )
                results.append(one_exc)
        return results

    def _analyse(
        self, batch: Sequence[Prepared]
    ) -> list[tuple[list[Finding], list[list[Finding]]]]:
        texts: list[str] = []
        names: list[str | None] = []
        for p in batch:
            texts.append(p.record.id)
            names.append(None)
            for slot in p.slots:
                texts.append(slot.text)
                names.append(_nearest_key(slot))
        findings = self.detector.analyze(texts, names) if texts else []
        out: list[tuple[list[Finding], list[list[Finding]]]] = []
        cursor = 0
        for p in batch:
            out.append((findings[cursor], findings[cursor + 1 : cursor + 1 + len(p.slots)]))
            cursor += 1 + len(p.slots)
        return out


def _nearest_key(slot: Slot) -> str | None:
    """The key of the object a value under ``data`` sits in (through any lists), which says what
    the value is (``{"phone": "4951234567"}``); ``None`` for a key itself and outside ``data``."""
    if slot.kind == "key" or slot.segments[0] != "data":
        return None
    for segment in reversed(slot.segments[1:]):
        if isinstance(segment, str):
            return segment
    return None


def merge(prepared: Sequence[Prepared | Outcome], judged: Sequence[Outcome]) -> list[Outcome]:
    """The outcomes of a batch in message order: each prepared record's from ``judged`` (one per
    :class:`Prepared`, in order), the others as :meth:`Redactor.prepare` made them."""
    if len(judged) != sum(isinstance(p, Prepared) for p in prepared):
        raise ValueError("one judged outcome per prepared record is needed")
    rest = iter(judged)
    return [next(rest) if isinstance(p, Prepared) else p for p in prepared]
