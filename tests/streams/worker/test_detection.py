"""Detection in a killable child process: same outcomes as in-process, timeouts kill the child,
crashes are retried once, and every record gets an outcome.

The fake detectors live at module level so that the child (spawn start method) can import them
by name; each child start costs about a second (imports), so the tests share what they can.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from recognizers.engine import Detector, Finding
from recognizers.registry import build_detector
from streams.core import Outcome, Prepared, Reason, Redactor, Verdict, merge
from streams.core.attribution import IdentityIndex
from streams.core.consent import RegistryEntry, parse_consent
from streams.core.envelope import Limits
from streams.core.keys import KeyBook, Keyring, new_subject_key
from streams.core.policy import DEFAULT_POLICY
from streams.core.reveal import RevealCipher
from streams.settings import Settings
from streams.testing.samples import MALFORMED, consent_samples, generate
from streams.worker.batch import BatchHandler
from streams.worker.detection import DetectionProcess, RedactorFactory, book_parts, rebuild_book
from streams.worker.people import PeopleLog
from streams.worker.routing import SourceMessage

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
SLEEP = "please-sleep"
CRASH = "please-crash"
CRASH_ONCE = "die-once-then-work:"


class MisbehavingDetector(Detector):
    """The real pattern detector, except on texts asking it to hang or to die."""

    def analyze(
        self, texts: Sequence[str], contexts: Sequence[str | None] | None = None
    ) -> list[list[Finding]]:
        for text in texts:
            if SLEEP in text:
                time.sleep(60)
            if CRASH in text:
                os._exit(3)
            if text.startswith(CRASH_ONCE):
                marker = Path(text.removeprefix(CRASH_ONCE))
                if not marker.exists():
                    marker.touch()
                    os._exit(4)
        return super().analyze(texts)


def misbehaving_redactor() -> Redactor:
    base = build_detector(names=False)
    return Redactor(MisbehavingDetector(base._patterns, []), DEFAULT_POLICY)


def failing_factory() -> Redactor:
    raise RuntimeError("the model is missing")


def record(record_id: str, text: str) -> bytes:
    return orjson.dumps({"id": record_id, "source": "https://x.example/1", "data": {"t": text}})


def sources(raws: Sequence[bytes]) -> list[SourceMessage]:
    return [
        SourceMessage("scraped.raw", 0, i, f"k{i}".encode(), raw, []) for i, raw in enumerate(raws)
    ]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def corpus() -> list[bytes]:
    samples = [*generate(60, 3), *consent_samples(10, 5)]
    return [orjson.dumps(s.record) for s in samples] + [raw for raw, _ in MALFORMED]


# --- the same outcomes as in-process ------------------------------------------------------------


PREPARER = Redactor(Detector([], []), DEFAULT_POLICY)


async def in_the_child(
    pool: DetectionProcess,
    raws: Sequence[bytes],
    registry: Mapping[str, RegistryEntry] | None = None,
    keys: KeyBook | None = None,
    now: datetime = NOW,
    people: PeopleLog | None = None,
) -> list[Outcome]:
    """What the worker does with a batch: prepare it here, judge it in the child."""
    prepared = PREPARER.prepare(raws, registry or {}, now)
    valid = [p for p in prepared if isinstance(p, Prepared)]
    return merge(prepared, await pool.judge(valid, keys, now, people))


@pytest.fixture(scope="module")
def pool() -> Iterator[DetectionProcess]:
    pool = DetectionProcess(RedactorFactory(DEFAULT_POLICY, Limits(), names=False), timeout=60)
    yield pool
    pool.close()


def test_outcomes_equal_the_in_process_redactor_byte_for_byte(pool: DetectionProcess) -> None:
    raws = corpus()
    local = Redactor(build_detector(names=False), DEFAULT_POLICY)
    registry = {
        "vk:100001": RegistryEntry(at=NOW, consent=parse_consent({"status": "withdrawn"})),
    }
    remote = asyncio.run(in_the_child(pool, raws, registry, None, NOW))
    assert remote == local.redact_batch(raws, registry=registry, now=NOW)
    assert [o.value for o in remote] == [
        o.value for o in local.redact_batch(raws, registry=registry, now=NOW)
    ]
    verdicts = {o.verdict for o in remote}
    assert verdicts == {Verdict.CLEAN, Verdict.QUARANTINE, Verdict.DEAD_LETTER}


def test_pseudonyms_equal_the_in_process_ones(pool: DetectionProcess) -> None:
    raws = [orjson.dumps(s.record) for s in consent_samples(10, 5)]
    ring = Keyring.generate("k9")
    refs = [orjson.loads(raw)["subject_ref"] for raw in raws]
    store = {ref: new_subject_key(ring, ref, NOW) for ref in refs}
    book = KeyBook(ring, DEFAULT_POLICY.pseudonym_scope.value, dict(store))
    remote = asyncio.run(in_the_child(pool, raws, {}, book, NOW))
    local = Redactor(build_detector(names=False), DEFAULT_POLICY).redact_batch(
        raws, keys=KeyBook(ring, DEFAULT_POLICY.pseudonym_scope.value, dict(store)), now=NOW
    )
    assert remote == local
    assert any(b":k9:" in (o.value or b"") for o in remote), "some values were pseudonymised"


def test_keys_made_in_the_child_come_back(pool: DetectionProcess) -> None:
    raws = [orjson.dumps(s.record) for s in consent_samples(10, 5)]
    ring = Keyring.generate("k9")
    book = KeyBook(ring, "subject", create=True)  # the offline scanner's kind of book
    remote = asyncio.run(in_the_child(pool, raws, {}, book, NOW))
    assert book.store, "the keys the child made were added to the caller's book"
    again = Redactor(build_detector(names=False), DEFAULT_POLICY).redact_batch(
        raws, keys=KeyBook(ring, "subject", dict(book.store)), now=NOW
    )
    assert remote == again


def test_a_key_book_travels_as_its_parts() -> None:
    ring = Keyring.generate()
    book = KeyBook(ring, "subject", {"vk:1": new_subject_key(ring, "vk:1", NOW)})
    rebuilt = rebuild_book(book_parts(book))
    assert rebuilt is not None
    assert (rebuilt.keyring, rebuilt.scope, rebuilt.store) == (ring, "subject", book.store)
    assert rebuild_book(book_parts(None)) is None


# --- timeouts, crashes, failures ----------------------------------------------------------------


def handler_with(factory: Callable[[], Redactor], timeout: float) -> BatchHandler:
    """A batch handler whose detection process builds its redactor with ``factory``."""
    settings = Settings(detection_timeout=timeout)
    pool = DetectionProcess(factory, timeout=timeout)
    return BatchHandler(Redactor(Detector([], []), DEFAULT_POLICY), settings, detection=pool)


@pytest.fixture(scope="module")
def handler() -> Iterator[BatchHandler]:
    handler = handler_with(misbehaving_redactor, 3.0)
    yield handler
    handler.close()


def outcomes(handler: BatchHandler, raws: Sequence[bytes]) -> list[Outcome]:
    batch = sources(raws)
    return asyncio.run(handler.outcomes(batch, handler.prepare(batch, {}, NOW), None, NOW))


def test_a_batch_past_the_timeout_is_quarantined_and_its_process_killed(
    handler: BatchHandler,
) -> None:
    [warm] = outcomes(handler, [record("warm", "mail ivan@example.com")])
    assert warm.verdict is Verdict.CLEAN
    old_pid = handler.detection.pid
    assert old_pid is not None
    started = time.monotonic()
    result = outcomes(handler, [record("slow", SLEEP), MALFORMED[0][0]])
    assert time.monotonic() - started < 10, "the batch did not wait for the sleeping detector"
    assert [o.reason for o in result] == [Reason.DETECTION_TIMEOUT, MALFORMED[0][1]]
    assert result[0].detail == "detection exceeded 3s"
    assert not pid_alive(old_pid), "the stuck process was killed"
    [after] = outcomes(handler, [record("next", "mail ivan@example.com")])
    assert after.verdict is Verdict.CLEAN, "the next batch runs on a fresh process"
    assert handler.detection.pid not in (None, old_pid)


def test_a_process_that_dies_twice_gets_the_batch_quarantined(handler: BatchHandler) -> None:
    starts = handler.detection.starts
    result = outcomes(handler, [record("crash", CRASH), record("fine", "hello"), b"[]"])
    assert [o.reason for o in result] == [
        Reason.DETECTION_ERROR,
        Reason.DETECTION_ERROR,
        "not_object",
    ]
    assert "died twice" in (result[0].detail or "")
    assert handler.detection.starts >= starts + 2, "retried on a fresh process, then restarted"
    [after] = outcomes(handler, [record("next", "hello")])
    assert after.verdict is Verdict.CLEAN


def test_a_process_that_dies_once_gets_the_batch_retried(
    handler: BatchHandler, tmp_path: Path
) -> None:
    marker = tmp_path / "crashed-once"
    result = outcomes(handler, [record("once", f"{CRASH_ONCE}{marker}"), record("b", "x@y.ru")])
    assert marker.exists(), "the first process died on the batch"
    assert [o.verdict for o in result] == [Verdict.CLEAN, Verdict.CLEAN]
    assert b"<EMAIL_ADDRESS>" in (result[1].value or b"")


def test_a_factory_that_fails_gets_every_record_quarantined() -> None:
    handler = handler_with(failing_factory, 5.0)
    try:
        result = outcomes(handler, [record("a", "hello"), MALFORMED[1][0]])
    finally:
        handler.close()
    assert [o.reason for o in result] == [Reason.DETECTION_ERROR, MALFORMED[1][1]]
    assert result[0].detail == "building the redactor raised RuntimeError"


def test_close_kills_the_process() -> None:
    pool = DetectionProcess(RedactorFactory(DEFAULT_POLICY, names=False), timeout=30)
    asyncio.run(in_the_child(pool, [record("a", "hello")]))
    pid = pool.pid
    assert pid is not None and pid_alive(pid)
    pool.close()
    assert pool.pid is None
    assert not pid_alive(pid)


def test_a_cancelled_call_kills_the_process() -> None:
    pool = DetectionProcess(misbehaving_redactor, timeout=30)

    async def cancel_midway() -> int | None:
        await in_the_child(pool, [record("a", "hello")])
        pid = pool.pid
        task = asyncio.ensure_future(in_the_child(pool, [record("slow", SLEEP)]))
        await asyncio.sleep(0.5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return pid

    try:
        pid = asyncio.run(cancel_midway())
        assert pid is not None and not pid_alive(pid)
        assert pool.pid is None
        [after] = asyncio.run(in_the_child(pool, [record("b", "hello")]))
        assert after.verdict is Verdict.CLEAN
    finally:
        pool.close()


def test_a_factory_that_does_not_pickle_gets_every_record_quarantined() -> None:
    def local_factory() -> Redactor:  # a nested function cannot be pickled by name
        return misbehaving_redactor()

    handler = handler_with(local_factory, 5.0)
    try:
        [result] = outcomes(handler, [record("a", "hello")])
    finally:
        handler.close()
    assert result.reason == Reason.DETECTION_ERROR
    assert (result.detail or "").startswith("the detection process could not be started (")


def test_the_factory_carries_the_reveal_keyring_into_the_child() -> None:
    # The factory is pickled into the detection process: the redactor it builds there
    # encrypts under the reveal keyring it was given, and without one it has no cipher.
    reveal = Keyring("r1", {"r1": b"r" * 32})
    factory = pickle.loads(
        pickle.dumps(RedactorFactory(DEFAULT_POLICY, names=False, reveal=reveal))
    )
    cipher = factory().reveal
    assert cipher is not None
    token = cipher.seal("EMAIL_ADDRESS", "a@b.example")
    assert RevealCipher(reveal).open(token).value == "a@b.example"
    assert RedactorFactory(DEFAULT_POLICY, names=False)().reveal is None


def test_the_child_mirrors_the_registered_people_across_restarts(pool: DetectionProcess) -> None:
    email = "mariya.sidorova@mail.example"
    log = PeopleLog(Keyring.generate("id"))
    maria = IdentityIndex(log.keyring).fingerprints({"EMAIL_ADDRESS": [email]})

    def entry(consent: dict[str, object]) -> RegistryEntry:
        return RegistryEntry(at=NOW, consent=parse_consent(consent))

    def published() -> str:
        [outcome] = asyncio.run(in_the_child(pool, [record("p-1", f"Пишите {email}")], people=log))
        assert outcome.value is not None
        return str(orjson.loads(outcome.value)["data"]["t"])

    log.update("vk:777", maria, entry({"status": "granted", "scope": ["distribution"]}))
    assert published() == f"Пишите {email}", "the first call sends everyone"
    log.update("vk:777", maria, entry({"status": "withdrawn"}))
    assert published() == "Пишите <EMAIL_ADDRESS>", "a later call sends what changed"
    pool.close()  # the next call starts a fresh child, which must get everyone again
    assert published() == "Пишите <EMAIL_ADDRESS>"
    log.update("vk:777", maria, entry({"status": "granted", "scope": ["distribution"]}))
    assert published() == f"Пишите {email}"
