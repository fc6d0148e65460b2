"""The Helm chart: lint, render every CI variant, validate the manifests, check the wiring."""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from tests.deploy.chart import (
    CHART,
    CI_VALUES,
    FULLNAME,
    Helm,
    Manifest,
    Rendered,
    ci_values,
    load_values,
)

K8S_VERSION = "1.31.0"
CI_FILES = [p.name for p in CI_VALUES]
KEYS_DIR = "/etc/piiredact/keys"
REVEAL_KEYS_DIR = "/etc/piiredact/reveal-keys"
DATA_DIR = "/var/lib/piiredact"
#: base64 of 32 bytes, the shape of a pseudonymisation key.
KEY_SHAPE = re.compile(r"[A-Za-z0-9+/]{43}=")
WORKER_SELECTOR = {
    "app.kubernetes.io/name": "piiredact",
    "app.kubernetes.io/instance": "t",
    "app.kubernetes.io/component": "worker",
}


def pod_spec(doc: Manifest) -> dict[str, Any]:
    spec: dict[str, Any] = doc["spec"] if doc["kind"] == "Pod" else doc["spec"]["template"]["spec"]
    return spec


def containers(rendered: Rendered) -> list[tuple[Manifest, dict[str, Any]]]:
    """(owner, container) for every container the chart runs: worker, topic job, test pod."""
    return [
        (doc, container)
        for doc in rendered.docs
        if doc["kind"] in {"Deployment", "Job", "Pod"}
        for container in pod_spec(doc)["containers"]
    ]


def worker(rendered: Rendered) -> tuple[Manifest, dict[str, Any]]:
    deployment = rendered.one("Deployment", FULLNAME)
    (container,) = pod_spec(deployment)["containers"]
    return deployment, container


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in container.get("env", [])}


def mounts_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["mountPath"]: m for m in container.get("volumeMounts", [])}


def volumes_of(doc: Manifest) -> dict[str, dict[str, Any]]:
    return {v["name"]: v for v in pod_spec(doc).get("volumes", [])}


# --- lint and render ---------------------------------------------------------------------------


def test_default_values_refuse_to_render_without_keys(helm: Helm) -> None:
    # helm lint demotes fail() to an [INFO] line (lint mode), so the message is what we check;
    # helm template (and so install) stops on it.
    lint = helm.run("lint", str(CHART))
    assert "keys.existingSecret is required" in lint.stdout + lint.stderr
    error = helm.template_error()
    assert "keys.existingSecret is required" in error
    assert "kubectl create secret generic" in error
    assert "keys.json" in error


@pytest.mark.parametrize("values", CI_FILES)
def test_lint_strict(helm: Helm, values: str) -> None:
    result = helm.run("lint", "--strict", str(CHART), "-f", str(ci_values(values)))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "[ERROR]" not in output and "[WARNING]" not in output and "Fail:" not in output


def test_every_required_ci_variant_exists() -> None:
    required = {
        "default-values.yaml",
        "existing-secret-values.yaml",
        "autoscaling-hpa-values.yaml",
        "keda-values.yaml",
        "sasl-tls-values.yaml",
        "no-topic-job-values.yaml",
        "networkpolicy-servicemonitor-values.yaml",
    }
    assert required <= set(CI_FILES)


# Kinds each variant renders (Pod = the helm test hook, Job = the topic hook).
EXPECTED_KINDS = [
    (
        "default-values.yaml",
        {"ConfigMap", "Secret", "ServiceAccount", "Service", "Deployment", "PodDisruptionBudget"}
        | {"Job", "Pod"},
    ),
    (
        "existing-secret-values.yaml",
        {"ConfigMap", "ServiceAccount", "Service", "Deployment", "PodDisruptionBudget", "Job"}
        | {"Pod"},
    ),
    (
        "autoscaling-hpa-values.yaml",
        {"ConfigMap", "ServiceAccount", "Service", "Deployment", "PodDisruptionBudget", "Job"}
        | {"Pod", "HorizontalPodAutoscaler"},
    ),
    (
        "keda-values.yaml",
        {"ConfigMap", "ServiceAccount", "Service", "Deployment", "PodDisruptionBudget", "Job"}
        | {"Pod", "ScaledObject", "TriggerAuthentication"},
    ),
    (
        "sasl-tls-values.yaml",
        {"ConfigMap", "ServiceAccount", "Service", "Deployment", "PodDisruptionBudget", "Job"}
        | {"Pod"},
    ),
    ("no-topic-job-values.yaml", {"ConfigMap", "ServiceAccount", "Service", "Deployment"}),
    (
        "networkpolicy-servicemonitor-values.yaml",
        {"ConfigMap", "ServiceAccount", "Service", "Deployment", "PodDisruptionBudget", "Job"}
        | {"Pod", "NetworkPolicy", "ServiceMonitor"},
    ),
]


