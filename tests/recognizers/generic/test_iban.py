"""IBAN_CODE: mod-97 and country layout checked (python-stdnum as the oracle), and the whole
IBAN wins over a phone number read out of its digits."""

from __future__ import annotations

import pytest
from stdnum import iban as stdnum_iban

from recognizers.findings import resolve_overlaps
from recognizers.generic.iban import IbanCodeRecognizer, iban_valid
from recognizers.registry import build_detector

R = IbanCodeRecognizer()


def make(country: str, bban: str) -> str:
    """A synthetic IBAN: ``bban`` with its computed check digits."""
    return country + stdnum_iban.calc_check_digits(country + "00" + bban) + bban


def grouped(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


DE = make("DE", "500105170648489890")
GB = make("GB", "NWBK60161331926819")
NL = make("NL", "INGB0001234567")
DE_BAD = DE[:2] + f"{(int(DE[2:4]) + 1) % 100:02d}" + DE[4:]


def found(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in R.find(text)]


CASES = [
    (f"IBAN {grouped(DE)}", [grouped(DE)], "German, grouped in fours"),
    (f"IBAN {DE}", [DE], "German, compact"),
    (f"{GB} (Barclays)", [GB], "British, letters in the BBAN"),
    (f"iban: {GB.lower()}", [GB.lower()], "lower case"),
    (f"Счёт {grouped(NL)}, BIC INGBNL2A", [grouped(NL)], "a word after the last group"),
    (f"{grouped(DE)} 12", [grouped(DE)], "a number after the IBAN is not part of it"),
    (f'{{"iban": "{DE}"}}', [DE], "inside JSON"),
    (f"IBAN {DE_BAD}", [DE_BAD], "wrong check digits next to IBAN: kept as mistyped"),
    (f"ref {DE_BAD}", [], "wrong check digits, no IBAN word"),
    ("DE00 0000 0000 0000 0000 00", [], "zeros fail mod 97"),
    ("XX82WEST12345698765432", [], "no such country"),
    (f"{DE}7", [], "too long for Germany"),
    ("Order AB12 3456 7890 1234 shipped", [], "an order number of the shape"),
    ("ISO 9001 certified, ticket AB34 5566", [], "ticket numbers"),
    ("", [], "empty"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_iban(text: str, expected: list[str], reason: str) -> None:
    assert found(text) == expected


def test_scores() -> None:
    assert R.find(f"IBAN {DE}")[0][2] == 1.0
    assert R.find(f"IBAN {DE_BAD}")[0][2] == 0.4


@pytest.mark.parametrize("number", [DE, GB, NL, DE_BAD, "GB00WEST12345698765432"])
def test_validity_agrees_with_stdnum(number: str) -> None:
    assert iban_valid(number) is bool(stdnum_iban.is_valid(number))


def test_the_whole_iban_wins_over_a_phone_reading() -> None:
    """Its digits also read as a phone number: the merged finding is the whole IBAN, typed
    IBAN_CODE, so redacting it leaves no digit behind."""
    text = f"IBAN {grouped(DE)}"
    findings = build_detector(names=False).analyze([text])[0]
    assert "PHONE_NUMBER" in {f.entity_type for f in findings}  # the reading it must beat
    (merged,) = resolve_overlaps(findings)
    assert (merged.entity_type, text[merged.start : merged.end]) == ("IBAN_CODE", grouped(DE))
