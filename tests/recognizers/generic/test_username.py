"""USERNAME: @handles in social text and logins after their field name; not e-mail
addresses, domains, times or code."""

from __future__ import annotations

import pytest

from recognizers.generic.username import UsernameRecognizer

R = UsernameRecognizer()


def found(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in R.find(text)]


CASES = [
    ("Follow me @irinagomez", ["@irinagomez"], "the issue's example"),
    ("@william0", ["@william0"], "a handle field's whole value"),
    ("RT @ivan.petrov: great thread", ["@ivan.petrov"], "an inner dot"),
    ("cc @Dev_Team, @ab", ["@Dev_Team", "@ab"], "two handles"),
    ("Пишите в телеграм @olga_smirnova85", ["@olga_smirnova85"], "in Russian text"),
    ("(@maria)", ["@maria"], "in parentheses"),
    ("@john.", ["@john"], "a sentence's full stop is not part of it"),
    ("username: ivan_petrov", ["ivan_petrov"], "a username field"),
    ("Логин: ivan_petrov85", ["ivan_petrov85"], "a Russian login field"),
    ("ник — Ivan85", ["Ivan85"], "a nickname after a dash"),
    ("ivan@mail.ru", [], "an e-mail address"),
    ("email me a@b.co", [], "an e-mail address, short"),
    ("write @mail.ru", [], "a bare domain"),
    ("@gmail.com addresses only", [], "a bare domain, .com"),
    ("meet @10am", [], "a time"),
    ("@2x retina", [], "a scale suffix"),
    ("@123", [], "a number"),
    ("@property\ndef name(self):", [], "a Python decorator"),
    ("@app.route('/')", [], "a decorator call"),
    ("@pytest.mark.slow\ndef test(): ...", [], "a dotted decorator"),
    ("@Override\npublic String toString()", [], "a Java annotation"),
    ("@media (max-width: 600px) {", [], "a CSS at-rule"),
    ("@import url(a.css);", [], "a CSS import"),
    (" * @param name the name", [], "a doc tag"),
    ("@a", [], "one character"),
    ("https://tiktok.com/@ivan", [], "inside a URL (a PROFILE_URL)"),
    ("price @ 5 USD", [], "a lone @"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_username(text: str, expected: list[str], reason: str) -> None:
    assert found(text) == expected
