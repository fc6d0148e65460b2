"""A Scrapy item pipeline that publishes every item as one record to the raw topic.

Enable it in the project's settings::

    ITEM_PIPELINES = {"streams.client.scrapy.PiiRedactPipeline": 800}
    PIIREDACT_BROKER_URL = "kafka://kafka-1:9092;kafka-2:9092"
    LOG_FORMATTER = "streams.client.scrapy.PiiSafeLogFormatter"  # keep items out of the log

Each item becomes ``{"id", "source", "scraped_at", "data", ...}``: ``source`` is the item's
``PIIREDACT_SOURCE_FIELD`` (default ``url``, required), ``consent`` and ``subject_ref`` come from
``PIIREDACT_CONSENT_FIELD`` / ``PIIREDACT_SUBJECT_FIELD`` (or ``PIIREDACT_CONSENT_CALLABLE``), and
``data`` holds every other field. The record is validated with the worker's rules before it is
sent (:mod:`streams.client.producer`): an invalid item is logged (field and reason, never a value)
and dropped with :class:`~scrapy.exceptions.DropItem`. An item passes on to later pipelines only
once the broker has acknowledged its record; a delivery failure raises
:class:`~streams.client.producer.DeliveryError` (Scrapy logs it as an item error and counts it in
``piiredact/delivery_error``) and, by default, closes the spider so a broker outage does not
silently discard the rest of the crawl. Buffered records are flushed when the spider closes.

Settings (Scrapy settings; unset ones fall back to ``PIIREDACT_*`` environment variables and the
defaults of :class:`~streams.client.producer.ProducerSettings`): ``PIIREDACT_BROKER_URL``,
``PIIREDACT_TOPIC_RAW``, ``PIIREDACT_PRODUCER_COMPRESSION``, ``PIIREDACT_PRODUCER_LINGER_MS``,
``PIIREDACT_PRODUCER_MAX_BATCH_SIZE``, ``PIIREDACT_PRODUCER_REQUEST_TIMEOUT``,
``PIIREDACT_SUBJECT_KEY_SECRET``, ``PIIREDACT_MAX_*``, the Kafka security settings
``PIIREDACT_KAFKA_*`` (TLS and SASL, as the worker's); and the item mapping
``PIIREDACT_SOURCE_FIELD``, ``PIIREDACT_ID_FIELD``, ``PIIREDACT_SUBJECT_FIELD``,
``PIIREDACT_CONSENT_FIELD``, ``PIIREDACT_CONSENT_CALLABLE``, ``PIIREDACT_LANG_FIELD``,
``PIIREDACT_SCRAPED_AT_FIELD``, ``PIIREDACT_CLOSE_ON_DELIVERY_ERROR``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

try:
    from itemadapter import ItemAdapter
    from scrapy.exceptions import DropItem, NotConfigured
    from scrapy.logformatter import LogFormatter, LogFormatterResult
    from scrapy.utils.asyncio import is_asyncio_available
    from scrapy.utils.defer import deferred_from_coro
    from twisted.internet.defer import Deferred
    from twisted.internet.threads import deferToThread
except ImportError as exc:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "streams.client.scrapy needs Scrapy 2.14 or later: pip install piiredact[scrapy]"
    ) from exc

from streams.client.producer import PreparedRecord, ProducerSettings, SendResult, SyncRecordProducer
from streams.errors import DeliveryError, InvalidRecordError, PiiRedactError

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

__all__ = ["PiiRedactPipeline", "PiiSafeLogFormatter"]

logger = logging.getLogger(__name__)
_T = TypeVar("_T")
ConsentCallable = Callable[[Any, Any], "dict[str, Any] | None"]


def load_callable(path: str) -> ConsentCallable:
    """``"pkg.mod:func"`` -> the function. Raises :class:`NotConfigured` naming the setting."""
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise NotConfigured(
            "PIIREDACT_CONSENT_CALLABLE: must be an import path like 'mypackage.consent:lookup'"
        )
    try:
        func = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise NotConfigured(
            f"PIIREDACT_CONSENT_CALLABLE: cannot import {path} ({type(exc).__name__})"
        ) from None
    if not callable(func):
        raise NotConfigured(f"PIIREDACT_CONSENT_CALLABLE: {path} is not callable")
    return func  # type: ignore[no-any-return]


class PiiRedactPipeline:
    """Publishes every item as a record to the raw topic; see the module docstring."""

    def __init__(
        self,
        crawler: Crawler,
        producer: SyncRecordProducer | None = None,
    ) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.source_field: str = settings.get("PIIREDACT_SOURCE_FIELD") or "url"
        self.id_field: str | None = settings.get("PIIREDACT_ID_FIELD") or None
        self.subject_field: str = settings.get("PIIREDACT_SUBJECT_FIELD") or "subject_ref"
        self.consent_field: str = settings.get("PIIREDACT_CONSENT_FIELD") or "consent"
        self.lang_field: str | None = settings.get("PIIREDACT_LANG_FIELD") or None
        self.scraped_at_field: str | None = settings.get("PIIREDACT_SCRAPED_AT_FIELD") or None
        self.close_on_delivery_error = settings.getbool("PIIREDACT_CLOSE_ON_DELIVERY_ERROR", True)
        callable_path = settings.get("PIIREDACT_CONSENT_CALLABLE")
        self.consent_callable = load_callable(callable_path) if callable_path else None
        if producer is None:
            overrides = {
                name: settings.get(f"PIIREDACT_{name.upper()}")
                for name in ProducerSettings.model_fields
                if settings.get(f"PIIREDACT_{name.upper()}") is not None
            }
            producer = SyncRecordProducer(**overrides)
        self.producer = producer
        self._closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PiiRedactPipeline:
        """Scrapy's constructor hook."""
        return cls(crawler)

    # ------------------------------------------------------------------------------ life cycle

    async def open_spider(self) -> None:
        """Connect to the broker; a broker that cannot be reached stops the crawl here."""
        await _in_thread(self.producer.start)
        logger.info(
            "piiredact: publishing items to %s at %s",
            self.producer.topic,
            self.producer.settings.bootstrap_servers,
        )

    async def close_spider(self) -> None:
        """Flush what is buffered and disconnect."""
        await _in_thread(self.producer.close)
        stats = self.crawler.stats
        if stats is not None:
            logger.info(
                "piiredact: %d records sent, %d items invalid, %d delivery errors",
                stats.get_value("piiredact/sent", 0),
                stats.get_value("piiredact/invalid", 0),
                stats.get_value("piiredact/delivery_error", 0),
            )

    # ----------------------------------------------------------------------------------- items

    def prepare(self, item: Any) -> PreparedRecord:
        """The validated record for ``item``. Raises :class:`DropItem` naming the field."""
        fields = ItemAdapter(item).asdict()
        source = fields.pop(self.source_field, None)
        record_id = fields.pop(self.id_field, None) if self.id_field else None
        subject_ref = fields.pop(self.subject_field, None)
        consent = fields.pop(self.consent_field, None)
        lang = fields.pop(self.lang_field, None) if self.lang_field else None
        scraped_at = fields.pop(self.scraped_at_field, None) if self.scraped_at_field else None
        try:
            if source is None:
                raise InvalidRecordError(
                    "missing_field",
                    f"source: the item has no {self.source_field!r} field "
                    "(PIIREDACT_SOURCE_FIELD) with the page URL",
                )
            if consent is None and self.consent_callable is not None:
                consent = self.consent_callable(item, self.crawler.spider)
            return self.producer.prepare(
                fields,
                source=source,
                id=record_id,
                scraped_at=scraped_at,
                lang=lang,
                subject_ref=subject_ref,
                consent=consent,
            )
        except InvalidRecordError as exc:
            self._inc("piiredact/invalid")
            self._inc(f"piiredact/invalid/{exc.reason}")
            logger.warning("piiredact: dropped an invalid item: %s", exc)
            raise DropItem(f"piiredact: invalid record: {exc}") from None

    async def process_item(self, item: Any) -> Any:
        """Send ``item`` as a record; return it once the broker has acknowledged the record."""
        prepared = self.prepare(item)
        try:
            future = self.producer.send_prepared(prepared, wait=False)
            await _wait(future)
        except PiiRedactError as exc:
            self._inc("piiredact/delivery_error")
            logger.error("piiredact: %s", exc)
            if self.close_on_delivery_error and not self._closing:
                self._closing = True
                self._close_spider()
            if isinstance(exc, DeliveryError):
                raise
            raise DeliveryError(prepared.id, self.producer.topic, type(exc).__name__) from None
        self._inc("piiredact/sent")
        return item

    def _close_spider(self) -> None:
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason="piiredact_delivery_error"))

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)


