"""Patterns rewritten to open with a character class, so that ``re`` skips ahead in C.

``re``'s search tries the whole pattern at every position unless the pattern opens with a
literal or a character class: then it first skips, in one C loop, to the next character that
can start a match. Our patterns open with a lookbehind (``(?<![0-9+])`` keeps a number from
starting inside another), which hides their first character class from ``re``; the lookahead
hint of :func:`recognizers.syntax.hinted` makes each refused position cheaper, but every
position is still a call into the matcher.

:func:`class_led` moves that first class to the front. If every match starts with one of the
characters ``C``, then ``P`` matches exactly what ``[C]`` followed by ``P``'s *derivative* does
(what ``P`` matches after its first character, the Brzozowski derivative): ``[0-9]{10}`` after a
digit is ``[0-9]{9}``; a zero-width assertion that stood before the first character is asked one
character later (``(?<![0-9+])`` becomes ``(?<![0-9+][C])``, a lookahead ``(?!X)`` becomes
``(?<=(?!X)[C])``); each alternative of a group is derived alone and, where its own first
characters are fewer than ``C``, guarded by a lookbehind for them. An optional first part is
derived both taken and skipped, in the order the repeat would try them. Capturing groups keep
their numbers (a pattern where a capturing group would lose its first character or be
copied is not rewritten).

The rewrite is refused (``None``) for anything it does not understand, and the pattern keeps its
hint. Whether it holds is checked on every recognizer's patterns by
``tests/recognizers/test_leading.py``: :func:`unparse` gives back the very program ``re``
compiles from the original, and the rewritten patterns find the same matches as the originals
on the corpora and on random text.
"""

from __future__ import annotations

from typing import Any, Final

from recognizers.syntax import first_chars, parse, sre, sre_parse, starts_of

__all__ = ["class_led", "unparse"]

#: Patterns whose first characters are more than this are not rewritten (the skip would rarely
#: skip anything).
_MAX_LEAD_CHARS: Final = 128
#: A rewritten pattern at most this many times longer than the original (each optional first
#: part copies what follows it).
_MAX_GROWTH: Final = 8

_Items = list[tuple[Any, Any]]

_CATEGORIES: Final = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
}
_AT: Final = {
    sre.AT_BEGINNING: "^",
    sre.AT_BEGINNING_STRING: r"\A",
    sre.AT_BOUNDARY: r"\b",
    sre.AT_NON_BOUNDARY: r"\B",
    sre.AT_END: "$",
    sre.AT_END_STRING: r"\Z",
}
_FLAG_LETTERS: Final = (
    (sre.SRE_FLAG_IGNORECASE, "i"),
    (sre.SRE_FLAG_MULTILINE, "m"),
    (sre.SRE_FLAG_DOTALL, "s"),
    (sre.SRE_FLAG_VERBOSE, "x"),
    (sre.SRE_FLAG_ASCII, "a"),
)


def class_led(pattern: str, flags: int = 0) -> str | None:
    """``pattern`` rewritten to open with the class of the characters its matches start with
    (see the module's docstring), or ``None`` when that is not known or not done here."""
    tree = parse(pattern, flags)
    if tree is None or tree.state.groupdict or tree.state.flags & sre.SRE_FLAG_IGNORECASE:
        return None
    if tree.state.flags & ~flags & ~sre.SRE_FLAG_UNICODE:
        return None  # global inline flags: kept simple, not rewritten
    lead = first_chars(pattern, flags)
    if lead is None or len(lead) > _MAX_LEAD_CHARS:
        return None
    try:
        derived = _derive(list(tree.data), lead)
        if derived is None:
            return None
        text = _char_class(lead) + _sequence(derived)
    except RecursionError:  # a long run of optional openings: not worth rewriting
        return None
    if len(text) > _MAX_GROWTH * len(pattern) + 64:
        return None
    return text


