"""Patterns led by their first character class match exactly what the originals match: on
every pattern of the registry, over the corpora and random text, and on constructs chosen to
break the derivation (optional and lazy openings, alternatives with other first characters,
lookaheads and anchors before the first character, back-references after it)."""

from __future__ import annotations

import random
import re
import warnings

import pytest

from benchmarks.accuracy import load_generated
from benchmarks.accuracy_pages import DECOYS, load_pages
from recognizers.leading import class_led, unparse
from recognizers.registry import build_detector
from recognizers.syntax import RE_FLAGS, parse, sre

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_compile
    import sre_parse

RECOGNIZERS = build_detector(names=False)._patterns
PATTERNS = [
    (f"{type(r).__name__}.{name}", rx, r.FLAGS & RE_FLAGS)
    for r in RECOGNIZERS
    for name, rx, _score in r.PATTERNS
    if not r.TIMEBOXED and parse(rx, r.FLAGS) is not None
]
_ALPHABET = "0123456789  ..--//+()::@#abcdefxzABCDEFXZинНИ\u00a0\n_²"


def _random_text(seed: int, count: int = 4000) -> str:
    rng = random.Random(seed)
    parts = [
        "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 40))) for _ in range(count)
    ]
    return "\x00".join(parts)


TEXTS = [
    "\x00".join(case.text for case in load_pages(per_type=20, seed=3).cases),
    "\x00".join(case.text for case in load_generated(150, 5).cases),
    "\x00".join(DECOYS),
    _random_text(1),
]


def _spans(pattern: str, flags: int, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.compile(pattern, flags).finditer(text)]


def _code(pattern: str, flags: int) -> list[int]:
    return list(sre_compile._code(sre_parse.parse(pattern, flags), flags))


@pytest.mark.parametrize(("name", "pattern", "flags"), PATTERNS, ids=[p[0] for p in PATTERNS])
def test_unparse_gives_back_the_program_re_compiles(name: str, pattern: str, flags: int) -> None:
    tree = parse(pattern, flags)
    assert _code(unparse(tree), flags) == _code(pattern, flags)


@pytest.mark.parametrize(("name", "pattern", "flags"), PATTERNS, ids=[p[0] for p in PATTERNS])
def test_a_led_pattern_matches_what_the_original_does(name: str, pattern: str, flags: int) -> None:
    led = class_led(pattern, flags)
    if led is None:
        pytest.skip("not rewritten")
    assert led.startswith("[")
    assert re.compile(led, flags).groups == re.compile(pattern, flags).groups
    for text in TEXTS:
        assert _spans(led, flags, text) == _spans(pattern, flags, text)


def test_most_patterns_of_the_registry_are_led() -> None:
    led = [name for name, pattern, flags in PATTERNS if class_led(pattern, flags) is not None]
    assert len(led) >= 0.7 * len(PATTERNS)


CONSTRUCTS = [
    r"(?<![0-9])[0-9]{3,5}(?![0-9])",  # a lookbehind before a repeat
    r"(?<![0-9+])(?:\+[ ]?)?[0-9]{2,4}(?:-[0-9]{2})?",  # an optional opening
    r"(?<![0-9])(?:\+[ ]?)??[0-9]{2,4}",  # a lazy optional opening
    r"(?<![0-9])(?:\([0-9]{2}\) ?)*[0-9]{3}",  # an opening repeated
    r"(?<![A-Za-z])(?:ab|[0-9]x|c)[0-9]",  # alternatives with other first characters
    r"(?=[0-9]{4})(?<!-)[0-9]{2}",  # a lookahead before the first character
    r"(?![0-9]{5})[0-9]{2,4}",  # a negative lookahead
    r"\b[a-f]{2}\b",  # anchors
    r"^[0-9]{2}$",
    r"(?<![0-9])[0-9]{2}([ \-]?)[0-9]{2}\1[0-9]{2}",  # a back-reference after the first class
    r"(?:(?<=a)[0-9]|(?<!a)x)[0-9]",  # assertions inside alternatives
    r"[0-9]",  # one character
    r"(?:[0-9]([a-z])){1}\1",  # a group in a repeat of one: not copied
    r"(?<![0-9])[0-9]+?x",  # a lazy repeat
]


@pytest.mark.parametrize("pattern", CONSTRUCTS)
@pytest.mark.parametrize("flags", [re.MULTILINE | re.DOTALL, 0])
def test_constructs_match_as_the_original(pattern: str, flags: int) -> None:
    led = class_led(pattern, flags)
    assert led is not None, pattern
    assert re.compile(led, flags).groups == re.compile(pattern, flags).groups
    for seed in range(3):
        text = _random_text(seed + 10, 2000) + "\nab1 c2 ax1 12 34-56 +7 1234 (12) (34) 567 9x"
        assert _spans(led, flags, text) == _spans(pattern, flags, text), pattern


@pytest.mark.parametrize(
    "pattern",
    [
        r"[0-9]*",  # may match the empty string
        r"([0-9])[0-9]",  # the first character in a capturing group
        r"(?<![0-9])(?:x)?([0-9])",  # a copied rest would renumber its group
        r"(?i)[a-c]{2}",  # case-insensitive
        r"(?<![0-9]+)x",  # not a pattern re accepts at all
        r"(?:a([bc]))+d\1",  # a group in a repeat: a copy would take its number
        r"(?:x([0-9])){2}-\1",
        r"(?:a(b)?)+(?(1)c|d)",
        r"a?" * 200 + "b",  # too deep to derive
        r".x",  # any character first
    ],
)
def test_what_is_not_understood_is_not_rewritten(pattern: str) -> None:
    assert class_led(pattern) is None


def _skips_to_a_class(pattern: str) -> bool:
    """Whether ``re``'s program for ``pattern`` opens with a character set to skip to."""
    code = _code(pattern, 0)
    return code[0] == sre.INFO and bool(code[2] & sre.SRE_INFO_CHARSET)


def test_the_led_pattern_opens_with_a_class_re_can_skip_to() -> None:
    original = r"(?<![0-9+])[0-9]{10}(?![0-9])"
    led = class_led(original)
    assert led is not None
    assert not _skips_to_a_class(original)
    assert _skips_to_a_class(led)
    assert re.findall(led, "a 1234567890 b 12345678901 +1234567890") == ["1234567890"]
