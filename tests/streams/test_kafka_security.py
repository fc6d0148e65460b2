"""Kafka TLS/SASL: the TLS context, the aiokafka and Faust arguments, no password in sight."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import ssl
from pathlib import Path
from typing import Any

import faust
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from recognizers.engine import Detector
from streams.client import producer
from streams.core.keys import Keyring
from streams.errors import BrokerError, KafkaSecurityError
from streams.kafka_security import KafkaSecurity, kafka_security, read_password, ssl_context
from streams.settings import Settings
from streams.worker import topics
from streams.worker.app import create_app, faust_credentials

PASSWORD = "s3cr3t-Kafka-pa55"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PIIREDACT_"):
            monkeypatch.delenv(name)


def _cert(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[str, Any] | None = None
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    issuer_name, issuer_key = issuer if issuer is not None else (subject, key)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def _key_pem(key: ec.EllipticCurvePrivateKey, password: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A test CA, a client certificate it signed with its key, and a few bad files."""
    folder = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("piiredact test CA", ca_key)
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _cert("piiredact", client_key, issuer=("piiredact test CA", ca_key))
    other_key = ec.generate_private_key(ec.SECP256R1())
    files = {
        "ca.crt": ca.public_bytes(serialization.Encoding.PEM),
        "tls.crt": client.public_bytes(serialization.Encoding.PEM),
        "tls.key": _key_pem(client_key),
        "other.key": _key_pem(other_key),
        "encrypted.key": _key_pem(client_key, b"key-passphrase"),
        "garbage.crt": b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n",
        "password": (PASSWORD + "\n").encode(),
        "empty": b"\n",
        "binary": b"\xff\xfe\x00pa55",
    }
    paths = {}
    for name, content in files.items():
        paths[name] = folder / name
        paths[name].write_bytes(content)
    return paths


def _sasl_settings(pki: dict[str, Path], protocol: str = "SASL_SSL", **extra: Any) -> Settings:
    return Settings(
        kafka_security_protocol=protocol,  # type: ignore[arg-type]
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="piiredact",
        kafka_sasl_password_file=pki["password"],
        **extra,
    )


def test_plaintext_has_no_tls_and_no_credentials() -> None:
    security = kafka_security(Settings())
    assert security.aiokafka_kwargs() == {"security_protocol": "PLAINTEXT"}
    assert faust_credentials(security) is None


def test_tls_context_verifies_the_broker_against_the_given_ca(pki: dict[str, Path]) -> None:
    context = ssl_context(pki["ca.crt"])
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert [c["subject"] for c in context.get_ca_certs()] == [
        ((("commonName", "piiredact test CA"),),)
    ]


def test_tls_context_without_a_ca_uses_the_system_cas() -> None:
    context = ssl_context()
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname is True


def test_mutual_tls_loads_the_client_certificate(pki: dict[str, Path]) -> None:
    settings = Settings(
        kafka_security_protocol="SSL",
        kafka_ssl_cafile=pki["ca.crt"],
        kafka_ssl_certfile=pki["tls.crt"],
        kafka_ssl_keyfile=pki["tls.key"],
    )
    security = kafka_security(settings)
    kwargs = security.aiokafka_kwargs()
    assert kwargs["security_protocol"] == "SSL"
    assert isinstance(kwargs["ssl_context"], ssl.SSLContext)
    assert "sasl_plain_password" not in kwargs
    credentials = faust_credentials(security)
    assert isinstance(credentials, faust.SSLCredentials)
    assert credentials.context is security.ssl_context


# (cafile, certfile, keyfile, setting named in the error, why)
BAD_TLS = [
    ("garbage.crt", None, None, "kafka_ssl_cafile", "a CA bundle that is not PEM"),
    ("ca.crt", "tls.crt", "other.key", "kafka_ssl_certfile", "a key of another certificate"),
    ("ca.crt", "tls.crt", "encrypted.key", "kafka_ssl_certfile", "an encrypted key: no prompt"),
    ("ca.crt", "tls.key", "tls.key", "kafka_ssl_certfile", "a key where the certificate goes"),
]


