"""What a pattern's syntax tree says about its matches, read with the standard library's parser.

Two readers use it: the detector's gate (:func:`recognizers.engine.needs_of`: what every match
holds) and :func:`hinted` here (which characters a match can start with). Both answer "unknown"
for anything they do not understand, which is always safe: the gate then admits every string,
and the pattern runs without a hint.
"""

from __future__ import annotations

import warnings
from typing import Any, Final

import regex

with warnings.catch_warnings():
    # The standard library's regex parser: deprecated as a public module, still the only one.
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants as sre
    import sre_parse

__all__ = [
    "RE_FLAGS",
    "class_chars",
    "first_chars",
    "hinted",
    "parse",
    "sre",
    "sre_parse",
    "starts_of",
]

#: The flags that change what a pattern matches and that ``re`` and ``regex`` share, with equal
#: values. A pattern compiled with any other ``regex`` flag is not understood here.
RE_FLAGS: Final = regex.IGNORECASE | regex.MULTILINE | regex.DOTALL | regex.VERBOSE
#: A start set larger than this is not worth a hint (it would rarely skip anything).
_MAX_START_CHARS: Final = 256

#: (characters a match of the part can start with, or ``None``: any; whether it can be empty)
_Start = tuple[frozenset[str] | None, bool]
_ANY: Final[_Start] = (None, False)
_EMPTY: Final[_Start] = (frozenset(), True)


def parse(pattern: str, flags: int = 0) -> Any | None:
    """The syntax tree of ``pattern`` (an ``sre_parse.SubPattern``) when the standard library's
    ``re`` reads it as ``regex`` does, else ``None``.

    ``regex``'s default syntax (version 0) agrees with ``re`` on everything but its extensions,
    which either fail to parse here (``\\p{L}``, ``(?|``) or, for fuzzy matching
    (``{e<=1}``, which ``re`` reads as literal braces) and version 1, are refused explicitly.
    """
    if flags & ~RE_FLAGS or "(?V1" in pattern:
        return None
    try:
        tree = sre_parse.parse(pattern, flags)
    except Exception:  # a `regex`-only construct
        return None
    if _has_literal(tree.data, "{"):
        return None
    return tree


def first_chars(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """The characters every non-empty match of ``pattern`` starts with, or ``None`` when that is
    not known (or the pattern can match the empty string).

    Zero-width assertions at the start are skipped: they only narrow the matches further.
    """
    tree = parse(pattern, flags)
    if tree is None:
        return None
    chars, nullable = _sequence(tree.data, tree.state.flags)
    if chars is None or nullable or not chars or len(chars) > _MAX_START_CHARS:
        return None
    return chars


def starts_of(items: list[tuple[Any, Any]], flags: int = 0) -> _Start:
    """The characters a match of the parsed sequence ``items`` can start with (``None``: any)
    and whether it can be empty; zero-width assertions at the start are skipped."""
    return _sequence(items, flags)


def hinted(pattern: str, flags: int = 0) -> str:
    """``pattern`` led by a lookahead for the characters its matches start with, when known.

    The lookahead lets the standard library's ``re`` skip to those characters instead of trying
    the whole pattern at every position (two to three times faster on patterns that open with
    a lookbehind). It matches exactly what ``pattern`` matches: a position the hint refuses is
    one where no non-empty match starts, and the pattern matches nothing empty.
    """
    chars = first_chars(pattern, flags)
    if chars is None:
        return pattern
    return "(?=[" + "".join(_class_char(ch) for ch in sorted(chars)) + "])" + pattern


def _class_char(char: str) -> str:
    return "\\" + char if char in "\\]^-[" else char


def _sequence(items: list[tuple[Any, Any]], flags: int) -> _Start:
    chars: set[str] = set()
    for op, av in items:
        first, nullable = _item(op, av, flags)
        if first is None:
            return _ANY
        chars |= first
        if not nullable:
            return frozenset(chars), False
    return frozenset(chars), True


def _item(op: Any, av: Any, flags: int) -> _Start:
    if op is sre.LITERAL:
        char = chr(av)
        if flags & sre.SRE_FLAG_IGNORECASE and char.lower() != char.upper():
            return _ANY
        return frozenset(char), False
    if op is sre.IN:
        return _char_class(av, flags)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, _high, sub = av
        first, nullable = _sequence(sub.data, flags)
        return first, nullable or low == 0
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return _sequence(sub.data, (flags | add_flags) & ~del_flags)
    if op is sre.ATOMIC_GROUP:
        return _sequence(av.data, flags)
    if op is sre.BRANCH:
        chars: set[str] = set()
        nullable = False
        for alternative in av[1]:
            first, empty = _sequence(alternative.data, flags)
            if first is None:
                return _ANY
            chars |= first
            nullable = nullable or empty
        return frozenset(chars), nullable
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return _EMPTY
    return _ANY  # ANY, NOT_LITERAL, GROUPREF, GROUPREF_EXISTS, ...


def holds_non_ascii(items: list[tuple[Any, Any]]) -> bool:
    """Whether every match of the parsed sequence ``items`` holds a character outside ASCII
    (a literal one, or one of a class of such characters only); ``False`` when not known.
    For a pattern compiled without ``IGNORECASE`` (under it ``K`` matches the Kelvin sign)."""
    for op, av in items:
        if op is sre.LITERAL and av > 0x7F:
            return True
        if op is sre.IN:
            chars = class_chars(av, _MAX_START_CHARS)
            if chars and all(not char.isascii() for char in chars):
                return True
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            if av[0] >= 1 and holds_non_ascii(list(av[2].data)):
                return True
        elif op is sre.SUBPATTERN:
            if not av[1] & sre.SRE_FLAG_IGNORECASE and holds_non_ascii(list(av[3].data)):
                return True
        elif op is sre.ATOMIC_GROUP:
            if holds_non_ascii(list(av.data)):
                return True
        elif op is sre.BRANCH and all(holds_non_ascii(list(alt.data)) for alt in av[1]):
            return True
    return False


def class_chars(items: Any, widest: int) -> set[str] | None:
    """The characters a character class (the items of an ``IN`` node) matches, or ``None`` when
    it is negated, holds a category (``\\d``) or a range wider than ``widest``."""
    chars: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            chars.add(chr(av))
        elif op is sre.RANGE and av[1] - av[0] < widest:
            chars.update(chr(code) for code in range(av[0], av[1] + 1))
        else:  # NEGATE, CATEGORY, a wide range
            return None
    return chars


def _char_class(items: Any, flags: int) -> _Start:
    chars = class_chars(items, _MAX_START_CHARS)
    if chars is None:
        return _ANY
    if flags & sre.SRE_FLAG_IGNORECASE and any(ch.lower() != ch.upper() for ch in chars):
        return _ANY
    return frozenset(chars), False


def _has_literal(items: list[tuple[Any, Any]], char: str) -> bool:
    """Whether the tree matches ``char`` literally anywhere (``regex`` may read it otherwise)."""
    code = ord(char)
    for op, av in items:
        if op is sre.LITERAL and av == code:
            return True
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            subs = [av[2]]
        elif op is sre.SUBPATTERN:
            subs = [av[3]]
        elif op in (sre.ATOMIC_GROUP, sre.ASSERT, sre.ASSERT_NOT):
            subs = [av] if op is sre.ATOMIC_GROUP else [av[1]]
        elif op is sre.BRANCH:
            subs = av[1]
        else:
            subs = []
        if any(_has_literal(sub.data, char) for sub in subs):
            return True
    return False
