"""Publishing scraped records to the raw topic: what a scraper uses.

Two clients share one validation and one envelope builder:

* :class:`RecordProducer`, an async context manager on aiokafka;
* :class:`SyncRecordProducer`, a context manager for threaded code (Scrapy, scripts) that runs
  a :class:`RecordProducer` on its own event loop in a background thread.

Every record is checked *before* it is sent with the worker's own rules
(:func:`streams.core.envelope.parse_record` and :func:`streams.core.envelope.collect_slots` with
the same :class:`~streams.core.envelope.Limits`), and its ``consent`` with the worker's consent
parser (:func:`streams.core.consent.parse_consent`), so a record the client accepts is never
dead-lettered for its envelope and its consent is never ignored as malformed. Errors name the field
and what
to fix, never a value::

    PiiRedactError
    ├── InvalidRecord
    │   └── InvalidRecordError   the record was refused by the client; nothing was sent
    ├── BrokerError              the broker cannot be reached (raised by start())
    │   └── DeliveryError        the broker did not acknowledge one record
    └── KafkaSecurityError       a ``kafka_*`` file (SASL password, certificate) cannot be used

Defaults (see docs/producer.md): ``id`` is a UUID 5 of ``source`` and ``data``, so the same page
content always gets the same id and consumers can de-duplicate retries by key; ``scraped_at`` is
the current UTC time. The message key is a SHA-256 (or, with a secret, HMAC-SHA-256) of
``subject_ref`` when there is one, so every record about one person lands in one partition in
order without the reference itself travelling in the key; otherwise the key is the record id.

Consent (all fields optional except ``status``; other fields are allowed and passed on; times
may also be given as timezone-aware datetimes, or the whole as a
:class:`streams.core.consent.Consent`)::

    {"status": "granted" | "withdrawn" | "none",
     "scope": ["processing" | "distribution", ...], "purposes": ["...", ...],
     "valid_from": RFC 3339, "valid_until": RFC 3339 (after valid_from),
     "withdrawn_at": RFC 3339, "jurisdiction": "RU" | "EU" | "OTHER", "evidence": "..."}
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import hashlib
import hmac
import json
import math
import re
import threading
import uuid
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal, TypeVar, overload

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka import codec as kafka_codec
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from streams.core.attribution import IdentityError, parse_identity
from streams.core.consent import Consent, parse_consent
from streams.core.envelope import Limits, Record, collect_slots, parse_record
from streams.core.timestamps import format_rfc3339
from streams.errors import (
    BrokerError,
    ConsentError,
    DeliveryError,
    InvalidRecord,
    InvalidRecordError,
    KafkaSecurityError,
)
from streams.kafka_security import kafka_security
from streams.settings import KafkaSecuritySettings
from streams.value_logs import keep_values_out_of_logs

__all__ = [
    "Consent",
    "DeliveryError",
    "InvalidRecordError",
    "KafkaSecurityError",
    "PreparedRecord",
    "ProducerSettings",
    "RecordProducer",
    "SendResult",
    "SyncRecordProducer",
    "build_record",
    "consent_to_dict",
    "prepare_record",
    "validate_consent",
]

#: Namespace of the default record ids (``uuid5(ID_NAMESPACE, source + "\n" + data)``).
ID_NAMESPACE = uuid.UUID("6f1c2a52-8d0e-5b7a-9a51-3c0e7f4b2d10")

_CONSENT_TIMES = ("valid_from", "valid_until", "withdrawn_at")
_SURROGATE = re.compile("[\ud800-\udfff]")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: The envelope's top-level fields: those of :class:`streams.core.envelope.Record`.
ENVELOPE_FIELDS = frozenset(f.name for f in dataclasses.fields(Record))
_CODECS = {
    "gzip": kafka_codec.has_gzip,
    "snappy": kafka_codec.has_snappy,
    "lz4": kafka_codec.has_lz4,
    "zstd": kafka_codec.has_zstd,
}
_T = TypeVar("_T")
DEFAULT_LIMITS = Limits()


class ProducerSettings(KafkaSecuritySettings):
    """Producer configuration; every field reads ``PIIREDACT_<FIELD>`` from the environment.

    ``broker_url``, ``topic_raw``, the ``kafka_*`` security settings (TLS, SASL) and the record
    limits have the worker's names and defaults, so a producer and a worker configured by the
    same environment agree.
    """

    model_config = SettingsConfigDict(
        env_prefix="PIIREDACT_", frozen=True, extra="ignore", hide_input_in_errors=True
    )

    broker_url: str = Field(
        "kafka://127.0.0.1:9092",
        description="Bootstrap servers: kafka://h1:9092;h2:9092 or h1:9092,h2:9092.",
    )
    topic_raw: str = Field("scraped.raw", min_length=1, description="Topic records are sent to.")
    producer_compression: Literal["gzip", "snappy", "lz4", "zstd", "none"] = Field(
        "gzip", description="Batch compression; gzip needs no extra package."
    )
    producer_linger_ms: int = Field(
        5, ge=0, description="Milliseconds a batch waits for more records before it is sent."
    )
    producer_max_batch_size: int = Field(65_536, ge=1024, description="Bytes per partition batch.")
    producer_request_timeout: float = Field(
        30.0, gt=0, description="Seconds until an unacknowledged record is a DeliveryError."
    )
    subject_key_secret: SecretStr | None = Field(
        None, description="If set, message keys are HMAC-SHA-256 of subject_ref with this key."
    )
    max_record_bytes: int = Field(1_048_576, ge=1, description="Larger records are refused.")
    max_depth: int = Field(32, ge=1, description="Deeper nesting under `data` is refused.")
    max_strings: int = Field(10_000, ge=1, description="More strings in one record are refused.")
    max_string_chars: int = Field(100_000, ge=1, description="A longer string is refused.")

    @field_validator("broker_url")
    @classmethod
    def _servers(cls, value: str) -> str:
        if not _split_servers(value):
            raise ValueError("must name at least one host:port, e.g. kafka://127.0.0.1:9092")
        return value

    @field_validator("producer_compression")
    @classmethod
    def _codec_available(cls, value: str) -> str:
        if value != "none" and not _CODECS[value]():
            raise ValueError(f"{value} compression needs its codec package; use gzip or none")
        return value

    @property
    def bootstrap_servers(self) -> str:
        """The broker list in aiokafka's form: ``host1:9092,host2:9092``."""
        return ",".join(_split_servers(self.broker_url))

    @property
    def limits(self) -> Limits:
        """The record limits, as the worker applies them."""
        return Limits(
            max_record_bytes=self.max_record_bytes,
            max_depth=self.max_depth,
            max_strings=self.max_strings,
            max_string_chars=self.max_string_chars,
        )