def _derive(items: _Items, chars: frozenset[str]) -> _Items | None:
    """What ``items`` (a sequence) matches after its first character, known to be one of
    ``chars``, or ``None`` when that is not derived here (or nothing is consumed)."""
    shifted: _Items = []
    for index, (op, av) in enumerate(items):
        rest = items[index + 1 :]
        if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):
            if op is not sre.AT and _captures(list(av[1].data)):
                return None
            moved = _shift(op, av, chars)
            if moved is None:
                return None
            shifted.append(moved)
            continue
        first = _first(op, av)
        if first is None:
            return None
        starts, nullable = first
        if not nullable:
            derived = _derive_item(op, av, starts)
            if derived is None:
                return None
            return [*shifted, *_guard(starts, chars), *derived, *rest]
        if op not in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            return None
        low, high, sub = av
        if low != 0 or high == 0 or _first(sre.SUBPATTERN, (None, 0, 0, sub)) != (starts, False):
            return None  # only ``X?``, ``X*``, ``X{0,n}`` of a part that is never empty
        if _captures([*sub.data, *rest]):
            return None  # both copies would capture, under new numbers
        taken = _derive([*sub.data, *_repeat_less(op, high, sub), *rest], chars)
        skipped = _derive(rest, chars)
        if taken is None or skipped is None:
            return None
        order = [taken, skipped] if op is sre.MAX_REPEAT else [skipped, taken]
        return [*shifted, _branch(order)]
    return None  # nothing consumed: the pattern can match the empty string


def _derive_item(op: Any, av: Any, chars: frozenset[str]) -> _Items | None:
    """What one never-empty item matches after its first character, one of ``chars``."""
    if op in (sre.LITERAL, sre.IN):
        return []  # the character itself (its membership is what ``chars`` says)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        low, high, sub = av
        if low < 1:
            return None
        again = _repeat_less(op, high, sub, low - 1)
        if again and _captures(list(sub.data)):
            return None  # the copy would capture under a new number
        derived = _derive(list(sub.data), chars)
        if derived is None:
            return None
        return [*derived, *again]
    if op is sre.SUBPATTERN:
        group, add_flags, del_flags, sub = av
        if group is not None or add_flags or del_flags:
            return None
        return _derive(list(sub.data), chars)
    if op is sre.BRANCH:
        alternatives = []
        for alternative in av[1]:
            derived = _derive(list(alternative.data), chars)
            if derived is None:
                return None
            alternatives.append(derived)
        return [_branch(alternatives)]
    return None


def _repeat_less(op: Any, high: Any, sub: Any, low: int = 0) -> _Items:
    """``sub`` repeated ``low`` to one time fewer than ``high`` (nothing when that is none)."""
    if high is not sre.MAXREPEAT:
        high -= 1
        if high == 0:
            return []
    return [(op, (low, high, sub))]


def _first(op: Any, av: Any) -> tuple[frozenset[str], bool] | None:
    """The characters a match of one item starts with and whether it can be empty, when known."""
    chars, nullable = starts_of([(op, av)])
    return None if chars is None else (chars, nullable)


def _captures(items: _Items) -> bool:
    """Whether ``items`` hold a capturing group (which a copy would renumber)."""
    for op, av in items:
        if op is sre.SUBPATTERN and av[0] is not None:
            return True
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            subs = [av[2]]
        elif op is sre.SUBPATTERN:
            subs = [av[3]]
        elif op is sre.ATOMIC_GROUP:
            subs = [av]
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            subs = [av[1]]
        elif op is sre.BRANCH:
            subs = av[1]
        elif op is sre.GROUPREF_EXISTS:
            subs = [sub for sub in av[1:] if sub is not None]
        else:
            subs = []
        if any(_captures(list(sub.data)) for sub in subs):
            return True
    return False


def _guard(starts: frozenset[str], chars: frozenset[str]) -> _Items:
    """A lookbehind that the character just consumed is one of ``starts``, unless ``chars``
    (what it is known to be) says so already."""
    if chars <= starts:
        return []
    return [(sre.ASSERT, (-1, _sub([(sre.IN, _class_items(starts))])))]


def _shift(op: Any, av: Any, chars: frozenset[str]) -> tuple[Any, Any] | None:
    """A zero-width assertion asked one character (one of ``chars``) later."""
    consumed = (sre.IN, _class_items(chars))
    if op in (sre.ASSERT, sre.ASSERT_NOT) and av[0] == -1:  # a lookbehind: one more character
        direction, body = av
        if body.getwidth()[0] != body.getwidth()[1]:
            return None
        return op, (direction, _sub([*body.data, consumed]))
    # A lookahead or an anchor: asked before the character, inside a one-character lookbehind.
    return sre.ASSERT, (-1, _sub([(op, av), consumed]))


