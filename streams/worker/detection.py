"""Detection in a child process that can be killed: :class:`DetectionProcess`.

The worker's event loop must keep heartbeating while a batch is analysed, and a batch that runs
past ``detection_timeout`` must really stop: a thread cannot be interrupted, a process can. So
detection runs in one child process per worker (``multiprocessing``, spawn start method). The
child builds its :class:`~streams.core.Redactor` once, from a picklable factory
(:class:`RedactorFactory` loads the detector and the policy there), then serves
:meth:`~streams.core.Redactor.judge` calls over a pipe. Each call carries the batch's records as
the worker prepared them (parsed once, consent resolved once:
:class:`~streams.core.redactor.Prepared`), the moment they are judged at and the key book's
parts (keyring, pseudonym scope, wrapped subject keys); the child rebuilds the key book from
them. It also carries the registered people (:class:`~streams.worker.people.PeopleUpdate`): all
of them to a fresh child, else what changed since the previous call, which the child folds into
its mirror so that each finding is judged under its own person's consent. One call is in
flight at a time and the caller awaits it: that is the worker's back-pressure.

Failures, and what :meth:`DetectionProcess.redact` does about them:

- the call takes longer than ``timeout``: the child is killed (SIGKILL), a fresh one is started
  and :class:`DetectionTimeout` is raised;
- the child dies during the call (a crash, the OOM killer): the batch is retried once on a fresh
  child; if that one dies too, :class:`DetectionCrashed` is raised;
- the child cannot build its redactor, or raises while serving: :class:`DetectionFailed`.

The caller quarantines the batch's records (reasons ``detection_timeout`` and
``detection_error``), so no record is lost. Nothing here logs a value: only counts, exit codes
and exception type names.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Final

from recognizers.registry import build_detector
from streams.core import Outcome, Prepared, Redactor
from streams.core.envelope import Limits
from streams.core.keys import KeyBook, Keyring, WrappedKey
from streams.core.people import People
from streams.core.policy import Policy
from streams.core.reveal import RevealCipher
from streams.errors import DetectionCrashed, DetectionFailed, DetectionTimeout
from streams.worker.people import PeopleLog, PeopleUpdate, apply_update

log = logging.getLogger("piiredact.pool")

#: Seconds a fresh child may take to build its redactor (load the models).
DEFAULT_START_TIMEOUT: Final = 120.0
_CHILD_LOG_FORMAT: Final = "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"

#: The key book as it travels: keyring, pseudonym scope, wrapped keys by subject, create flag.
BookParts = tuple[Keyring, str, dict[str, WrappedKey], bool]
_Request = tuple[list[Prepared], BookParts | None, datetime, PeopleUpdate | None]


@dataclass(frozen=True, slots=True)
class RedactorFactory:
    """Builds the worker's redactor in the child: every registered recognizer (the NER models
    only with ``names``), ``policy``, ``limits`` and the reveal keyring for ``encrypt``.
    Picklable, and cheap to pickle."""

    policy: Policy
    limits: Limits = Limits()  # noqa: RUF009 - frozen, so one shared instance is fine
    names: bool = True
    reveal: Keyring | None = None

    def __call__(self) -> Redactor:
        cipher = RevealCipher(self.reveal) if self.reveal is not None else None
        return Redactor(build_detector(names=self.names), self.policy, self.limits, reveal=cipher)


@dataclass(frozen=True, slots=True)
class Prebuilt:
    """A factory that returns ``redactor`` as it is, pickled along (a default-built detector
    pickles as "load the models again", see :mod:`recognizers.ner`)."""

    redactor: Redactor

    def __call__(self) -> Redactor:
        return self.redactor


def book_parts(book: KeyBook | None) -> BookParts | None:
    """The picklable parts of ``book`` (its cache of opened keys stays behind)."""
    if book is None:
        return None
    return (book.keyring, book.scope, dict(book.store), book.create)


def rebuild_book(parts: BookParts | None) -> KeyBook | None:
    """The key book made of ``parts``."""
    if parts is None:
        return None
    keyring, scope, store, create = parts
    return KeyBook(keyring, scope, dict(store), create=create)


def _serve(conn: Connection, factory: Callable[[], Redactor], log_level: int) -> None:
    """The child: build the redactor, say so, then answer requests until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    logging.basicConfig(level=log_level, format=_CHILD_LOG_FORMAT)
    try:
        redactor = factory()
    except Exception as exc:
        log.error("building the redactor failed (%s)", type(exc).__name__)
        conn.send(("failed", type(exc).__name__))
        return
    # The models and tables just loaded live as long as the process: out of the collector's
    # way, a full collection no longer walks them (it paused a batch for ~80 ms).
    gc.freeze()
    conn.send(("ready", os.getpid()))
    people: People | None = None
    while True:
        try:
            request: _Request | None = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if request is None:
            return
        prepared, parts, now, update = request
        try:
            if update is not None:
                people = apply_update(people, update)
            book = rebuild_book(parts)
            outcomes = redactor.judge(prepared, book, now, people if update is not None else None)
            made = {} if book is None or parts is None else _new_keys(book, parts[2])
            reply: tuple[Any, ...] = ("ok", outcomes, made, update.version if update else None)
        except Exception as exc:
            log.warning(
                "serving a batch of %d records failed (%s)", len(prepared), type(exc).__name__
            )
            people = None  # its state is unknown: the parent sends everyone next time
            reply = ("error", type(exc).__name__)
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