def _split_servers(url: str) -> list[str]:
    hosts = url.strip().removeprefix("kafka://")
    return [h.strip() for h in hosts.replace(";", ",").split(",") if h.strip()]


@dataclass(frozen=True, slots=True)
class PreparedRecord:
    """A validated record, ready to send: its id, message key and serialized value."""

    id: str
    key: bytes
    value: bytes


@dataclass(frozen=True, slots=True)
class SendResult:
    """Where the broker stored a record."""

    id: str
    topic: str
    partition: int
    offset: int


# --------------------------------------------------------------------------- building and checks


def _time_field(value: Any, name: str) -> Any:
    if isinstance(value, datetime):
        try:
            return format_rfc3339(value)
        except ValueError:
            raise InvalidRecordError(
                "bad_field", f"{name}: a datetime must be timezone-aware (e.g. tzinfo=UTC)"
            ) from None
    return value


def build_record(
    data: Any,
    *,
    source: Any,
    id: Any = None,
    scraped_at: datetime | str | None = None,
    lang: Any = None,
    subject_ref: Any = None,
    consent: Mapping[str, Any] | Consent | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """The envelope for ``data``, with defaults filled in (not yet validated as a whole).

    ``id`` defaults to a UUID 5 of ``source`` and ``data``; ``scraped_at`` to now (UTC).
    """
    if not isinstance(data, dict):
        raise InvalidRecordError(
            "bad_field", f"data: must be an object (dict), got {type(data).__name__}"
        )
    if source is None:
        raise InvalidRecordError("missing_field", "source: required (the URL of the page)")
    _check_json(data, "data", 1, limits)
    record: dict[str, Any] = {}
    if id is None:
        _check_json(source, "source", 1, limits)
        body = _dumps(data, sort_keys=True).decode("utf-8")
        id = str(uuid.uuid5(ID_NAMESPACE, f"{source}\n{body}"))
    record["id"] = id
    record["source"] = source
    record["scraped_at"] = (
        format_rfc3339(datetime.now(UTC))
        if scraped_at is None
        else _time_field(scraped_at, "scraped_at")
    )
    if lang is not None:
        record["lang"] = lang
    if subject_ref is not None:
        record["subject_ref"] = subject_ref
    if consent is not None:
        record["consent"] = consent_to_dict(consent) if isinstance(consent, Consent) else consent
    record["data"] = data
    return record


def prepare_record(
    record: Mapping[str, Any],
    limits: Limits = DEFAULT_LIMITS,
    subject_key_secret: bytes | None = None,
) -> PreparedRecord:
    """Validate a whole envelope and serialize it. Raises :class:`InvalidRecordError`.

    The checks are the worker's (:func:`~streams.core.envelope.parse_record`,
    :func:`~streams.core.envelope.collect_slots`) on the exact bytes that will be sent, plus
    :func:`validate_consent`.
    """
    if not isinstance(record, Mapping):
        raise InvalidRecordError(
            "not_object", f"record: must be an object (dict), got {type(record).__name__}"
        )
    envelope = dict(record)
    _check_field_names(envelope)
    if isinstance(envelope.get("consent"), dict):
        envelope["consent"] = _normalise_consent(envelope["consent"])
    for name, value in envelope.items():
        _check_json(value, name, 1, limits)
    raw = _dumps(envelope)
    try:
        parsed = parse_record(raw, limits)
        collect_slots(parsed, limits)
    except InvalidRecord as exc:
        raise InvalidRecordError(exc.reason, exc.detail) from None
    if parsed.consent is not None:
        validate_consent(parsed.consent)
    if parsed.subject_ref is not None:
        key = _subject_key(parsed.subject_ref, subject_key_secret)
    else:
        key = parsed.id.encode("utf-8")
    return PreparedRecord(id=parsed.id, key=key, value=raw)


def _check_field_names(envelope: dict[Any, Any]) -> None:
    for name in envelope:
        if not isinstance(name, str):
            raise InvalidRecordError(
                "unknown_field", f"a top-level field name is a {type(name).__name__}, not a string"
            )
    unknown = sorted(set(envelope) - ENVELOPE_FIELDS)
    if unknown:
        # As the worker says it: only names that look like identifiers are shown.
        names = ", ".join(
            repr(name) if _IDENTIFIER.match(name) else "<non-identifier>" for name in unknown[:5]
        )
        raise InvalidRecordError(
            "unknown_field",
            f"unknown top-level field(s): {names}; allowed: {', '.join(sorted(ENVELOPE_FIELDS))} "
            "(put page fields under data)",
        )


def _subject_key(subject_ref: str, secret: bytes | None) -> bytes:
    message = subject_ref.encode("utf-8")
    if secret:
        return hmac.new(secret, message, hashlib.sha256).hexdigest().encode("ascii")
    return hashlib.sha256(b"piiredact-subject\x00" + message).hexdigest().encode("ascii")


def _dumps(obj: Any, *, sort_keys: bool = False) -> bytes:
    try:
        return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS if sort_keys else 0)
    except orjson.JSONEncodeError:
        # orjson refuses integers wider than 64 bits; the standard library writes them exactly.
        text = json.dumps(
            obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"), sort_keys=sort_keys
        )
        return text.encode("utf-8")


