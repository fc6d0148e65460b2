"""Shared fixtures: the embedded broker and worker processes."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from streams.settings import Settings
from streams.testing.broker import EmbeddedBroker, free_port, wait_until_ready
from streams.testing.harness import write_demo_keyring
from streams.worker.topics import ensure_topics

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    """A fresh embedded broker on a free loopback port, one per test module."""
    logs = tmp_path_factory.mktemp("broker")
    with EmbeddedBroker(log_file=logs / "broker.log") as running:
        asyncio.run(wait_until_ready(running.bootstrap_servers))
        yield running


@pytest.fixture
def make_settings(broker: EmbeddedBroker, tmp_path: Path) -> Callable[..., Settings]:
    """Settings for a worker on the test broker, with its own topics and consumer group."""

    def make(prefix: str, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "broker_url": broker.url,
            "app_id": f"{prefix}-app",
            "topic_raw": f"{prefix}.raw",
            "topic_clean": f"{prefix}.clean",
            "topic_quarantine": f"{prefix}.quarantine",
            "topic_deadletter": f"{prefix}.deadletter",
            "topic_audit": f"{prefix}.audit",
            "topic_consent": f"{prefix}.consent",
            "keys_file": write_demo_keyring(tmp_path / f"{prefix}-keys.json"),
            "topic_partitions": 3,
            "data_dir": tmp_path / f"{prefix}-data",
            "web_port": free_port(),
            "web_host": "127.0.0.1",
            "log_level": "INFO",
        }
        values.update(overrides)
        settings = Settings(**values)  # type: ignore[arg-type]
        asyncio.run(ensure_topics(settings))
        return settings

    return make


def shared_data_missing(path: Path) -> bool:
    """Whether a test that reads ``path`` (under ``../shared/data``) must be skipped: only
    outside CI. CI has the shared data beside the checkout, so there its absence fails the test
    instead of passing it silently."""
    if path.exists():
        return False
    return not os.environ.get("CI")
