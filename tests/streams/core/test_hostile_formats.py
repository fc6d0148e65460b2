"""Hostile formats through the whole core: every separator class a scraper meets, in every
identifier type, must leave nothing of the value readable in the clean output.

The values are synthetic (checksums computed here); the cases are generated as a class: each
separator or encoding × each identifier type × a sentence with and without a context word, and
each JSON key that names a value. The check is strict: the sentences hold no digits, so any
digit left in the clean ``data`` (after folding full-width and other scripts' digits) is part
of a value; for e-mails, no part of the local part or of the domain's first label may remain.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import orjson
import pytest

from recognizers.registry import build_detector
from recognizers.ru.inn import calc_check_digits
from streams.core import Reason, Redactor, Verdict
from streams.core.policy import Policy

REDACTOR = Redactor(build_detector(names=False), Policy(version="formats-1"))


def luhn_complete(body: str) -> str:
    """``body`` and its Luhn check digit."""
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return body + str((10 - total % 10) % 10)


# Synthetic values, as digit groups.
PHONE = ("+7", "916", "123", "45", "67")
PHONE_TRUNK = ("8", "916", "765", "43", "21")
INN_ORG_NUMBER = "500100732" + calc_check_digits("500100732")
INN_PERSON_NUMBER = "5001007320" + calc_check_digits("5001007320")
CARD_NUMBER = luhn_complete("400000123456789")
INN_ORG = (INN_ORG_NUMBER[:4], INN_ORG_NUMBER[4:])
INN_PERSON = (INN_PERSON_NUMBER[:4], INN_PERSON_NUMBER[4:8], INN_PERSON_NUMBER[8:])
CARD = (CARD_NUMBER[:4], CARD_NUMBER[4:8], CARD_NUMBER[8:12], CARD_NUMBER[12:])
IPV4 = ("203", "0", "113", "45")

#: Separators between digit groups: every space and dash class, invisible characters that a
#: pattern would take for a break, and encodings of a space or a dash.
SEPARATORS = {
    "space": " ",
    "no-break space": "\u00a0",
    "thin space": "\u2009",
    "narrow no-break space": "\u202f",
    "figure space": "\u2007",
    "ideographic space": "\u3000",
    "hyphen": "-",
    "en dash": "\u2013",
    "em dash": "\u2014",
    "minus sign": "\u2212",
    "non-breaking hyphen": "\u2011",
    "figure dash": "\u2012",
    "zero-width space": "\u200b",
    "soft hyphen": "\u00ad",
    "word joiner": "\u2060",
    "&nbsp;": "&nbsp;",
    "&#160;": "&#160;",
    "&ndash;": "&ndash;",
    "&#x2013;": "&#x2013;",
    "%20": "%20",
    "full-width hyphen": "\uff0d",
}

#: Ways of writing the digits themselves.
DIGIT_FORMS = {
    "ASCII": lambda s: s,
    "full-width": lambda s: "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in s),
    "Arabic-Indic": lambda s: "".join(chr(ord(c) - 48 + 0x0660) if c.isdigit() else c for c in s),
    "zero-width inside": "\u200b".join,
}

#: The dot of a dotted quad, written as a hostile page would.
IP_DOTS = {
    "dot": ".",
    "defanged [.]": "[.]",
    "defanged (.)": "(.)",
    "full-width full stop": "\uff0e",
    "&#46;": "&#46;",
    "%2E": "%2E",
    "[dot]": "[dot]",
}

#: The ``@`` of an e-mail address, and the dot of its domain.
EMAIL_ATS = {
    "@": ("@", "."),
    "&#64;": ("&#64;", "."),
    "&#x40;": ("&#x40;", "."),
    "&commat;": ("&commat;", "&period;"),
    "%40": ("%40", "."),
    "full-width @": ("\uff20", "\uff0e"),
    "small @": ("\ufe6b", "."),
    " [at] / [dot] ": (" [at] ", " [dot] "),
    "(at) / (dot)": ("(at)", "(dot)"),
    "{at} / {dot}": ("{at}", "{dot}"),
    " at / dot ": (" at ", " dot "),
    " AT / DOT ": (" AT ", " DOT "),
    " собака / точка ": (" собака ", " точка "),
    "[собака]": ("[собака]", "."),
}

#: Sentences the value stands in: none holds a digit.
SENTENCES = {
    "bare": "{}",
    "English prose": "Please reach me at {} today.",
    "Russian prose": "Пишите или звоните: {} (вечером)",
}
#: Sentences with the type's own context word, for types whose value needs one.
CONTEXT_SENTENCES = {
    "PHONE_NUMBER": "тел. {}",
    "RU_INN": "ИНН {}",
    "CREDIT_CARD": "card {}",
    "IP_ADDRESS": "IP {}",
    "EMAIL_ADDRESS": "e-mail: {}",
}


def clean_data(value: Any) -> str:
    """The ``data`` of the one record holding ``value`` under a neutral key, as the clean
    output shows it; fails unless the record came out clean or was held back."""
    raw = orjson.dumps({"id": "rec-1", "source": "https://example.com/p", "data": value})
    [outcome] = REDACTOR.redact_batch([raw])
    assert outcome.verdict in (Verdict.CLEAN, Verdict.QUARANTINE), outcome
    if outcome.verdict is Verdict.QUARANTINE:
        return ""
    assert outcome.value is not None
    data = orjson.loads(outcome.value)["data"]
    return orjson.dumps(data).decode()


def folded(text: str) -> str:
    """``text`` with every decimal digit made ASCII and compatibility forms folded."""
    out = []
    for char in unicodedata.normalize("NFKC", text):
        out.append(str(unicodedata.decimal(char)) if unicodedata.category(char) == "Nd" else char)
    return "".join(out)


def digits_left(text: str) -> str:
    return "".join(c for c in folded(text) if c.isdigit())


NUMBER_TYPES = {
    "PHONE_NUMBER": PHONE,
    "PHONE_NUMBER trunk": PHONE_TRUNK,
    "RU_INN organisation": INN_ORG,
    "RU_INN person": INN_PERSON,
    "CREDIT_CARD": CARD,
}


#: Types whose grouped digits are that type only with a context word (grouped digits are also
#: phones); written unseparated, they count in any sentence.
CONTEXT_WHEN_GROUPED = frozenset({"RU_INN"})


def number_cases() -> list[Any]:
    cases = []
    for type_name, groups in NUMBER_TYPES.items():
        entity = type_name.split()[0]
        context = CONTEXT_SENTENCES[entity]
        sentences = {**SENTENCES, "context": context}
        grouped_sentences = {"context": context} if entity in CONTEXT_WHEN_GROUPED else sentences
        for sep_name, sep in SEPARATORS.items():
            for sentence_name, sentence in grouped_sentences.items():
                value = sep.join(groups)
                cases.append(
                    pytest.param(
                        sentence.format(value), id=f"{type_name}-{sep_name}-{sentence_name}"
                    )
                )
        for form_name, form in DIGIT_FORMS.items():
            for sep in (" ", "-", ""):
                sentence = context if sep and entity in CONTEXT_WHEN_GROUPED else "{}"
                value = sentence.format(form(sep.join(groups)))
                cases.append(pytest.param(value, id=f"{type_name}-{form_name}-{sep!r}"))
    return cases


@pytest.mark.parametrize("text", number_cases())
def test_no_digit_of_a_number_is_readable(text: str) -> None:
    assert digits_left(clean_data({"text": text})) == ""


def ip_cases() -> list[Any]:
    cases = []
    for dot_name, dot in IP_DOTS.items():
        for sentence_name, sentence in {**SENTENCES, "context": "IP {}"}.items():
            cases.append(
                pytest.param(sentence.format(dot.join(IPV4)), id=f"{dot_name}-{sentence_name}")
            )
        for form_name, form in DIGIT_FORMS.items():
            if form_name != "zero-width inside":
                value = dot.join(form(octet) for octet in IPV4)
                cases.append(pytest.param(value, id=f"{dot_name}-{form_name}"))
    for suffix in ("/24", "/32", ":8080"):
        cases.append(pytest.param(".".join(IPV4) + suffix, id=f"with {suffix}"))
    return cases


@pytest.mark.parametrize("text", ip_cases())
def test_no_octet_of_an_ip_address_is_readable(text: str) -> None:
    left = digits_left(clean_data({"text": text}))
    assert left in ("", "8080"), left  # a port is not part of the address


LOCAL = ("ivan", "petrov")
DOMAIN = ("pochtovik", "ru")


def email_cases() -> list[Any]:
    cases = []
    for at_name, (at, dot) in EMAIL_ATS.items():
        value = LOCAL[0] + "." + LOCAL[1] + at + DOMAIN[0] + dot + DOMAIN[1]
        for sentence_name, sentence in {**SENTENCES, "context": "e-mail: {}"}.items():
            cases.append(pytest.param(sentence.format(value), id=f"{at_name}-{sentence_name}"))
    for name, char in (("zero-width space", "\u200b"), ("soft hyphen", "\u00ad")):
        value = "iv" + char + "an.petrov@pochto" + char + "vik.ru"
        cases.append(pytest.param(value, id=f"{name} inside"))
    cases.append(pytest.param("ivan.petrov@pochtovik.xn--p1ai", id="punycode top-level domain"))
    cases.append(pytest.param("ivan.petrov@xn--pochtovik.xn--p1ai", id="punycode domain"))
    return cases


@pytest.mark.parametrize("text", email_cases())
def test_no_part_of_an_email_address_is_readable(text: str) -> None:
    left = folded(clean_data({"text": text})).lower()
    for part in (*LOCAL, DOMAIN[0]):
        assert part not in left, left


def test_cyrillic_email_address() -> None:
    left = clean_data({"text": "пишите: иван.петров@почтовик.рф"})
    assert "иван" not in left and "петров" not in left and "почтовик" not in left


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (79161234567.0, "a phone stored as a float"),
        (7.9161234567e10, "the same in exponent notation"),
        (79161234567, "a phone stored as an integer"),
    ],
)
def test_phone_stored_as_a_number(value: float, reason: str) -> None:
    assert digits_left(clean_data({"phone": value})) == "", reason


KEY_CASES = [
    ({"паспорт": "4505 678901"}, "passport under its Russian name"),
    ({"passport": "4505678901"}, "passport under its English name"),
    ({"passportNumber": "4505 678901"}, "camelCase key"),
    ({"phone": "4951234567"}, "a Moscow phone without trunk (also a valid organisation ИНН)"),
    ({"tel": "495 123 45 67"}, "tel"),
    ({"телефон": "4951234567"}, "Russian key"),
    ({"contact_phone": "4951234567"}, "snake_case key"),
    ({"mobile-phone": "4951234567"}, "kebab-case key"),
    ({"contacts": {"phones": ["4951234567", "4957654321"]}}, "a list under the key"),
    ({"полис_омс": "1234567890123456"}, "ОМС policy under its name"),
    ({"inn": INN_ORG_NUMBER}, "ИНН under its Latin name"),
    ({"INN": INN_ORG_NUMBER}, "upper-case key"),
    ({"card": CARD_NUMBER}, "a card under its key"),
    ({"ip": "10.1.2.3"}, "an address under its key"),
]


@pytest.mark.parametrize(("data", "reason"), KEY_CASES, ids=[c[-1] for c in KEY_CASES])
def test_a_key_names_its_value(data: dict[str, Any], reason: str) -> None:
    assert digits_left(clean_data(data)) == "", reason


@pytest.mark.parametrize(
    ("data", "entity"),
    [
        ({"паспорт": "4505 678901"}, "RU_PASSPORT"),
        ({"phone": "4951234567"}, "PHONE_NUMBER"),
        ({"полис_омс": "1234567890123456"}, "RU_OMS"),
    ],
)
def test_a_key_decides_the_type(data: dict[str, Any], entity: str) -> None:
    raw = orjson.dumps({"id": "rec-1", "source": "https://example.com/p", "data": data})
    [outcome] = REDACTOR.redact_batch([raw])
    assert [f.entity_type for f in outcome.findings if f.path.startswith("data")] == [entity]


@pytest.mark.parametrize(
    "key",
    [
        "ivan.petrov [at] pochtovik [dot] ru",
        "ivan.petrov&#64;pochtovik.ru",
        "ivan.petrov%40pochtovik.ru",
        "ivan.petrov\uff20pochtovik.ru",
        "ivan.petrov@pochtovik.ru",
    ],
)
def test_a_key_holding_an_obfuscated_email_is_quarantined(key: str) -> None:
    raw = orjson.dumps({"id": "rec-1", "source": "https://example.com/p", "data": {key: "x"}})
    [outcome] = REDACTOR.redact_batch([raw])
    assert outcome.verdict is Verdict.QUARANTINE
    assert outcome.reason == Reason.PII_IN_KEY.value


@pytest.mark.parametrize(
    "source",
    [
        "https://example.com/?mail=ivan.petrov%40pochtovik.ru",
        "https://example.com/?tel=%2B79161234567",
        "https://example.com/u/ivan.petrov&#64;pochtovik.ru",
    ],
)
def test_encoded_values_in_source(source: str) -> None:
    raw = orjson.dumps({"id": "rec-1", "source": source, "data": {}})
    [outcome] = REDACTOR.redact_batch([raw])
    assert outcome.verdict in (Verdict.CLEAN, Verdict.QUARANTINE)
    if outcome.verdict is Verdict.CLEAN:
        assert outcome.value is not None
        shown = orjson.loads(outcome.value)["source"]
        assert "petrov" not in shown and "9161234567" not in shown