def _check_json(node: Any, field: str, depth: int, limits: Limits) -> None:
    """Only JSON types, finite numbers, string keys and no lone surrogates under ``field``.

    Errors name the top-level field only: deeper keys may themselves be personal data.
    """
    if depth > limits.max_depth:
        raise InvalidRecordError(
            "too_deep", f"{field} is nested deeper than {limits.max_depth} levels"
        )
    if isinstance(node, str):
        if _SURROGATE.search(node):
            raise InvalidRecordError(
                "bad_string",
                f"a string under {field} holds an unpaired surrogate (\\uD800-\\uDFFF); "
                "decode the page text properly",
            )
    elif isinstance(node, int) or node is None:  # bool is an int
        return
    elif isinstance(node, float):
        if not math.isfinite(node):
            raise InvalidRecordError(
                "bad_field", f"a number under {field} is NaN or infinite, which JSON cannot hold"
            )
    elif isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(key, str):
                raise InvalidRecordError(
                    "bad_field",
                    f"a key under {field} is a {type(key).__name__}; object keys must be strings",
                )
            _check_json(key, field, depth, limits)
            _check_json(value, field, depth + 1, limits)
    elif isinstance(node, list | tuple):
        for value in node:
            _check_json(value, field, depth + 1, limits)
    else:
        raise InvalidRecordError(
            "bad_field",
            f"a value under {field} is a {type(node).__name__}; only JSON types are allowed "
            "(dict, list, str, int, float, bool, None): convert it first",
        )


