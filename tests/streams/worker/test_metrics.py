"""Prometheus metrics: the Metrics class alone, then /metrics, /livez, /readyz of a worker."""

from __future__ import annotations

import asyncio
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from streams.core import FindingReport, Outcome, Reason, Verdict
from streams.settings import Settings
from streams.testing.broker import EmbeddedBroker
from streams.testing.demo import demo_messages
from streams.testing.harness import collect, produce, start_worker, stop_worker
from streams.testing.samples import MALFORMED
from streams.worker.metrics import Metrics

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples_of(text: str) -> Samples:
    """Every sample as ``{(name, sorted labels): value}``."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def total(samples: Samples, name: str) -> float:
    return sum(v for (n, _), v in samples.items() if n == name)


def finding(entity: str, action: str) -> FindingReport:
    return FindingReport("data.bio", 0, 5, entity, 1.0, action, rule="default")


def test_a_batch_is_counted_by_outcome_reason_entity_and_action() -> None:
    metrics = Metrics()
    outcomes = [
        Outcome(
            Verdict.CLEAN,
            "r-1",
            findings=(finding("EMAIL_ADDRESS", "redact"), finding("PHONE_NUMBER", "mask")),
        ),
        Outcome(Verdict.CLEAN, "r-2", findings=(finding("EMAIL_ADDRESS", "pseudonymise"),)),
        Outcome(Verdict.CLEAN, "r-3"),
        Outcome(
            Verdict.QUARANTINE,
            "r-4",
            reason=Reason.PII_IN_ID.value,
            findings=(finding("EMAIL_ADDRESS", "quarantine"),),
        ),
        Outcome(Verdict.DEAD_LETTER, reason="not_json", detail="line 1"),
    ]
    metrics.observe_batch(outcomes, 0.3)
    metrics.observe_batch(outcomes[:1], 0.02)
    s = samples_of(metrics.render().decode())

    assert value(s, "piiredact_records_total", outcome="clean") == 4
    assert value(s, "piiredact_records_total", outcome="quarantine") == 1
    assert value(s, "piiredact_records_total", outcome="dead_letter") == 1
    assert value(s, "piiredact_quarantine_total", reason="pii_in_id") == 1
    assert value(s, "piiredact_dead_letter_total", reason="not_json") == 1
    assert value(s, "piiredact_findings_total", entity_type="EMAIL_ADDRESS") == 4
    assert value(s, "piiredact_findings_total", entity_type="PHONE_NUMBER") == 2
    assert value(s, "piiredact_actions_total", action="redact") == 2
    assert value(s, "piiredact_actions_total", action="mask") == 2
    assert value(s, "piiredact_actions_total", action="pseudonymise") == 1
    assert value(s, "piiredact_actions_total", action="quarantine") == 1
    assert value(s, "piiredact_processing_seconds_count") == 2
    assert value(s, "piiredact_processing_seconds_sum") == pytest.approx(0.32)
    assert value(s, "piiredact_processing_seconds_bucket", le="0.025") == 1
    assert value(s, "piiredact_batch_size_count") == 2
    assert value(s, "piiredact_batch_size_sum") == 6
    text = metrics.render().decode()
    assert "r-1" not in text and "line 1" not in text, "no record id or detail in a label"


def test_known_label_values_start_at_zero() -> None:
    s = samples_of(Metrics().render().decode())
    for outcome in ("clean", "quarantine", "dead_letter"):
        assert ("piiredact_records_total", (("outcome", outcome),)) in s
    for reason in Reason:
        assert value(s, "piiredact_quarantine_total", reason=reason.value) == 0
    assert ("piiredact_consent_events_total", (("result", "applied"), ("type", "erasure"))) in s
    assert total(s, "piiredact_records_total") == 0


def test_consent_events_and_lag() -> None:
    metrics = Metrics()
    metrics.observe_consent_event("consent", "applied")
    metrics.observe_consent_event("consent", "applied")
    metrics.observe_consent_event("erasure", "ignored")
    metrics.observe_consent_event("invalid", "dead_letter")
    metrics.set_lag({("x.raw", 0): 12, ("x.raw", 2): 0})
    s = samples_of(metrics.render().decode())
    assert value(s, "piiredact_consent_events_total", type="consent", result="applied") == 2
    assert value(s, "piiredact_consent_events_total", type="erasure", result="ignored") == 1
    assert value(s, "piiredact_consent_events_total", type="invalid", result="dead_letter") == 1
    assert value(s, "piiredact_consumer_lag", topic="x.raw", partition="0") == 12
    assert value(s, "piiredact_consumer_lag", topic="x.raw", partition="2") == 0

    metrics.set_lag({("x.raw", 2): 3})  # partition 0 went to another worker
    s = samples_of(metrics.render().decode())
    assert ("piiredact_consumer_lag", (("partition", "0"), ("topic", "x.raw"))) not in s
    assert value(s, "piiredact_consumer_lag", topic="x.raw", partition="2") == 3


def test_each_metrics_object_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()
    first.observe_batch([Outcome(Verdict.CLEAN, "r")], 0.1)
    assert (
        value(samples_of(second.render().decode()), "piiredact_records_total", outcome="clean") == 0
    )


def test_the_deploy_guide_lists_exactly_these_metrics() -> None:
    guide = (Path(__file__).resolve().parents[3] / "docs" / "deploy.md").read_text()
    documented = set(re.findall(r"^\| `(piiredact_\w+)` \|", guide, flags=re.MULTILINE))
    exposed = {
        f"{family.name}_total" if family.type == "counter" else family.name
        for family in Metrics().registry.collect()
    }
    assert documented == exposed


# --- the worker on the embedded broker ---------------------------------------------------


def get(url: str, timeout: float = 2.0) -> tuple[int, str, bytes]:
    """``(status, content type, body)``; a refused connection raises ``OSError``."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def wait_for(check: Callable[[], bool], timeout: float, alive: Callable[[], bool]) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert alive(), "the worker exited"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


