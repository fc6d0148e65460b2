"""``piiredact worker``: the streaming job, a Faust worker reading the raw and consent topics."""

from __future__ import annotations

from pathlib import Path

import click

from streams.cli.options import (
    broker_option,
    fail,
    keys_option,
    policy_option,
    reveal_keys_option,
    settings_from,
)
from streams.errors import PiiRedactError


@click.command()
@broker_option
@policy_option
@keys_option
@reveal_keys_option
def worker(
    broker_url: str | None,
    policy_file: Path | None,
    keys_file: Path | None,
    reveal_keys_file: Path | None,
) -> None:
    """Run the streaming job: a Faust worker reading the raw and consent topics."""
    from streams.worker.app import Worker, create_app  # noqa: PLC0415

    settings = settings_from(
        broker_url=broker_url,
        policy_file=policy_file,
        keys_file=keys_file,
        reveal_keys_file=reveal_keys_file,
    )
    try:
        app = create_app(settings)
    except PiiRedactError as exc:
        fail(str(exc))
    Worker(
        app, loglevel=settings.log_level.lower(), shutdown_timeout=settings.shutdown_timeout
    ).execute_from_commandline()
