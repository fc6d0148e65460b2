"""One canonical form for every string before recognition, with a map back to the original.

A scraper sees what a page author typed, and a hostile one types it so that a naive pattern
misses it: a no-break or thin space (what ``&nbsp;`` decodes to) between digit groups, an en dash
or a minus sign instead of a hyphen, full-width digits, a zero-width space or a soft hyphen inside
a number, ``&#64;`` or ``%40`` for ``@``, ``ivan [at] mail [dot] ru``. Every recognizer would
have to know every such form; instead :func:`canonical` rewrites the string once:

- every Unicode space class (NBSP, figure, thin, hair, narrow NBSP, ideographic space, ...)
  becomes an ASCII space, a line or paragraph separator a newline;
- every dash class (hyphen, non-breaking hyphen, figure dash, en and em dash, minus sign, small
  and full-width hyphen-minus, ...) becomes ``-``;
- zero-width characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM, invisible operators), bidirectional
  controls and soft hyphens are dropped;
- full-width and small forms, mathematical alphanumerics and every script's decimal digits
  become their ASCII form (NFKC, or the digit's value);
- HTML character references (``&#64;``, ``&#x40;``, ``&commat;``, ``&nbsp;``; nested
  ``&amp;#64;`` too) and percent-encoding (``%40``, ``%2B``, UTF-8 sequences such as ``%D0%B8``)
  are decoded;
- obfuscated e-mail tokens become ``@`` and ``.``: bracketed ones anywhere (``[at]``, ``(at)``,
  ``{at}``, ``<at>``, ``[dot]``, ``(.)``, ``[собака]``, ``(точка)``, and defanged addresses such as
  ``192[.]168[.]1[.]1``), bare words (``at``/``dot``, ``собака``/``точка``) only in an e-mail's
  shape (``ivan.petrov at mail dot ru``).

Other characters are kept as they are: ``№``, superscripts, Cyrillic and every letter (NFKC
would turn ``№`` into ``No`` and ``²`` into ``2``, which would move context words and invent
digits).

:class:`Canonical` keeps, for each character of the canonical text, the span of the original it
came from, so a finding on the canonical text maps to the original span that covers the whole
original value (:meth:`Canonical.original_span`): the redaction rewrites all of it, separators,
entities and zero-width characters included. The map is monotone: a later canonical character
never comes from an earlier original one.

Most strings need none of this: a cheap test (:func:`canonical`'s first step, one regex
search) finds nothing to rewrite and the string is its own canonical form, with no map.
"""

from __future__ import annotations

import html
import re
import sys
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Final
from urllib.parse import unquote_to_bytes

#: Every space class but the ASCII ones, mapped to an ASCII space.
_SPACES: Final = (
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000"
)
_NEWLINES: Final = "\u2028\u2029\u0085"
#: Every dash class, mapped to ``-``.
_DASHES: Final = (
    "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2e3a\u2e3b\u2e40\u301c\ufe58\ufe63\uff0d"
)
#: Dropped: zero-width characters, bidirectional controls, soft hyphen, invisible operators.
_DROPPED: Final = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\u206a\u206b\u206c\u206d\u206e\u206f\u3164\ufeff\uffa0"
)


def _char_map() -> dict[str, str]:
    table: dict[str, str] = {}
    for ch in _SPACES:
        table[ch] = " "
    for ch in _NEWLINES:
        table[ch] = "\n"
    for ch in _DASHES:
        table[ch] = "-"
    for ch in _DROPPED:
        table[ch] = ""
    # Full-width ASCII (U+FF01-FF5E) and small forms (U+FE50-FE6B): their NFKC form.
    for code in (*range(0xFF01, 0xFF5F), *range(0xFE50, 0xFE6C)):
        ch = chr(code)
        if ch not in table:
            folded = unicodedata.normalize("NFKC", ch)
            if folded != ch and folded.isascii():
                table[ch] = folded
    # Every script's decimal digits, and mathematical alphanumerics (bold, monospace, ...).
    for code in range(0x80, min(sys.maxunicode, 0x20000)):
        ch = chr(code)
        if ch in table:
            continue
        if unicodedata.category(ch) == "Nd":
            table[ch] = str(unicodedata.decimal(ch))
        elif 0x1D400 <= code <= 0x1D7FF:
            folded = unicodedata.normalize("NFKC", ch)
            if folded != ch and folded.isascii():
                table[ch] = folded
    return table


#: Each character that changes, and what it becomes (``""``: dropped).
CHAR_MAP: Final[dict[str, str]] = _char_map()


