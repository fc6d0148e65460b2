"""``piiredact topics``: create the pipeline's topics with their settings."""

from __future__ import annotations

import asyncio

import click

from streams.cli.options import broker_option, fail, settings_from
from streams.errors import PiiRedactError


@click.command()
@broker_option
@click.option(
    "--partitions",
    default=None,
    type=click.IntRange(1, 10_000),
    help="Partitions of each new topic.  [default: PIIREDACT_TOPIC_PARTITIONS or 4]",
)
@click.option(
    "--replication-factor",
    default=1,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Replicas of each new topic (3 on a production cluster).",
)
@click.option(
    "--retention-ms",
    default=None,
    type=click.IntRange(min=1),
    help="Retention of the record topics.  [default: the broker's]",
)
def topics(
    broker_url: str | None,
    partitions: int | None,
    replication_factor: int,
    retention_ms: int | None,
) -> None:
    """Create the pipeline's topics that do not exist yet (idempotent).

    Record topics (raw, clean, quarantine, dead-letter, audit) delete old data after the
    retention; the consent topic and the tables' changelogs are compacted.
    """
    from streams.worker.topics import ensure_topics, topic_specs  # noqa: PLC0415

    settings = settings_from(broker_url=broker_url)
    try:
        created = asyncio.run(
            asyncio.wait_for(
                ensure_topics(
                    settings,
                    replication_factor,
                    partitions=partitions,
                    retention_ms=retention_ms,
                ),
                timeout=60,
            )
        )
    except PiiRedactError as exc:
        fail(str(exc))
    except Exception as exc:
        fail(f"creating topics at {settings.bootstrap_servers} failed: {type(exc).__name__}")
    for name, config in topic_specs(settings, retention_ms).items():
        state = "created" if name in created else "exists"
        click.echo(f"{state:<8} {name}  {config['cleanup.policy']}", err=True)