async def _in_thread(func: Callable[[], _T]) -> _T:
    """Run a blocking call off the reactor thread, on asyncio or on a plain Twisted reactor."""
    if is_asyncio_available():
        return await asyncio.get_running_loop().run_in_executor(None, func)
    return await deferToThread(func)


async def _wait(future: concurrent.futures.Future[SendResult]) -> SendResult:
    """Await a future completed by the producer's thread."""
    if is_asyncio_available():
        return await asyncio.wrap_future(future)
    from twisted.internet import reactor  # noqa: PLC0415 - the installed reactor

    deferred: Deferred[SendResult] = Deferred()

    def fire(done: concurrent.futures.Future[SendResult]) -> None:
        error = done.exception()
        if error is not None:
            deferred.errback(error)
        else:
            deferred.callback(done.result())

    future.add_done_callback(lambda done: reactor.callFromThread(fire, done))
    return await deferred


class PiiSafeLogFormatter(LogFormatter):
    """Scrapy's log formatter without item contents: scraped, dropped and failed items are
    logged by type and reason only (Scrapy's default prints the whole item, personal data
    included). Enable with ``LOG_FORMATTER = "streams.client.scrapy.PiiSafeLogFormatter"``.
    """

    def scraped(
        self, item: Any, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        """Logs the item's type, not its fields."""
        result = super().scraped(item, response, spider)
        result["msg"] = "Scraped from %(src)s: %(item_type)s"
        result["args"] = {**dict(result["args"]), "item": None, "item_type": _type_name(item)}
        return result

    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        """Logs the reason (the exception's message) and the item's type."""
        result = super().dropped(item, exception, response, spider)
        result["msg"] = "Dropped %(item_type)s: %(exception)s"
        result["args"] = {**dict(result["args"]), "item": None, "item_type": _type_name(item)}
        return result

    def item_error(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        """Logs the item's type; the traceback follows."""
        result = super().item_error(item, exception, response, spider)
        result["msg"] = "Error processing %(item_type)s"
        result["args"] = {"item_type": _type_name(item)}
        return result


def _type_name(item: Any) -> str:
    return type(item).__name__