def _char_class(chars: list[str]) -> str:
    """A regex character class of ``chars`` as ranges."""
    codes = sorted(ord(ch) for ch in chars)
    parts: list[str] = []
    low = prev = codes[0]
    for code in [*codes[1:], -1]:
        if code == prev + 1:
            prev = code
            continue
        parts.append(
            re.escape(chr(low)) if low == prev else f"{re.escape(chr(low))}-{re.escape(chr(prev))}"
        )
        low = prev = code
    return "[" + "".join(parts) + "]"


_SPECIAL_CLASS: Final = _char_class(list(CHAR_MAP))
_SPECIAL: Final = re.compile(_SPECIAL_CLASS)
#: The special characters of the Basic Multilingual Plane, and every character past it: a class
#: of BMP characters alone is one table lookup per character for ``re`` (with one past it, a
#: search tries every range in turn), and the few strings with such a character take the slow
#: path.
_TRIGGER_CLASS: Final = (
    _char_class([ch for ch in CHAR_MAP if ord(ch) <= 0xFFFF])[:-1] + "\U00010000-\U0010ffff]"
)

#: A character whose map is one character long: rewriting only those keeps every offset.
_SAME_LENGTH: Final = {ord(k): v for k, v in CHAR_MAP.items() if len(v) == 1}

# HTML character references: decimal, hexadecimal (``;`` optional, as browsers read them) and
# named ones, which must end with ``;`` here (``&copy`` without it stays: it is too often text).
_ENTITY: Final = re.compile(
    r"&(?:#[0-9]{1,7};?|#[xX][0-9A-Fa-f]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};)"
)
# A run of percent-encoded bytes.
_PERCENT: Final = re.compile(r"(?:%[0-9A-Fa-f]{2}){1,64}")

_AT_WORDS: Final = r"(?:at|собака)"
_DOT_WORDS: Final = r"(?:dot|точка|tochka)"
_OPEN: Final = r"[\[({<]"
_CLOSE: Final = r"[\])}>]"
# Bracketed tokens: unambiguous wherever they stand. Spaces around them are part of the token.
_BRACKETED_AT: Final = re.compile(
    rf"[ ]{{0,3}}{_OPEN}[ ]{{0,2}}(?i:{_AT_WORDS}|@)[ ]{{0,2}}{_CLOSE}[ ]{{0,3}}"
)
_BRACKETED_DOT: Final = re.compile(
    rf"[ ]{{0,3}}{_OPEN}[ ]{{0,2}}(?i:{_DOT_WORDS}|\.)[ ]{{0,2}}{_CLOSE}[ ]{{0,3}}"
)
# Bare words only in an e-mail's shape: a local part, `at`, a domain whose labels are joined by
# `dot` or `.`, ending in a top-level domain of letters. Every repetition is bounded and a match
# can only start after a character that cannot be in a local part, so the search is linear.
_LOCAL_PART: Final = r"[A-Za-z0-9_%+\-а-яА-ЯёЁ](?:[A-Za-z0-9._%+\-а-яА-ЯёЁ]{0,63})"
_DOMAIN_LABEL: Final = r"[A-Za-z0-9а-яА-ЯёЁ](?:[A-Za-z0-9\-а-яА-ЯёЁ]{0,62})"
_BARE_DOT: Final = rf"(?:[ ]{{1,3}}(?i:{_DOT_WORDS})[ ]{{1,3}}|\.)"
#: Words that stand before a bare ``at`` in prose, never as an address's local part:
#: ``find me at vk.com/…``, ``write to us at example.com``.
_NOT_LOCAL: Final = r"(?:me|us|you|him|her|them|it|we|i|meet|see|find|look|online|here|there)"
_BARE_EMAIL: Final = re.compile(
    rf"(?<![A-Za-z0-9_%+\-а-яА-ЯёЁ.])(?!(?i:{_NOT_LOCAL})[ ])"
    rf"({_LOCAL_PART})([ ]{{1,3}}(?i:{_AT_WORDS})[ ]{{1,3}})"
    rf"({_DOMAIN_LABEL}(?:{_BARE_DOT}{_DOMAIN_LABEL}){{0,8}}{_BARE_DOT}"
    # Not followed by a path or port: ``vk.com/ivan`` is a link, not the end of an address.
    r"(?:[A-Za-z]{2,24}|[а-яА-ЯёЁ]{2,24}))(?![A-Za-z0-9а-яА-ЯёЁ/:])"
)
_BARE_DOT_TOKEN: Final = re.compile(rf"[ ]{{1,3}}(?i:{_DOT_WORDS})[ ]{{1,3}}")