@pytest.mark.parametrize(("values", "kinds"), EXPECTED_KINDS)
def test_rendered_kinds(ci_renders: dict[str, Rendered], values: str, kinds: set[str]) -> None:
    assert ci_renders[values].kinds() == kinds


# Structural schemas for the custom resources kubernetes-validate has no schema for: the fields
# the chart uses, with their types; unknown fields are errors.
_STR = {"type": "string", "minLength": 1}
_INT = {"type": "integer", "minimum": 0}
_META = {
    "type": "object",
    "required": ["name", "labels"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "additionalProperties": False,
}


def _crd(api_version: str, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": api_version},
            "kind": {"const": kind},
            "metadata": _META,
            "spec": spec,
        },
        "additionalProperties": False,
    }


CRD_SCHEMAS: dict[str, dict[str, Any]] = {
    "ServiceMonitor": _crd(
        "monitoring.coreos.com/v1",
        "ServiceMonitor",
        {
            "type": "object",
            "required": ["selector", "endpoints"],
            "properties": {
                "selector": {
                    "type": "object",
                    "required": ["matchLabels"],
                    "properties": {
                        "matchLabels": {
                            "type": "object",
                            "minProperties": 1,
                            "additionalProperties": {"type": "string"},
                        }
                    },
                    "additionalProperties": False,
                },
                "namespaceSelector": {
                    "type": "object",
                    "properties": {"matchNames": {"type": "array", "items": _STR}},
                    "additionalProperties": False,
                },
                "endpoints": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["port", "path"],
                        "properties": {
                            "port": _STR,
                            "path": {"type": "string", "pattern": "^/"},
                            "interval": {"type": "string", "pattern": "^([0-9]+(ms|s|m|h))+$"},
                            "scrapeTimeout": {
                                "type": "string",
                                "pattern": "^([0-9]+(ms|s|m|h))+$",
                            },
                        },
                        "additionalProperties": False,
                    },
                },
            },
            "additionalProperties": False,
        },
    ),
    "ScaledObject": _crd(
        "keda.sh/v1alpha1",
        "ScaledObject",
        {
            "type": "object",
            "required": ["scaleTargetRef", "triggers"],
            "properties": {
                "scaleTargetRef": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"apiVersion": _STR, "kind": _STR, "name": _STR},
                    "additionalProperties": False,
                },
                "minReplicaCount": _INT,
                "maxReplicaCount": {"type": "integer", "minimum": 1},
                "pollingInterval": {"type": "integer", "minimum": 1},
                "cooldownPeriod": _INT,
                "triggers": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["type", "metadata"],
                        "properties": {
                            "type": {"const": "kafka"},
                            # KEDA trigger metadata is a map of strings.
                            "metadata": {
                                "type": "object",
                                "required": ["bootstrapServers", "consumerGroup", "topic"],
                                "additionalProperties": {"type": "string"},
                            },
                            "authenticationRef": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {"name": _STR},
                                "additionalProperties": False,
                            },
                        },
                        "additionalProperties": False,
                    },
                },
            },
            "additionalProperties": False,
        },
    ),
    "TriggerAuthentication": _crd(
        "keda.sh/v1alpha1",
        "TriggerAuthentication",
        {
            "type": "object",
            "required": ["secretTargetRef"],
            "properties": {
                "secretTargetRef": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["parameter", "name", "key"],
                        "properties": {"parameter": _STR, "name": _STR, "key": _STR},
                        "additionalProperties": False,
                    },
                }
            },
            "additionalProperties": False,
        },
    ),
}


@pytest.mark.parametrize("values", CI_FILES)
def test_manifests_validate_against_kubernetes_schemas(
    ci_renders: dict[str, Rendered], values: str
) -> None:
    for doc in ci_renders[values].docs:
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        if doc["kind"] in CRD_SCHEMAS:
            errors = list(jsonschema.Draft7Validator(CRD_SCHEMAS[doc["kind"]]).iter_errors(doc))
            assert not errors, f"{where}: " + "; ".join(
                f"{list(e.absolute_path)}: {e.message}" for e in errors
            )
            continue
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{where} at {list(exc.absolute_path)}: {exc.message}")


