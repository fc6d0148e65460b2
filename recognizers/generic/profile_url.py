"""PROFILE_URL: the address of a person's page on a social network or developer site.

``https://vk.com/ivan.petrov85``, ``t.me/ivan_petrov``, ``instagram.com/irina.gomez``,
``facebook.com/profile.php?id=100004``, ``x.com/ivan``, ``twitter.com/ivan``,
``linkedin.com/in/ivan-petrov``, ``github.com/ivanpetrov``, ``ok.ru/profile/5718…``,
``tiktok.com/@ivan``, ``youtube.com/@ivan``, ``habr.com/ru/users/ivan``; with or without the
scheme and ``www.`` or ``m.``. The whole URL is the finding: its path names the person.

Not profiles: a site's home page (no path), and the paths a site keeps for itself: search,
feed, help, news, catalogue, settings, login, share links, hashtags, communities (``vk.com/club1``,
``vk.com/public1``, ``facebook.com/groups/…``), posts (``instagram.com/p/…``, ``vk.com/wall…``)
and so on: each site's list is in :data:`RESERVED`.
"""

from __future__ import annotations

import re
from typing import ClassVar, Final

from recognizers.prefilter import Prefiltered

_PATH_CHARS = r"[A-Za-z0-9_.~%@!$&'*+,;=:/?#\-]"
_HOSTS = (
    r"vk\.com|vkontakte\.ru|ok\.ru|odnoklassniki\.ru|t\.me|telegram\.me|instagram\.com"
    r"|facebook\.com|fb\.com|x\.com|twitter\.com|linkedin\.com|github\.com|tiktok\.com"
    r"|youtube\.com|habr\.com"
)
_PROFILE = (
    r"(?<![A-Za-z0-9.\-@/])(?:https?://)?(?:(?:www|m|mobile|ru|mbasic)\.)?(?:"
    + _HOSTS
    + r")/"
    + _PATH_CHARS
    + r"{1,200}"
)

#: First path segments (lower case) that are not a person's page, per site.


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


RESERVED: Final[dict[str, frozenset[str]]] = {
    "vk.com": _words(
        "feed search groups friends im audio audios video videos music apps games market "
        "settings login join restore support help about terms privacy legal blog dev jobs "
        "press ads biz services away.php share.php photos albums docs topics wall app "
        "product products clips stickers pay security faq lang mobile business"
    ),
    "ok.ru": _words(
        "group groups games music video search feed help app apps live market dk settings "
        "messages discussions guests gifts holidays premium online friends"
    ),
    "t.me": _words("joinchat addstickers addemoji share s iv proxy socks c setlanguage"),
    "instagram.com": _words(
        "p reel reels explore accounts about developer legal direct tv stories web "
        "directory privacy terms"
    ),
    "facebook.com": _words(
        "pages groups events marketplace watch help policies privacy login sharer "
        "sharer.php share dialog gaming business ads legal terms fundraisers hashtag search "
        "photo.php story.php permalink.php l.php plugins tr"
    ),
    "x.com": _words(
        "home explore search i intent share settings notifications messages hashtag tos "
        "privacy login signup compose about download jobs"
    ),
    "linkedin.com": frozenset(),  # only /in/ is taken, see score_match
    "github.com": _words(
        "about features pricing marketplace explore topics trending collections events "
        "sponsors settings login join orgs enterprise security site contact team "
        "customer-stories readme search notifications new organizations apps issues pulls "
        "codespaces copilot resources solutions mobile logout signup home dashboard"
    ),
    "tiktok.com": frozenset(),  # only /@name is taken
    "youtube.com": frozenset(),  # only /@name and /user/name
    "habr.com": frozenset(),  # only /users/name and /ru/users/name
}
#: First path segments no site gives a person: catalogues, news, help and service pages.
GENERIC: Final = _words(
    "catalog catalogue shop store news help search about login logout signup register "
    "settings privacy terms policies legal careers jobs blog press ads business developers "
    "developer api apps download downloads support faq contact feed explore home index.html "
    "index.php sitemap.xml robots.txt favicon.ico static assets images img css js"
)
_ALIASES: Final = {
    "vkontakte.ru": "vk.com",
    "odnoklassniki.ru": "ok.ru",
    "telegram.me": "t.me",
    "fb.com": "facebook.com",
    "twitter.com": "x.com",
}
_HOST: Final = re.compile(r"^(?:https?://)?(?:(?:www|m|mobile|ru|mbasic)\.)?([a-z.]+)/", re.I)
_TRAILING: Final = ".,;:!?'*"
#: A segment that names a person: letters, digits, ``_ . -``, at least two characters.
_NAME: Final = re.compile(r"^@?[A-Za-z0-9_][A-Za-z0-9_.\-]{1,63}$")


def _segments(path: str) -> list[str]:
    return [s for s in re.split(r"[/?#]", path) if s]


def is_profile(url: str) -> bool:
    """Whether ``url`` (as the pattern matches it, trailing punctuation removed) is a
    person's page."""
    host_match = _HOST.match(url)
    if host_match is None:
        return False
    host = _ALIASES.get(host_match.group(1).lower(), host_match.group(1).lower())
    path = url[host_match.end() :]
    segments = _segments(path)
    if not segments:
        return False
    first = segments[0].lower()
    if host == "facebook.com" and first == "profile.php":
        return "id=" in path
    if host == "facebook.com" and first == "people":
        return len(segments) >= 2
    if host == "linkedin.com":
        return first in ("in", "pub") and len(segments) >= 2 and bool(_NAME.match(segments[1]))
    if host == "ok.ru" and first == "profile":
        return len(segments) >= 2 and segments[1].isdigit()
    if host in ("tiktok.com", "youtube.com"):
        if first.startswith("@"):
            return len(first) > 2
        return host == "youtube.com" and first == "user" and len(segments) >= 2
    if host == "habr.com":
        if first in {"ru", "en"}:
            segments = segments[1:]
        return len(segments) >= 2 and segments[0].lower() == "users"
    if first in GENERIC or first in RESERVED.get(host, frozenset()):
        return False
    if not _NAME.match(segments[0]):
        return False
    if host == "vk.com" and re.match(
        r"^(?:club|public|event|wall|photo|video|topic|market|album|board|page|app)-?[0-9]", first
    ):
        return False
    return not first.startswith("@") or host == "t.me"


class ProfileUrlRecognizer(Prefiltered):
    """A URL on a known social or developer site whose path is a person's page."""

    ENTITY: ClassVar[str] = "PROFILE_URL"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("profile", _PROFILE, 0.85),)
    FLAGS: ClassVar[int] = re.IGNORECASE | re.DOTALL | re.MULTILINE
    #: Every host ends in one of these, and a path follows.
    _TLD: ClassVar[re.Pattern[str]] = re.compile(r"\.(?:com|ru|me)/", re.IGNORECASE)

    def prefilter(self, text: str) -> bool:
        return "/" in text and self._TLD.search(text) is not None

    def expand(
        self, text: str, matches: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        """Each URL without trailing punctuation (``vk.com/ivan.`` ends a sentence)."""
        out = []
        for start, end, base in matches:
            stop = end
            while stop > start and text[stop - 1] in _TRAILING:
                stop -= 1
            if text[start:stop].endswith(")") and "(" not in text[start:stop]:
                stop -= 1
            out.append((start, stop, base))
        return out

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        return base_score if is_profile(text[start:end]) else None
