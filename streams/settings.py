"""One typed settings object. Every field reads ``PIIREDACT_<FIELD>`` from the environment.

The names match the Helm chart's values. Secrets are typed as :class:`pydantic.SecretStr` so
they never print; the pseudonymisation keyring is best given as a mounted file
(``PIIREDACT_KEYS_FILE``), see :mod:`streams.core.keys`. Kafka credentials are files too: the SASL
password (``PIIREDACT_KAFKA_SASL_PASSWORD_FILE``) is read only when a client is built
(:mod:`streams.kafka_security`), so no settings object ever holds it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from streams.core.envelope import Limits
from streams.core.keys import Keyring, load_keyring

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

#: The smallest ``max_output_bytes``: room for a message without its value or its findings.
MIN_OUTPUT_BYTES = 16_384


class KafkaSecuritySettings(BaseSettings):
    """The ``kafka_*`` settings, shared by the worker's :class:`Settings` and the scrapers'
    :class:`streams.client.producer.ProducerSettings`; checked for combinations that would fail at
    connect time or silently ignore a credential. :func:`streams.kafka_security.kafka_security`
    turns them into client arguments."""

    model_config = SettingsConfigDict(env_prefix="PIIREDACT_", hide_input_in_errors=True)

    kafka_security_protocol: SecurityProtocol = Field(
        "PLAINTEXT", description="PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL."
    )
    kafka_sasl_mechanism: SaslMechanism | None = Field(
        None, description="PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; required for SASL_*."
    )
    kafka_sasl_username: str | None = Field(None, description="SASL user; required for SASL_*.")
    kafka_sasl_password_file: Path | None = Field(
        None,
        description="File holding the SASL password (a mounted Secret); required for SASL_*.",
    )
    kafka_ssl_cafile: Path | None = Field(
        None, description="PEM CA bundle for SSL/SASL_SSL; unset means the system CAs."
    )
    kafka_ssl_certfile: Path | None = Field(
        None, description="PEM client certificate for mutual TLS (with kafka_ssl_keyfile)."
    )
    kafka_ssl_keyfile: Path | None = Field(
        None, description="PEM private key of the client certificate (unencrypted)."
    )

    @field_validator("kafka_security_protocol", "kafka_sasl_mechanism", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _kafka_security(self) -> Self:
        """Combinations that would fail at connect time, or silently ignore a credential."""
        protocol = self.kafka_security_protocol
        sasl = {
            "kafka_sasl_mechanism": self.kafka_sasl_mechanism,
            "kafka_sasl_username": self.kafka_sasl_username,
            "kafka_sasl_password_file": self.kafka_sasl_password_file,
        }
        tls = {
            "kafka_ssl_cafile": self.kafka_ssl_cafile,
            "kafka_ssl_certfile": self.kafka_ssl_certfile,
            "kafka_ssl_keyfile": self.kafka_ssl_keyfile,
        }
        if protocol.startswith("SASL_"):
            missing = [name for name, value in sasl.items() if not value]
            if missing:
                raise ValueError(f"kafka_security_protocol {protocol} needs {', '.join(missing)}")
        elif set_names := [name for name, value in sasl.items() if value is not None]:
            raise ValueError(
                f"{', '.join(set_names)} set but kafka_security_protocol is {protocol}: "
                "use SASL_PLAINTEXT or SASL_SSL"
            )
        if protocol not in ("SSL", "SASL_SSL") and (
            set_names := [name for name, value in tls.items() if value is not None]
        ):
            raise ValueError(
                f"{', '.join(set_names)} set but kafka_security_protocol is {protocol}: "
                "use SSL or SASL_SSL"
            )
        if (self.kafka_ssl_certfile is None) != (self.kafka_ssl_keyfile is None):
            raise ValueError(
                "kafka_ssl_certfile and kafka_ssl_keyfile go together: set both for mutual "
                "TLS, or neither"
            )
        for name, path in (
            *tls.items(),
            ("kafka_sasl_password_file", sasl["kafka_sasl_password_file"]),
        ):
            if isinstance(path, Path) and not path.is_file():
                raise ValueError(f"{name}: no such file {path}")
        return self


class Settings(KafkaSecuritySettings):
    """Runtime configuration of the worker, the demo and the offline scanner."""

    # hide_input_in_errors: a model-level error would otherwise print every input, secrets too.
    model_config = SettingsConfigDict(
        env_prefix="PIIREDACT_", frozen=True, extra="forbid", hide_input_in_errors=True
    )

    broker_url: str = Field(
        "kafka://127.0.0.1:9092",
        description="Kafka bootstrap servers, e.g. kafka://host1:9092;host2:9092.",
    )
    app_id: str = Field("piiredact", description="Faust app id; also the consumer group id.")
    topic_raw: str = Field("scraped.raw", description="Input topic of scraped records.")
    topic_clean: str = Field("scraped.clean", description="Output topic of redacted records.")
    topic_quarantine: str = Field(
        "scraped.quarantine", description="Records that must not be published, with the reason."
    )
    topic_deadletter: str = Field(
        "scraped.deadletter", description="Input that is not a valid record, with the reason."
    )
    topic_audit: str = Field(
        "scraped.audit",
        description="One entry per input message: policy version, rules, consent, key ids.",
    )
    topic_consent: str = Field(
        "consent.events",
        description="Compacted consent registry topic, keyed by subject_ref.",
    )
    keys_file: Path | None = Field(
        None, description="Pseudonymisation keyring (JSON), e.g. a mounted Kubernetes Secret."
    )
    keys: SecretStr | None = Field(
        None, description="The keyring JSON itself, when no file is used (development)."
    )
    reveal_keys_file: Path | None = Field(
        None,
        description=(
            "Reveal keyring (JSON, the keyring format) for the `encrypt` action: its own keys, "
            "never the pseudonymisation keys; required when the policy encrypts."
        ),
    )
    key_wait_timeout: float = Field(
        10.0,
        gt=0,
        description="Seconds to wait for new subject keys to be stored before quarantining.",
    )
    registry_wait_timeout: float = Field(
        10.0,
        gt=0,
        description=(
            "Seconds a batch waits, while the consent registry reads nothing new, for the "
            "registry to be current before its records are quarantined (registry_unconfirmed)."
        ),
    )
    topic_partitions: int = Field(
        4, ge=1, description="Partitions when the demo or `piiredact topics` creates topics."
    )
    batch_size: int = Field(64, ge=1, le=10_000, description="Records per detection batch.")
    batch_timeout: float = Field(
        0.2, gt=0, description="Seconds to wait for a batch to fill before processing it."
    )
    detection_timeout: float = Field(
        30.0,
        gt=0,
        description="Seconds a batch may spend in detection; past it, its records are quarantined.",
    )
    stall_timeout: float = Field(
        300.0,
        ge=5,
        description=(
            "Seconds without a delivered batch, while messages wait, after which the worker "
            "fails /livez and exits (code 70) to be restarted; must exceed detection_timeout "
            "and the time the models take to load."
        ),
    )
    producer_request_timeout: float = Field(
        30.0,
        gt=0,
        description=(
            "Seconds the worker's producer waits for the broker to acknowledge a request before "
            "the send fails and is retried on a fresh connection (a half-open connection would "
            "otherwise hold deliveries for Faust's default of 20 minutes)."
        ),
    )
    consumer_request_timeout: float = Field(
        30.0,
        gt=0,
        description=(
            "Seconds the worker's consumer waits for the broker to answer a request (a fetch, a "
            "heartbeat, a commit) before it drops the connection and opens a fresh one; longer "
            "than session_timeout. A half-open connection otherwise held the worker for "
            "Faust's default of 90 s."
        ),
    )
    shutdown_timeout: float = Field(
        30.0,
        gt=0,
        description="Seconds a stopping worker (SIGTERM) may take before it exits anyway (code 75)",
    )
    policy_file: Path | None = Field(
        None, description="YAML policy file; unset means the built-in default policy."
    )
    detect_names: bool = Field(True, description="Run the NER models for PERSON.")
    max_record_bytes: int = Field(1_048_576, ge=1, description="Larger messages are dead-lettered.")
    max_output_bytes: int = Field(
        1_000_000,
        ge=MIN_OUTPUT_BYTES,
        description=(
            "The largest message the worker writes, as the producer counts it (value, key, "
            "headers, batch framing); keep it at or below the broker's and the output topics' "
            "message size limit. A clean record that would be larger is quarantined "
            "(output_too_large); a quarantined or dead-lettered message that would be larger "
            "goes without its value, which stays at its source offset for as long as that "
            "topic keeps it; an audit entry without its list of findings."
        ),
    )
    max_depth: int = Field(32, ge=1, description="Deeper nesting under `data` is dead-lettered.")
    max_strings: int = Field(
        10_000, ge=1, description="More strings (keys and values) in one record are dead-lettered."
    )
    max_string_chars: int = Field(
        100_000, ge=1, description="A longer string anywhere in a record is dead-lettered."
    )
    session_timeout: float = Field(
        10.0, gt=0, description="Kafka consumer session timeout, seconds."
    )
    web_enabled: bool = Field(True, description="Serve the worker's HTTP endpoints.")
    web_host: str = Field("0.0.0.0", description="Address of the worker's HTTP endpoints.")  # noqa: S104
    web_port: int = Field(6066, ge=1, le=65535, description="Port of the worker's HTTP endpoints.")
    data_dir: Path = Field(Path("piiredact-data"), description="Faust's local state directory.")
    log_level: str = Field("INFO", description="Log level: DEBUG, INFO, WARNING, ERROR.")

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @model_validator(mode="after")
    def _stall_after_detection(self) -> Settings:
        if self.stall_timeout <= self.detection_timeout:
            raise ValueError(
                "stall_timeout must be longer than detection_timeout: a batch may take that long"
            )
        if self.consumer_request_timeout <= self.session_timeout:
            raise ValueError(
                "consumer_request_timeout must be longer than session_timeout (Kafka's rule)"
            )
        return self

    @field_validator("broker_url")
    @classmethod
    def _kafka_url(cls, value: str) -> str:
        if not value.startswith("kafka://"):
            raise ValueError("must start with kafka:// (e.g. kafka://127.0.0.1:9092)")
        return value

    @property
    def bootstrap_servers(self) -> str:
        """The broker list in aiokafka's form: ``host1:9092,host2:9092``."""
        hosts = self.broker_url.removeprefix("kafka://")
        return ",".join(h.strip() for h in hosts.replace(";", ",").split(",") if h.strip())

    @property
    def limits(self) -> Limits:
        """The record limits configured here."""
        return Limits(
            max_record_bytes=self.max_record_bytes,
            max_depth=self.max_depth,
            max_strings=self.max_strings,
            max_string_chars=self.max_string_chars,
        )

    def keyring(self) -> Keyring | None:
        """The keyring configured here (``keys_file`` first, else ``keys``), or ``None``.
        Raises :class:`~streams.errors.KeyringError` if it cannot be read."""
        inline = self.keys.get_secret_value() if self.keys is not None else None
        return load_keyring(self.keys_file, inline)

    def reveal_keyring(self) -> Keyring | None:
        """The reveal keyring in ``reveal_keys_file``, or ``None``. Raises
        :class:`~streams.errors.KeyringError` if it cannot be read."""
        return load_keyring(self.reveal_keys_file, None)

    @property
    def output_topics(self) -> tuple[str, str, str, str]:
        """Clean, quarantine, dead-letter and audit topic names."""
        return (self.topic_clean, self.topic_quarantine, self.topic_deadletter, self.topic_audit)

    @property
    def changelog_topics(self) -> tuple[str, str]:
        """The Faust tables' changelog topics (consent registry, subject keys); compacted."""
        return (f"{self.app_id}-consent-changelog", f"{self.app_id}-subject-keys-changelog")