@pytest.mark.parametrize(
    ("cafile", "certfile", "keyfile", "setting", "why"), BAD_TLS, ids=[b[-1] for b in BAD_TLS]
)
def test_unusable_tls_files_fail_naming_the_setting(
    pki: dict[str, Path],
    cafile: str,
    certfile: str | None,
    keyfile: str | None,
    setting: str,
    why: str,
) -> None:
    with pytest.raises(KafkaSecurityError, match=setting):
        ssl_context(
            pki[cafile],
            pki[certfile] if certfile else None,
            pki[keyfile] if keyfile else None,
        )


def test_sasl_ssl_gives_aiokafka_and_faust_the_same_credentials(pki: dict[str, Path]) -> None:
    security = kafka_security(_sasl_settings(pki, kafka_ssl_cafile=pki["ca.crt"]))
    kwargs = security.aiokafka_kwargs()
    assert kwargs == {
        "security_protocol": "SASL_SSL",
        "ssl_context": security.ssl_context,
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "piiredact",
        "sasl_plain_password": PASSWORD,  # the trailing line break of the file is dropped
    }
    credentials = faust_credentials(security)
    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.protocol.value == "SASL_SSL"
    assert credentials.mechanism.value == "SCRAM-SHA-512"
    assert (credentials.username, credentials.password) == ("piiredact", PASSWORD)
    assert credentials.ssl_context is security.ssl_context


def test_sasl_plaintext_has_no_tls(pki: dict[str, Path]) -> None:
    security = kafka_security(_sasl_settings(pki, protocol="SASL_PLAINTEXT"))
    assert security.ssl_context is None
    assert "ssl_context" not in security.aiokafka_kwargs()
    credentials = faust_credentials(security)
    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.protocol.value == "SASL_PLAINTEXT"
    assert credentials.ssl_context is None


def test_the_password_never_prints(pki: dict[str, Path]) -> None:
    settings = _sasl_settings(pki)
    security = kafka_security(settings)
    credentials = faust_credentials(security)
    for text in (repr(settings), str(settings), repr(security), str(security), repr(credentials)):
        assert PASSWORD not in text


@pytest.mark.parametrize(
    ("name", "error"),
    [("empty", "is empty"), ("missing", "cannot read"), ("binary", "not UTF-8")],
)
def test_unusable_password_files_fail_without_their_content(
    pki: dict[str, Path], name: str, error: str
) -> None:
    with pytest.raises(KafkaSecurityError, match=error) as caught:
        read_password(pki.get(name, pki["password"].parent / name))
    assert "kafka_sasl_password_file" in str(caught.value)


@pytest.fixture
def refusing() -> tuple[type, dict[str, Any]]:
    """A Kafka client class that keeps its arguments in the dict and refuses to start, with the
    password in its error (which must not reach the caller's)."""
    seen: dict[str, Any] = {}

    class Refusing:
        def __init__(self, **kwargs: Any) -> None:
            seen.update(kwargs)

        async def start(self) -> None:
            raise ConnectionError(f"refused for {seen['sasl_plain_password']}")

        async def stop(self) -> None:
            pass

    return Refusing, seen


def test_the_topics_admin_client_uses_the_security_settings(
    pki: dict[str, Path], monkeypatch: pytest.MonkeyPatch, refusing: tuple[type, dict[str, Any]]
) -> None:
    client_class, seen = refusing
    monkeypatch.setattr(topics, "AIOKafkaAdminClient", client_class)
    settings = _sasl_settings(pki, broker_url="kafka://kafka.example:9093")
    with pytest.raises(BrokerError) as caught:
        asyncio.run(topics.ensure_topics(settings))
    assert seen["bootstrap_servers"] == "kafka.example:9093"
    assert seen["security_protocol"] == "SASL_SSL"
    assert seen["sasl_mechanism"] == "SCRAM-SHA-512"
    assert seen["sasl_plain_password"] == PASSWORD
    assert isinstance(seen["ssl_context"], ssl.SSLContext)
    assert PASSWORD not in str(caught.value)


