"""Every error the pipeline raises on purpose, in one tree. Messages name a field path, a setting
or a file and the reason, never a value::

    PiiRedactError                 base of them all
    ├── InvalidRecord              a message is not a valid record: the dead-letter topic
    │   └── InvalidRecordError     the producer client refused a record; nothing was sent
    ├── ConsentError               a consent statement is malformed (also a ValueError)
    ├── TimestampError             not an RFC 3339 time (also a ValueError)
    ├── PolicyError                a policy file is invalid: the worker refuses to start
    ├── KeyringError               the keyring is missing or invalid: never carries key material
    ├── RevealError                an encrypted value does not open (wrong key, altered token)
    ├── KafkaSecurityError         a Kafka credential file cannot be used
    ├── BrokerError                the broker cannot be reached, or refused a request
    │   └── DeliveryError          the broker did not acknowledge one record
    └── DetectionError             the detection process gave no outcomes for a batch
        ├── DetectionTimeout       the batch outlived detection_timeout; the process was killed
        ├── DetectionCrashed       the process died on the batch twice
        └── DetectionFailed        the process could not start, or raised serving the batch

The worker turns each of the last group into quarantines (``detection_timeout``,
``detection_error``); an :class:`InvalidRecord` becomes a dead letter; the start-up errors
(policy, keyring, Kafka security) stop the worker before it reads anything.
"""

from __future__ import annotations


class PiiRedactError(Exception):
    """Base of every error this package raises on purpose."""


class InvalidRecord(PiiRedactError):
    """The input is not a valid record.

    ``reason`` is a short stable code (``not_json``, ``missing_field``, ...) that goes into the
    dead-letter headers; ``detail`` says which field and why, never what value it held.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class InvalidRecordError(InvalidRecord):
    """The client refused a record; nothing was sent.

    ``reason`` is the code the worker would have dead-lettered it with (``bad_field``,
    ``too_large``, ...); ``detail`` names the field and what to fix, never its value.
    """


class ConsentError(PiiRedactError, ValueError):
    """A consent statement is malformed. The message names the field, never its value."""


class TimestampError(PiiRedactError, ValueError):
    """Not an RFC 3339 timestamp. ``shape_ok`` tells a well-formed but impossible date
    (``2026-02-30T00:00:00Z``) from text of the wrong shape."""

    def __init__(self, shape_ok: bool) -> None:
        super().__init__("not a real date and time" if shape_ok else "not RFC 3339")
        self.shape_ok = shape_ok


class PolicyError(PiiRedactError):
    """A policy file is invalid. The message names the file, line and field."""


class KeyringError(PiiRedactError):
    """The keyring is missing or invalid. Never carries key material."""


class RevealError(PiiRedactError):
    """An encrypted value cannot be revealed: no such reveal key, a wrong key, an altered token.
    Never carries the value or key material."""


class KafkaSecurityError(PiiRedactError):
    """A Kafka credential file cannot be used. The message names the setting, not the content."""


class BrokerError(PiiRedactError):
    """The broker cannot be reached, or refused a request."""


class DeliveryError(BrokerError):
    """The broker did not acknowledge a record (unreachable, timed out, refused it).

    ``record_id`` is the record's id and ``error_type`` the name of the broker client's error.
    The record may or may not have been written: sending it again is safe, the id is the same.
    """

    def __init__(self, record_id: str, topic: str, error_type: str) -> None:
        super().__init__(f"record {record_id!r} was not delivered to {topic}: {error_type}")
        self.record_id = record_id
        self.topic = topic
        self.error_type = error_type


class DetectionError(PiiRedactError):
    """Detection did not produce outcomes for a batch; the message names no value."""


class DetectionTimeout(DetectionError):
    """The batch took longer than the detection timeout; the process was killed."""


class DetectionCrashed(DetectionError):
    """The detection process died on the batch twice."""


class DetectionFailed(DetectionError):
    """The detection process could not build its redactor, or raised while serving the batch."""
