"""Liveness, readiness and consumer lag, on a stand-in for the Faust app (no broker)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from faust.types import TP

from streams.worker.web import consumer_lag, liveness, readiness

RAW = "x.raw"


@dataclass
class FakeConsumer:
    assigned: set[TP] = field(default_factory=set)
    highwaters: dict[TP, int | None] = field(default_factory=dict)
    positions: dict[TP, int] = field(default_factory=dict)
    started: bool = True

    def assignment(self) -> set[TP]:
        if not self.started:
            raise RuntimeError("Consumer thread not yet started")
        return self.assigned

    def highwater(self, tp: TP) -> int | None:
        return self.highwaters.get(tp)

    async def position(self, tp: TP) -> int | None:
        if tp not in self.positions:
            await asyncio.sleep(10)  # aiokafka waits for a position it does not know yet
        return self.positions.get(tp)


def fake_app(**overrides: Any) -> Any:
    """An app the way Faust's is once a worker runs: agents started, tables recovered."""
    completed = asyncio.Event()
    completed.set()
    tps = {TP(RAW, 0), TP(RAW, 1), TP("x-consent-changelog", 0)}
    app = SimpleNamespace(
        crashed=False,
        should_stop=False,
        rebalancing=False,
        in_recovery=False,
        agents={"redact": SimpleNamespace(started=True, crashed=False)},
        tables=SimpleNamespace(recovery=SimpleNamespace(completed=completed)),
        consumer=FakeConsumer(assigned=tps),
        monitor=SimpleNamespace(tp_committed_offsets={}),
    )
    for name, value in overrides.items():
        setattr(app, name, value)
    return app


def test_a_running_worker_is_alive_and_ready() -> None:
    app = fake_app()
    assert liveness(app) == (True, "ok")
    assert readiness(app) == (True, "ready")


# (what is wrong, reason /readyz gives)
NOT_READY = [
    ({"crashed": True}, "the app crashed"),
    ({"agents": {"redact": SimpleNamespace(started=True, crashed=True)}}, "an agent crashed"),
    ({"should_stop": True}, "stopping"),
    ({"agents": {}}, "agents not started"),
    ({"agents": {"redact": SimpleNamespace(started=False, crashed=False)}}, "agents not started"),
    ({"rebalancing": True}, "rebalancing"),
    ({"in_recovery": True}, "recovering tables"),
    (
        {"tables": SimpleNamespace(recovery=SimpleNamespace(completed=asyncio.Event()))},
        "recovering tables",
    ),
    ({"consumer": FakeConsumer(started=False)}, "consumer not started"),
    ({"consumer": FakeConsumer()}, "no partitions assigned"),
]


@pytest.mark.parametrize(("overrides", "reason"), NOT_READY, ids=[r for _, r in NOT_READY])
def test_not_ready_with_a_short_reason(overrides: dict[str, Any], reason: str) -> None:
    assert readiness(fake_app(**overrides)) == (False, reason)


def test_only_a_crash_makes_the_worker_not_alive() -> None:
    assert liveness(fake_app(rebalancing=True, in_recovery=True, consumer=FakeConsumer()))[0]
    assert not liveness(fake_app(crashed=True))[0]


def test_lag_is_highwater_minus_committed_or_position_for_the_raw_topic_only() -> None:
    p0, p1, p2 = TP(RAW, 0), TP(RAW, 1), TP(RAW, 2)
    changelog = TP("x-consent-changelog", 0)
    consumer = FakeConsumer(
        assigned={p0, p1, p2, changelog},
        highwaters={p0: 120, p1: 40, p2: None, changelog: 9},
        positions={p1: 31},
    )
    app = fake_app(consumer=consumer, monitor=SimpleNamespace(tp_committed_offsets={p0: 100}))
    lags = asyncio.run(consumer_lag(app, RAW))
    # p0 from the last commit, p1 from the position (no commit yet), p2 not fetched yet.
    assert lags == {(RAW, 0): 20, (RAW, 1): 9}


def test_lag_does_not_hang_on_an_unknown_position(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("streams.worker.web.POSITION_TIMEOUT", 0.05)
    tp = TP(RAW, 0)
    app = fake_app(consumer=FakeConsumer(assigned={tp}, highwaters={tp: 5}))
    assert asyncio.run(consumer_lag(app, RAW)) == {}


def test_no_lag_before_the_consumer_starts() -> None:
    assert asyncio.run(consumer_lag(fake_app(consumer=FakeConsumer(started=False)), RAW)) == {}
