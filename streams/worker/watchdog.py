"""Liveness beyond "the process answers": a stall watchdog and a bounded shutdown.

A worker can be alive and still do nothing: a delivery retried forever, a batch that never
completes, an agent that crashed while the event loop goes on. :class:`Watchdog` counts the
messages taken but not yet delivered and remembers when a batch was last delivered. The worker
is **stalled** when messages wait (taken and undelivered, or lag on the raw topic) and no batch
has been delivered for ``stall_timeout`` seconds; it is idle, not stalled, when nothing waits.
The worker then fails ``/livez`` and exits with :data:`EXIT_STALLED`, so that Kubernetes (or
whatever runs it) starts it again; its unacknowledged messages are read again after the restart.

:func:`exit_after` ends the process after a delay whatever the event loop is doing: the worker
arms it when it is asked to stop (SIGTERM, SIGINT), so a shutdown that hangs ends with
:data:`EXIT_SHUTDOWN_TIMEOUT` after ``shutdown_timeout`` seconds instead of never.

Pure but for the clock and the exit: no Faust, no Kafka.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable

log = logging.getLogger("piiredact.watchdog")

#: Exit code of a worker that stopped making progress (``stall_timeout``) or whose agent crashed.
EXIT_STALLED = 70
#: Exit code of a worker whose shutdown took longer than ``shutdown_timeout``.
EXIT_SHUTDOWN_TIMEOUT = 75


class Watchdog:
    """Tracks progress: :meth:`taken` when a batch is taken, :meth:`delivered` when its outputs
    are acknowledged, :meth:`stalled` on each check. ``clock`` is monotonic seconds."""

    def __init__(self, stall_timeout: float, clock: Callable[[], float] = time.monotonic) -> None:
        if stall_timeout <= 0:
            raise ValueError("stall_timeout must be positive")
        self.stall_timeout = stall_timeout
        self._clock = clock
        self._pending = 0
        self._since = clock()
        #: why the worker was found dead (``None`` while it is alive)
        self.tripped: str | None = None

    @property
    def interval(self) -> float:
        """How often to check: often enough to notice a stall within a fifth of the timeout."""
        return min(5.0, self.stall_timeout / 5)

    @property
    def pending(self) -> int:
        """Messages taken and not yet delivered."""
        return self._pending

    def taken(self, count: int) -> None:
        """A batch of ``count`` messages was taken. Work that starts after a quiet spell is
        timed from now, not from the last delivery."""
        if self._pending == 0:
            self._since = self._clock()
        self._pending += count

    def delivered(self, count: int) -> None:
        """A batch of ``count`` messages was delivered and acknowledged: progress."""
        self._pending = max(0, self._pending - count)
        self._since = self._clock()

    def progressed(self) -> None:
        """Something that takes long and ends, such as loading the models, has ended."""
        self._since = self._clock()

    def stalled(self, lag: int) -> bool:
        """Whether messages wait (``pending`` or ``lag`` on the raw topic) and nothing was
        delivered for longer than ``stall_timeout``. While nothing waits the clock is reset:
        an idle worker is not stalled."""
        now = self._clock()
        if self._pending == 0 and lag <= 0:
            self._since = now
            return False
        return now - self._since > self.stall_timeout

    def idle_seconds(self) -> float:
        """Seconds since the last progress (or since work started after a quiet spell)."""
        return self._clock() - self._since

    def trip(self, reason: str) -> None:
        """Record that the worker is dead for ``reason`` (a fixed phrase, never a value)."""
        if self.tripped is None:
            self.tripped = reason


def exit_after(seconds: float, code: int, why: str) -> threading.Timer:
    """End the process with ``code`` in ``seconds``, from a thread, whatever the event loop is
    doing; logs ``why`` (a fixed phrase) first. Returns the started timer (cancel it to call
    it off)."""

    def end() -> None:
        log.error("%s; exiting with code %d", why, code)
        for handler in logging.getLogger().handlers:
            handler.flush()
        sys.stderr.flush()
        os._exit(code)

    timer = threading.Timer(seconds, end)
    timer.daemon = True
    timer.start()
    return timer