def test_the_worker_app_gets_the_credentials(pki: dict[str, Path], tmp_path: Path) -> None:
    settings = _sasl_settings(pki, data_dir=tmp_path, detect_names=False)
    app = create_app(settings, detector=Detector([], []), keyring=Keyring.generate())
    credentials = app.conf.broker_credentials
    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.mechanism.value == "SCRAM-SHA-512"
    assert credentials.protocol.value == "SASL_SSL"
    assert app.conf.web_tables_enabled is False, "table data (consent, keys) is not served"


def test_an_unusable_credential_stops_the_worker_before_it_starts(
    pki: dict[str, Path], tmp_path: Path
) -> None:
    settings = Settings(
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_mechanism="PLAIN",
        kafka_sasl_username="piiredact",
        kafka_sasl_password_file=pki["empty"],
        data_dir=tmp_path,
    )
    with pytest.raises(KafkaSecurityError, match="empty"):
        create_app(settings, detector=Detector([], []), keyring=Keyring.generate())


def test_security_defaults_are_plaintext() -> None:
    assert KafkaSecurity().aiokafka_kwargs() == {"security_protocol": "PLAINTEXT"}


def test_the_producer_client_uses_the_security_settings(
    pki: dict[str, Path], monkeypatch: pytest.MonkeyPatch, refusing: tuple[type, dict[str, Any]]
) -> None:
    client_class, seen = refusing
    monkeypatch.setattr(producer, "AIOKafkaProducer", client_class)
    client = producer.RecordProducer(
        broker_url="kafka.example:9093",
        kafka_security_protocol="sasl_ssl",
        kafka_sasl_mechanism="SCRAM-SHA-256",
        kafka_sasl_username="scraper",
        kafka_sasl_password_file=pki["password"],
        kafka_ssl_cafile=pki["ca.crt"],
    )
    with pytest.raises(BrokerError) as caught:
        asyncio.run(client.start())
    assert seen["bootstrap_servers"] == "kafka.example:9093"
    assert seen["security_protocol"] == "SASL_SSL"
    assert (seen["sasl_mechanism"], seen["sasl_plain_username"]) == ("SCRAM-SHA-256", "scraper")
    assert seen["sasl_plain_password"] == PASSWORD
    assert isinstance(seen["ssl_context"], ssl.SSLContext)
    assert seen["ssl_context"].verify_mode is ssl.CERT_REQUIRED
    assert PASSWORD not in str(caught.value)
    assert PASSWORD not in repr(client.settings)


def test_the_producer_settings_refuse_what_the_workers_refuse(pki: dict[str, Path]) -> None:
    with pytest.raises(ValidationError, match="needs kafka_sasl_username"):
        producer.ProducerSettings(
            kafka_security_protocol="SASL_SSL",
            kafka_sasl_mechanism="PLAIN",
            kafka_sasl_password_file=pki["password"],
        )
    with pytest.raises(ValidationError, match="kafka_ssl_cafile set but kafka_security_protocol"):
        producer.ProducerSettings(kafka_ssl_cafile=pki["ca.crt"])
    with pytest.raises(ValidationError, match="kafka_sasl_password_file: no such file"):
        producer.ProducerSettings(
            kafka_security_protocol="SASL_PLAINTEXT",
            kafka_sasl_mechanism="PLAIN",
            kafka_sasl_username="scraper",
            kafka_sasl_password_file=pki["password"].parent / "missing",
        )


def test_the_producer_reads_its_security_from_the_workers_environment(
    pki: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIIREDACT_KAFKA_SECURITY_PROTOCOL", "SSL")
    monkeypatch.setenv("PIIREDACT_KAFKA_SSL_CAFILE", str(pki["ca.crt"]))
    settings = producer.ProducerSettings()
    assert settings.kafka_security_protocol == Settings().kafka_security_protocol == "SSL"
    assert kafka_security(settings).aiokafka_kwargs()["security_protocol"] == "SSL"


def test_an_unusable_password_file_stops_the_producer_before_it_connects(
    pki: dict[str, Path],
) -> None:
    client = producer.RecordProducer(
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_mechanism="PLAIN",
        kafka_sasl_username="scraper",
        kafka_sasl_password_file=pki["binary"],
    )
    with pytest.raises(KafkaSecurityError, match="not UTF-8") as caught:
        asyncio.run(client.start())
    assert "pa55" not in str(caught.value)
