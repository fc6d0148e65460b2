"""The worker's Prometheus metrics, served on ``GET /metrics`` (see :mod:`streams.worker.web`).

Each :class:`Metrics` has its own :class:`prometheus_client.CollectorRegistry`, so several apps
(in tests) never share or clash. Labels hold only names the code defines (outcomes, reasons,
entity types, actions, event types, topic and partition): never a record id, a key or a value.

==========================================  =========  ===================================
metric                                      type       labels
==========================================  =========  ===================================
``piiredact_records_total``                 counter    ``outcome``: clean, quarantine,
                                                       dead_letter
``piiredact_quarantine_total``              counter    ``reason`` (``pii_in_id``, ...)
``piiredact_dead_letter_total``             counter    ``reason`` (``not_json``, ...)
``piiredact_findings_total``                counter    ``entity_type``
``piiredact_actions_total``                 counter    ``action``: keep, mask,
                                                       pseudonymise, redact, quarantine
``piiredact_processing_seconds``            histogram  (per batch: detection and delivery)
``piiredact_batch_size``                    histogram  (messages per batch)
``piiredact_consumer_lag``                  gauge      ``topic``, ``partition``
``piiredact_consent_events_total``          counter    ``type``: consent, erasure, invalid;
                                                       ``result``: applied, ignored,
                                                       dead_letter
==========================================  =========  ===================================
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Mapping, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from streams.core import Outcome, Reason, Verdict

#: The Prometheus text format (0.0.4) that :meth:`Metrics.render` writes.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4

#: Seconds per batch: detection of up to ``batch_size`` records plus delivery.
SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
#: Messages per batch (``batch_size`` is 1..10000).
SIZE_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 10_000)

#: Consent event types and results, as labels.
CONSENT_TYPES = ("consent", "erasure", "invalid")
CONSENT_RESULTS = ("applied", "ignored", "dead_letter")


class Metrics:
    """The worker's metrics on a registry of their own."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        reg = self.registry
        self.records = Counter(
            "piiredact_records", "Input messages by outcome.", ["outcome"], registry=reg
        )
        self.quarantine = Counter(
            "piiredact_quarantine", "Quarantined records by reason.", ["reason"], registry=reg
        )
        self.dead_letter = Counter(
            "piiredact_dead_letter", "Dead-lettered messages by reason.", ["reason"], registry=reg
        )
        self.findings = Counter(
            "piiredact_findings",
            "Personal data found, by entity type (clean and quarantined records).",
            ["entity_type"],
            registry=reg,
        )
        self.actions = Counter(
            "piiredact_actions",
            "Findings by the action the policy chose.",
            ["action"],
            registry=reg,
        )
        self.processing_seconds = Histogram(
            "piiredact_processing_seconds",
            "Seconds per batch: detection and delivery of every outcome.",
            buckets=SECONDS_BUCKETS,
            registry=reg,
        )
        self.batch_size = Histogram(
            "piiredact_batch_size", "Messages per batch.", buckets=SIZE_BUCKETS, registry=reg
        )
        self.consumer_lag = Gauge(
            "piiredact_consumer_lag",
            "Messages of the raw topic not yet committed, per assigned partition.",
            ["topic", "partition"],
            registry=reg,
        )
        self.consent_events = Counter(
            "piiredact_consent_events",
            "Consent registry events by type and result.",
            ["type", "result"],
            registry=reg,
        )
        # Known label values start at 0, so rates and alerts work before the first event.
        for verdict in Verdict:
            self.records.labels(verdict.value)
        for reason in Reason:
            self.quarantine.labels(reason.value)
        for kind in ("consent", "erasure"):
            for result in ("applied", "ignored"):
                self.consent_events.labels(kind, result)
        self.consent_events.labels("invalid", "dead_letter")

    def observe_batch(self, outcomes: Sequence[Outcome], seconds: float) -> None:
        """Count one processed batch: its outcomes, their findings, and the time it took."""
        verdicts: Tally[str] = Tally()
        quarantined: Tally[str] = Tally()
        dead: Tally[str] = Tally()
        entities: Tally[str] = Tally()
        actions: Tally[str] = Tally()
        for outcome in outcomes:
            verdicts[outcome.verdict.value] += 1
            if outcome.verdict is Verdict.QUARANTINE:
                quarantined[outcome.reason or "unknown"] += 1
            elif outcome.verdict is Verdict.DEAD_LETTER:
                dead[outcome.reason or "unknown"] += 1
            for finding in outcome.findings:
                entities[finding.entity_type] += 1
                actions[finding.action] += 1
        _add(self.records, verdicts)
        _add(self.quarantine, quarantined)
        _add(self.dead_letter, dead)
        _add(self.findings, entities)
        _add(self.actions, actions)
        self.processing_seconds.observe(max(0.0, seconds))
        self.batch_size.observe(len(outcomes))

    def observe_consent_event(self, kind: str, result: str) -> None:
        """Count one consent registry event (``kind``: consent, erasure or invalid)."""
        self.consent_events.labels(kind, result).inc()

    def set_lag(self, lags: Mapping[tuple[str, int], int]) -> None:
        """Replace the lag gauge by ``{(topic, partition): lag}`` of the partitions assigned
        now (partitions that went to another worker disappear)."""
        self.consumer_lag.clear()
        for (topic, partition), lag in sorted(lags.items()):
            self.consumer_lag.labels(topic, str(partition)).set(max(0, lag))

    def render(self) -> bytes:
        """Every metric in the Prometheus text format (:data:`CONTENT_TYPE`)."""
        return generate_latest(self.registry)


def _add(counter: Counter, counts: Tally[str]) -> None:
    for label, count in counts.items():
        counter.labels(label).inc(count)