@pytest.mark.broker
def test_worker_serves_health_and_metrics(
    broker: EmbeddedBroker, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings("metrics", batch_size=16, detect_names=False)
    base = f"http://{settings.web_host}:{settings.web_port}"
    samples, messages = demo_messages(25, seed=5)
    expected = {key for key, _ in messages if key is not None}
    consent_events = [
        (b"vk:metrics-1", b'{"subject_ref": "vk:metrics-1", "type": "erasure", '
         b'"at": "2026-01-01T00:00:00Z"}'),
        (b"vk:metrics-2", b'{"subject_ref": "vk:metrics-2", "type": "unknown"}'),
    ]  # fmt: skip
    worker = start_worker(settings, tmp_path / "worker.log")
    alive = lambda: worker.poll() is None  # noqa: E731
    before: list[tuple[int, bytes]] = []
    try:
        # Before the consumer has its partitions, /readyz refuses (or nothing listens yet).
        def ready() -> bool:
            try:
                status, _, body = get(f"{base}/readyz")
            except OSError:
                return False
            before.append((status, body))
            return status == 200

        wait_for(ready, 40, alive)
        for status, body in before[:-1]:
            assert status == 503
            assert set(orjson.loads(body)) == {"status", "reason"}
        assert orjson.loads(before[-1][1]) == {"status": "ready"}
        status, _, body = get(f"{base}/livez")
        assert (status, orjson.loads(body)) == (200, {"status": "ok"})

        asyncio.run(produce(broker.bootstrap_servers, settings.topic_raw, messages))
        asyncio.run(produce(broker.bootstrap_servers, settings.topic_consent, consent_events))
        asyncio.run(
            collect(
                broker.bootstrap_servers,
                settings,
                lambda c: expected <= set(c.keys()),
                timeout=30,
                alive=alive,
            )
        )

        scraped: dict[str, object] = {}

        def counted() -> bool:
            status, ctype, body = get(f"{base}/metrics")
            scraped.update(status=status, ctype=ctype, text=body.decode())
            s = samples_of(body.decode())
            consent = total(s, "piiredact_consent_events_total")
            lags = [v for (n, _), v in s.items() if n == "piiredact_consumer_lag"]
            return (
                total(s, "piiredact_records_total") == len(messages)
                and consent == 2
                and len(lags) == settings.topic_partitions
                and not any(lags)  # committed up to the end
            )

        wait_for(counted, 15, alive)
        assert get(f"{base}/readyz")[0] == 200
        assert stop_worker(worker) == 0
    finally:
        stop_worker(worker)
        print((tmp_path / "worker.log").read_text(errors="replace")[-3000:])

    assert scraped["status"] == 200
    assert str(scraped["ctype"]).startswith("text/plain; version=0.0.4")
    text = str(scraped["text"])
    s = samples_of(text)
    assert value(s, "piiredact_records_total", outcome="dead_letter") == len(MALFORMED)
    assert value(s, "piiredact_records_total", outcome="clean") > 0
    assert value(s, "piiredact_findings_total", entity_type="EMAIL_ADDRESS") > 0
    assert value(s, "piiredact_findings_total", entity_type="PHONE_NUMBER") > 0
    assert total(s, "piiredact_actions_total") == total(s, "piiredact_findings_total")
    assert value(s, "piiredact_processing_seconds_count") > 0
    assert value(s, "piiredact_processing_seconds_sum") > 0
    assert value(s, "piiredact_batch_size_sum") == len(messages)
    assert value(s, "piiredact_consent_events_total", type="erasure", result="applied") == 1
    assert value(s, "piiredact_consent_events_total", type="invalid", result="dead_letter") == 1
    for partition in range(settings.topic_partitions):
        labels = {"topic": settings.topic_raw, "partition": str(partition)}
        assert ("piiredact_consumer_lag", tuple(sorted(labels.items()))) in s

    for sample in samples:
        assert sample.record["id"] not in text, "no record id in the metrics"
        for _entity, planted in sample.planted:
            assert planted not in text, "no personal data in the metrics"
    assert "vk:metrics" not in text, "no subject reference in the metrics"
