"""The Kafka clients' loggers that print message values are held at INFO or above."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from recognizers.engine import Detector
from streams.core.keys import Keyring
from streams.settings import Settings
from streams.value_logs import VALUE_LOGGERS, keep_values_out_of_logs
from streams.worker.app import create_app


@pytest.fixture(autouse=True)
def _restore_levels() -> Iterator[None]:
    levels = {name: logging.getLogger(name).level for name in VALUE_LOGGERS}
    root = logging.getLogger().level
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    logging.getLogger().setLevel(root)


@pytest.mark.parametrize(
    ("log_level", "expected"), [("DEBUG", logging.INFO), ("WARNING", logging.WARNING)]
)
def test_a_worker_never_logs_values_whatever_its_level(
    tmp_path: Path, log_level: str, expected: int
) -> None:
    settings = Settings(log_level=log_level, data_dir=tmp_path, detect_names=False)
    create_app(settings, detector=Detector([], []), keyring=Keyring.generate())
    logging.getLogger().setLevel(logging.DEBUG)  # as Faust's worker sets it up for DEBUG
    for name in VALUE_LOGGERS:
        logger = logging.getLogger(name)
        assert logger.getEffectiveLevel() == expected, name
        assert not logger.isEnabledFor(logging.DEBUG)


def test_a_producer_raises_them_only_when_they_would_log_debug() -> None:
    for name in VALUE_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    keep_values_out_of_logs()
    assert all(logging.getLogger(n).level == logging.WARNING for n in VALUE_LOGGERS)
    for name in VALUE_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    keep_values_out_of_logs()
    assert all(logging.getLogger(n).level == logging.INFO for n in VALUE_LOGGERS)