#: Whether a string may need rewriting: a special character, a reference, a percent escape or a
#: bracketed token (a bare ``at`` is tested apart, :func:`rewrite`). Every alternative starts with
#: one character class, so the search skips ahead in C: one search over a string that has none is
#: the fast path.
_TRIGGER: Final = re.compile(
    _TRIGGER_CLASS[:-1]
    + r"&%\[({<]"
    + r"(?:(?<=&)(?:#|[A-Za-z][A-Za-z0-9]{1,31};)|(?<=%)[0-9A-Fa-f]{2}"
    + rf"|(?<=[\[({{<])[ ]{{0,2}}(?:[.@]|(?i:{_AT_WORDS}|{_DOT_WORDS}))[ ]{{0,2}}{_CLOSE}"
    + r"|(?<="
    + _TRIGGER_CLASS
    + "))"
)
#: The most decoding rounds: ``&amp;#64;`` needs two, ``%2526`` three.
_ROUNDS: Final = 3


@dataclass(frozen=True, slots=True)
class Canonical:
    """The canonical form of one string. ``starts[i]`` and ``ends[i]`` are the original span
    that canonical character ``i`` comes from; both ``None`` when the text is the original's
    (same length, same offsets; only characters may differ)."""

    original: str
    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    @property
    def identical_offsets(self) -> bool:
        """Whether every canonical offset is the original offset."""
        return self.starts is None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the canonical ``text[start:end]``: from where its first
        character came from to where its last one did, so it covers every original character
        between them (dropped ones and the whole of every decoded reference included). An
        empty span maps to an empty span at the original position."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            position = self.starts[start] if start < len(self.starts) else len(self.original)
            return position, position
        return self.starts[start], self.ends[end - 1]


def canonical(text: str) -> Canonical:
    """The canonical form of ``text`` (see the module's docstring)."""
    form = rewrite(text)
    return Canonical(text, text) if form is None else form


def rewrite(text: str) -> Canonical | None:
    """:func:`canonical` of ``text``, or ``None`` when ``text`` is its own canonical form: the
    fast path, one search and a few substring tests for a string with nothing to rewrite."""
    if _TRIGGER.search(text) is None and not any(word in text for word in _BARE_WORDS):
        return None
    form = _canonical(text)
    return None if form.text == text and form.starts is None else form


#: Bare words an obfuscated address is written with.
_BARE_WORDS: Final = (" at ", " AT ", " At ", " собака ")
#: Joins the strings of a batch for :func:`rewrite_all`: no trigger holds it.
_JOIN: Final = "\x00"


def rewrite_all(texts: Sequence[str]) -> list[Canonical | None]:
    """:func:`rewrite` of each of ``texts``: one search over the strings joined finds those that
    may need rewriting (most batches hold a few), and only those are rewritten."""
    joined = _JOIN.join(texts)
    out: list[Canonical | None] = [None] * len(texts)
    hits = [m.start() for m in _TRIGGER.finditer(joined)]
    for word in _BARE_WORDS:
        position = joined.find(word)
        while position != -1:
            hits.append(position)
            position = joined.find(word, position + 1)
    if not hits:
        return out
    starts = list(accumulate((len(text) + len(_JOIN) for text in texts[:-1]), initial=0))
    for index in {bisect_right(starts, hit) - 1 for hit in hits}:
        out[index] = rewrite(texts[index])
    return out


@lru_cache(maxsize=4096)
def _canonical(text: str) -> Canonical:
    if not _needs_map(text):  # only one-to-one characters: translate, offsets unchanged
        return Canonical(text, text.translate(_SAME_LENGTH))
    mapped = _Mapped(text, list(range(len(text))), list(range(1, len(text) + 1)))
    for _ in range(_ROUNDS):
        decoded = mapped.sub(_ENTITY, _decode_entity).sub(_PERCENT, _decode_percent)
        if decoded.text == mapped.text:
            break
        mapped = decoded
    mapped = mapped.sub(_SPECIAL, _map_char)
    mapped = mapped.sub(_BRACKETED_AT, lambda m: "@").sub(_BRACKETED_DOT, lambda m: ".")
    mapped = mapped.sub(_BARE_EMAIL, _unbare_email, retry=True)
    if mapped.text == text and mapped.identity():
        return Canonical(text, text)
    if len(mapped.text) == len(text) and mapped.identity():
        return Canonical(text, mapped.text)
    return Canonical(text, mapped.text, tuple(mapped.starts), tuple(mapped.ends))