def _branch(alternatives: list[_Items]) -> tuple[Any, Any]:
    return sre.SUBPATTERN, (None, 0, 0, _sub([(sre.BRANCH, (None, list(map(_sub, alternatives))))]))


def _sub(items: _Items) -> Any:
    return sre_parse.SubPattern(sre_parse.State(), list(items))


def _class_items(chars: frozenset[str]) -> list[tuple[Any, Any]]:
    return [(sre.LITERAL, ord(char)) for char in sorted(chars)]


def _char_class(chars: frozenset[str]) -> str:
    return "[" + "".join(_escape(ord(char)) for char in sorted(chars)) + "]"


def unparse(tree: Any) -> str:
    """A pattern that ``re`` parses to ``tree`` (an ``sre_parse.SubPattern``), global flags
    left out."""
    return _sequence(list(tree.data))


def _sequence(items: _Items) -> str:
    return "".join(_unparse_item(op, av) for op, av in items)


def _unparse_item(op: Any, av: Any) -> str:
    if op is sre.LITERAL:
        return _escape(av)
    if op is sre.NOT_LITERAL:
        return "[^" + _escape(av) + "]"
    if op is sre.ANY:
        return "."
    if op is sre.IN:
        return _unparse_class(av)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, high, sub = av
        bound = f"{{{low},}}" if high is sre.MAXREPEAT else f"{{{low},{high}}}"
        suffix = {sre.MAX_REPEAT: "", sre.MIN_REPEAT: "?", sre.POSSESSIVE_REPEAT: "+"}[op]
        return "(?:" + _sequence(list(sub.data)) + ")" + bound + suffix
    if op is sre.SUBPATTERN:
        group, add_flags, del_flags, sub = av
        body = _sequence(list(sub.data))
        if group is not None:
            if add_flags or del_flags:
                return "(" + _flags(add_flags, del_flags, body) + ")"
            return "(" + body + ")"
        return _flags(add_flags, del_flags, body)
    if op is sre.ATOMIC_GROUP:
        return "(?>" + _sequence(list(av.data)) + ")"
    if op is sre.BRANCH:
        return "(?:" + "|".join(_sequence(list(alt.data)) for alt in av[1]) + ")"
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        direction, body = av
        kind = (
            ("=" if op is sre.ASSERT else "!")
            if direction == 1
            else ("<=" if op is sre.ASSERT else "<!")
        )
        return "(?" + kind + _sequence(list(body.data)) + ")"
    if op is sre.AT:
        return _AT[av]
    if op is sre.GROUPREF:
        return f"(?:\\{av})"
    if op is sre.GROUPREF_EXISTS:
        group, yes, no = av
        tail = "" if no is None else "|" + _sequence(list(no.data))
        return f"(?({group})" + _sequence(list(yes.data)) + tail + ")"
    raise ValueError(f"unsupported regex node {op}")


def _flags(add_flags: int, del_flags: int, body: str) -> str:
    add = "".join(letter for flag, letter in _FLAG_LETTERS if add_flags & flag)
    drop = "".join(letter for flag, letter in _FLAG_LETTERS if del_flags & flag)
    if not add and not drop:
        return "(?:" + body + ")"
    return "(?" + add + ("-" + drop if drop else "") + ":" + body + ")"


def _unparse_class(items: list[tuple[Any, Any]]) -> str:
    parts = []
    for op, av in items:
        if op is sre.NEGATE:
            parts.append("^")
        elif op is sre.LITERAL:
            parts.append(_escape(av))
        elif op is sre.RANGE:
            parts.append(_escape(av[0]) + "-" + _escape(av[1]))
        elif op is sre.CATEGORY:
            parts.append(_CATEGORIES[av])
        else:
            raise ValueError(f"unsupported class item {op}")
    return "[" + "".join(parts) + "]"


def _escape(code: int) -> str:
    """One character, written so that no context (a class, verbose mode) reads it otherwise."""
    char = chr(code)
    if char.isascii() and char.isalnum():
        return char
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
