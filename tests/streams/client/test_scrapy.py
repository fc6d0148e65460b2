"""The Scrapy pipeline: item to record mapping, and a real crawl through the worker."""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import functools
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer
from scrapy import Spider
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from streams.client.producer import PreparedRecord, SendResult, SyncRecordProducer
from streams.client.scrapy import PiiRedactPipeline, PiiSafeLogFormatter
from streams.errors import DeliveryError
from streams.settings import Settings
from streams.testing.broker import EmbeddedBroker, free_port
from streams.testing.harness import start_worker, stop_worker

CANARY = "olga.canary@example.ru"


# --- item to record, without a broker ---------------------------------------------------------


class FakeProducer(SyncRecordProducer):
    """Validates like the real client; "sends" by completing a future (or failing it)."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__(broker_url="127.0.0.1:9", topic_raw="t.raw")
        self.fail = fail
        self.sent: list[PreparedRecord] = []

    def send_prepared(self, prepared: PreparedRecord, *, wait: bool = True) -> Any:
        future: concurrent.futures.Future[SendResult] = concurrent.futures.Future()
        if self.fail:
            future.set_exception(DeliveryError(prepared.id, self.topic, "KafkaTimeoutError"))
        else:
            self.sent.append(prepared)
            future.set_result(SendResult(prepared.id, self.topic, 0, len(self.sent) - 1))
        return future


def pipeline(settings: dict[str, Any] | None = None, fail: bool = False) -> PiiRedactPipeline:
    crawler = get_crawler(settings_dict=settings or {})
    return PiiRedactPipeline(crawler, producer=FakeProducer(fail=fail))


def lookup_consent(item: Any, spider: Any) -> dict[str, Any]:
    """A PIIREDACT_CONSENT_CALLABLE for the tests."""
    return {"status": "none", "evidence": f"rule for {item.get('kind', '?')}"}


def test_fields_map_to_the_envelope() -> None:
    p = pipeline(
        {
            "PIIREDACT_ID_FIELD": "page_id",
            "PIIREDACT_LANG_FIELD": "language",
            "PIIREDACT_SCRAPED_AT_FIELD": "fetched",
        }
    )
    item = {
        "url": "https://example.com/u/1",
        "page_id": "u-1",
        "language": "ru",
        "fetched": "2026-11-21T10:00:00Z",
        "subject_ref": "person-1",
        "consent": {"status": "granted", "scope": ["processing"]},
        "name": "Иван",
        "tags": ["a"],
    }
    record = orjson.loads(p.prepare(item).value)
    assert record == {
        "id": "u-1",
        "source": "https://example.com/u/1",
        "scraped_at": "2026-11-21T10:00:00Z",
        "lang": "ru",
        "subject_ref": "person-1",
        "consent": {"status": "granted", "scope": ["processing"]},
        "data": {"name": "Иван", "tags": ["a"]},
    }


def test_consent_callable_fills_in_when_the_item_has_none() -> None:
    p = pipeline({"PIIREDACT_CONSENT_CALLABLE": f"{__name__}:lookup_consent"})
    without = orjson.loads(p.prepare({"url": "https://e.example/1", "kind": "bio"}).value)
    assert without["consent"] == {"status": "none", "evidence": "rule for bio"}
    assert without["data"] == {"kind": "bio"}
    given = {"status": "withdrawn"}
    with_field = orjson.loads(p.prepare({"url": "https://e.example/1", "consent": given}).value)
    assert with_field["consent"] == given


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("no_colon_here", "import path like"),
        ("tests.streams.client.test_scrapy:missing", "AttributeError"),
        ("tests.streams.no_such_module:f", "ModuleNotFoundError"),
        ("tests.streams.client.test_scrapy:CANARY", "not callable"),
    ],
)
def test_bad_consent_callable_is_not_configured(path: str, message: str) -> None:
    with pytest.raises(NotConfigured, match=message):
        pipeline({"PIIREDACT_CONSENT_CALLABLE": path})


@pytest.mark.parametrize(
    ("item", "named"),
    [
        ({"title": "x"}, "'url' field"),
        ({"url": f"mailto {CANARY}"}, "source"),
        ({"url": "https://e.example/1", "consent": {"status": CANARY}}, "consent.status"),
        ({"url": "https://e.example/1", "subject_ref": [CANARY]}, "subject_ref"),
        ({"url": "https://e.example/1", "bio": {CANARY}}, "data"),
    ],
)
def test_invalid_items_are_dropped_naming_the_field(item: dict[str, Any], named: str) -> None:
    with pytest.raises(DropItem) as caught:
        asyncio.run(pipeline().process_item(item))
    assert named in str(caught.value)
    assert CANARY not in str(caught.value)
    assert caught.value.__cause__ is None


def test_item_passes_on_once_sent() -> None:
    p = pipeline()
    item = {"url": "https://e.example/1", "bio": "hi"}
    assert asyncio.run(p.process_item(item)) is item
    assert isinstance(p.producer, FakeProducer)
    assert len(p.producer.sent) == 1


def test_delivery_failure_raises_and_closes_the_spider(monkeypatch: pytest.MonkeyPatch) -> None:
    p = pipeline(fail=True)
    closed: list[bool] = []
    monkeypatch.setattr(p, "_close_spider", lambda: closed.append(True))
    with pytest.raises(DeliveryError, match="KafkaTimeoutError"):
        asyncio.run(p.process_item({"url": "https://e.example/1"}))
    with pytest.raises(DeliveryError):
        asyncio.run(p.process_item({"url": "https://e.example/2"}))
    assert closed == [True], "closed once"


def test_log_formatter_leaves_items_out() -> None:
    spider = Spider.from_crawler(get_crawler(settings_dict={}), name="s")
    formatter = PiiSafeLogFormatter()
    item = {"bio": CANARY}
    for result in (
        formatter.scraped(item, None, spider),
        formatter.dropped(item, DropItem("piiredact: invalid"), None, spider),
        formatter.item_error(item, ValueError(), None, spider),
    ):
        text = result["msg"] % result["args"]
        assert CANARY not in text
        assert "dict" in text


def test_import_without_scrapy_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['scrapy'] = None\n"
        "try:\n    import streams.client.scrapy\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "pip install piiredact[scrapy]" in out.stdout


# --- a real crawl through the broker and the worker -------------------------------------------

# 12-digit (person) and 10-digit (organisation) ИНН with valid check digits. An organisation's
# ИНН is public register data: the policy may keep it, so only its detection is checked.
PERSON_INN = "500100732259"
ORG_INN = "7707083893"
PAGES = {
    "index.html": """<html lang="en"><head><title>Directory</title></head><body>
        <h1>Staff directory</h1><p>Browse the profiles below.</p>
        <a href="ivan.html">profile one</a> <a href="anna.html">profile two</a>
        <a href="contacts.html">contacts</a></body></html>""",
    "ivan.html": """<html lang="ru"><head><title>Профиль</title></head><body>
        <p>Иван Петрович Сидоров работает инженером в Москве.</p>
        <p>Телефон: +7 916 123-45-67, почта ivan.sidorov@example.ru, ИНН 500100732259.</p>
        <a href="index.html">назад</a> <a href="anna.html">дальше</a></body></html>""",
    "anna.html": """<html lang="en"><head><title>Profile</title></head><body>
        <p>My name is Anna Whitfield and I live in Boston.</p>
        <p>Call me at +1 212 748 2542 or write to anna.whitfield@example.com.</p>
        <a href="index.html">back</a> <a href="contacts.html">contacts</a></body></html>""",
    "contacts.html": """<html lang="ru"><head><title>Контакты</title></head><body>
        <p>ООО «Ромашка», ИНН 7707083893.</p>
        <p>Тел. 8 (495) 123-45-67, e-mail info@romashka-example.ru.</p>
        <p>Ответственный: Мария Ивановна Кузнецова.</p>
        <a href="index.html">на главную</a></body></html>""",
}
PLANTED = (
    "Сидоров",
    "916 123-45-67",
    "ivan.sidorov@example.ru",
    PERSON_INN,
    "Whitfield",
    "212 748 2542",
    "anna.whitfield@example.com",
    "123-45-67",
    "info@romashka-example.ru",
    "Кузнецова",
    CANARY,
)
EXPECTED_COUNTS = {
    "index.html": set(),
    "ivan.html": {"PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS", "RU_INN"},
    "anna.html": {"PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS"},
    "contacts.html": {"PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS", "RU_INN"},
}

SPIDER = textwrap.dedent(
    """
    import scrapy


    class SiteSpider(scrapy.Spider):
        name = "site"
        custom_settings = {
            "ITEM_PIPELINES": {"streams.client.scrapy.PiiRedactPipeline": 800},
            "LOG_FORMATTER": "streams.client.scrapy.PiiSafeLogFormatter",
            "PIIREDACT_LANG_FIELD": "lang",
            "PIIREDACT_CONSENT_CALLABLE": "consent_rules:lookup",
            "TELNETCONSOLE_ENABLED": False,
            "ROBOTSTXT_OBEY": False,
            "LOG_LEVEL": "DEBUG",
        }

        def __init__(self, start=None, **kwargs):
            super().__init__(**kwargs)
            self.start_urls = [start]

        def parse(self, response):
            page = response.url.rsplit("/", 1)[-1]
            texts = response.css("body p::text, body h1::text").getall()
            item = {
                "url": response.url,
                "page": page,
                "title": response.css("title::text").get(),
                "text": " ".join(t.strip() for t in texts if t.strip()),
                "lang": response.css("html::attr(lang)").get(),
            }
            if page == "ivan.html":
                item["subject_ref"] = "person-ivan"
                item["consent"] = {"status": "withdrawn", "scope": ["distribution"],
                                   "withdrawn_at": "2026-01-01T00:00:00Z", "jurisdiction": "RU"}
            yield item
            if page == "index.html":
                # Invalid: dropped by the pipeline, and its value never reaches the log.
                yield {"url": response.url, "page": "bad", "consent": {"status": "CANARY"}}
            # The start request bypasses the duplicate filter: do not come back to it.
            links = [h for h in response.css("a::attr(href)").getall() if h != "index.html"]
            yield from response.follow_all(links, callback=self.parse)
    """
).replace('"CANARY"', repr(CANARY))
CONSENT_RULES = textwrap.dedent(
    """
    def lookup(item, spider):
        return {"status": "none", "evidence": "site-terms"}
    """
)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """The pages above, served on loopback; yields the start URL."""
    root = tmp_path / "site"
    root.mkdir()
    for name, html in PAGES.items():
        (root / name).write_text(html, encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


async def read_topics(
    bootstrap: str,
    topics: list[str],
    count: int,
    timeout: float,
    alive: Callable[[], bool] = lambda: True,
) -> list[Any]:
    """Messages of ``topics`` from the start until ``count`` are seen, time runs out or ``alive``
    says no (the embedded broker's end offsets are unreliable, so the count decides)."""
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: list[Any] = []
    try:
        deadline = time.monotonic() + timeout
        while len(seen) < count and time.monotonic() < deadline and alive():
            for messages in (await consumer.getmany(timeout_ms=300)).values():
                seen.extend(messages)
    finally:
        await consumer.stop()
    return seen


def crawl(
    tmp_path: Path, start: str, broker_url: str, topic: str, *settings: str
) -> tuple[int, str]:
    """``scrapy runspider`` of :data:`SPIDER` in a subprocess; its exit code and log."""
    (tmp_path / "spider.py").write_text(SPIDER, encoding="utf-8")
    (tmp_path / "consent_rules.py").write_text(CONSENT_RULES, encoding="utf-8")
    options = [f"PIIREDACT_BROKER_URL={broker_url}", f"PIIREDACT_TOPIC_RAW={topic}", *settings]
    # The crawl gets its settings on the command line, not from this process's environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIIREDACT_")}
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "runspider", str(tmp_path / "spider.py")]
        + ["-a", f"start={start}"]
        + [arg for option in options for arg in ("-s", option)],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    log = done.stdout + done.stderr
    (tmp_path / "crawl.log").write_text(log, encoding="utf-8")
    return done.returncode, log


