"""EMAIL_ADDRESS: addresses with Latin or Cyrillic domains, found exactly and in linear time."""

from __future__ import annotations

import pytest

from recognizers.generic.email import EmailAddressRecognizer
from tests.recognizers.spans import assert_valid_spans

RECOGNIZER = EmailAddressRecognizer()


def found(text: str) -> list[str]:
    return [text[start:end] for start, end, _ in RECOGNIZER.find(text)]


def case_id(case: object) -> str:
    values = getattr(case, "values", case)  # a pytest.param or a plain tuple
    return str(values[-1])  # type: ignore[index]


CASES = [
    ("ivan.petrov@example.com", ["ivan.petrov@example.com"], "a plain address"),
    ("Ivan.Petrov@Example.COM", ["Ivan.Petrov@Example.COM"], "mixed case"),
    ("Пишите: test.user+tag@mail.ru.", ["test.user+tag@mail.ru"], "plus tag; final dot excluded"),
    ("user@почта.рф", ["user@почта.рф"], "Cyrillic domain"),
    ("ivan@пример.рф", ["ivan@пример.рф"], "Cyrillic domain and TLD"),
    ("x@xn--80ak6aa92e.com", ["x@xn--80ak6aa92e.com"], "punycode label"),
    ("john_doe@sub.example.co.uk!", ["john_doe@sub.example.co.uk"], "subdomains"),
    ("Контакт:ivan@example.ru", ["ivan@example.ru"], "glued to a Cyrillic word and colon"),
    ("(ivan@example.com)", ["ivan@example.com"], "in parentheses"),
    ("<ivan@example.com>", ["ivan@example.com"], "in angle brackets"),
    ("mailto:ivan@example.com", ["ivan@example.com"], "a mailto link"),
    (
        "first.last@example.org,second@example.net",
        ["first.last@example.org", "second@example.net"],
        "two addresses joined by a comma",
    ),
    ("ivan..petrov@example.com", ["ivan..petrov@example.com"], "sloppy local part still PII"),
    ("", [], "empty"),
    ("a@b", [], "no top-level domain"),
    ("user@localhost", [], "no dot in the domain"),
    ("name@example", [], "no top-level domain after the label"),
    ("foo@bar.c", [], "one-letter top-level domain"),
    ("@example.com", [], "no local part"),
    ("user@@example.com", [], "double @"),
    ("user@example.com-", ["user@example.com"], "a hyphen after the address ends no domain"),
    ("user@example.com-x.org", ["user@example.com-x.org"], "a hyphenated label continues it"),
    ("ivan@exam_ple.com", [], "underscore in the domain"),
    ("ivan@-example.com", [], "label starts with a hyphen"),
    (".user@example.com", ["user@example.com"], "a leading dot is not part of the address"),
    ("a.user@example.com", ["a.user@example.com"], "a dot inside the local part is"),
    ("version 1.2.3@4", [], "a version with @"),
    ("price $1,299@store", [], "a price with @"),
    ("2021-03-01 12:30:45", [], "a timestamp"),
    (
        "user@a.b.c.d.e.f.g.h.i.example.com",
        ["user@a.b.c.d.e.f.g.h.i.example.com"],
        "a domain of more than nine labels",
    ),
    (
        "user@" + "a." * 126 + "com",
        ["user@" + "a." * 126 + "com"],
        "127 labels, as many as DNS allows",
    ),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[case_id(c) for c in CASES])
def test_email(text: str, expected: list[str], reason: str) -> None:
    assert found(text) == expected


def test_every_match_is_certain() -> None:
    assert [score for _, _, score in RECOGNIZER.find("a@example.com b@example.org")] == [1.0, 1.0]


ADVERSARIAL = [
    ("a" * 100_000, "a run of local-part characters"),
    ("a." * 50_000, "letters and dots"),
    ("a@" * 50_000, "letters and at signs"),
    ("a@" + "b." * 50_000, "an endless domain"),
    (("a" * 60 + "@") * 1_600, "long local parts without a domain"),
    ("a-" * 50_000, "letters and hyphens"),
    ("x@" + "a-" * 50_000, "a domain of hyphens"),
    ("а@б." * 25_000, "Cyrillic domains"),
]


@pytest.mark.parametrize(("text", "reason"), ADVERSARIAL, ids=[c[-1] for c in ADVERSARIAL])
def test_email_adversarial_input_gives_valid_spans(text: str, reason: str) -> None:
    assert_valid_spans(text, RECOGNIZER.find(text))
