"""Our validators against the external ИНН, ОГРН, ОГРНИП and СНИЛС test vectors.

``/work/shared/data/ru-identifier-vectors.csv`` (next to the repository, see its README) holds
numbers from python-stdnum's and sshaplygin/docs-code's test suites with the validity each
source expects (``expected_valid_per_source``) and what a reference checker says
(``stdnum_or_ref_check``).

Two СНИЛС rows (``112-233?445 95``, ``112-233-445#95``) are the ones the README calls
ambiguous: the source expects them invalid because ``?`` and ``#`` are not separators, while a
checker that drops every non-digit accepts them. Our ``is_valid`` accepts only spaces and
hyphens between digits, so it sides with the source; the test checks that, and also that the
reference checker really disagrees there, so a change in the data is noticed.

python-stdnum's ``ru.ogrn`` module validates both the 13-digit ОГРН and the 15-digit ОГРНИП,
so an ``OGRN`` row passes if either of our validators accepts it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from recognizers.ru import inn, ogrn, ogrnip, snils
from tests.conftest import shared_data_missing

REPO_ROOT = Path(__file__).resolve().parents[3]
VECTORS = REPO_ROOT.parent / "shared" / "data" / "ru-identifier-vectors.csv"

VALIDATORS: dict[str, Callable[[str], bool]] = {
    "INN": inn.is_valid,
    "OGRN": lambda number: ogrn.is_valid(number) or ogrnip.is_valid(number),
    "OGRNIP": ogrnip.is_valid,
    "SNILS": snils.is_valid,
}


def load_rows() -> list[dict[str, str]]:
    if shared_data_missing(VECTORS):
        return []
    with VECTORS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


ROWS = load_rows()


def as_bool(value: str) -> bool:
    assert value in ("True", "False"), value
    return value == "True"


def is_ambiguous(row: dict[str, str]) -> bool:
    """The sources disagree on this row (separator strictness, per the data README)."""
    return as_bool(row["expected_valid_per_source"]) != as_bool(row["stdnum_or_ref_check"])


@pytest.mark.skipif(shared_data_missing(VECTORS), reason=f"{VECTORS} not present")
def test_file_has_every_type() -> None:
    assert {row["type"] for row in ROWS} == set(VALIDATORS)
    assert sum(is_ambiguous(row) for row in ROWS) == 2


@pytest.mark.skipif(shared_data_missing(VECTORS), reason=f"{VECTORS} not present")
@pytest.mark.parametrize(
    "row",
    ROWS or [{}],
    ids=[f"{row['type']}-{row['value']}" for row in ROWS] or ["absent"],
)
def test_validator_agrees_with_source(row: dict[str, str]) -> None:
    validate = VALIDATORS[row["type"]]
    expected = as_bool(row["expected_valid_per_source"])
    assert validate(row["value"]) is expected, row["source_file"]


@pytest.mark.skipif(shared_data_missing(VECTORS), reason=f"{VECTORS} not present")
@pytest.mark.parametrize(
    "row",
    [row for row in ROWS if is_ambiguous(row)] or [{}],
    ids=[row["value"] for row in ROWS if is_ambiguous(row)] or ["absent"],
)
def test_ambiguous_rows_are_separator_cases(row: dict[str, str]) -> None:
    # The reference checker ignores the odd character; we do not, and neither does the source.
    value = row["value"]
    odd = {ch for ch in value if ch not in "0123456789 -"}
    assert odd, value
    assert snils.snils_valid("".join(ch for ch in value if ch in "0123456789"))
    assert not snils.is_valid(value)