def test_crd_checks_can_fail(ci_renders: dict[str, Rendered]) -> None:
    scaled = json.loads(json.dumps(ci_renders["keda-values.yaml"].one("ScaledObject")))
    scaled["spec"]["triggers"][0]["metadata"]["lagThreshold"] = 5  # must be a string
    scaled["spec"]["maxReplicas"] = 3  # HPA spelling, not KEDA's
    errors = list(jsonschema.Draft7Validator(CRD_SCHEMAS["ScaledObject"]).iter_errors(scaled))
    assert len(errors) == 2


# --- secrets -----------------------------------------------------------------------------------


def _no_key_material(text: str, secrets: list[str]) -> bool:
    return not KEY_SHAPE.search(text) and not any(s in text for s in secrets)


@pytest.mark.parametrize("values", CI_FILES)
def test_no_key_material_in_configmaps_or_env_values(
    ci_renders: dict[str, Rendered], values: str
) -> None:
    inline = load_values(values).get("keys", {}).get("inline", {}).get("keys", {})
    secrets = [str(k) for k in inline.values()]
    rendered = ci_renders[values]
    for config_map in rendered.all("ConfigMap"):
        for name, text in config_map["data"].items():
            assert _no_key_material(f"{name}={text}", secrets), f"{config_map['metadata']['name']}"
            assert not name.endswith("keys.json")
    for owner, container in containers(rendered):
        for entry in container.get("env", []):
            if "value" in entry:
                assert _no_key_material(entry["value"], secrets), entry["name"]
                assert not re.search(r"PASSWORD$|USERNAME$|_KEYS?$", entry["name"]), entry["name"]
        where = f"{owner['kind']}/{container['name']}"
        assert all("secretRef" not in source for source in container.get("envFrom", [])), where


def test_inline_keys_become_a_secret_file(ci_renders: dict[str, Rendered]) -> None:
    rendered = ci_renders["default-values.yaml"]
    inline = load_values("default-values.yaml")["keys"]["inline"]
    secret = rendered.one("Secret", f"{FULLNAME}-keys")
    assert set(secret["data"]) == {"keys.json"}
    keys_json = json.loads(base64.b64decode(secret["data"]["keys.json"]))
    assert keys_json == {"active": inline["active"], "keys": inline["keys"]}
    assert all(len(base64.b64decode(k)) == 32 for k in keys_json["keys"].values())
    deployment, _ = worker(rendered)
    assert volumes_of(deployment)["keys"]["secret"]["secretName"] == f"{FULLNAME}-keys"
    assert rendered.settings()["PIIREDACT_KEYS_FILE"] == f"{KEYS_DIR}/keys.json"


def test_existing_secret_is_used_verbatim(ci_renders: dict[str, Rendered]) -> None:
    rendered = ci_renders["existing-secret-values.yaml"]
    assert rendered.all("Secret") == []
    deployment, container = worker(rendered)
    keys = volumes_of(deployment)["keys"]["secret"]
    assert keys["secretName"] == "piiredact-keys-prod"
    assert keys["items"] == [{"key": "keys.json", "path": "keys.json"}]
    assert mounts_of(container)[KEYS_DIR] == {
        "name": "keys",
        "mountPath": KEYS_DIR,
        "readOnly": True,
    }
    assert rendered.settings()["PIIREDACT_KEYS_FILE"] == f"{KEYS_DIR}/keys.json"


def test_reveal_keys_come_from_their_own_secret(ci_renders: dict[str, Rendered]) -> None:
    rendered = ci_renders["existing-secret-values.yaml"]
    deployment, container = worker(rendered)
    reveal = volumes_of(deployment)["reveal-keys"]["secret"]
    assert reveal["secretName"] == "piiredact-reveal-keys-prod"
    assert reveal["items"] == [{"key": "reveal-keys.json", "path": "reveal-keys.json"}]
    assert mounts_of(container)[REVEAL_KEYS_DIR] == {
        "name": "reveal-keys",
        "mountPath": REVEAL_KEYS_DIR,
        "readOnly": True,
    }
    settings = rendered.settings()
    assert settings["PIIREDACT_REVEAL_KEYS_FILE"] == f"{REVEAL_KEYS_DIR}/reveal-keys.json"
    assert settings["PIIREDACT_KEYS_FILE"] != settings["PIIREDACT_REVEAL_KEYS_FILE"]


def test_without_reveal_keys_nothing_is_mounted(ci_renders: dict[str, Rendered]) -> None:
    rendered = ci_renders["default-values.yaml"]
    deployment, container = worker(rendered)
    assert "reveal-keys" not in volumes_of(deployment)
    assert REVEAL_KEYS_DIR not in mounts_of(container)
    assert "PIIREDACT_REVEAL_KEYS_FILE" not in rendered.settings()


