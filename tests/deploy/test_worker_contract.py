"""The chart against the worker it deploys: setting names, value formats, the topics command."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from streams.core.keys import load_keyring
from streams.core.policy import parse_policy
from streams.settings import Settings
from streams.testing.broker import EmbeddedBroker
from tests.deploy.chart import CHART, CI_VALUES, Helm, Rendered, ci_values

PREFIX = "PIIREDACT_"
FIELDS = set(Settings.model_fields)
#: The Kafka security settings the chart sets (issue 7).
KAFKA_SECURITY = {
    "kafka_security_protocol",
    "kafka_sasl_mechanism",
    "kafka_sasl_username",
    "kafka_sasl_password_file",
    "kafka_ssl_cafile",
    "kafka_ssl_certfile",
    "kafka_ssl_keyfile",
}
#: Settings the chart derives from other values (or must not set) instead of `config.*`.
NOT_FROM_CONFIG = {
    "broker_url": "kafka.bootstrapServers",
    "topic_partitions": "topics.partitions",
    "web_port": "service.port",
    "web_host": "always 0.0.0.0 in a pod",
    "web_enabled": "the probes need the web server",
    "data_dir": "the emptyDir at /var/lib/piiredact",
    "policy_file": "policy",
    "keys_file": "keys.existingSecret / keys.inline",
    "keys": "development only: keys never go into env",
    "reveal_keys_file": "revealKeys.existingSecret",
} | {name: "kafka.*" for name in KAFKA_SECURITY}


def chart_env_names(rendered: Rendered) -> set[str]:
    names = set(rendered.settings())
    for doc in rendered.docs:
        if doc["kind"] in {"Deployment", "Job"}:
            for container in doc["spec"]["template"]["spec"]["containers"]:
                names |= {e["name"] for e in container.get("env", [])}
    return names


def test_chart_values_parse_as_worker_settings(
    ci_renders: dict[str, Rendered], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Value formats (numbers, booleans, the broker URL) as the worker reads them. File paths are
    # left out: they exist only inside the pod.
    for name in list(os.environ):
        if name.startswith(PREFIX):
            monkeypatch.delenv(name)
    settings_env = ci_renders["existing-secret-values.yaml"].settings()
    for name, value in settings_env.items():
        if not name.endswith("_FILE"):
            monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.broker_url == settings_env["PIIREDACT_BROKER_URL"]
    assert settings.bootstrap_servers.count(",") == 2
    assert settings.max_record_bytes == 1_048_576
    assert settings.batch_timeout == 0.2
    assert settings.detect_names is True
    assert settings.web_port == 6066
    assert str(settings.data_dir) == "/var/lib/piiredact"


def test_every_variable_the_chart_sets_is_a_worker_setting(
    ci_renders: dict[str, Rendered],
) -> None:
    unknown: dict[str, set[str]] = {}
    for values, rendered in ci_renders.items():
        for name in chart_env_names(rendered):
            assert name.startswith(PREFIX), name
            if name.removeprefix(PREFIX).lower() not in FIELDS:
                unknown.setdefault(name, set()).add(values)
    assert unknown == {}
    assert len(ci_renders) == len(CI_VALUES)


def test_kafka_security_settings_are_worker_settings() -> None:
    assert set() == KAFKA_SECURITY - FIELDS


@pytest.mark.parametrize("values", [p.name for p in CI_VALUES])
def test_chart_kafka_security_parses_as_worker_settings(
    ci_renders: dict[str, Rendered], values: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The combinations the chart renders are ones the worker accepts. Mounted files are
    # stand-ins under tmp_path; the username comes from a Secret in the pod.
    for name in list(os.environ):
        if name.startswith(PREFIX):
            monkeypatch.delenv(name)
    rendered = ci_renders[values]
    env = {n: v for n, v in rendered.settings().items() if n.startswith(f"{PREFIX}KAFKA_")}
    if f"{PREFIX}KAFKA_SASL_USERNAME" in chart_env_names(rendered):
        env[f"{PREFIX}KAFKA_SASL_USERNAME"] = "piiredact"
    values_in: dict[str, object] = {}
    for name, value in env.items():
        field = name.removeprefix(PREFIX).lower()
        if field.endswith("file"):
            stand_in = tmp_path / Path(value).name
            stand_in.write_text("mounted\n")
            values_in[field] = stand_in
        else:
            values_in[field] = value
    settings = Settings(**values_in)  # type: ignore[arg-type]
    assert settings.kafka_security_protocol == env[f"{PREFIX}KAFKA_SECURITY_PROTOCOL"]


def test_every_worker_setting_is_reachable_from_values() -> None:
    config = yaml.safe_load((CHART / "values.yaml").read_text())["config"]
    from_config = {
        "".join(w.capitalize() if i else w for i, w in enumerate(name.split("_")))
        for name in FIELDS - set(NOT_FROM_CONFIG)
    }
    assert from_config - set(config) == set(), "add these to values.yaml config (and the schema)"
    assert set(config) - from_config == set(), "values.yaml config names unknown settings"


async def _topic_facts(
    bootstrap: str, names: list[str]
) -> tuple[dict[str, int], dict[str, dict[str, str]]]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described: list[Any] = await admin.describe_topics(names)
        partitions = {t["topic"]: len(t["partitions"]) for t in described}
        responses = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
        )
        configs: dict[str, dict[str, str]] = {}
        for response in responses:
            for resource in response.resources:
                _code, _message, _type, name, entries = resource[:5]
                configs[name] = {entry[0]: entry[1] for entry in entries}
        return partitions, configs
    finally:
        await admin.close()


@pytest.mark.broker
def test_topic_job_command_creates_the_topics(
    helm: Helm, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    rendered = helm.template(
        ci_values("default-values.yaml"),
        set_values={
            "topics.replicationFactor": 1,
            "topics.retentionMs": 86_400_000,
            "config.appId": "chart-job",
            "config.topicRaw": "chart.raw",
            "config.topicClean": "chart.clean",
            "config.topicQuarantine": "chart.quarantine",
            "config.topicDeadletter": "chart.deadletter",
            "config.topicAudit": "chart.audit",
            "config.topicConsent": "chart.consent",
        },
    )
    (container,) = rendered.one("Job")["spec"]["template"]["spec"]["containers"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)}
    env |= {e["name"]: e["value"] for e in container["env"]}
    env |= {"PIIREDACT_BROKER_URL": broker.url, "PIIREDACT_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "streams", *container["args"]]
    for attempt in ("create", "idempotent re-run"):
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert result.returncode == 0, f"{attempt}: {result.stderr}"

    delete = ["chart.raw", "chart.clean", "chart.quarantine", "chart.deadletter", "chart.audit"]
    compact = ["chart.consent", *Settings(app_id="chart-job").changelog_topics]
    partitions, configs = asyncio.run(_topic_facts(broker.bootstrap_servers, delete + compact))
    assert partitions == dict.fromkeys(delete + compact, 4)
    for name in compact:
        assert configs[name]["cleanup.policy"] == "compact", name
    for name in delete:
        assert configs[name].get("cleanup.policy", "delete") == "delete", name
        assert configs[name]["retention.ms"] == "86400000", name


@pytest.mark.parametrize("values", [p.name for p in CI_VALUES])
def test_ci_policies_are_valid_worker_policies(
    ci_renders: dict[str, Rendered], values: str
) -> None:
    given = yaml.safe_load(next(p for p in CI_VALUES if p.name == values).read_text()) or {}
    rendered = [
        config_map["data"]["policy.yaml"]
        for config_map in ci_renders[values].all("ConfigMap")
        if "policy.yaml" in (config_map.get("data") or {})
    ]
    if not given.get("policy"):
        assert rendered == [], "no policy was given: the worker must use the built-in one"
        return
    # A render that dropped or mangled the given policy must fail here.
    assert len(rendered) == 1, "the given policy must be rendered exactly once"
    worker_policy = parse_policy(rendered[0], source=f"{values} policy")
    assert worker_policy == parse_policy(given["policy"], source=f"{values} values")


def test_inline_keys_secret_is_a_worker_keyring(
    ci_renders: dict[str, Rendered], tmp_path: Path
) -> None:
    secret = ci_renders["default-values.yaml"].one("Secret")
    keys_file = tmp_path / "keys.json"
    keys_file.write_bytes(base64.b64decode(secret["data"]["keys.json"]))
    keyring = load_keyring(keys_file, None)
    assert keyring is not None
    assert keyring.active == "test-2026-01"
    assert sorted(keyring.keys) == ["test-2025-12", "test-2026-01"]
