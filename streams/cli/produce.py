"""``piiredact produce``: publish a JSON Lines file of records, as a scraper would."""

from __future__ import annotations

import asyncio
from typing import Any, BinaryIO

import click
from pydantic import ValidationError

from streams.cli.options import broker_option, fail, settings_from
from streams.errors import PiiRedactError


@click.command()
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.File("rb"),
    help="JSON Lines file, one record envelope per line; - for stdin.",
)
@click.option(
    "--topic",
    default=None,
    help="Topic to publish to.  [default: PIIREDACT_TOPIC_RAW or scraped.raw]",
)
@click.option(
    "--raw",
    is_flag=True,
    help="Send lines as they are, unchecked (to exercise the dead-letter topic); "
    "keyed by the record's id when it has one.",
)
@broker_option
def produce(input_path: BinaryIO, topic: str | None, broker_url: str | None, raw: bool) -> None:
    """Publish a JSON Lines file of records, as a scraper would.

    Each line is checked with the worker's own rules before anything is sent (the producer
    client, docs/producer.md); a line that fails is reported with its number and reason and
    not sent. Records are keyed by subject, else by id. Exit code 0 when every line was
    published, 1 when a line was refused or the broker failed.
    """
    import orjson  # noqa: PLC0415

    from streams.client.producer import ProducerSettings, RecordProducer  # noqa: PLC0415

    settings = settings_from(broker_url=broker_url)
    target = topic or settings.topic_raw
    messages: list[tuple[bytes | None, bytes]] = []
    refused = 0
    # The scrapers' client, with every PIIREDACT_KAFKA_* setting (TLS, SASL) from the
    # environment: the command sends exactly as a scraper would, never in plaintext by mistake.
    try:
        client = RecordProducer(ProducerSettings(broker_url=settings.broker_url, topic_raw=target))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise click.UsageError(f"invalid settings: {problems}") from None
    for number, line in enumerate(input_path, start=1):
        # A byte-order mark is dropped, as the worker and scan drop it (streams/core/envelope.py).
        body = line.rstrip(b"\r\n").removeprefix(b"\xef\xbb\xbf")
        if not body.strip():
            continue
        try:
            obj = orjson.loads(body)
        except orjson.JSONDecodeError:
            obj = None
        if raw:
            key = (
                obj["id"].encode()
                if isinstance(obj, dict) and isinstance(obj.get("id"), str)
                else None
            )
            messages.append((key, body))
            continue
        if not isinstance(obj, dict):
            refused += 1
            click.secho(f"line {number}: not a JSON object; not sent", fg="yellow", err=True)
            continue
        try:
            prepared = client.prepare_envelope(obj)
        except PiiRedactError as exc:
            refused += 1
            click.secho(f"line {number}: {exc}; not sent", fg="yellow", err=True)
            continue
        messages.append((prepared.key, prepared.value))
    if messages:
        try:
            asyncio.run(asyncio.wait_for(_publish(client, messages), timeout=60))
        except PiiRedactError as exc:
            fail(f"publishing to {target} failed: {exc}")
        except Exception as exc:
            fail(
                f"publishing to {target} at {settings.bootstrap_servers} failed: "
                f"{type(exc).__name__}"
            )
    click.echo(f"published {len(messages)} messages to {target}", err=True)
    if refused:
        fail(f"{refused} line(s) refused (see above); fix them, or send them with --raw")


async def _publish(client: Any, messages: list[tuple[bytes | None, bytes]]) -> None:
    """Send ``messages`` as they are through ``client`` (a started-on-entry
    :class:`~streams.client.producer.RecordProducer`) and wait for every acknowledgement."""
    async with client:
        futures = [await client.send_raw(key, value, wait=False) for key, value in messages]
        await asyncio.gather(*futures)
