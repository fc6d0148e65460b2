"""Logs and error messages never carry personal data.

Every log record of every logger is captured at DEBUG (pytest's ``caplog`` plus a handler of our
own on the root logger and on any logger that does not propagate) while records holding
canaries go through :meth:`streams.core.Redactor.redact_batch` and
:class:`streams.worker.app.BatchHandler`: clean records, quarantines, dead letters, detectors that
raise with the canary in the exception message, detection timeouts. No canary may appear in any
formatted message, exception text or stack. Error messages of :class:`InvalidRecord` and
:class:`PolicyError` are checked the same way.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime

import orjson
import pytest

from recognizers.base import DetectionIncomplete
from recognizers.engine import Detector, Finding
from recognizers.registry import build_detector
from recognizers.ru import inn
from streams.core import Outcome, Redactor, Verdict
from streams.core.envelope import Limits, collect_slots, parse_record
from streams.core.policy import DEFAULT_POLICY, parse_policy
from streams.errors import InvalidRecord, PolicyError
from streams.settings import Settings
from streams.worker.batch import BatchHandler
from streams.worker.routing import OutputMessage, SourceMessage

EMAIL = "olga.sokolova@example.ru"
PHONE = "+7 916 123-45-67"
CARD = "4111 1111 1111 1111"
_INN_BODY = "7712345678"
INN = _INN_BODY + inn.calc_check_digits(_INN_BODY)  # a person's ИНН, checksum valid
CANARIES = (EMAIL, PHONE, CARD, INN, "olga.sokolova", "4111111111111111")
SOURCE = "https://example.com/p/1"


def record(record_id: str = "rec-1", **data: object) -> bytes:
    return orjson.dumps({"id": record_id, "source": SOURCE, "data": data})


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_FORMAT = logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s")


def _texts(record: logging.LogRecord) -> list[str]:
    formatted = _FORMAT.format(record)  # also fills exc_text and appends the stack
    return [formatted, record.getMessage(), record.exc_text or "", record.stack_info or ""]


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[str]]]:
    """Captures every log record; returns a function giving every text logged so far."""
    caplog.set_level(logging.DEBUG)
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    for logger in loggers:
        caplog.set_level(logging.DEBUG, logger=logger.name)
    handler = _Collect()
    attached = [logging.getLogger(), *(lg for lg in loggers if not lg.propagate)]
    for logger in attached:
        logger.addHandler(handler)
    try:
        yield lambda: [t for r in (*caplog.records, *handler.records) for t in _texts(r)]
    finally:
        for logger in attached:
            logger.removeHandler(handler)


def assert_no_canary(texts: Sequence[str]) -> None:
    for text in texts:
        for canary in CANARIES:
            assert canary not in text, f"{canary!r} logged: {text[:300]!r}"


def assert_outcomes_carry_no_canary(outcomes: Sequence[Outcome]) -> None:
    """Reasons and details go into headers and logs: no value in them either."""
    assert_no_canary([f"{o.reason} {o.detail}" for o in outcomes])


@pytest.fixture(scope="module")
def detector() -> Detector:
    return build_detector(names=False)


#: Valid records holding canaries, and messages that are not valid records.
VALID = [
    record(bio=f"Write to {EMAIL} or call {PHONE}", card=CARD, inn=f"ИНН {INN}"),
    record(f"user-{EMAIL}", bio="hello"),  # pii_in_id
    record(subscribers={EMAIL: "active"}),  # pii_in_key
]
MALFORMED = [
    b'{"id": "' + EMAIL.encode() + b'", "source": ',
    b'{"id": "' + EMAIL.encode() + b'\xff", "source": "https://x.example", "data": {}}',
    b'["' + EMAIL.encode() + b'"]',
    orjson.dumps({"id": f"{EMAIL}\n", "source": SOURCE, "data": {}}),
    orjson.dumps({"id": "rec-1", "source": EMAIL, "data": {}}),
    orjson.dumps({"id": "rec-1", "source": SOURCE, "data": {}, EMAIL: PHONE}),
    orjson.dumps({"id": "rec-1", "source": SOURCE, "data": [EMAIL]}),
    orjson.dumps({"id": "rec-1", "source": SOURCE, "data": {}, "lang": EMAIL}),
    orjson.dumps({"id": "rec-1", "source": SOURCE, "data": {}, "scraped_at": PHONE}),
    b'{"id": "rec-1", "source": "https://x.example", "data": {"'
    + EMAIL.encode()
    + b'": 1, "'
    + EMAIL.encode()
    + b'": 2}}',
    b'{"id": "' + EMAIL.encode() + b'", "id": "x", "source": "https://x.example", "data": {}}',
    b'{"id": "rec-1", "source": "https://x.example", "data": {"t": "\\ud800'
    + INN.encode()
    + b'"}}',
    orjson.dumps({"id": "rec-1", "source": SOURCE, "data": {"a": {"b": {"c": [EMAIL]}}}}),
    orjson.dumps({"id": "rec-1", "source": SOURCE, "data": {EMAIL * 3: CARD * 3}}),
    orjson.dumps({"id": "rec-1", "source": SOURCE, "data": {"t": [EMAIL] * 9}}),
]
SMALL = Limits(max_record_bytes=1000, max_depth=3, max_strings=8, max_string_chars=60)


def test_redact_batch_logs_no_canary(logs: Callable[[], list[str]], detector: Detector) -> None:
    outcomes = Redactor(detector, DEFAULT_POLICY, SMALL).redact_batch([*VALID, *MALFORMED])
    verdicts = [o.verdict for o in outcomes]
    assert verdicts[: len(VALID)] == [Verdict.CLEAN, Verdict.QUARANTINE, Verdict.QUARANTINE]
    assert set(verdicts[len(VALID) :]) == {Verdict.DEAD_LETTER}
    assert_outcomes_carry_no_canary(outcomes)
    assert_no_canary(logs())


class RaisingDetector:
    """A detector whose errors quote the text it was given (as a careless library might)."""

    def __init__(self, error: type[Exception] = RuntimeError, only_batches: bool = False) -> None:
        self.error = error
        self.only_batches = only_batches
        self.inner = build_detector(names=False)

    def analyze(
        self, texts: Sequence[str], contexts: Sequence[str | None] | None = None
    ) -> list[list[Finding]]:
        if not self.only_batches or len({t for t in texts if "rec-" in t}) > 1:
            raise self.error(f"cannot analyse {texts!r}")
        return self.inner.analyze(texts)


RAISING_CASES = [
    (RaisingDetector(), "every call fails: each record is quarantined"),
    (RaisingDetector(DetectionIncomplete), "a regex gives up, quoting its input"),
    (RaisingDetector(only_batches=True), "the batch fails, each record alone succeeds"),
]


@pytest.mark.parametrize(("raising", "why"), RAISING_CASES, ids=[c[-1] for c in RAISING_CASES])
def test_detection_errors_log_no_canary(
    logs: Callable[[], list[str]], raising: RaisingDetector, why: str
) -> None:
    raws = [VALID[0], record("rec-2", t=f"{EMAIL} {INN}"), MALFORMED[0]]
    outcomes = Redactor(raising, DEFAULT_POLICY).redact_batch(raws)  # type: ignore[arg-type]
    assert [o.verdict for o in outcomes][2] is Verdict.DEAD_LETTER
    if raising.only_batches:
        assert [o.verdict for o in outcomes[:2]] == [Verdict.CLEAN, Verdict.CLEAN]
    else:
        assert [o.reason for o in outcomes[:2]] == ["detection_error", "detection_error"]
    assert_outcomes_carry_no_canary(outcomes)
    assert_no_canary(logs())


def sources(raws: Sequence[bytes]) -> list[SourceMessage]:
    return [
        SourceMessage("scraped.raw", 1, offset, f"key-{offset}".encode(), raw, [])
        for offset, raw in enumerate(raws)
    ]


def handle(
    redactor: Redactor, settings: Settings, raws: Sequence[bytes]
) -> tuple[list[Outcome], list[OutputMessage]]:
    """Run one batch through a BatchHandler: its outcomes and the messages it would send."""
    handler = BatchHandler(redactor, settings)
    try:
        batch = sources(raws)
        now = datetime.now(UTC)
        outcomes = asyncio.run(handler.outcomes(batch, handler.prepare(batch, {}, now), None, now))
        return handler.messages(batch, outcomes)
    finally:
        handler.close()


def test_batch_handler_logs_no_canary(logs: Callable[[], list[str]], detector: Detector) -> None:
    raws = [*VALID, *MALFORMED]
    outcomes, messages = handle(Redactor(detector, DEFAULT_POLICY, SMALL), Settings(), raws)
    assert len(outcomes) == len(raws)
    assert len(messages) >= len(raws)
    logged = logs()
    assert any("quarantine:" in text for text in logged), "quarantines are logged"
    assert any("dead_letter:" in text for text in logged), "dead letters are logged"
    assert_no_canary(logged)
    for message in messages:
        assert_no_canary([value.decode("utf-8", "replace") for _, value in message.headers])


class SlowDetector:
    def analyze(
        self, texts: Sequence[str], contexts: Sequence[str | None] | None = None
    ) -> list[list[Finding]]:
        time.sleep(0.5)
        raise RuntimeError(f"too slow for {texts!r}")


def test_detection_timeout_logs_no_canary(logs: Callable[[], list[str]]) -> None:
    raws = [VALID[0], MALFORMED[3]]
    settings = Settings(detection_timeout=0.05)
    outcomes, _ = handle(Redactor(SlowDetector(), DEFAULT_POLICY), settings, raws)  # type: ignore[arg-type]
    assert [o.reason for o in outcomes] == ["detection_timeout", "bad_field"]
    logged = logs()
    assert any("detection exceeded" in text for text in logged)
    assert_no_canary(logged)


UNANALYSED_ID_CASES = [
    (RaisingDetector(), Settings(), "a detector error"),
    (SlowDetector(), Settings(detection_timeout=0.05), "a detection timeout"),
]


@pytest.mark.parametrize(
    ("failing", "settings", "why"), UNANALYSED_ID_CASES, ids=[c[-1] for c in UNANALYSED_ID_CASES]
)
def test_an_unanalysed_id_is_not_logged(
    logs: Callable[[], list[str]], failing: object, settings: Settings, why: str
) -> None:
    raws = [record(f"user-{EMAIL}", bio="hello")]
    outcomes, messages = handle(Redactor(failing, DEFAULT_POLICY), settings, raws)  # type: ignore[arg-type]
    assert outcomes[0].verdict is Verdict.QUARANTINE
    assert_no_canary(logs())
    audit = [m for m in messages if m.topic == settings.topic_audit]
    assert len(audit) == 1 and audit[0].key is None
    assert_no_canary([audit[0].value.decode()])


# --- error messages ----------------------------------------------------------------------------


def test_invalid_record_messages_carry_no_canary() -> None:
    for raw in MALFORMED:
        with pytest.raises(InvalidRecord) as caught:
            collect_slots(parse_record(raw, SMALL), SMALL)
        assert_no_canary([str(caught.value), caught.value.detail, repr(caught.value)])


# Policy errors quote an unknown value only when it looks like a name (a typo worth showing);
# anything else is described, never repeated.
POLICY_CASES = [
    pytest.param(f"version: '1'\n'{EMAIL}': 1\n", id="an address as a top-level field"),
    pytest.param(f"version: '1'\nmin_score: '{EMAIL}'\n", id="an address as the score"),
    pytest.param(f"version: '1'\ndefault_action: '{EMAIL}'\n", id="an address as an action"),
    pytest.param(
        f"version: '1'\ndefault_jurisdiction: '{PHONE}'\n",
        id="a phone as jurisdiction",
    ),
    pytest.param(f"version: '1'\nmask:\n  char: '{CARD}'\n", id="a card as the mask character"),
    pytest.param(f"version: '1'\nmask:\n  keep_tail: '{INN}'\n", id="an ИНН as keep_tail"),
    pytest.param(
        f"version: '1'\nrules:\n  - id: a\n    entities: ['{EMAIL}']\n    action: keep\n",
        id="an address as an entity type",
    ),
    pytest.param(
        f"version: '1'\nrules:\n  - id: a\n    consent: ['{EMAIL}']\n    action: keep\n",
        id="an address as a consent state",
    ),
    pytest.param(
        f"version: '1'\nrules:\n  - id: '{EMAIL}'\n    action: keep\n"
        f"  - id: '{EMAIL}'\n    action: keep\n",
        id="an address as a rule id, twice",
    ),
    pytest.param(f"version: '1'\n'{EMAIL}': [\n", id="invalid YAML after an address"),
]


@pytest.mark.parametrize("text", POLICY_CASES)
def test_policy_errors_carry_no_canary(text: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "policy.yaml")
    assert_no_canary([str(caught.value)])
