"""Deprecated: the producer client moved to :mod:`streams.client.producer`."""

from __future__ import annotations

import warnings

from streams.client.producer import (
    DeliveryError,
    InvalidRecordError,
    PreparedRecord,
    ProducerSettings,
    RecordProducer,
    SendResult,
    SyncRecordProducer,
    build_record,
    consent_to_dict,
    prepare_record,
    validate_consent,
)

__all__ = [
    "DeliveryError",
    "InvalidRecordError",
    "PreparedRecord",
    "ProducerSettings",
    "RecordProducer",
    "SendResult",
    "SyncRecordProducer",
    "build_record",
    "consent_to_dict",
    "prepare_record",
    "validate_consent",
]

warnings.warn(
    "streams.producer is deprecated: import from streams.client.producer",
    DeprecationWarning,
    stacklevel=2,
)
