"""The overlap runs detection and delivery within its bounds, in order, and closes safely."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from streams.worker.overlap import HAND_OFF_FIRST_SECONDS, Overlap


class Recorder:
    """Fake detection and delivery steps that log what happens, each held until released."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.detections = 0
        self.most_detections = 0
        self.gates: dict[str, asyncio.Event] = {}

    def gate(self, name: str) -> asyncio.Event:
        return self.gates.setdefault(name, asyncio.Event())

    def detect(self, batch: int) -> Callable[[], Awaitable[int]]:
        async def run() -> int:
            self.detections += 1
            self.most_detections = max(self.most_detections, self.detections)
            self.log.append(f"detect {batch}")
            try:
                await self.gate(f"detect {batch}").wait()
            finally:
                self.detections -= 1
            self.log.append(f"detected {batch}")
            return batch * 10

        return run

    def deliver(self, batch: int) -> Callable[[int], Awaitable[None]]:
        async def run(result: int) -> None:
            assert result == batch * 10
            self.log.append(f"deliver {batch}")
            await self.gate(f"deliver {batch}").wait()
            self.log.append(f"delivered {batch}")

        return run


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)
    await asyncio.sleep(HAND_OFF_FIRST_SECONDS * 5)
    for _ in range(20):
        await asyncio.sleep(0)


async def test_the_next_batch_is_detected_while_the_last_is_delivered() -> None:
    recorder = Recorder()
    overlap: Overlap[int] = Overlap()
    await overlap.submit(recorder.detect(1), recorder.deliver(1))
    second = asyncio.ensure_future(overlap.submit(recorder.detect(2), recorder.deliver(2)))
    await settle()
    assert not second.done(), "batch 2 waits for batch 1 to leave detection"
    assert recorder.log == ["detect 1"]
    recorder.gate("detect 1").set()
    await settle()
    assert second.done()
    assert recorder.log == ["detect 1", "detected 1", "detect 2", "deliver 1"], (
        "batch 2 goes to detection before batch 1's delivery starts, and both are under way"
    )
    assert recorder.most_detections == 1


async def test_a_third_batch_waits_until_the_first_is_delivered() -> None:
    recorder = Recorder()
    overlap: Overlap[int] = Overlap()
    await overlap.submit(recorder.detect(1), recorder.deliver(1))
    recorder.gate("detect 1").set()
    await overlap.submit(recorder.detect(2), recorder.deliver(2))
    recorder.gate("detect 2").set()
    third = asyncio.ensure_future(overlap.submit(recorder.detect(3), recorder.deliver(3)))
    await settle()
    assert not third.done(), "batch 1 is still being delivered"
    assert "deliver 2" not in recorder.log, "batch 2 is delivered after batch 1"
    recorder.gate("deliver 1").set()
    await settle()
    assert third.done()
    assert recorder.log.index("delivered 1") < recorder.log.index("deliver 2")


async def test_batches_are_delivered_in_the_order_submitted() -> None:
    recorder = Recorder()
    overlap: Overlap[int] = Overlap()
    for name in ("detect", "deliver"):
        for batch in range(1, 6):
            recorder.gate(f"{name} {batch}").set()
    for batch in range(1, 6):
        await overlap.submit(recorder.detect(batch), recorder.deliver(batch))
    await settle()  # the last detection ends (close would cancel it)
    await overlap.close()
    delivered = [entry for entry in recorder.log if entry.startswith("delivered")]
    assert delivered == [f"delivered {batch}" for batch in range(1, 6)]
    assert recorder.most_detections == 1


async def test_close_cancels_a_detection_and_delivers_what_was_detected() -> None:
    recorder = Recorder()
    overlap: Overlap[int] = Overlap()
    await overlap.submit(recorder.detect(1), recorder.deliver(1))
    recorder.gate("detect 1").set()
    await overlap.submit(recorder.detect(2), recorder.deliver(2))
    closing = asyncio.ensure_future(overlap.close())
    await settle()
    assert not closing.done(), "batch 1 is being delivered"
    recorder.gate("deliver 1").set()
    await closing
    assert "delivered 1" in recorder.log
    assert "detected 2" not in recorder.log and "deliver 2" not in recorder.log


async def test_a_failed_delivery_stops_the_batches_after_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def fail(result: int) -> None:
        raise ConnectionError("broker gone")

    recorder = Recorder()
    overlap: Overlap[int] = Overlap()
    recorder.gate("detect 1").set()
    recorder.gate("detect 2").set()
    await overlap.submit(recorder.detect(1), fail)
    await overlap.submit(recorder.detect(2), recorder.deliver(2))
    with pytest.raises(ConnectionError):
        await overlap.submit(recorder.detect(3), recorder.deliver(3))
    await overlap.close()
    assert "deliver 2" not in recorder.log, "a batch is never delivered before the one before it"
    assert "delivering a batch failed (ConnectionError)" in caplog.text