ENCRYPTING_POLICIES = [
    ("version: v1\ndefault_action: encrypt\n", "the default action encrypts"),
    (
        "version: v1\nrules:\n  - id: mail\n    entities: [EMAIL_ADDRESS]\n    action: encrypt\n",
        "one rule encrypts",
    ),
]


@pytest.mark.parametrize(("policy", "reason"), ENCRYPTING_POLICIES)
def test_a_policy_that_encrypts_needs_reveal_keys(helm: Helm, policy: str, reason: str) -> None:
    error = helm.template_error(ci_values("default-values.yaml"), set_values={"policy": policy})
    assert "revealKeys.existingSecret" in error, reason
    rendered = helm.template(
        ci_values("default-values.yaml"),
        set_values={"policy": policy, "revealKeys.existingSecret": "reveal"},
    )
    assert "PIIREDACT_REVEAL_KEYS_FILE" in rendered.settings(), reason


KEY_ERRORS = [
    # (values, message fragment, reason)
    (
        {
            "keys.existingSecret": "k",
            "keys.inline.active": "a",
            "keys.inline.keys": {"a": base64.b64encode(b"k" * 32).decode()},
        },
        "not both",
        "inline keys next to an existing Secret",
    ),
    (
        {
            "keys.inline.active": "b",
            "keys.inline.keys": {"a": base64.b64encode(b"k" * 32).decode()},
        },
        "must name one of keys.inline.keys",
        "active kid that is not among the keys",
    ),
    (
        {
            "keys.inline.active": "a",
            "keys.inline.keys": {"a": base64.b64encode(b"k" * 16).decode()},
        },
        "keys.inline.keys",
        "a 16-byte key (too short for the schema)",
    ),
    (
        {
            "keys.inline.active": "a",
            "keys.inline.keys": {"a": base64.b64encode(b"k" * 31).decode()},
        },
        "must be the base64 of at least 32 random bytes",
        "a 31-byte key (long enough text for the schema, too short once decoded)",
    ),
]


@pytest.mark.parametrize(("values", "message", "reason"), KEY_ERRORS)
def test_key_misconfiguration_fails(
    helm: Helm, values: dict[str, object], message: str, reason: str
) -> None:
    assert message in helm.template_error(set_values=values), reason


# --- worker pod --------------------------------------------------------------------------------


