"""The ``piiredact`` command, one module per subcommand: :mod:`~streams.cli.worker`,
:mod:`~streams.cli.scan` (with :mod:`~streams.cli.report`), :mod:`~streams.cli.produce`,
:mod:`~streams.cli.topics`, :mod:`~streams.cli.demo`, :mod:`~streams.cli.reveal`; what they
share is in :mod:`~streams.cli.options`. Heavy imports (Faust, the models) happen inside the
command that needs them, so ``piiredact scan`` never loads Faust.

Exit codes: 0 the run completed (even if records were quarantined or dead-lettered);
1 the run failed (broker unreachable, outputs incomplete, invalid policy, unreadable file);
2 the command line is wrong; 70 a worker stalled; 75 a worker's shutdown timed out.
"""

from __future__ import annotations

import logging

import click

import recognizers  # noqa: F401 - sets the offline/threads environment before models load
from streams.cli.demo import demo
from streams.cli.produce import produce
from streams.cli.reveal import reveal
from streams.cli.scan import scan
from streams.cli.topics import topics
from streams.cli.worker import worker


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="piiredact")
def main() -> None:
    """Find and redact personal data in scraped records on Kafka.

    Every setting can also come from the environment as PIIREDACT_<NAME>
    (e.g. PIIREDACT_BROKER_URL, PIIREDACT_POLICY_FILE).
    """


for command in (worker, demo, scan, produce, topics, reveal):
    main.add_command(command)


def run() -> None:
    """Entry point for ``python -m streams``."""
    logging.captureWarnings(True)
    main()
