"""The canonical form of a string and its map back to the original."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recognizers.normalize import CHAR_MAP, Canonical, canonical, rewrite

CASES = [
    ("+7 916 123\u201345\u201367", "+7 916 123-45-67", "en dashes"),
    ("+7\u00a0916\u2009123\u202f45\u200767", "+7 916 123 45 67", "no-break, thin, narrow, figure"),
    ("8\u3000916", "8 916", "ideographic space"),
    ("1\u22122\u20113\u20124\u20145\uff0d6", "1-2-3-4-5-6", "minus, hyphens, figure and em dash"),
    ("12\u200b34\u200c56\u200d78\u2060\ufeff90", "1234567890", "zero-width characters dropped"),
    ("12\u00ad34", "1234", "soft hyphen dropped"),
    ("\uff18\uff19\uff11\uff16", "8916", "full-width digits"),
    ("\u0668\u0669\u0661\u0666", "8916", "Arabic-Indic digits"),
    ("\U0001d7d6\U0001d7d7", "89", "mathematical bold digits"),
    ("ivan\uff20mail.ru", "ivan@mail.ru", "full-width commercial at"),
    ("ivan&#64;mail.ru", "ivan@mail.ru", "decimal reference"),
    ("ivan&#x40;mail.ru", "ivan@mail.ru", "hexadecimal reference"),
    ("ivan&commat;mail&period;ru", "ivan@mail.ru", "named references"),
    ("a&nbsp;b", "a b", "&nbsp; is a space"),
    ("ivan&amp;#64;mail.ru", "ivan@mail.ru", "a reference encoded twice"),
    ("ivan%40mail.ru", "ivan@mail.ru", "percent-encoded @"),
    ("%2B79161234567", "+79161234567", "percent-encoded +"),
    ("%D0%B8%D0%B2%D0%B0%D0%BD", "иван", "percent-encoded UTF-8"),
    ("100%", "100%", "a lone percent sign"),
    ("50%zz", "50%zz", "not an escape"),
    ("%FF%FE", "%FF%FE", "bytes that are not UTF-8 stay"),
    ("ivan.petrov [at] mail [dot] ru", "ivan.petrov@mail.ru", "bracketed at and dot"),
    ("ivan (at) mail (dot) ru", "ivan@mail.ru", "parenthesised"),
    ("ivan{at}mail{dot}ru", "ivan@mail.ru", "braces"),
    ("ivan <AT> mail <DOT> ru", "ivan@mail.ru", "angle brackets, capitals"),
    ("ivan [собака] mail [точка] ru", "ivan@mail.ru", "Russian words"),
    ("ivan.petrov at mail dot ru", "ivan.petrov@mail.ru", "bare words in an e-mail's shape"),
    ("ivan at mail.ru", "ivan@mail.ru", "bare at before a known top-level domain"),
    ("иван собака почта точка рф", "иван@почта.рф", "bare Russian words"),
    ("we met at school.Then left", "we met at school.Then left", "no e-mail's shape"),
    ("look at this", "look at this", "at in prose"),
    ("me at ivan at mail dot ru", "me at ivan@mail.ru", "a rejected shape before an address"),
    ("192[.]168[.]1[.]1", "192.168.1.1", "defanged address"),
    ("192(.)168(.)1(.)1", "192.168.1.1", "defanged with parentheses"),
    ("№ 5, 5 м², ™", "№ 5, 5 м², ™", "NFKC would turn these into letters and digits: kept"),
    ("Привет, мир", "Привет, мир", "Cyrillic unchanged"),
    ("(212) 555-1234", "(212) 555-1234", "parentheses that are no token"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_canonical(text: str, expected: str, reason: str) -> None:
    form = canonical(text)
    assert form.text == expected, reason
    if expected:
        assert form.original_span(0, len(form.text)) == (0, len(text)), "covers the original"


def test_a_value_maps_to_its_whole_original_span() -> None:
    text = "mail: ivan.petrov [at] mail [dot] ru, tel +7\u00a0916\u200b123\u201345\u201367."
    form = canonical(text)
    email = "ivan.petrov@mail.ru"
    start = form.text.index(email)
    s, e = form.original_span(start, start + len(email))
    assert text[s:e] == "ivan.petrov [at] mail [dot] ru"
    phone = "+7 916123-45-67"
    start = form.text.index(phone)
    s, e = form.original_span(start, start + len(phone))
    assert text[s:e] == "+7\u00a0916\u200b123\u201345\u201367"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("plain ascii text, tel +7 916 123-45-67", "ASCII without a trigger"),
        ("Пишите: ivan@mail.ru", "Cyrillic without a special character"),
        ("(212) 555-1234 and [1]", "brackets that hold no token"),
        ("", "empty"),
    ],
)
def test_fast_path_needs_no_rewriting(text: str, reason: str) -> None:
    assert rewrite(text) is None, reason


def test_one_to_one_characters_keep_every_offset() -> None:
    form = canonical("8\u00a0916\u2013123")
    assert form.text == "8 916-123"
    assert form.identical_offsets


# --- the map, for any text -------------------------------------------------------------------

#: Pieces that exercise every rewriting, and ordinary characters between them.
PIECES = st.sampled_from(
    [
        *sorted(CHAR_MAP)[:40],
        "\u00a0",
        "\u200b",
        "\u00ad",
        "\u2013",
        "\uff11",
        "&#64;",
        "&amp;",
        "&nbsp;",
        "&#x40",
        "&commat;",
        "&",
        "%40",
        "%2B",
        "%D0%B8",
        "%",
        "%FF",
        " [at] ",
        "(dot)",
        "[.]",
        " at ",
        " dot ",
        " собака ",
        "@",
        ".",
        " ",
        "ivan",
        "mail",
        "ru",
        "7",
        "916",
        "и",
    ]
)
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=3)), max_size=24).map("".join)


def check_map(form: Canonical) -> None:
    if form.starts is None or form.ends is None:
        assert len(form.text) == len(form.original)
        return
    n = len(form.original)
    assert len(form.starts) == len(form.ends) == len(form.text)
    for i, (start, end) in enumerate(zip(form.starts, form.ends, strict=True)):
        assert 0 <= start < end <= n, "each character comes from a non-empty original span"
        if i:
            assert form.starts[i - 1] <= start, "monotone starts"
            assert form.ends[i - 1] <= end, "monotone ends"


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_map_is_monotone_and_in_bounds(text: str) -> None:
    check_map(canonical(text))


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.data())
def test_every_span_covers_its_characters_originals(text: str, data: st.DataObject) -> None:
    form = canonical(text)
    if not form.text:
        return
    start = data.draw(st.integers(0, len(form.text) - 1))
    end = data.draw(st.integers(start + 1, len(form.text)))
    s, e = form.original_span(start, end)
    assert 0 <= s < e <= len(text)
    if form.starts is not None and form.ends is not None:
        for i in range(start, end):
            assert s <= form.starts[i] and form.ends[i] <= e


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text(text: str) -> None:
    form = canonical(text)
    check_map(form)
    assert form.original == text


HOSTILE = {
    "percent": "%41",
    "references": "&#64;",
    "bare at": "a at ",
    "long domain": "b dot ",
    "brackets": "[at]",
    "zero-width": "\u200b",
    "dots": "x.y ",
}


def _seconds(text: str) -> float:
    """The least of three runs (each on a text of its own: results are cached), with the
    garbage collector held (a full collection inside one run is not the rewriting's time)."""
    import gc  # noqa: PLC0415
    import time  # noqa: PLC0415

    best = float("inf")
    gc.disable()
    try:
        for run in "xyz":
            began = time.process_time()
            canonical(run + text)
            best = min(best, time.process_time() - began)
    finally:
        gc.enable()
    return best


@pytest.mark.parametrize("unit", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_input_is_linear(unit: str) -> None:
    """Every rewriting is linear: twice the worst input for each takes about twice as long, not
    four times (a backtracking pattern would), and 100 KB of it well under ten seconds."""
    half = unit * (50_000 // len(unit))
    full = unit * (100_000 // len(unit))
    first, second = _seconds("a" * 60 + half), _seconds("b" * 60 + full)
    assert second < 10.0
    assert second < 4 * max(first, 0.01), f"50 KB: {first:.3f}s, 100 KB: {second:.3f}s"


# (text, whether a bare `at` there is read as an e-mail's @, why)
BARE_AT: tuple[tuple[str, bool, str], ...] = (
    ("ivan.petrov at mail dot ru", True, "the obfuscated address"),
    ("olga85 at yandex.ru", True, "a bare at before a known domain"),
    ("find me at vk.com/ivan.petrov85", False, "a pronoun before at, and a link after it"),
    ("write to us at example.com", False, "us is no local part"),
    ("see you at cafe.ru", False, "you is no local part"),
    ("olga85 at yandex.ru/blog", False, "a path after the domain: a link"),
    ("olga85 at yandex.ru:8080", False, "a port after the domain: a link"),
)


@pytest.mark.parametrize(("text", "is_email", "why"), BARE_AT, ids=[r[-1] for r in BARE_AT])
def test_a_bare_at_is_an_address_only_in_an_addresses_shape(
    text: str, is_email: bool, why: str
) -> None:
    assert ("@" in canonical(text).text) is is_email, why
