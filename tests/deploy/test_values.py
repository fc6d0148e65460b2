"""values.yaml is documented value by value, and values.schema.json guards it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from tests.deploy.chart import CHART, Helm, ci_values

VALUES_TEXT = (CHART / "values.yaml").read_text()
VALUES: dict[str, Any] = yaml.safe_load(VALUES_TEXT)
SCHEMA: dict[str, Any] = json.loads((CHART / "values.schema.json").read_text())
PARAMS = re.findall(r"^\s*## @param (\S+) \S", VALUES_TEXT, flags=re.MULTILINE)


def leaves(node: Any, prefix: str = "") -> list[str]:
    """Paths of every value that is not a non-empty mapping."""
    if isinstance(node, dict) and node:
        return [p for key, child in node.items() for p in leaves(child, f"{prefix}{key}.")]
    return [prefix.rstrip(".")]


def exists(path: str) -> bool:
    node: Any = VALUES
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def test_every_value_has_a_param_comment() -> None:
    documented = set(PARAMS)
    undocumented = [
        path
        for path in leaves(VALUES)
        if not any(path == p or path.startswith(f"{p}.") for p in documented)
    ]
    assert undocumented == []


def test_every_param_comment_names_a_value() -> None:
    assert [p for p in PARAMS if not exists(p)] == []
    assert len(PARAMS) == len(set(PARAMS))


def test_schema_closes_the_top_level_and_knows_every_value() -> None:
    assert SCHEMA["additionalProperties"] is False
    assert set(VALUES) <= set(SCHEMA["properties"])
    for name, section in SCHEMA["properties"].items():
        if section.get("additionalProperties") is False and isinstance(VALUES.get(name), dict):
            assert set(VALUES[name]) <= set(section["properties"]), name


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"replicaCont": 2}, "a typo at the top level"),
        ({"config.batchSze": 2}, "a typo in a closed section"),
        ({"config.logLevel": "VERBOSE"}, "not an enum member"),
        ({"kafka.sasl.mechanism": "GSSAPI"}, "a mechanism the worker does not support"),
        ({"topics.partitions": 0}, "below the minimum"),
        ({"config.batchSize": "64"}, "a string where a number belongs"),
        ({"image.tag": "latest"}, "an unpinned image"),
        ({"config.topicRaw": "has space"}, "not a Kafka topic name"),
    ],
)
def test_schema_rejects(helm: Helm, values: dict[str, object], reason: str) -> None:
    error = helm.template_error(ci_values("default-values.yaml"), set_values=values)
    assert "values don't meet the specifications of the schema" in error, reason


def test_config_keys_map_to_settings_names() -> None:
    # config.<camelCase> -> PIIREDACT_<SNAKE_CASE>, as the chart's helper renders it.
    for key in VALUES["config"]:
        assert re.fullmatch(r"[a-z]+([A-Z][a-z]+)*", key), key