@pytest.mark.parametrize("values", CI_FILES)
def test_worker_is_probed_and_hardened(ci_renders: dict[str, Rendered], values: str) -> None:
    rendered = ci_renders[values]
    deployment, container = worker(rendered)
    spec = pod_spec(deployment)
    settings = rendered.settings()

    (port,) = container["ports"]
    assert port == {"name": "http", "containerPort": 6066, "protocol": "TCP"}
    assert settings["PIIREDACT_WEB_PORT"] == "6066"
    assert container["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["startupProbe"]["httpGet"] == {"path": "/livez", "port": "http"}
    assert container["envFrom"] == [{"configMapRef": {"name": f"{FULLNAME}-settings"}}]
    assert container["args"] == ["worker"]

    pod_security = spec["securityContext"]
    assert pod_security["runAsNonRoot"] is True
    assert pod_security["runAsUser"] == 10001
    assert pod_security["seccompProfile"] == {"type": "RuntimeDefault"}
    security = container["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["runAsUser"] == 10001
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["automountServiceAccountToken"] is False
    assert spec["enableServiceLinks"] is False

    volumes = volumes_of(deployment)
    mounts = mounts_of(container)
    for path, volume in ((DATA_DIR, "data"), ("/tmp", "tmp")):
        assert mounts[path]["name"] == volume
        assert "emptyDir" in volumes[volume]
    assert settings["PIIREDACT_DATA_DIR"] == DATA_DIR
    for path, mount in mounts.items():
        if path not in (DATA_DIR, "/tmp"):
            assert mount.get("readOnly") is True, path

    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    for name in ("checksum/config", "checksum/policy", "checksum/keys"):
        assert re.fullmatch("[0-9a-f]{64}", annotations[name]), name
    assert deployment["spec"]["selector"]["matchLabels"] == WORKER_SELECTOR


@pytest.mark.parametrize("values", CI_FILES)
def test_every_file_setting_points_into_a_mount(
    ci_renders: dict[str, Rendered], values: str
) -> None:
    rendered = ci_renders[values]
    settings = rendered.settings()
    for owner, container in containers(rendered):
        if owner["kind"] == "Pod":
            continue
        env = {k: v["value"] for k, v in env_of(container).items() if "value" in v}
        files = env if owner["kind"] == "Job" else settings
        mount_paths = set(mounts_of(container))
        for name, path in files.items():
            if name.endswith("_FILE"):
                assert str(PurePosixPath(path).parent) in mount_paths, f"{owner['kind']} {name}"


@pytest.mark.parametrize(
    ("values", "extra", "changed", "reason"),
    [
        ({}, {"config.batchSize": 128}, "checksum/config", "a setting"),
        ({"policy": "version: v1\n"}, {"policy": "version: v2\n"}, "checksum/policy", "the policy"),
        (
            {},
            {"keys.inline.keys.test-2026-01": base64.b64encode(b"n" * 32).decode()},
            "checksum/keys",
            "an inline key",
        ),
    ],
)
def test_changes_roll_the_pods(
    helm: Helm, values: dict[str, object], extra: dict[str, object], changed: str, reason: str
) -> None:
    base = ci_values("default-values.yaml")

    def annotations(rendered: Rendered) -> dict[str, str]:
        notes: dict[str, str] = worker(rendered)[0]["spec"]["template"]["metadata"]["annotations"]
        return notes

    before = annotations(helm.template(base, set_values=values))
    after = annotations(helm.template(base, set_values={**values, **extra}))
    differing = {k for k in before if k.startswith("checksum/") and before[k] != after[k]}
    assert differing == {changed}, reason


def test_policy_file_from_values(ci_renders: dict[str, Rendered]) -> None:
    rendered = ci_renders["existing-secret-values.yaml"]
    policy = rendered.one("ConfigMap", f"{FULLNAME}-policy")["data"]["policy.yaml"]
    assert yaml.safe_load(policy) == yaml.safe_load(
        load_values("existing-secret-values.yaml")["policy"]
    )
    assert rendered.settings()["PIIREDACT_POLICY_FILE"] == "/etc/piiredact/policy/policy.yaml"
    deployment, container = worker(rendered)
    assert mounts_of(container)["/etc/piiredact/policy"]["readOnly"] is True
    assert volumes_of(deployment)["policy"]["configMap"]["name"] == f"{FULLNAME}-policy"


def test_without_policy_the_packaged_default_is_used(ci_renders: dict[str, Rendered]) -> None:
    rendered = ci_renders["default-values.yaml"]
    assert "PIIREDACT_POLICY_FILE" not in rendered.settings()
    assert [c["metadata"]["name"] for c in rendered.all("ConfigMap")] == [f"{FULLNAME}-settings"]
    assert "policy" not in volumes_of(worker(rendered)[0])


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("version: [unclosed", "policy is not valid YAML"),
        ("default_action: redact\n", "policy must be a YAML mapping with a version field"),
    ],
)
def test_bad_policy_fails(helm: Helm, policy: str, message: str) -> None:
    error = helm.template_error(ci_values("default-values.yaml"), set_values={"policy": policy})
    assert message in error


def test_settings_render_as_env_text(helm: Helm) -> None:
    rendered = helm.template(
        ci_values("default-values.yaml"),
        set_values={
            "config.maxRecordBytes": 2097152,
            "config.batchTimeout": 0.5,
            "config.detectNames": False,
            "config.appId": "pii-eu",
            "extraEnv": {"PIIREDACT_MAX_DEPTH": 16},
        },
    )
    settings = rendered.settings()
    assert settings["PIIREDACT_MAX_RECORD_BYTES"] == "2097152"  # not 2.097152e+06
    assert settings["PIIREDACT_BATCH_TIMEOUT"] == "0.5"
    assert settings["PIIREDACT_DETECT_NAMES"] == "false"
    assert settings["PIIREDACT_APP_ID"] == "pii-eu"
    assert settings["PIIREDACT_MAX_DEPTH"] == "16"
    assert settings["PIIREDACT_TOPIC_AUDIT"] == "scraped.audit"
    assert settings["PIIREDACT_TOPIC_CONSENT"] == "consent.events"


def test_extra_env_refuses_secrets(helm: Helm) -> None:
    error = helm.template_error(
        ci_values("default-values.yaml"), set_values={"extraEnv": {"PIIREDACT_DB_PASSWORD": "x"}}
    )
    assert "secrets never go into the ConfigMap" in error


# --- Kafka -------------------------------------------------------------------------------------