def _normalise_consent(consent: dict[str, Any]) -> dict[str, Any]:
    out = dict(consent)
    for name in _CONSENT_TIMES:
        if name in out:
            out[name] = _time_field(out[name], f"consent.{name}")
    return out


def validate_consent(consent: Any) -> None:
    """Check a consent object with the worker's own parser
    (:func:`streams.core.consent.parse_consent`).

    Raises :class:`InvalidRecordError` naming the field and the allowed values, never the value
    found. (The worker does not dead-letter a malformed consent: it ignores it, so the record is
    treated as having none. The client refuses it, so the mistake is seen where it is made.)
    Its ``identity``, if any, is checked the same way
    (:func:`streams.core.attribution.parse_identity`): the worker would ignore a malformed one,
    and every value of the record would then be a third party's.
    """
    try:
        parse_consent(consent)
    except ConsentError as exc:
        raise InvalidRecordError("bad_field", str(exc)) from None
    if isinstance(consent, Mapping) and consent.get("identity") is not None:
        try:
            parse_identity(consent["identity"], "consent.identity")
        except IdentityError as exc:
            raise InvalidRecordError("bad_field", str(exc)) from None


def consent_to_dict(consent: Consent) -> dict[str, Any]:
    """A :class:`streams.core.consent.Consent` as the envelope's ``consent`` object."""
    out: dict[str, Any] = {"status": consent.status}
    if consent.scope:
        out["scope"] = sorted(consent.scope)
    if consent.purposes:
        out["purposes"] = list(consent.purposes)
    for name in _CONSENT_TIMES:
        value = getattr(consent, name)
        if value is not None:
            out[name] = value
    if consent.jurisdiction is not None:
        out["jurisdiction"] = consent.jurisdiction.value
    if consent.evidence is not None:
        out["evidence"] = consent.evidence
    return out


# ----------------------------------------------------------------------------------- the clients


