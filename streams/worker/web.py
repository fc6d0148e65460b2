"""The worker's HTTP endpoints, on Faust's web server (``web_host``:``web_port``, 6066).

- ``GET /livez``: 200 ``{"status": "ok"}`` while the event loop answers, neither the app nor an
  agent has crashed and the watchdog has not found the worker stalled
  (:mod:`streams.worker.watchdog`); 503 ``{"status": "crashed", "reason": ...}`` otherwise (the
  worker then exits by itself, too).
- ``GET /readyz``: 200 ``{"status": "ready"}`` once the agents run, the consumer has
  partitions assigned, no rebalance is under way and the tables are recovered; before that
  503 ``{"status": "not ready", "reason": "..."}`` with a short fixed reason.
- ``GET /metrics``: :class:`streams.worker.metrics.Metrics` in the Prometheus text format; the
  consumer lag of the raw topic is computed per scrape.

No answer holds a record, a key, a subject reference or any other value.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from streams.worker.metrics import CONTENT_TYPE, Metrics
from streams.worker.watchdog import Watchdog

log = logging.getLogger("piiredact.web")

#: Seconds to wait for the consumer's position of a partition during a scrape.
POSITION_TIMEOUT = 1.0


def liveness(app: Any, watchdog: Watchdog | None = None) -> tuple[bool, str]:
    """``(alive, reason)``: dead once the app or one of its agents has crashed, or the
    ``watchdog`` found the worker stalled."""
    if watchdog is not None and watchdog.tripped is not None:
        return False, "stalled"
    if app.crashed:
        return False, "the app crashed"
    if any(agent.crashed for agent in app.agents.values()):
        return False, "an agent crashed"
    return True, "ok"


def readiness(app: Any, watchdog: Watchdog | None = None) -> tuple[bool, str]:
    """``(ready, reason)`` for ``/readyz``; the reason is one of a few fixed phrases."""
    alive, reason = liveness(app, watchdog)
    if not alive:
        return False, reason
    if app.should_stop:
        return False, "stopping"
    agents = list(app.agents.values())
    if not agents or not all(agent.started for agent in agents):
        return False, "agents not started"
    if app.rebalancing:
        return False, "rebalancing"
    if app.in_recovery or not app.tables.recovery.completed.is_set():
        return False, "recovering tables"
    try:
        assignment = app.consumer.assignment()
    except Exception:
        return False, "consumer not started"
    if not assignment:
        return False, "no partitions assigned"
    return True, "ready"


async def consumer_lag(app: Any, topic: str) -> dict[tuple[str, int], int]:
    """``{(topic, partition): lag}`` for the partitions of ``topic`` assigned to this worker:
    the high watermark from the last fetch minus the last committed offset (or, before the
    first commit, the consumer's position). Partitions without a known high watermark yet
    are left out."""
    try:
        consumer = app.consumer
        assigned = sorted(tp for tp in consumer.assignment() if tp.topic == topic)
    except Exception:
        return {}
    committed = app.monitor.tp_committed_offsets or {}
    lags: dict[tuple[str, int], int] = {}
    for tp in assigned:
        high = None
        with contextlib.suppress(Exception):  # not assigned any more
            high = consumer.highwater(tp)
        if high is None:  # nothing fetched yet
            continue
        done = committed.get(tp)
        if done is None:
            with contextlib.suppress(Exception):
                done = await asyncio.wait_for(consumer.position(tp), POSITION_TIMEOUT)
        if done is None:
            continue
        lags[(tp.topic, tp.partition)] = max(0, int(high) - int(done))
    return lags


def install_endpoints(
    app: Any, metrics: Metrics, topic_raw: str, watchdog: Watchdog | None = None
) -> None:
    """Add ``/livez``, ``/readyz`` and ``/metrics`` to the Faust app's web server."""

    async def livez(view: Any, request: Any) -> Any:
        alive, reason = liveness(app, watchdog)
        if alive:
            return view.json({"status": "ok"})
        return view.json({"status": "crashed", "reason": reason}, status=503)

    async def readyz(view: Any, request: Any) -> Any:
        ready, reason = readiness(app, watchdog)
        if ready:
            return view.json({"status": "ready"})
        return view.json({"status": "not ready", "reason": reason}, status=503)

    async def prometheus_metrics(view: Any, request: Any) -> Any:
        try:
            metrics.set_lag(await consumer_lag(app, topic_raw))
        except Exception as exc:  # a scrape must not fail for the lag
            log.warning("consumer lag unavailable (%s)", type(exc).__name__)
        return view.bytes(metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    app.page("/livez")(livez)
    app.page("/readyz")(readyz)
    app.page("/metrics")(prometheus_metrics)