def test_broker_url_joins_bootstrap_servers(ci_renders: dict[str, Rendered]) -> None:
    settings = ci_renders["existing-secret-values.yaml"].settings()
    assert settings["PIIREDACT_BROKER_URL"] == (
        "kafka://kafka-0.kafka-headless.kafka.svc:9092;kafka-1.kafka-headless.kafka.svc:9092;"
        "kafka-2.kafka-headless.kafka.svc:9092"
    )
    assert settings["PIIREDACT_KAFKA_SECURITY_PROTOCOL"] == "PLAINTEXT"
    assert not any(k.startswith(("PIIREDACT_KAFKA_SASL", "PIIREDACT_KAFKA_SSL")) for k in settings)


def test_sasl_and_tls_come_from_existing_secrets(ci_renders: dict[str, Rendered]) -> None:
    rendered = ci_renders["sasl-tls-values.yaml"]
    settings = rendered.settings()
    assert settings["PIIREDACT_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert settings["PIIREDACT_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    assert settings["PIIREDACT_KAFKA_SASL_PASSWORD_FILE"] == "/etc/piiredact/kafka-sasl/password"
    assert settings["PIIREDACT_KAFKA_SSL_CAFILE"] == "/etc/piiredact/kafka-tls/ca.crt"
    assert settings["PIIREDACT_KAFKA_SSL_CERTFILE"] == "/etc/piiredact/kafka-tls/tls.crt"
    assert settings["PIIREDACT_KAFKA_SSL_KEYFILE"] == "/etc/piiredact/kafka-tls/tls.key"
    assert "PIIREDACT_KAFKA_SASL_USERNAME" not in settings
    assert "PIIREDACT_KAFKA_SASL_PASSWORD" not in settings

    for owner, container in containers(rendered):
        if owner["kind"] == "Pod":
            continue
        username = env_of(container)["PIIREDACT_KAFKA_SASL_USERNAME"]
        assert username == {
            "name": "PIIREDACT_KAFKA_SASL_USERNAME",
            "valueFrom": {"secretKeyRef": {"name": "piiredact-kafka-user", "key": "username"}},
        }
        volumes = volumes_of(owner)
        assert volumes["kafka-sasl"]["secret"] == {
            "secretName": "piiredact-kafka-user",
            "defaultMode": 0o440,
            "items": [{"key": "password", "path": "password"}],
        }
        assert volumes["kafka-tls"]["secret"]["secretName"] == "piiredact-kafka-tls"
        mounts = mounts_of(container)
        assert mounts["/etc/piiredact/kafka-sasl"]["readOnly"] is True
        assert mounts["/etc/piiredact/kafka-tls"]["readOnly"] is True


KAFKA_ERRORS = [
    ({"kafka.securityProtocol": "SASL_SSL"}, "needs kafka.sasl.existingSecret", "no credentials"),
    (
        {"kafka.sasl.existingSecret": "creds"},
        "kafka.sasl.existingSecret is set but kafka.securityProtocol is PLAINTEXT",
        "credentials that would be ignored",
    ),
    (
        {"kafka.tls.existingSecret": "ca"},
        "kafka.tls.existingSecret is set but kafka.securityProtocol is PLAINTEXT",
        "a CA that would be ignored",
    ),
    (
        {
            "kafka.securityProtocol": "SSL",
            "kafka.tls.existingSecret": "ca",
            "kafka.tls.certKey": "c",
        },
        "go together",
        "a client certificate without its key",
    ),
    ({"kafka.securityProtocol": "TLS"}, "securityProtocol", "not a Kafka protocol (schema)"),
    ({"kafka.bootstrapServers": ["kafka"]}, "bootstrapServers", "no port (schema)"),
]


@pytest.mark.parametrize(("values", "message", "reason"), KAFKA_ERRORS)
def test_kafka_misconfiguration_fails(
    helm: Helm, values: dict[str, object], message: str, reason: str
) -> None:
    error = helm.template_error(ci_values("default-values.yaml"), set_values=values)
    assert message in error, reason


# --- scaling -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "replicas"),
    [
        ({"replicaCount": 3}, 3),
        ({"replicaCount": 8, "topics.partitions": 8}, 8),
        ({"autoscaling.enabled": True}, None),
        ({"keda.enabled": True}, None),
    ],
)
def test_replicas_honoured(helm: Helm, values: dict[str, object], replicas: int | None) -> None:
    rendered = helm.template(ci_values("default-values.yaml"), set_values=values)
    assert worker(rendered)[0]["spec"].get("replicas") == replicas


def test_hpa_targets_the_deployment(ci_renders: dict[str, Rendered]) -> None:
    hpa = ci_renders["autoscaling-hpa-values.yaml"].one("HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": FULLNAME,
    }
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 8)
    targets = {m["resource"]["name"]: m["resource"]["target"] for m in hpa["spec"]["metrics"]}
    assert targets == {
        "cpu": {"type": "Utilization", "averageUtilization": 75},
        "memory": {"type": "Utilization", "averageUtilization": 85},
    }