#: aiokafka loggers whose DEBUG lines print message keys and values (raw personal data).
class RecordProducer:
    """Async client: ``async with RecordProducer(broker_url="host:9092") as producer: ...``.

    Keyword arguments override :class:`ProducerSettings` fields (the rest come from ``settings``
    or the environment). Starting it raises aiokafka's ``producer`` and ``conn`` loggers to
    INFO if they would log DEBUG: their DEBUG lines print message values. Not idempotent: a
    retry after a :class:`DeliveryError` may write the record twice, with the same id and key.
    """

    def __init__(self, settings: ProducerSettings | None = None, **overrides: Any) -> None:
        if overrides:
            base = settings.model_dump() if settings is not None else {}
            settings = ProducerSettings(**{**base, **overrides})
        self.settings = settings if settings is not None else ProducerSettings()
        self.topic = self.settings.topic_raw
        self._limits = self.settings.limits
        secret = self.settings.subject_key_secret
        self._secret = secret.get_secret_value().encode("utf-8") if secret else None
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        """Connect to the broker. Raises :class:`~streams.errors.BrokerError` if it can't, and
        :class:`~streams.kafka_security.KafkaSecurityError` if a ``kafka_*`` file (the SASL
        password, a certificate) cannot be used."""
        s = self.settings
        keep_values_out_of_logs()
        security = kafka_security(s)  # reads the password file, builds the TLS context
        producer = AIOKafkaProducer(
            **security.aiokafka_kwargs(),
            bootstrap_servers=s.bootstrap_servers,
            acks="all",
            enable_idempotence=False,
            compression_type=None if s.producer_compression == "none" else s.producer_compression,
            linger_ms=s.producer_linger_ms,
            max_batch_size=s.producer_max_batch_size,
            max_request_size=s.max_record_bytes + 16_384,
            request_timeout_ms=int(s.producer_request_timeout * 1000),
        )
        try:
            await producer.start()
        except Exception as exc:
            with contextlib.suppress(Exception):
                await producer.stop()
            raise BrokerError(
                f"cannot reach the broker at {s.bootstrap_servers}: {type(exc).__name__}"
            ) from None
        self._producer = producer

    async def stop(self) -> None:
        """Send what is buffered, wait for it, and disconnect."""
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()

    async def __aenter__(self) -> RecordProducer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def prepare(
        self,
        data: Any,
        *,
        source: Any,
        id: Any = None,
        scraped_at: datetime | str | None = None,
        lang: Any = None,
        subject_ref: Any = None,
        consent: Mapping[str, Any] | Consent | None = None,
    ) -> PreparedRecord:
        """Build and validate a record without sending it."""
        record = build_record(
            data,
            source=source,
            id=id,
            scraped_at=scraped_at,
            lang=lang,
            subject_ref=subject_ref,
            consent=consent,
            limits=self._limits,
        )
        return prepare_record(record, self._limits, self._secret)

    def prepare_envelope(self, record: Mapping[str, Any]) -> PreparedRecord:
        """Validate an already-built envelope (sent as it is: no defaults are filled in)."""
        return prepare_record(record, self._limits, self._secret)

    @overload
    async def send(
        self,
        data: Any,
        *,
        source: Any,
        id: Any = ...,
        scraped_at: datetime | str | None = ...,
        lang: Any = ...,
        subject_ref: Any = ...,
        consent: Mapping[str, Any] | Consent | None = ...,
        wait: Literal[True] = ...,
    ) -> SendResult: ...

    @overload
    async def send(
        self,
        data: Any,
        *,
        source: Any,
        id: Any = ...,
        scraped_at: datetime | str | None = ...,
        lang: Any = ...,
        subject_ref: Any = ...,
        consent: Mapping[str, Any] | Consent | None = ...,
        wait: Literal[False],
    ) -> asyncio.Future[SendResult]: ...

    async def send(
        self,
        data: Any,
        *,
        source: Any,
        id: Any = None,
        scraped_at: datetime | str | None = None,
        lang: Any = None,
        subject_ref: Any = None,
        consent: Mapping[str, Any] | Consent | None = None,
        wait: bool = True,
    ) -> SendResult | asyncio.Future[SendResult]:
        """Build, validate and send one record.

        Returns once the broker has acknowledged it (``acks=all``), or with ``wait=False`` as
        soon as it is buffered, returning a future of the result. Raises
        :class:`InvalidRecordError` (nothing sent) or :class:`DeliveryError`.
        """
        prepared = self.prepare(
            data,
            source=source,
            id=id,
            scraped_at=scraped_at,
            lang=lang,
            subject_ref=subject_ref,
            consent=consent,
        )
        return await self.send_prepared(prepared, wait=wait)

    @overload
    async def send_record(
        self, record: Mapping[str, Any], *, wait: Literal[True] = ...
    ) -> SendResult: ...

    @overload
    async def send_record(
        self, record: Mapping[str, Any], *, wait: Literal[False]
    ) -> asyncio.Future[SendResult]: ...

    async def send_record(
        self, record: Mapping[str, Any], *, wait: bool = True
    ) -> SendResult | asyncio.Future[SendResult]:
        """Validate and send an already-built envelope, as :meth:`send` does."""
        return await self.send_prepared(self.prepare_envelope(record), wait=wait)

    @overload
    async def send_prepared(
        self, prepared: PreparedRecord, *, wait: Literal[True] = ...
    ) -> SendResult: ...

    @overload
    async def send_prepared(
        self, prepared: PreparedRecord, *, wait: Literal[False]
    ) -> asyncio.Future[SendResult]: ...

    @overload
    async def send_prepared(
        self, prepared: PreparedRecord, *, wait: bool
    ) -> SendResult | asyncio.Future[SendResult]: ...

    async def send_prepared(
        self, prepared: PreparedRecord, *, wait: bool = True
    ) -> SendResult | asyncio.Future[SendResult]:
        """Send a record made by :meth:`prepare` or :meth:`prepare_envelope`."""
        return await self._send(prepared.id, prepared.key, prepared.value, wait)

    async def send_raw(
        self, key: bytes | None, value: bytes, *, wait: bool = True
    ) -> SendResult | asyncio.Future[SendResult]:
        """Send bytes as they are, unchecked: for messages already checked (``piiredact
        produce``) or meant for the dead-letter path. Same connection, security and errors as
        :meth:`send_prepared`; the result's ``id`` is ``""``."""
        return await self._send("", key, value, wait)

    async def _send(
        self, record_id: str, key: bytes | None, value: bytes, wait: bool
    ) -> SendResult | asyncio.Future[SendResult]:
        producer = self._producer
        if producer is None:
            raise BrokerError("the producer is not started: use it as a context manager")
        try:
            acked = await producer.send(self.topic, value=value, key=key)
        except Exception as exc:
            raise DeliveryError(record_id, self.topic, type(exc).__name__) from None
        future = asyncio.ensure_future(self._result(record_id, acked))
        if not wait:
            return future
        return await future

    async def _result(self, record_id: str, acked: asyncio.Future[Any]) -> SendResult:
        try:
            metadata = await acked
        except Exception as exc:
            raise DeliveryError(record_id, self.topic, type(exc).__name__) from None
        return SendResult(
            id=record_id,
            topic=metadata.topic,
            partition=metadata.partition,
            offset=metadata.offset,
        )

    async def flush(self) -> None:
        """Wait until every buffered record has been sent (a failed one fails its own future)."""
        if self._producer is not None:
            await self._producer.flush()


