"""PROFILE_URL: a person's page on a social or developer site; not a site's own pages."""

from __future__ import annotations

import pytest

from recognizers.generic.profile_url import ProfileUrlRecognizer

R = ProfileUrlRecognizer()


def found(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in R.find(text)]


PROFILES = [
    "https://vk.com/ivan.petrov85",
    "https://vk.com/id123456",
    "vk.com/olga_smirnova",
    "https://m.vk.com/ivan.petrov85",
    "https://ok.ru/profile/571800000000",
    "https://t.me/ivan_petrov",
    "https://www.instagram.com/irina.gomez/",
    "https://facebook.com/ivan.petrov",
    "https://www.facebook.com/profile.php?id=100004000000000",
    "https://x.com/ivanpetrov",
    "https://twitter.com/ivanpetrov",
    "https://www.linkedin.com/in/ivan-petrov-123/",
    "https://github.com/ivanpetrov",
    "https://github.com/ivanpetrov/dotfiles",
    "https://www.tiktok.com/@ivan.petrov",
    "https://www.youtube.com/@ivanpetrov",
    "https://habr.com/ru/users/ivanpetrov/",
    "http://habr.com/users/ivanpetrov",
]
NOT_PROFILES = [
    ("https://vk.com/", "home page"),
    ("https://vk.com/feed", "news feed"),
    ("https://vk.com/search?q=ivan", "search"),
    ("https://vk.com/club12345", "a community"),
    ("https://vk.com/public12345", "a public page"),
    ("https://vk.com/wall-1_2", "a post"),
    ("https://ok.ru/group/123", "a group"),
    ("https://t.me/joinchat/AAAAAE", "an invite link"),
    ("https://t.me/s/channel", "a channel preview"),
    ("https://www.instagram.com/p/Cx12AbCdEf/", "a post"),
    ("https://www.instagram.com/explore/tags/sale/", "explore"),
    ("https://www.facebook.com/groups/123", "a group"),
    ("https://www.facebook.com/help/", "help"),
    ("https://x.com/search?q=sale", "search"),
    ("https://twitter.com/hashtag/sale", "a hashtag"),
    ("https://twitter.com/i/flow/login", "login"),
    ("https://www.linkedin.com/company/acme", "a company page"),
    ("https://www.linkedin.com/jobs/", "jobs"),
    ("https://github.com/features/actions", "a product page"),
    ("https://github.com/", "home page"),
    ("https://www.tiktok.com/tag/sale", "a tag"),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "a video"),
    ("https://habr.com/ru/news/812345/", "news"),
    ("https://habr.com/ru/articles/812345/", "an article"),
    ("https://example.com/vk.com/ivan", "another site's path"),
    ("ivan@vk.com", "an e-mail address"),
    ("https://t.me/news", "a news channel"),
    ("https://vk.com/catalog/toys", "a catalogue"),
    ("https://ok.ru/shop", "a shop"),
    ("https://github.com/robots.txt", "a service file"),
]


@pytest.mark.parametrize("url", PROFILES)
def test_profiles_are_found(url: str) -> None:
    assert found(f"Мой профиль: {url}") == [url]


@pytest.mark.parametrize(("url", "reason"), NOT_PROFILES, ids=[c[-1] for c in NOT_PROFILES])
def test_site_pages_are_not_profiles(url: str, reason: str) -> None:
    assert found(f"see {url}") == []


TRIM = [
    ("Find me at https://t.me/ivan_petrov.", ["https://t.me/ivan_petrov"], "a full stop"),
    ("(https://vk.com/id123)", ["https://vk.com/id123"], "parentheses"),
    ('{"url": "https://x.com/ivan"}', ["https://x.com/ivan"], "a JSON string"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), TRIM, ids=[c[-1] for c in TRIM])
def test_trailing_punctuation_is_left_out(text: str, expected: list[str], reason: str) -> None:
    assert found(text) == expected
