"""RFC 3339 timestamps: one parser and one formatter for the record envelope, consent
statements, registry events and table entries."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from streams.errors import TimestampError

_RFC3339 = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
    r"(?:[Zz]|[+\-][0-9]{2}:[0-9]{2})$"
)


def parse_rfc3339(value: object) -> datetime:
    """``value`` as an aware datetime. Raises :class:`TimestampError`."""
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise TimestampError(shape_ok=False)
    try:
        return datetime.fromisoformat(value.replace("z", "+00:00").replace("Z", "+00:00"))
    except ValueError:
        raise TimestampError(shape_ok=True) from None


def format_rfc3339(moment: datetime) -> str:
    """An aware ``moment`` in UTC with a ``Z``, to the microsecond when it has one. A naive
    datetime is refused (``ValueError``): its zone would be guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
