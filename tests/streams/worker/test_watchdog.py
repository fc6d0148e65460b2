"""The stall watchdog's arithmetic, on a fake clock (the worker's use of it is in test_stalls)."""

from __future__ import annotations

import pytest

from streams.worker.watchdog import Watchdog


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_idle_worker_is_never_stalled() -> None:
    clock = Clock()
    dog = Watchdog(10, clock)
    clock.now += 3600
    assert not dog.stalled(lag=0)


def test_waiting_messages_with_no_delivery_past_the_timeout_is_a_stall() -> None:
    clock = Clock()
    dog = Watchdog(10, clock)
    dog.taken(64)
    clock.now += 10
    assert not dog.stalled(lag=0)  # exactly the timeout: not yet
    clock.now += 0.5
    assert dog.stalled(lag=0)
    assert dog.pending == 64


def test_lag_alone_counts_as_waiting_and_is_timed_from_when_it_appears() -> None:
    clock = Clock()
    dog = Watchdog(10, clock)
    clock.now += 3600  # a long quiet spell
    assert not dog.stalled(lag=0)
    clock.now += 5
    assert not dog.stalled(lag=7)  # timed from the last idle check, not from the start
    clock.now += 6
    assert dog.stalled(lag=7)


def test_each_delivery_restarts_the_clock() -> None:
    clock = Clock()
    dog = Watchdog(10, clock)
    for _ in range(5):
        dog.taken(10)
        clock.now += 9
        dog.delivered(10)
        assert not dog.stalled(lag=100)
    assert dog.pending == 0


def test_work_after_a_quiet_spell_is_timed_from_when_it_is_taken() -> None:
    clock = Clock()
    dog = Watchdog(10, clock)
    dog.taken(1)
    dog.delivered(1)
    clock.now += 3600
    dog.taken(1)
    clock.now += 5
    assert not dog.stalled(lag=0)


def test_trip_keeps_the_first_reason() -> None:
    dog = Watchdog(10)
    assert dog.tripped is None
    dog.trip("stalled")
    dog.trip("an agent crashed")
    assert dog.tripped == "stalled"


def test_the_check_interval_notices_a_stall_within_a_fifth_of_the_timeout() -> None:
    assert Watchdog(10).interval == 2.0
    assert Watchdog(300).interval == 5.0
    with pytest.raises(ValueError, match="positive"):
        Watchdog(0)