def test_crawl_stops_when_the_broker_cannot_be_reached(site: str, tmp_path: Path) -> None:
    code, log = crawl(tmp_path, site, f"kafka://127.0.0.1:{free_port()}", "t.raw")
    assert code != 0
    assert "BrokerError: cannot reach the broker" in log
    assert "Crawled (200)" not in log, "no page is fetched"


@pytest.mark.broker
def test_crawl_on_a_plain_twisted_reactor(
    broker: EmbeddedBroker, site: str, tmp_path: Path
) -> None:
    reactor = "TWISTED_REACTOR=twisted.internet.selectreactor.SelectReactor"
    code, log = crawl(tmp_path, site, broker.url, "plain-reactor.raw", reactor)
    assert code == 0, log[-3000:]
    assert "Using reactor: twisted.internet.selectreactor.SelectReactor" in log
    raw = asyncio.run(read_topics(broker.bootstrap_servers, ["plain-reactor.raw"], 4, 30))
    assert sorted(orjson.loads(m.value)["data"]["page"] for m in raw) == sorted(PAGES)


@pytest.mark.broker
def test_crawl_to_clean_topic(
    broker: EmbeddedBroker,
    make_settings: Callable[..., Settings],
    site: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A pseudonymisation keyring for the worker (read from its environment where supported).
    keyring = tmp_path / "keyring.json"
    secret = base64.b64encode(os.urandom(32)).decode()
    keyring.write_text(json.dumps({"active": "t1", "keys": {"t1": secret}}), encoding="utf-8")
    monkeypatch.setenv("PIIREDACT_KEYS_FILE", str(keyring))
    settings = make_settings("scrapy", batch_size=8)
    worker = start_worker(settings, tmp_path / "worker.log")  # loads its models meanwhile
    try:
        code, log = crawl(tmp_path, site, broker.url, settings.topic_raw)
        assert code == 0, log[-3000:]
        assert "'piiredact/sent': 4" in log, log[-3000:]
        assert "'piiredact/invalid': 1" in log
        assert "consent.status: must be" in log
        for value in PLANTED:  # at DEBUG: Scrapy's, aiokafka's and the pipeline's lines
            assert value not in log, "the crawl log shows no scraped value"

        outcomes = asyncio.run(
            read_topics(
                broker.bootstrap_servers,
                [settings.topic_clean, settings.topic_quarantine, settings.topic_deadletter],
                count=4,
                timeout=90,
                alive=lambda: worker.poll() is None,
            )
        )
    finally:
        stop_worker(worker)
        print((tmp_path / "worker.log").read_text(errors="replace")[-3000:])
    assert {m.topic for m in outcomes} == {settings.topic_clean}, "nothing quarantined"
    records = [orjson.loads(m.value) for m in outcomes]
    by_page = {r["data"]["page"]: r for r in records}
    assert len(records) == 4 and set(by_page) == set(EXPECTED_COUNTS), "one clean record a page"
    assert {m.key for m in outcomes} == {r["id"].encode() for r in records}
    blob = b"\n".join(m.value for m in outcomes).decode()
    for value in PLANTED:
        assert value not in blob, f"{value} reached the clean topic"
    for page, entities in EXPECTED_COUNTS.items():
        record = by_page[page]
        assert set(record["redaction"]["counts"]) == entities, page
        assert record["source"].endswith("/" + page)
        assert "consent" not in record
    assert by_page["ivan.html"]["lang"] == "ru"
    inn_kinds = {
        (f["path"], f.get("subtype"))
        for f in by_page["contacts.html"]["redaction"]["findings"]
        if f["entity_type"] == "RU_INN"
    }
    assert inn_kinds == {("data.text", "organisation")}

    raw = asyncio.run(read_topics(broker.bootstrap_servers, [settings.topic_raw], 4, timeout=30))
    assert len(raw) == 4
    for message in raw:
        record = orjson.loads(message.value)
        if record["data"]["page"] == "ivan.html":
            assert record["consent"]["status"] == "withdrawn"
            assert (
                message.key
                == hashlib.sha256(b"piiredact-subject\x00person-ivan").hexdigest().encode()
            )
        else:
            assert record["consent"] == {"status": "none", "evidence": "site-terms"}
            assert message.key == record["id"].encode()