def test_keda_scales_on_the_lag_of_the_raw_topic(ci_renders: dict[str, Rendered]) -> None:
    rendered = ci_renders["keda-values.yaml"]
    settings = rendered.settings()
    scaled = rendered.one("ScaledObject")
    assert scaled["spec"]["scaleTargetRef"]["name"] == worker(rendered)[0]["metadata"]["name"]
    assert (scaled["spec"]["minReplicaCount"], scaled["spec"]["maxReplicaCount"]) == (1, 12)
    (trigger,) = scaled["spec"]["triggers"]
    metadata = trigger["metadata"]
    assert metadata["consumerGroup"] == settings["PIIREDACT_APP_ID"] == "piiredact-prod"
    assert metadata["topic"] == settings["PIIREDACT_TOPIC_RAW"] == "crawl.raw"
    assert (
        metadata["bootstrapServers"]
        == "broker-1.example.internal:9094,broker-2.example.internal:9094"
    )
    assert metadata["lagThreshold"] == "1000"
    assert (metadata["sasl"], metadata["tls"]) == ("scram_sha256", "enable")
    auth = rendered.one("TriggerAuthentication")
    assert trigger["authenticationRef"] == {"name": auth["metadata"]["name"]}
    refs = {r["parameter"]: (r["name"], r["key"]) for r in auth["spec"]["secretTargetRef"]}
    assert refs == {
        "username": ("kafka-credentials", "username"),
        "password": ("kafka-credentials", "password"),
        "ca": ("kafka-ca", "ca.crt"),
    }


SCALING_ERRORS = [
    ({"autoscaling.enabled": True, "keda.enabled": True}, "mutually exclusive", "two scalers"),
    (
        {"autoscaling.enabled": True, "autoscaling.maxReplicas": 5},
        "autoscaling.maxReplicas 5 exceeds topics.partitions 4",
        "HPA beyond the partitions",
    ),
    (
        {"keda.enabled": True, "keda.maxReplicaCount": 6},
        "keda.maxReplicaCount 6 exceeds topics.partitions 4",
        "KEDA beyond the partitions",
    ),
    ({"replicaCount": 5}, "replicaCount 5 exceeds topics.partitions 4", "idle pods"),
    (
        {"autoscaling.enabled": True, "autoscaling.minReplicas": 4, "autoscaling.maxReplicas": 2},
        "must not exceed",
        "min above max",
    ),
]


@pytest.mark.parametrize(("values", "message", "reason"), SCALING_ERRORS)
def test_scaling_misconfiguration_fails(
    helm: Helm, values: dict[str, object], message: str, reason: str
) -> None:
    error = helm.template_error(ci_values("default-values.yaml"), set_values=values)
    assert message in error, reason


def test_pod_disruption_budget_selects_the_worker(ci_renders: dict[str, Rendered]) -> None:
    pdb = ci_renders["default-values.yaml"].one("PodDisruptionBudget")
    assert pdb["spec"] == {"maxUnavailable": 1, "selector": {"matchLabels": WORKER_SELECTOR}}


# --- topic job ---------------------------------------------------------------------------------


def test_topic_job_runs_the_cli_as_a_hook(ci_renders: dict[str, Rendered]) -> None:
    rendered = ci_renders["sasl-tls-values.yaml"]
    job = rendered.one("Job", f"{FULLNAME}-topics")
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    (container,) = pod_spec(job)["containers"]
    assert container["args"] == [
        "topics",
        "--partitions",
        "4",
        "--replication-factor",
        "3",
        "--retention-ms",
        "259200000",
    ]
    deployment, worker_container = worker(rendered)
    assert container["image"] == worker_container["image"]
    assert container["securityContext"] == worker_container["securityContext"]
    assert pod_spec(job)["securityContext"] == pod_spec(deployment)["securityContext"]
    # The hook runs before the ConfigMap exists: the same settings arrive as env values.
    env = {k: v.get("value") for k, v in env_of(container).items()}
    expected = {
        k: v
        for k, v in rendered.settings().items()
        if k not in {"PIIREDACT_KEYS_FILE", "PIIREDACT_POLICY_FILE"}
    }
    assert {k: env[k] for k in expected} == expected
    assert "PIIREDACT_KEYS_FILE" not in env
    assert KEYS_DIR not in mounts_of(container)