def _needs_map(text: str) -> bool:
    """Whether rewriting ``text`` may change its length (anything but a one-to-one character).
    A bare ``at`` counts only when an e-mail's shape stands around it."""
    for match in _TRIGGER.finditer(text):
        found = match.group()
        if len(found) != 1 or found not in _SAME_LENGTH_CHARS:
            return True
    return _BARE_EMAIL.search(text) is not None


_SAME_LENGTH_CHARS: Final = frozenset(chr(code) for code in _SAME_LENGTH)


def _map_char(match: re.Match[str]) -> str | None:
    return CHAR_MAP.get(match.group())


def _decode_entity(match: re.Match[str]) -> str | None:
    reference = match.group()
    decoded = html.unescape(reference if reference.endswith(";") else reference + ";")
    if decoded == reference or decoded == reference + ";" or not decoded:
        return None
    return decoded


def _decode_percent(match: re.Match[str]) -> str | None:
    try:
        decoded = unquote_to_bytes(match.group()).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not decoded.isprintable() and decoded.strip():
        return None
    return decoded


#: Top-level domains a bare ``at`` may be followed by when no ``dot`` word is written
#: (``ivan at mail.ru``): without one, ``met at school.Then`` would read as an address.
_COMMON_TLDS: Final = frozenset(
    (
        "com",
        "org",
        "net",
        "edu",
        "gov",
        "mil",
        "int",
        "info",
        "biz",
        "io",
        "co",
        "me",
        "tv",
        "ru",
        "su",
        "рф",
        "by",
        "ua",
        "kz",
        "uz",
        "am",
        "ge",
        "az",
        "kg",
        "md",
        "de",
        "uk",
        "fr",
        "it",
        "es",
        "nl",
        "pl",
        "cz",
        "eu",
        "us",
        "ca",
        "au",
        "ch",
        "at",
        "be",
        "se",
        "no",
        "fi",
        "dk",
        "ie",
        "il",
        "in",
        "jp",
        "cn",
        "br",
        "mx",
        "tr",
    )
)


def _unbare_email(match: re.Match[str]) -> str | None:
    local, domain = match.group(1), match.group(3)
    dotted = _BARE_DOT_TOKEN.sub(".", domain)
    if dotted == domain and dotted.rsplit(".", 1)[-1] not in _COMMON_TLDS:
        return None
    return local + "@" + dotted


class _Mapped:
    """A text with the original span of each of its characters."""

    __slots__ = ("ends", "starts", "text")

    def __init__(self, text: str, starts: list[int], ends: list[int]) -> None:
        self.text, self.starts, self.ends = text, starts, ends

    def identity(self) -> bool:
        return self.starts == list(range(len(self.starts))) and self.ends == list(
            range(1, len(self.ends) + 1)
        )

    def sub(
        self,
        pattern: re.Pattern[str],
        replace: Callable[[re.Match[str]], str | None],
        *,
        retry: bool = False,
    ) -> _Mapped:
        """Each match of ``pattern`` replaced by ``replace(match)`` (``None``: kept). Each
        character of a replacement comes from the whole of the match's original span. With
        ``retry``, the search goes on right after the start of a match that was kept, so a
        match overlapping it is still found (``me at ivan.petrov at mail dot ru``)."""
        pieces: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        kept = 0
        text = self.text
        for match in _matches(pattern, text, retry=retry, replace=replace):
            start, end = match.span()
            replacement = replace(match)
            if replacement is None:
                continue
            pieces.append(text[kept:start])
            starts.extend(self.starts[kept:start])
            ends.extend(self.ends[kept:start])
            pieces.append(replacement)
            first, last = self.starts[start], self.ends[end - 1]
            starts.extend([first] * len(replacement))
            ends.extend([last] * len(replacement))
            kept = end
        if not pieces:
            return self
        pieces.append(text[kept:])
        starts.extend(self.starts[kept:])
        ends.extend(self.ends[kept:])
        return _Mapped("".join(pieces), starts, ends)


def _matches(
    pattern: re.Pattern[str],
    text: str,
    *,
    retry: bool,
    replace: Callable[[re.Match[str]], str | None],
) -> list[re.Match[str]]:
    """The non-empty matches of ``pattern`` in ``text`` that :meth:`_Mapped.sub` visits."""
    if not retry:
        return [m for m in pattern.finditer(text) if m.end() > m.start()]
    out = []
    position = 0
    while (match := pattern.search(text, position)) is not None:
        if match.end() > match.start() and replace(match) is not None:
            out.append(match)
            position = match.end()
        else:
            position = match.start() + 1
    return out
