"""What the commands share: settings from options and the environment, options, errors."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from streams.settings import Settings


def settings_from(**overrides: Any) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise click.UsageError(f"invalid settings: {problems}") from None


@contextlib.contextmanager
def progress(label: str) -> Iterator[Callable[[int], None]]:
    """A live count of records on stderr when it is a terminal; silent otherwise."""
    stream = click.get_text_stream("stderr")
    if not stream.isatty():
        yield lambda _n: None
        return
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn  # noqa: PLC0415

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description} {task.completed:,} records"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda n: bar.advance(task, n)


def fail(message: str) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(1)


#: Options shared by several commands (settings they override; the environment also works).
broker_option = click.option(
    "--broker",
    "broker_url",
    envvar="PIIREDACT_BROKER_URL",
    show_envvar=True,
    help="Kafka bootstrap servers.  [default: kafka://127.0.0.1:9092]",
)
policy_option = click.option(
    "--policy",
    "policy_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="PIIREDACT_POLICY_FILE",
    show_envvar=True,
    help="YAML policy file.  [default: the built-in consent policy]",
)
keys_option = click.option(
    "--keys-file",
    "keys_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="PIIREDACT_KEYS_FILE",
    show_envvar=True,
    help="Pseudonymisation keyring (JSON).  [worker: required when the policy pseudonymises]",
)
reveal_keys_option = click.option(
    "--reveal-keys-file",
    "reveal_keys_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="PIIREDACT_REVEAL_KEYS_FILE",
    show_envvar=True,
    help="Reveal keyring (JSON) of the `encrypt` action; never the pseudonymisation keyring.  "
    "[required when the policy encrypts]",
)
