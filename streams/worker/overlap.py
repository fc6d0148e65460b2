"""Detection of one batch overlapped with the delivery of the one before: :class:`Overlap`.

The worker's agent takes a batch, prepares it (consent, keys) and hands it here. The detection
process then goes from one batch to the next without waiting for the agent: batch N+1 is taken
and prepared while N is detected and is sent the moment N's detection ends, and N's outputs are
made and delivered while N+1 is detected. Bounds, so that a slow broker slows the intake:

- one batch in detection at a time (the detection process serves one call);
- one batch in delivery: N+1 is sent to detection only once N-1 is delivered;
- batches are delivered, and their inputs acknowledged, in the order they were submitted.

On :meth:`Overlap.close` (shutdown) a batch still being detected is cancelled and never
delivered (its inputs are not acknowledged, so it is read again after the restart); a batch
whose detection has ended is delivered first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger("piiredact.overlap")

_T = TypeVar("_T")

#: How long a detected batch waits before its delivery starts, so that the next batch is sent to
#: detection first (it is ready in the next turns of the event loop; delivery is not urgent).
HAND_OFF_FIRST_SECONDS = 0.001


class Overlap(Generic[_T]):
    """Overlaps each batch's detection with the previous batch's delivery; see the module."""

    def __init__(self) -> None:
        self._detecting: asyncio.Future[_T] | None = None
        #: delivers the batch in :attr:`_detecting` once its detection ends
        self._delivering: asyncio.Future[None] | None = None
        #: delivers the batch before it
        self._previous: asyncio.Future[None] | None = None

    async def submit(
        self,
        detect: Callable[[], Awaitable[_T]],
        deliver: Callable[[_T], Awaitable[None]],
    ) -> None:
        """Start ``detect()`` as soon as the bounds allow, and ``deliver`` its result after the
        batches submitted before. Returns once detection has started; raises what a previous
        batch's detection or delivery raised."""
        if self._detecting is not None:
            await asyncio.shield(self._detecting)
        if self._previous is not None:
            await asyncio.shield(self._previous)
        detecting = asyncio.ensure_future(detect())
        self._previous, self._detecting = self._delivering, detecting
        self._delivering = asyncio.ensure_future(_complete(detecting, self._previous, deliver))
        # Let the detection start (hand its batch to the detection process) before the caller
        # goes on to prepare the next batch.
        await asyncio.sleep(0)

    async def close(self) -> None:
        """Cancel a detection still running; wait for the deliveries of batches detected."""
        if self._detecting is not None and not self._detecting.done():
            self._detecting.cancel()
        waiting = {task for task in (self._previous, self._delivering) if task is not None}
        if not waiting:
            return
        await asyncio.wait(waiting)
        for task in waiting:
            if not task.cancelled() and (error := task.exception()) is not None:
                log.error("delivering a batch failed (%s)", type(error).__name__)


async def _complete(
    detecting: asyncio.Future[_T],
    previous: asyncio.Future[None] | None,
    deliver: Callable[[_T], Awaitable[None]],
) -> None:
    result = await detecting
    # The next batch's hand-off to the detection process, which this detection's end has just
    # allowed, goes before this batch's outputs are made and sent.
    await asyncio.sleep(HAND_OFF_FIRST_SECONDS)
    if previous is not None:
        await previous
    await deliver(result)
