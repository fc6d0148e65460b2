"""Loggers of the Kafka clients that print message keys and values at DEBUG level.

aiokafka's producer and connection log each message's key and value at DEBUG, and so does
Faust's ``Topic.send`` (which the worker's table changelogs still go through). A worker or a
producer run with ``DEBUG`` would put raw personal data in the log. :func:`keep_values_out_of_logs`
holds those loggers at ``INFO`` or above; everything else keeps the level it was given.
"""

from __future__ import annotations

import logging
from typing import Final

VALUE_LOGGERS: Final = ("aiokafka.producer.producer", "aiokafka.conn", "faust.topics")


def keep_values_out_of_logs(level: int | None = None) -> None:
    """Hold :data:`VALUE_LOGGERS` at ``INFO`` or above. With ``level`` (the level the process is
    about to configure its logging at), they get the higher of the two; without, a logger is
    raised to ``INFO`` only if it would log ``DEBUG`` now."""
    for name in VALUE_LOGGERS:
        logger = logging.getLogger(name)
        if level is not None:
            logger.setLevel(max(logging.INFO, level))
        elif logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
