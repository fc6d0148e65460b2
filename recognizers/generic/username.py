"""USERNAME: a social-network handle, ``@irinagomez``, or a login written after its field name.

An ``@`` that starts a handle follows no letter, digit or address character, so an e-mail
address's ``@`` never starts one (``ivan@mail.ru``); the handle is 2 to 32 letters, digits,
underscores and inner dots (Telegram, Instagram, X, TikTok, VK, GitHub handles). Not handles:

- code: decorators and annotations (``@property``, ``@app.route(``, ``@Override``), CSS and
  other at-rules (``@media``, ``@import``), doc tags (``@param``), anything followed by ``(``;
- a domain after a bare ``@`` (``@mail.ru``, ``@gmail.com``): the end of an address whose
  local part was cut off, or an address-book entry;
- a time or a number (``@10am``, ``@2x``, ``@123``).

A login or nickname written after its field name (``username: ivan_petrov``, ``логин —
ivan_petrov``, ``ник: Ivan85``) is a username too; the field name is not part of the span.
Both are personal data: a handle identifies its owner as surely as a name.
"""

from __future__ import annotations

import re
from typing import ClassVar, Final

from recognizers.prefilter import Prefiltered, literal_trie

_HANDLE = (
    r"(?<![0-9A-Za-z_.%+\-@/&=])@[A-Za-z0-9_](?:[A-Za-z0-9_]|\.(?=[A-Za-z0-9_])){1,31}"
    r"(?![A-Za-z0-9_@])"
)
_FIELD = (
    r"(?<![^\W\d_])(?:user\s?name|login|nickname|nick|handle|screen\s?name|логин|ник|никнейм)"
    r"[\"']?[ \t]{0,3}[:=\-–—][ \t]{0,3}[\"']?@?"
    r"[A-Za-z0-9_](?:[A-Za-z0-9_]|\.(?=[A-Za-z0-9_])){2,31}"
    r"(?![A-Za-z0-9_@])"
)

#: At-rules, decorators, annotations and doc tags that are code, not handles (lower case).
CODE_WORDS: Final = frozenset(
    {
        # CSS and preprocessors
        "media", "import", "font-face", "keyframes", "charset", "supports", "page", "namespace",
        "layer", "container", "property", "include", "mixin", "extend", "use", "forward",
        "apply", "tailwind", "if", "else", "each", "for", "while", "return", "function",
        # Python, Java, TypeScript, PHP decorators and annotations
        "staticmethod", "classmethod", "dataclass", "override", "overload", "abstractmethod",
        "cached_property", "functools", "pytest", "app", "router", "deprecated", "test",
        "before", "after", "component", "injectable", "input", "output", "autowired", "bean",
        "service", "controller", "entity", "table", "column", "id", "suppresswarnings",
        "functionalinterface", "interface", "implementation", "end", "synthesize",
        # doc comments
        "param", "returns", "throws", "raises", "see", "since", "author", "version", "type",
        "example", "link", "todo", "fixme", "var", "const", "typedef", "callback",
        # mail and misc
        "everyone", "here", "channel", "all",
    }
)  # fmt: skip

#: Top-level domains that end a bare ``@domain``; a handle's inner dot is followed by other
#: words (``@ivan.petrov``).
_DOMAIN: Final = re.compile(
    r"\.(?:com|ru|net|org|info|biz|io|me|co|su|ua|by|kz|de|uk|fr|it|es|eu|us|edu|gov|app|dev"
    r"|ai|tv|online|site|xyz|pro|shop)$"
)
_TIME_OR_NUMBER: Final = re.compile(r"^[0-9]+(?:[ap]m|x|px|k|m|h|s)?$")
_VALUE: Final = re.compile(r"@?[A-Za-z0-9_][A-Za-z0-9_.]*$")


class UsernameRecognizer(Prefiltered):
    """An ``@handle`` that is not code, a domain or a time, or a login after its field name."""

    ENTITY: ClassVar[str] = "USERNAME"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (
        ("handle", _HANDLE, 0.85),
        ("field", _FIELD, 0.85),
    )
    CONTEXT: ClassVar[tuple[str, ...]] = ("follow", "подпис", "telegram", "instagram", "twitter")
    FLAGS: ClassVar[int] = re.IGNORECASE | re.DOTALL | re.MULTILINE
    #: A login follows its field name (a handle holds ``@``).
    _FIELDS: ClassVar[re.Pattern[str]] = re.compile(
        literal_trie(("user", "login", "nick", "handle", "screen", "логин", "ник"))
    )

    def prefilter(self, text: str) -> bool:
        return "@" in text or self._FIELDS.search(text.lower()) is not None

    def expand(
        self, text: str, matches: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        """A field match is cut down to its value (the field name is not personal data)."""
        out: list[tuple[int, int, float]] = []
        for start, end, base in matches:
            if text[start] == "@":
                out.append((start, end, base))
                continue
            value = _VALUE.search(text, start, end)
            if value is not None:
                out.append((value.start(), end, base))
        return out

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        handle = text[start:end].lstrip("@").lower()
        if text[start] != "@":
            return base_score  # after a field name
        if handle in CODE_WORDS or handle.split(".")[0] in CODE_WORDS:
            return None
        if _DOMAIN.search(handle) or _TIME_OR_NUMBER.match(handle):
            return None
        rest = text[end : end + 2]
        if rest.startswith("(") or (
            (start == 0 or text[start - 1] == "\n") and _is_decorator(text, end)
        ):
            return None
        return base_score


def _is_decorator(text: str, end: int) -> bool:
    """Whether the handle at the start of a line is followed by a line of code (``def``,
    ``class``, ``function``, ``public``, …), as a decorator is."""
    newline = text.find("\n", end)
    if newline < 0 or text[end:newline].strip():
        return False
    following = text[newline + 1 : newline + 40].lstrip()
    return following.startswith(
        (
            "def ",
            "async ",
            "class ",
            "function ",
            "public ",
            "private ",
            "protected ",
            "@",
            "export ",
        )
    )
