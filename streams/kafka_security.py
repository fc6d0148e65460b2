"""Kafka TLS and SASL for every client the pipeline makes: the Faust worker and aiokafka.

:func:`kafka_security` turns the ``kafka_*`` settings (checked for consistency by
:class:`streams.settings.KafkaSecuritySettings`, shared by the worker's settings and the
producer client's) into a :class:`KafkaSecurity`: it reads the SASL password
file and builds the :class:`ssl.SSLContext` once, at start. From it come the Faust
``broker_credentials`` (:func:`streams.worker.app.faust_credentials`) and the keyword arguments of
aiokafka's clients (:meth:`KafkaSecurity.aiokafka_kwargs`).

The password lives only in the :class:`KafkaSecurity` (as a :class:`pydantic.SecretStr`, so it
never prints) and in the clients given it. Errors name the setting and the reason, never a
file's content.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from streams.errors import KafkaSecurityError
from streams.settings import KafkaSecuritySettings


@dataclass(frozen=True)
class KafkaSecurity:
    """How to connect to Kafka: protocol, SASL credentials, TLS context."""

    protocol: str = "PLAINTEXT"
    mechanism: str | None = None
    username: str | None = None
    password: SecretStr | None = None
    ssl_context: ssl.SSLContext | None = None

    def aiokafka_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``AIOKafkaAdminClient``, ``AIOKafkaProducer`` and
        ``AIOKafkaConsumer``."""
        kwargs: dict[str, Any] = {"security_protocol": self.protocol}
        if self.ssl_context is not None:
            kwargs["ssl_context"] = self.ssl_context
        if self.protocol.startswith("SASL_"):
            kwargs["sasl_mechanism"] = self.mechanism
            kwargs["sasl_plain_username"] = self.username
            kwargs["sasl_plain_password"] = (
                self.password.get_secret_value() if self.password is not None else None
            )
        return kwargs


def read_password(path: Path) -> SecretStr:
    """The SASL password in ``path`` (UTF-8; a trailing line break is dropped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise KafkaSecurityError("kafka_sasl_password_file: not UTF-8 text") from None
    except OSError as exc:
        raise KafkaSecurityError(
            f"kafka_sasl_password_file: cannot read {path} ({type(exc).__name__})"
        ) from None
    password = text.rstrip("\r\n")
    if not password:
        raise KafkaSecurityError(f"kafka_sasl_password_file: {path} is empty")
    return SecretStr(password)


def ssl_context(
    cafile: Path | None = None, certfile: Path | None = None, keyfile: Path | None = None
) -> ssl.SSLContext:
    """A client TLS context that verifies the broker (hostname included): against ``cafile``,
    or the system CAs without it; with a client certificate for mutual TLS when given."""
    try:
        context = ssl.create_default_context(
            ssl.Purpose.SERVER_AUTH, cafile=str(cafile) if cafile is not None else None
        )
    except (ssl.SSLError, OSError) as exc:
        raise KafkaSecurityError(
            f"kafka_ssl_cafile: {cafile} is not a usable PEM CA bundle ({type(exc).__name__})"
        ) from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if certfile is not None:
        try:
            context.load_cert_chain(
                str(certfile), str(keyfile) if keyfile is not None else None, password=_no_password
            )
        except (ssl.SSLError, OSError) as exc:
            raise KafkaSecurityError(
                f"kafka_ssl_certfile / kafka_ssl_keyfile: {certfile} and {keyfile} are not a "
                f"matching PEM certificate and unencrypted key ({type(exc).__name__})"
            ) from None
    return context


def _no_password() -> str:
    # An encrypted key would otherwise make OpenSSL prompt on the terminal.
    raise ssl.SSLError("the private key is encrypted")


def kafka_security(settings: KafkaSecuritySettings) -> KafkaSecurity:
    """The Kafka security of ``settings``: reads the password file, builds the TLS context."""
    protocol = settings.kafka_security_protocol
    context = None
    if protocol in ("SSL", "SASL_SSL"):
        context = ssl_context(
            settings.kafka_ssl_cafile, settings.kafka_ssl_certfile, settings.kafka_ssl_keyfile
        )
    if not protocol.startswith("SASL_"):
        return KafkaSecurity(protocol=protocol, ssl_context=context)
    if settings.kafka_sasl_password_file is None:  # Settings refuses this; for mypy
        raise KafkaSecurityError(f"kafka_security_protocol {protocol} needs a password file")
    return KafkaSecurity(
        protocol=protocol,
        mechanism=settings.kafka_sasl_mechanism,
        username=settings.kafka_sasl_username,
        password=read_password(settings.kafka_sasl_password_file),
        ssl_context=context,
    )