def test_topic_job_can_be_disabled(ci_renders: dict[str, Rendered]) -> None:
    assert ci_renders["default-values.yaml"].all("Job") != []
    assert ci_renders["no-topic-job-values.yaml"].all("Job") == []


def test_topic_job_sees_the_consent_topic(ci_renders: dict[str, Rendered]) -> None:
    job = ci_renders["default-values.yaml"].one("Job")
    env = {k: v.get("value") for k, v in env_of(pod_spec(job)["containers"][0]).items()}
    assert env["PIIREDACT_TOPIC_CONSENT"] == "consent.events"
    assert env["PIIREDACT_TOPIC_AUDIT"] == "scraped.audit"
    assert env["PIIREDACT_APP_ID"] == "piiredact"


# --- network, service, monitoring, helm test ---------------------------------------------------


def test_network_policy(ci_renders: dict[str, Rendered]) -> None:
    policy = ci_renders["networkpolicy-servicemonitor-values.yaml"].one("NetworkPolicy")
    spec = policy["spec"]
    assert spec["podSelector"] == {"matchLabels": WORKER_SELECTOR}
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    (ingress,) = spec["ingress"]
    assert ingress["ports"] == [{"protocol": "TCP", "port": "http"}]
    assert {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}
    } in (ingress["from"])
    kafka, dns = spec["egress"]
    assert {p["port"] for p in kafka["ports"]} == {9092, 9093, 9094}
    assert kafka["to"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kafka"}}}
    ]
    assert sorted((p["protocol"], p["port"]) for p in dns["ports"]) == [("TCP", 53), ("UDP", 53)]


def test_service_and_service_monitor(ci_renders: dict[str, Rendered]) -> None:
    rendered = ci_renders["networkpolicy-servicemonitor-values.yaml"]
    service = rendered.one("Service")
    assert service["spec"]["ports"] == [
        {"name": "http", "port": 6066, "targetPort": "http", "protocol": "TCP"}
    ]
    assert service["spec"]["selector"] == WORKER_SELECTOR
    monitor = rendered.one("ServiceMonitor")
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert monitor["spec"]["endpoints"][0]["port"] == "http"
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    selector = monitor["spec"]["selector"]["matchLabels"]
    assert selector.items() <= service["metadata"]["labels"].items()


def test_service_account_has_no_token(ci_renders: dict[str, Rendered]) -> None:
    rendered = ci_renders["default-values.yaml"]
    account = rendered.one("ServiceAccount")
    assert account["automountServiceAccountToken"] is False
    assert pod_spec(worker(rendered)[0])["serviceAccountName"] == account["metadata"]["name"]


def test_helm_test_pod_checks_readyz_with_the_same_image(ci_renders: dict[str, Rendered]) -> None:
    rendered = ci_renders["default-values.yaml"]
    pod = rendered.one("Pod")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    (container,) = pod["spec"]["containers"]
    assert container["image"] == worker(rendered)[1]["image"]
    assert container["command"] == ["python", "-c"]
    assert container["args"][1] == f"http://{FULLNAME}:6066/readyz"
    assert "urllib.request" in container["args"][0]
    compile(container["args"][0], "test-connection", "exec")
    assert container["securityContext"]["readOnlyRootFilesystem"] is True


@pytest.fixture(scope="module")
def notes_chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the chart that renders NOTES.txt into a ConfigMap (helm template skips NOTES)."""
    chart = tmp_path_factory.mktemp("notes") / "piiredact"
    shutil.copytree(CHART, chart)
    text = (chart / "templates" / "NOTES.txt").read_text()
    (chart / "templates" / "_notes.tpl").write_text(
        '{{- define "test.notes" -}}\n' + text + "{{- end }}\n"
    )
    (chart / "templates" / "notes.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\n"
        'data:\n  notes: {{ include "test.notes" . | toJson }}\n'
    )
    return chart


@pytest.mark.parametrize("values", CI_FILES)
def test_notes_render(helm: Helm, notes_chart: Path, values: str) -> None:
    result = helm.run(
        "template",
        "t",
        str(notes_chart),
        "-f",
        str(ci_values(values)),
        "--namespace",
        "pii",
        "--show-only",
        "templates/notes.yaml",
    )
    assert result.returncode == 0, result.stderr
    notes: str = yaml.safe_load(result.stdout)["data"]["notes"]
    assert f"rollout status deployment/{FULLNAME}" in notes
    assert f"port-forward service/{FULLNAME} 6066" in notes
    assert ("keys.inline, which is for tests only" in notes) == (values == "default-values.yaml")
    assert "<no value>" not in notes