class SyncRecordProducer:
    """Blocking client: ``with SyncRecordProducer(broker_url="host:9092") as producer: ...``.

    Runs a :class:`RecordProducer` on an event loop in a daemon thread. Thread-safe: any thread
    may call :meth:`send`; validation runs in the calling thread, sending on the loop thread.
    """

    def __init__(self, settings: ProducerSettings | None = None, **overrides: Any) -> None:
        self._client = RecordProducer(settings, **overrides)
        self.settings = self._client.settings
        self.topic = self._client.topic
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        # Longest a blocking call waits for the loop thread; delivery itself is bounded by the
        # request timeout, this only guards against a wedged thread.
        self._wait = self.settings.producer_request_timeout * 2 + 10

    def start(self) -> None:
        """Start the loop thread and connect. Raises :class:`~streams.errors.BrokerError`."""
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="piiredact-producer", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        try:
            self._call(self._client.start())
        except BaseException:
            self._shutdown()
            raise

    def close(self) -> None:
        """Send what is buffered, wait for it, disconnect and end the loop thread."""
        if self._loop is None:
            return
        try:
            self._call(self._client.stop())
        finally:
            self._shutdown()

    def _shutdown(self) -> None:
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=self._wait)
            if not thread.is_alive():
                loop.close()

    def __enter__(self) -> SyncRecordProducer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _submit(self, coro: Coroutine[Any, Any, _T]) -> concurrent.futures.Future[_T]:
        if self._loop is None:
            coro.close()
            raise BrokerError("the producer is not started: use it as a context manager")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def _call(self, coro: Coroutine[Any, Any, _T]) -> _T:
        future = self._submit(coro)
        try:
            return future.result(timeout=self._wait)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise BrokerError(
                f"the producer thread did not answer within {self._wait:.0f}s"
            ) from None

    def prepare(
        self,
        data: Any,
        *,
        source: Any,
        id: Any = None,
        scraped_at: datetime | str | None = None,
        lang: Any = None,
        subject_ref: Any = None,
        consent: Mapping[str, Any] | Consent | None = None,
    ) -> PreparedRecord:
        """Build and validate a record without sending it."""
        return self._client.prepare(
            data,
            source=source,
            id=id,
            scraped_at=scraped_at,
            lang=lang,
            subject_ref=subject_ref,
            consent=consent,
        )

    def prepare_envelope(self, record: Mapping[str, Any]) -> PreparedRecord:
        """Validate an already-built envelope (sent as it is)."""
        return self._client.prepare_envelope(record)

    @overload
    def send(
        self,
        data: Any,
        *,
        source: Any,
        id: Any = ...,
        scraped_at: datetime | str | None = ...,
        lang: Any = ...,
        subject_ref: Any = ...,
        consent: Mapping[str, Any] | Consent | None = ...,
        wait: Literal[True] = ...,
    ) -> SendResult: ...

    @overload
    def send(
        self,
        data: Any,
        *,
        source: Any,
        id: Any = ...,
        scraped_at: datetime | str | None = ...,
        lang: Any = ...,
        subject_ref: Any = ...,
        consent: Mapping[str, Any] | Consent | None = ...,
        wait: Literal[False],
    ) -> concurrent.futures.Future[SendResult]: ...

    def send(
        self,
        data: Any,
        *,
        source: Any,
        id: Any = None,
        scraped_at: datetime | str | None = None,
        lang: Any = None,
        subject_ref: Any = None,
        consent: Mapping[str, Any] | Consent | None = None,
        wait: bool = True,
    ) -> SendResult | concurrent.futures.Future[SendResult]:
        """As :meth:`RecordProducer.send`; ``wait=False`` returns a concurrent future."""
        prepared = self.prepare(
            data,
            source=source,
            id=id,
            scraped_at=scraped_at,
            lang=lang,
            subject_ref=subject_ref,
            consent=consent,
        )
        return self.send_prepared(prepared, wait=wait)

    @overload
    def send_record(
        self, record: Mapping[str, Any], *, wait: Literal[True] = ...
    ) -> SendResult: ...

    @overload
    def send_record(
        self, record: Mapping[str, Any], *, wait: Literal[False]
    ) -> concurrent.futures.Future[SendResult]: ...

    def send_record(
        self, record: Mapping[str, Any], *, wait: bool = True
    ) -> SendResult | concurrent.futures.Future[SendResult]:
        """Validate and send an already-built envelope."""
        return self.send_prepared(self.prepare_envelope(record), wait=wait)

    @overload
    def send_prepared(
        self, prepared: PreparedRecord, *, wait: Literal[True] = ...
    ) -> SendResult: ...

    @overload
    def send_prepared(
        self, prepared: PreparedRecord, *, wait: Literal[False]
    ) -> concurrent.futures.Future[SendResult]: ...

    @overload
    def send_prepared(
        self, prepared: PreparedRecord, *, wait: bool
    ) -> SendResult | concurrent.futures.Future[SendResult]: ...

    def send_prepared(
        self, prepared: PreparedRecord, *, wait: bool = True
    ) -> SendResult | concurrent.futures.Future[SendResult]:
        """Send a record made by :meth:`prepare` or :meth:`prepare_envelope`."""
        future = self._submit(self._send_and_wait(prepared))
        if not wait:
            return future
        try:
            return future.result(timeout=self._wait)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise DeliveryError(prepared.id, self.topic, "TimeoutError") from None

    async def _send_and_wait(self, prepared: PreparedRecord) -> SendResult:
        return await self._client.send_prepared(prepared)

    def flush(self) -> None:
        """Block until every buffered record has been sent."""
        self._call(self._client.flush())
