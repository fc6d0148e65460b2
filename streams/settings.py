"""One typed settings object. Every field reads ``PIIREDACT_<FIELD>`` from the environment.

The names match the Helm chart's values. Secrets are typed as :class:`pydantic.SecretStr` so
they never print; the pseudonymisation keyring is best given as a mounted file
(``PIIREDACT_KEYS_FILE``), see :mod:`streams.keys`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration of the worker, the demo and the offline scanner."""

    model_config = SettingsConfigDict(env_prefix="PIIREDACT_", frozen=True, extra="forbid")

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
    key_wait_timeout: float = Field(
        10.0,
        gt=0,
        description="Seconds to wait for new subject keys to be stored before quarantining.",
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
    policy_file: Path | None = Field(
        None, description="YAML policy file; unset means the built-in default policy."
    )
    detect_names: bool = Field(True, description="Run the NER models for PERSON.")
    max_record_bytes: int = Field(1_048_576, ge=1, description="Larger messages are dead-lettered.")
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
    def output_topics(self) -> tuple[str, str, str, str]:
        """Clean, quarantine, dead-letter and audit topic names."""
        return (self.topic_clean, self.topic_quarantine, self.topic_deadletter, self.topic_audit)

    @property
    def changelog_topics(self) -> tuple[str, str]:
        """The Faust tables' changelog topics (consent registry, subject keys); compacted."""
        return (f"{self.app_id}-consent-changelog", f"{self.app_id}-subject-keys-changelog")
