"""One batch of raw messages through detection to output messages: :class:`BatchHandler`.

Detection runs in a killable child process with a time budget
(:class:`~streams.worker.detection.DetectionProcess`). Whatever goes wrong with one message,
or with a whole batch, ends in an outcome for every message: a batch that times out is
quarantined (``detection_timeout``), one whose process died twice or whose detection could not
run (``detection_error``), one the process answered only in part or that could not be prepared
(``worker_error``), and a message whose outputs cannot be made (``worker_error``) alone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from recognizers.engine import Detector
from streams.core.consent import RegistryEntry
from streams.core.keys import KeyBook
from streams.core.outcome import Outcome, Reason, Verdict, worker_error
from streams.core.redactor import Prepared, Redactor, merge
from streams.errors import DetectionError, DetectionTimeout
from streams.settings import Settings
from streams.worker.detection import DetectionProcess, Prebuilt, RedactorFactory
from streams.worker.people import PeopleLog
from streams.worker.routing import OutputMessage, SourceMessage, audit_message, bounded, route

log = logging.getLogger("piiredact.worker")


def source_of(event: Any) -> SourceMessage:
    """The input message behind a Faust event."""
    message = event.message
    raw_headers = message.headers or []
    items = raw_headers.items() if isinstance(raw_headers, dict) else raw_headers
    headers = [(str(k), bytes(v) if v is not None else b"") for k, v in items]
    value = message.value if message.value is not None else b""
    return SourceMessage(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key,
        value=bytes(value),
        headers=headers,
    )


class Detection(Protocol):
    """What runs :meth:`~streams.core.Redactor.judge` for the worker: the detection process
    (:class:`~streams.worker.detection.DetectionProcess`), or anything alike (tests use one
    in this process)."""

    async def judge(
        self,
        prepared: Sequence[Prepared],
        keys: KeyBook | None,
        now: datetime,
        people: PeopleLog | None = None,
    ) -> list[Outcome]: ...

    def close(self) -> None: ...


class BatchHandler:
    """Processes one batch: :meth:`prepare` here (parse once, consent once), detection and the
    policy in a killable child process with a time budget (:meth:`outcomes`), then routing
    (:meth:`messages`).

    ``redactor`` is either a :class:`~streams.worker.detection.RedactorFactory` (the worker: the
    child loads the models, this process never does) or a ready :class:`Redactor`, which is
    pickled into the child. Either way this process keeps a detector-less redactor to prepare
    batches and to quarantine those whose detection failed. ``detection`` replaces the detection
    process made from them.
    """

    def __init__(
        self,
        redactor: Redactor | RedactorFactory,
        settings: Settings,
        *,
        detection: Detection | None = None,
    ) -> None:
        if isinstance(redactor, RedactorFactory):
            factory: RedactorFactory | Prebuilt = redactor
            redactor = Redactor(Detector([], []), redactor.policy, redactor.limits)
        else:
            factory = Prebuilt(redactor)
        #: prepares and quarantines here; detection happens in the child
        self.redactor = redactor
        self.settings = settings
        self.detection: Detection = detection or DetectionProcess(
            factory, timeout=settings.detection_timeout
        )

    def prepare(
        self,
        sources: Sequence[SourceMessage],
        registry: Mapping[str, RegistryEntry],
        now: datetime,
    ) -> list[Prepared | Outcome]:
        """Each message parsed once and its consent resolved once (or its outcome already)."""
        return self.redactor.prepare([s.value for s in sources], registry, now)

    async def outcomes(
        self,
        sources: Sequence[SourceMessage],
        prepared: Sequence[Prepared | Outcome],
        keys: KeyBook | None,
        now: datetime,
        people: PeopleLog | None = None,
    ) -> list[Outcome]:
        """One outcome per message; never raises for a detection failure or timeout. Each
        finding is judged under the consent of its person among ``people``.

        A batch past ``detection_timeout`` is quarantined (``detection_timeout``) and its
        detection process killed; a batch whose process died twice, or whose detection could
        not run, is quarantined with ``detection_error``; one the process answered only in part
        with ``worker_error``.
        """
        valid = [p for p in prepared if isinstance(p, Prepared)]
        if not valid:
            return merge(prepared, [])
        try:
            judged = await self.detection.judge(valid, keys, now, people)
        except DetectionTimeout:
            log.warning(
                "detection exceeded %.1fs for a batch of %d messages from %s; quarantined",
                self.settings.detection_timeout,
                len(sources),
                _where(sources),
            )
            judged = self.redactor.held(
                valid,
                Reason.DETECTION_TIMEOUT,
                f"detection exceeded {self.settings.detection_timeout:g}s",
            )
        except DetectionError as error:
            log.error(
                "detection failed for a batch of %d messages from %s (%s); quarantined",
                len(sources),
                _where(sources),
                error,
            )
            judged = self.redactor.held(valid, Reason.DETECTION_ERROR, str(error))
        if len(judged) != len(valid):
            log.error(
                "the detection process returned %d outcomes for %d records from %s; quarantined",
                len(judged),
                len(valid),
                _where(sources),
            )
            judged = self.redactor.held(
                valid, Reason.WORKER_ERROR, "the detection process returned a partial batch"
            )
        return merge(prepared, judged)

    def unprepared(
        self,
        sources: Sequence[SourceMessage],
        detail: str,
        reason: Reason = Reason.WORKER_ERROR,
    ) -> list[Outcome]:
        """Outcomes for a batch the worker could not prepare: every valid record is quarantined
        with ``reason`` (invalid ones dead-lettered as usual)."""
        return self.redactor.unanalysed([s.value for s in sources], reason, detail)

    def messages(
        self, sources: Sequence[SourceMessage], detected: Sequence[Outcome]
    ) -> tuple[list[Outcome], list[OutputMessage]]:
        """The outcomes as they will be written (a clean record too large to write is
        quarantined: :func:`~streams.worker.routing.bounded`) and their output messages (each
        outcome and its audit entry), logging quarantines and dead letters."""
        outcomes: list[Outcome] = []
        out: list[OutputMessage] = []
        for source, found in zip(sources, detected, strict=True):
            try:
                outcome, message = bounded(found, source, self.settings)
                audit = audit_message(outcome, source, self.settings)
            except Exception as exc:  # one message's output cannot be made: it alone is held
                log.error(
                    "making the outputs of one message failed (%s): topic=%s partition=%d "
                    "offset=%d; quarantined",
                    type(exc).__name__,
                    source.topic,
                    source.partition,
                    source.offset,
                )
                outcome = worker_error(f"making its outputs raised {type(exc).__name__}")
                message = route(outcome, source, self.settings)
                audit = audit_message(outcome, source, self.settings)
            outcomes.append(outcome)
            if outcome.verdict is not Verdict.CLEAN:
                log.info(
                    "%s: topic=%s partition=%d offset=%d id=%s reason=%s types=%s",
                    outcome.verdict.value,
                    source.topic,
                    source.partition,
                    source.offset,
                    outcome.shown_id or "<hidden>",
                    outcome.reason,
                    ",".join(f"{k}:{v}" for k, v in sorted(outcome.counts.items())) or "-",
                )
            out.append(message)
            out.append(audit)
        return outcomes, out

    def close(self) -> None:
        """Stop the detection process."""
        self.detection.close()


def _where(sources: Sequence[SourceMessage]) -> str:
    parts = sorted({(s.topic, s.partition) for s in sources})
    return ", ".join(f"{t}[{p}]" for t, p in parts)


async def _ready(outcomes: list[Outcome]) -> list[Outcome]:
    """Outcomes already made, as the overlap's detection step."""
    return outcomes