def _new_keys(book: KeyBook, sent: Mapping[str, WrappedKey]) -> dict[str, WrappedKey]:
    """The subject keys ``book`` made during the call (only a book with ``create=True`` does)."""
    return {ref: key for ref, key in book.store.items() if ref not in sent}


class _ChildDied(Exception):
    pass


class DetectionProcess:
    """One detection process, restarted whenever it is killed or dies; see the module doc.

    ``factory`` must be picklable (a module-level function or class instance): the child calls
    it once to build the redactor. The child is started on the first call (or by
    :meth:`start`), so making a pool costs nothing until it is used.
    """

    def __init__(
        self,
        factory: Callable[[], Redactor],
        *,
        timeout: float,
        start_timeout: float = DEFAULT_START_TIMEOUT,
    ) -> None:
        self.factory = factory
        self.timeout = timeout
        self.start_timeout = start_timeout
        self._context = multiprocessing.get_context("spawn")
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._reaper: weakref.finalize[..., Any] | None = None
        self._ready = False
        #: The people log version the current child holds (``None``: none yet).
        self._people_version: int | None = None
        self._lock = asyncio.Lock()
        #: Children started so far (the first, and one per restart).
        self.starts = 0

    @property
    def pid(self) -> int | None:
        """The current child's process id, if one is running."""
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    def start(self) -> None:
        """Start a child now (if none runs), so it loads while the caller does other work."""
        if self._process is not None:
            return
        parent_end, child_end = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_serve,
            args=(child_end, self.factory, logging.getLogger().getEffectiveLevel()),
            name="piiredact-detect",
            daemon=True,  # never outlives the worker
        )
        process.start()
        child_end.close()  # so that the child's death reads as end-of-file here
        self._process, self._conn, self._ready = process, parent_end, False
        self._people_version = None
        # Also kills the child if the pool is dropped unclosed, or at interpreter exit.
        self._reaper = weakref.finalize(self, _reap, process, parent_end)
        self.starts += 1

    def close(self) -> None:
        """Kill the child (it holds no state worth saving)."""
        self._end()

    def _end(self) -> int | None:
        """Kill the child; its exit code (negative: the signal that ended it), if it ran."""
        reaper = self._reaper
        self._process, self._conn, self._reaper, self._ready = None, None, None, False
        return reaper() if reaper is not None else None

    async def judge(
        self,
        prepared: Sequence[Prepared],
        keys: KeyBook | None,
        now: datetime,
        people: PeopleLog | None = None,
    ) -> list[Outcome]:
        """:meth:`~streams.core.Redactor.judge` in the child: one outcome per prepared record,
        each finding judged under the consent of its person among ``people``. Raises
        :class:`~streams.errors.DetectionError` (see the module doc)."""
        batch, parts = list(prepared), book_parts(keys)

        def request() -> _Request:
            # Made once the child is ready: a fresh child gets every person.
            update = people.since(self._people_version) if people is not None else None
            return (batch, parts, now, update)

        async with self._lock:
            for attempt in (1, 2):
                try:
                    reply = await self._call(request)
                except _ChildDied as died:
                    if attempt == 2:
                        raise DetectionCrashed(
                            f"the detection process died twice on this batch ({died})"
                        ) from None
                    log.warning(
                        "the detection process died (%s) on a batch of %d records; "
                        "retrying it on a fresh process",
                        died,
                        len(prepared),
                    )
                    continue
                if reply[0] == "ok":
                    _kind, outcomes, made, version = reply
                    self._people_version = version
                    if keys is not None:
                        keys.store.update(made)
                    return list(outcomes)
                raise DetectionFailed(f"the detection process raised {reply[1]}")
        raise AssertionError("unreachable")  # pragma: no cover

    async def _call(self, request: Callable[[], _Request]) -> Any:
        """Send ``request()`` to a ready child and return its reply."""
        await self._ensure_ready()
        conn = self._conn
        assert conn is not None
        message = request()
        self._people_version = None  # what the child holds is unknown until it replies "ok"
        try:
            conn.send(message)
            return await self._receive(conn, self.timeout)
        except TimeoutError:
            self._restart()
            raise DetectionTimeout(f"detection exceeded {self.timeout:g}s") from None
        except (EOFError, OSError):
            raise _ChildDied(self._restart()) from None
        except Exception as exc:  # e.g. a reply that does not unpickle
            self.close()
            raise DetectionFailed(
                f"talking to the detection process failed ({type(exc).__name__})"
            ) from None
        except BaseException:  # cancelled mid-call: the child's state is unknown
            self.close()
            raise

    async def _ensure_ready(self) -> None:
        if self._ready and self._process is not None and self._process.is_alive():
            return
        if self._process is not None and not self._process.is_alive():
            self.close()
        try:
            self.start()
        except Exception as exc:  # e.g. a factory that does not pickle
            self.close()
            raise DetectionFailed(
                f"the detection process could not be started ({type(exc).__name__})"
            ) from None
        conn = self._conn
        assert conn is not None
        try:
            hello = await self._receive(conn, self.start_timeout)
        except TimeoutError:
            self.close()
            raise DetectionFailed(
                f"the detection process did not start within {self.start_timeout:g}s"
            ) from None
        except (EOFError, OSError):
            raise _ChildDied(self._restart()) from None
        except Exception as exc:
            self.close()
            raise DetectionFailed(
                f"the detection process did not start ({type(exc).__name__})"
            ) from None
        except BaseException:
            self.close()
            raise
        if hello[0] != "ready":
            self.close()
            raise DetectionFailed(f"building the redactor raised {hello[1]}")
        self._ready = True

    def _restart(self) -> str:
        """Kill the child, start a fresh one; returns how the old one ended. Never raises: if
        no fresh child starts, the next call tries again (and reports why it cannot)."""
        code = self._end()
        try:
            self.start()
        except Exception as exc:
            log.error("starting a fresh detection process failed (%s)", type(exc).__name__)
            self._end()
        if code is None:
            return "no exit code"
        return f"exit code {code}" if code >= 0 else f"signal {-code}"

    @staticmethod
    async def _receive(conn: Connection, timeout: float) -> Any:
        """The next message from ``conn``, waiting without blocking the event loop."""
        loop = asyncio.get_running_loop()
        readable = loop.create_future()

        def ready() -> None:
            if not readable.done():
                readable.set_result(None)

        fd = conn.fileno()
        loop.add_reader(fd, ready)
        try:
            await asyncio.wait_for(readable, timeout)
        finally:
            loop.remove_reader(fd)
        return conn.recv()  # the child writes a message whole, so this returns promptly


def _reap(process: BaseProcess, conn: Connection) -> int | None:
    """Kill ``process``, close our end of its pipe; the process's exit code."""
    with contextlib.suppress(OSError):
        conn.close()
    if process.is_alive():
        process.kill()
    process.join(timeout=10)
    code = process.exitcode
    with contextlib.suppress(ValueError):  # still running after SIGKILL: leave it to the OS
        process.close()
    return code
