"""``piiredact demo``: the whole pipeline end to end on the embedded broker."""

from __future__ import annotations

from pathlib import Path

import click

from streams.cli.options import fail
from streams.errors import PiiRedactError


@click.command()
@click.option(
    "--records",
    default=300,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="How many generated records to publish.",
)
@click.option("--seed", default=7, show_default=True, help="Seed of the record generator.")
@click.option(
    "--timeout",
    default=300.0,
    show_default=True,
    type=click.FloatRange(min=1),
    help="Seconds to wait for every outcome.",
)
@click.option(
    "--logs",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the broker and worker logs in this directory.",
)
def demo(records: int, seed: int, timeout: float, logs: Path | None) -> None:
    """Run the whole pipeline end to end on the embedded broker."""
    from streams.testing.demo import run_demo  # noqa: PLC0415

    try:
        run_demo(records, seed, timeout, keep_logs=logs)
    except PiiRedactError as exc:
        fail(f"{exc} (run again with --logs DIR to keep the worker's log)")
