"""US_SSN: area/group/serial rules (python-stdnum as the oracle); the SSN wins over a phone."""

from __future__ import annotations

import pytest
from stdnum.us import ssn as stdnum_ssn

from recognizers.findings import resolve_overlaps
from recognizers.registry import build_detector
from recognizers.us.ssn import UsSocialSecurityRecognizer, ssn_valid

R = UsSocialSecurityRecognizer()


def found(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in R.find(text)]


# Synthetic: valid by the rules, not known to be issued.
CASES = [
    ("SSN 078-05-1123", ["078-05-1123"], "the issue's example: valid, next to SSN"),
    ("Social Security No.: 512-34-5678", ["512-34-5678"], "after the long name"),
    ("my ssn is 412 34 5678", ["412 34 5678"], "spaced, with context"),
    ("SSN#412345678", ["412345678"], "compact, with context"),
    ("Applicant 512-34-5678 approved", ["512-34-5678"], "hyphenated layout, no context"),
    ("412 34 5678", [], "spaced without context: a phone or an amount"),
    ("412345678", [], "nine bare digits without context"),
    ("SSN 078-05-1120", [], "the wallet-insert number, invalid"),
    ("SSN 000-12-3456", [], "area 000"),
    ("SSN 666-12-3456", [], "area 666"),
    ("SSN 912-34-5678", [], "area 9xx is an ITIN, not an SSN"),
    ("SSN 512-00-5678", [], "group 00"),
    ("SSN 512-34-0000", [], "serial 0000"),
    ("Order 512-34-5678 shipped", [], "an order number of the shape"),
    ("Ticket 512-34-5678, seat 12", [], "a ticket number"),
    ("2021-03-01", [], "a date"),
    ("1512-34-5678", [], "inside a longer number"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_ssn(text: str, expected: list[str], reason: str) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "number", ["078-05-1123", "078-05-1120", "000-12-3456", "666-12-3456", "912-34-5678"]
)
def test_validity_agrees_with_stdnum(number: str) -> None:
    assert ssn_valid(number) is bool(stdnum_ssn.is_valid(number))


@pytest.mark.parametrize("text", ["SSN 078-05-1123", "ssn: 412-34-5678, tel"])
def test_the_ssn_wins_over_a_phone_reading(text: str) -> None:
    findings = build_detector(names=False).analyze([text])[0]
    assert "PHONE_NUMBER" in {f.entity_type for f in findings}
    (merged,) = resolve_overlaps(findings)
    assert merged.entity_type == "US_SSN"
