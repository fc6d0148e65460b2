"""``python -m streams`` runs the ``piiredact`` command."""

from streams.cli import run

run()
