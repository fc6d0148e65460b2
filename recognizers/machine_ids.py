"""Machine-made identifiers (UUIDs), inside which no other finding stands.

A UUID (``f8991b5e-0859-4412-8ff8-e855ab77bc98``) is random hex; about one in 200 holds a run
of digits that reads as a phone number (``0859-4412-8``), a card number with a valid Luhn digit
or an ИНН, or letters that read as a slug of names (``fe-ba``). None of those is what the string
is: the record ids that :mod:`streams.client.producer` makes are UUIDs, and a finding in one
sent its record to quarantine. So the detector (:class:`recognizers.engine.Detector`) drops a
finding that lies inside a UUID and is not the whole of it; a finding that covers the whole,
such as an advertising id (:mod:`recognizers.generic.advertising_id`), stands.

A UUID here is strictly one, so that a number cannot hide by dressing up as one: 8-4-4-4-12 hex
digits with hyphens, an RFC 9562 version digit (1-8) and variant digit (8, 9, a or b), at least
one of the letters a-f, and no letter or digit glued on either side (``item-3f2b8c1e-…`` in a
URL counts). Hex digests (MD5, SHA-1, ObjectIds) are left alone on purpose: a run of digits at
a digest's start (``83950160648e3b8f…``) is, character for character, a number with hex letters
glued on (``4111111111111111e3b8fe39…``), so it stays a finding; a false positive costs less
than a leak.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from recognizers.findings import Finding

__all__ = ["UUID_BODY", "machine_id_spans", "outside_machine_ids"]

#: A UUID's 8-4-4-4-12 hex digits, without boundaries and whatever its version.
UUID_BODY: Final = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
#: A UUID as RFC 9562 makes them (version 1-8, variant 10xx), standing alone.
_UUID: Final = re.compile(
    r"(?<![0-9A-Za-z])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[1-8][0-9A-Fa-f]{3}-[89abAB][0-9A-Fa-f]{3}"
    r"-[0-9A-Fa-f]{12}(?![0-9A-Za-z])"
)
_HEX_LETTERS: Final = frozenset("abcdefABCDEF")


def machine_id_spans(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of every UUID in ``text`` (see the module), in order."""
    return [
        match.span() for match in _UUID.finditer(text) if not _HEX_LETTERS.isdisjoint(match.group())
    ]


def outside_machine_ids(text: str, findings: Sequence[Finding]) -> list[Finding]:
    """``findings`` of ``text`` but those that lie inside a UUID and are not the whole of it,
    in their order."""
    spans = machine_id_spans(text) if findings and "-" in text else []
    if not spans:
        return list(findings)
    return [
        f
        for f in findings
        if not any(s <= f.start and f.end <= e and (f.start, f.end) != (s, e) for s, e in spans)
    ]
