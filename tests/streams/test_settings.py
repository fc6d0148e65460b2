"""Settings: the Kafka TLS/SASL combinations, and secrets that never print."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from streams.settings import MIN_OUTPUT_BYTES, Settings

PASSWORD = "s3cr3t-Kafka-pa55"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PIIREDACT_"):
            monkeypatch.delenv(name)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {name: tmp_path / name for name in ("password", "ca.crt", "tls.crt", "tls.key")}
    paths["password"].write_text(PASSWORD + "\n")
    for name in ("ca.crt", "tls.crt", "tls.key"):
        paths[name].write_text("not read by Settings\n")
    return paths


def test_defaults_are_plaintext_without_credentials() -> None:
    settings = Settings()
    assert settings.kafka_security_protocol == "PLAINTEXT"
    assert settings.kafka_sasl_mechanism is None
    assert settings.kafka_sasl_username is None
    assert settings.kafka_sasl_password_file is None
    assert settings.kafka_ssl_cafile is None


def test_environment_names_match_the_chart(
    monkeypatch: pytest.MonkeyPatch, files: dict[str, Path]
) -> None:
    env = {
        "PIIREDACT_KAFKA_SECURITY_PROTOCOL": "sasl_ssl",
        "PIIREDACT_KAFKA_SASL_MECHANISM": "scram-sha-512",
        "PIIREDACT_KAFKA_SASL_USERNAME": "piiredact",
        "PIIREDACT_KAFKA_SASL_PASSWORD_FILE": str(files["password"]),
        "PIIREDACT_KAFKA_SSL_CAFILE": str(files["ca.crt"]),
        "PIIREDACT_KAFKA_SSL_CERTFILE": str(files["tls.crt"]),
        "PIIREDACT_KAFKA_SSL_KEYFILE": str(files["tls.key"]),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.kafka_security_protocol == "SASL_SSL"
    assert settings.kafka_sasl_mechanism == "SCRAM-SHA-512"
    assert settings.kafka_sasl_username == "piiredact"
    assert settings.kafka_sasl_password_file == files["password"]
    assert settings.kafka_ssl_keyfile == files["tls.key"]


# (overrides, words the error must contain, why)
INVALID = [
    ({"kafka_security_protocol": "TLS"}, ["kafka_security_protocol"], "unknown protocol"),
    (
        {"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_sasl_mechanism": "GSSAPI"},
        ["kafka_sasl_mechanism"],
        "unsupported mechanism",
    ),
    (
        {"kafka_security_protocol": "SASL_SSL"},
        ["kafka_sasl_mechanism", "kafka_sasl_username", "kafka_sasl_password_file"],
        "SASL without credentials",
    ),
    (
        {"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_sasl_mechanism": "PLAIN",
         "kafka_sasl_username": "u"},
        ["needs kafka_sasl_password_file"],
        "SASL without a password file",
    ),
    (
        {"kafka_sasl_username": "u"},
        ["kafka_sasl_username", "PLAINTEXT", "SASL_PLAINTEXT or SASL_SSL"],
        "a SASL setting that PLAINTEXT would ignore",
    ),
    (
        {"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_sasl_mechanism": "PLAIN",
         "kafka_sasl_username": "u", "kafka_sasl_password_file": "password",
         "kafka_ssl_cafile": "ca.crt"},
        ["kafka_ssl_cafile", "SSL or SASL_SSL"],
        "a CA that SASL_PLAINTEXT would ignore",
    ),
    (
        {"kafka_security_protocol": "SSL", "kafka_ssl_certfile": "tls.crt"},
        ["kafka_ssl_certfile and kafka_ssl_keyfile go together"],
        "a certificate without its key",
    ),
    (
        {"kafka_security_protocol": "SSL", "kafka_ssl_cafile": "missing.crt"},
        ["kafka_ssl_cafile: no such file"],
        "a CA file that is not there",
    ),
    (
        {"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_sasl_mechanism": "PLAIN",
         "kafka_sasl_username": "u", "kafka_sasl_password_file": "missing"},
        ["kafka_sasl_password_file: no such file"],
        "a password file that is not there",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "words", "why"), INVALID, ids=[w for *_, w in INVALID])
def test_invalid_kafka_security_is_refused_with_a_clear_error(
    overrides: dict[str, str], words: list[str], why: str, files: dict[str, Path]
) -> None:
    values: dict[str, object] = {
        k: files.get(v, v) if k.endswith("file") else v for k, v in overrides.items()
    }
    values["keys"] = PASSWORD  # a secret in the input must not be echoed by the error
    with pytest.raises(ValidationError) as caught:
        Settings(**values)  # type: ignore[arg-type]
    message = str(caught.value)
    for word in words:
        assert word in message, why
    assert PASSWORD not in message


@pytest.mark.parametrize(
    "overrides",
    [
        {"kafka_security_protocol": "SSL"},
        {"kafka_security_protocol": "SSL", "kafka_ssl_cafile": "ca.crt"},
        {
            "kafka_security_protocol": "SSL",
            "kafka_ssl_cafile": "ca.crt",
            "kafka_ssl_certfile": "tls.crt",
            "kafka_ssl_keyfile": "tls.key",
        },
        {
            "kafka_security_protocol": "SASL_PLAINTEXT",
            "kafka_sasl_mechanism": "SCRAM-SHA-256",
            "kafka_sasl_username": "u",
            "kafka_sasl_password_file": "password",
        },
    ],
    ids=["ssl-system-cas", "ssl-ca", "mutual-tls", "sasl-plaintext"],
)
def test_valid_combinations(overrides: dict[str, str], files: dict[str, Path]) -> None:
    values = {k: files[v] if k.endswith("file") else v for k, v in overrides.items()}
    Settings(**values)  # type: ignore[arg-type]


def test_the_password_is_never_in_the_settings(files: dict[str, Path]) -> None:
    settings = Settings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="PLAIN",
        kafka_sasl_username="piiredact",
        kafka_sasl_password_file=files["password"],
        keys=PASSWORD,
    )
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert PASSWORD not in text


def test_max_output_bytes_leaves_room_for_a_message_without_its_value() -> None:
    assert Settings().max_output_bytes == 1_000_000
    assert Settings(max_output_bytes=MIN_OUTPUT_BYTES).max_output_bytes == MIN_OUTPUT_BYTES
    with pytest.raises(ValidationError, match="max_output_bytes"):
        Settings(max_output_bytes=MIN_OUTPUT_BYTES - 1)


def test_stall_timeout_must_exceed_detection_timeout() -> None:
    with pytest.raises(
        ValidationError, match="stall_timeout must be longer than detection_timeout"
    ):
        Settings(detection_timeout=60, stall_timeout=60)
    assert Settings(detection_timeout=60, stall_timeout=61).stall_timeout == 61


def test_consumer_request_timeout_must_exceed_session_timeout() -> None:
    with pytest.raises(
        ValidationError, match="consumer_request_timeout must be longer than session_timeout"
    ):
        Settings(session_timeout=30, consumer_request_timeout=30)
    assert Settings(session_timeout=10, consumer_request_timeout=11).consumer_request_timeout == 11
