"""RFC 3339 timestamps: one parser and one formatter for the record envelope, consent
statements, registry events and table entries."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_RFC3339 = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
    r"(?:[Zz]|[+\-][0-9]{2}:[0-9]{2})$"
)


class TimestampError(ValueError):
    """Not an RFC 3339 timestamp. ``shape_ok`` tells a well-formed but impossible date
    (``2026-02-30T00:00:00Z``) from text of the wrong shape."""

    def __init__(self, shape_ok: bool) -> None:
        super().__init__("not a real date and time" if shape_ok else "not RFC 3339")
        self.shape_ok = shape_ok


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
