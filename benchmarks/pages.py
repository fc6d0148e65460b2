"""A second corpus of scraped records, written from how real pages look, for PERSON.

:mod:`streams.testing.samples` writes the demo's records; this generator is written apart from
it and from the recognizers' rules, from the shapes names take on pages people scrape: profile pages
and their ``name`` fields, classified ads, forum threads and comment widgets, invoices and
delivery notes, server and CRM logs, CSV-like table rows, team pages, letters, reviews. Names
come from Faker's name tables for many locales (not the US Census lists the recognizer reads),
written as ``First Last``, ``Last, First``, ``F. Last``, ``Last F.M.``, with a middle name or
patronymic, in ALL CAPS and in lowercase, after cue words and without them. Every record also
holds decoys that are not people: organisations (``Davis LLC``, ``Maccabi Haifa``, ``SpaceX``),
places and streets, products, job titles, usernames of roles (``admin``).

Every name written is planted (it is gold), so precision is measured here too. A string holding
no planted name is a decoy.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from faker import Faker

#: Locales whose names are written in Latin script.
LATIN_LOCALES: Final = (
    "en_US",
    "en_GB",
    "en_IN",
    "de_DE",
    "fr_FR",
    "es_ES",
    "it_IT",
    "pl_PL",
    "pt_BR",
    "nl_NL",
    "sv_SE",
    "fi_FI",
    "tr_TR",
    "cs_CZ",
)
#: Organisations that read like a first and a last name, or a brand, and cities.
ORGANISATIONS: Final = (
    "Maccabi Haifa",
    "Hapoel Tel Aviv",
    "Real Madrid",
    "Aston Villa",
    "Crystal Palace",
    "Manchester United",
    "SpaceX",
    "OpenAI",
    "PayPal",
    "YouTube",
    "LinkedIn",
    "Johnson & Johnson",
    "Marks & Spencer",
    "Ben & Jerry's",
    "Morgan Stanley",
    "Goldman Sachs",
    "Procter & Gamble",
    "Wells Fargo",
    "Dow Jones",
    "Harley-Davidson",
    "Rolls-Royce",
    "Mercedes-Benz",
    "Tim Hortons",
    "Trader Joe's",
    "Dunkin' Donuts",
    "Jack Daniel's",
    "Ralph Lauren Corp",
    "Calvin Klein Inc",
)
PLACES: Final = (
    "San Francisco",
    "Los Angeles",
    "Fort Worth",
    "Santa Monica",
    "Saint Petersburg",
    "Mount Vernon",
    "Lake Placid",
    "Port Elizabeth",
    "Lovers Lane",
    "Victoria Station",
    "Washington Square",
    "Kingston upon Thames",
)
RU_ORGANISATIONS: Final = (
    "ООО «Ромашка»",
    "ПАО Сбербанк",
    "Спартак Москва",
    "Зенит",
    "Газпром нефть",
    "Лукойл",
    "Яндекс",
    "Билайн",
    "МГУ имени Ломоносова",
)
RU_PLACES: Final = (
    "Москва",
    "Санкт-Петербург",
    "Нижний Новгород",
    "Ростов-на-Дону",
    "улица Ленина",
    "проспект Мира",
    "Красная площадь",
)
PRODUCTS: Final = (
    "iPhone 15 Pro",
    "Galaxy S24",
    "ThinkPad X1 Carbon",
    "PlayStation 5",
    "Air Jordan 1",
    "Model Y",
    "Kindle Paperwhite",
)
_TRANSLIT: Final = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "_",
            "y",
            "_",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


@dataclass(frozen=True, slots=True)
class Person:
    """A generated person: name parts and the script they are written in."""

    first: str
    last: str
    middle: str | None
    latin: bool


@dataclass(frozen=True, slots=True)
class Page:
    """One record and the names planted in it (``("PERSON", value)``)."""

    record: dict[str, Any]
    planted: list[tuple[str, str]]


def translit(text: str) -> str:
    """Russian text in a simple Latin transliteration (``Петров`` -> ``Petrov``)."""
    out = []
    for ch in text:
        low = ch.lower()
        latin = _TRANSLIT.get(low, ch).replace("_", "")
        out.append(latin.capitalize() if ch != low else latin)
    return "".join(out)


class _Writer:
    """Names and their spellings, from a seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._latin = {loc: Faker(loc) for loc in LATIN_LOCALES}
        self._ru = Faker("ru_RU")
        for index, faker in enumerate([*self._latin.values(), self._ru]):
            faker.seed_instance(rng.randrange(1 << 30) + index)

    def latin_person(self) -> Person:
        faker = self._latin[self.rng.choice(LATIN_LOCALES)]
        middle = faker.first_name() if self.rng.random() < 0.15 else None
        return Person(faker.first_name(), faker.last_name(), middle, latin=True)

    def russian_person(self) -> Person:
        if self.rng.random() < 0.5:
            first, last = self._ru.first_name_male(), self._ru.last_name_male()
            middle = self._ru.middle_name_male()
        else:
            first, last = self._ru.first_name_female(), self._ru.last_name_female()
            middle = self._ru.middle_name_female()
        return Person(first, last, middle, latin=False)

    def spell(self, person: Person, *, case: str = "title") -> str:
        """One of the usual ways to write ``person``, in ``case`` (title, upper, lower)."""
        roll = self.rng.random()
        first, last, middle = person.first, person.last, person.middle
        if person.latin:
            if roll < 0.55:
                name = f"{first} {last}"
            elif roll < 0.7:
                name = f"{last}, {first}"
            elif roll < 0.8:
                name = f"{first[0]}. {last}"
            elif roll < 0.9 and middle:
                name = f"{first} {middle[0]}. {last}"
            else:
                name = f"{first} {last}"
        elif roll < 0.35 and middle:
            name = f"{last} {first} {middle}"
        elif roll < 0.55 and middle:
            name = f"{last} {first[0]}.{middle[0]}."
        elif roll < 0.65 and middle:
            name = f"{first[0]}.{middle[0]}. {last}"
        elif roll < 0.8 and middle:
            name = f"{first} {middle} {last}"
        else:
            name = f"{first} {last}"
        if case == "upper":
            return name.upper()
        if case == "lower":
            return name.lower()
        return name

    def case(self) -> str:
        roll = self.rng.random()
        return "upper" if roll < 0.12 else "lower" if roll < 0.24 else "title"

    def date(self) -> str:
        return f"2026-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    def ip(self) -> str:
        return ".".join(str(self.rng.randint(1, 254)) for _ in range(4))

    def decoy(self, russian: bool = False) -> str:
        pool = (RU_ORGANISATIONS + RU_PLACES) if russian else (ORGANISATIONS + PLACES + PRODUCTS)
        return self.rng.choice(pool)


_Kind = Callable[[_Writer, int], Page]


def _page(kind: str, n: int, data: dict[str, Any], names: list[str]) -> Page:
    record = {"id": f"page-{kind}-{n}", "source": f"https://{kind}.example.net/{n}", "data": data}
    return Page(record, [("PERSON", name) for name in names])


def _profile(w: _Writer, n: int) -> Page:
    p = w.latin_person()
    name = w.spell(p, case=w.case())
    nick = f"{p.first.lower()}{w.rng.randint(1, 99)}"
    data = {
        "name": name,
        "headline": f"Senior engineer at {w.decoy()}",
        "about": f"Hi, I'm {p.first}. I live near {w.rng.choice(PLACES)} and love my "
        f"{w.rng.choice(PRODUCTS)}.",
        "handle": nick,
    }
    return _page("profile", n, data, [name, p.first])


def _ad(w: _Writer, n: int) -> Page:
    p = w.latin_person()
    name = w.spell(p, case=w.case())
    data = {
        "title": f"Selling {w.rng.choice(PRODUCTS)}, like new",
        "body": f"Pick-up in {w.rng.choice(PLACES)}. Contact {name} after 6pm. "
        f"Not affiliated with {w.decoy()}.",
        "price": w.rng.randint(50, 900),
    }
    return _page("ads", n, data, [name])


def _forum(w: _Writer, n: int) -> Page:
    a, b = w.latin_person(), w.latin_person()
    name_a = w.spell(a, case=w.case())
    name_b = f"{b.first} {b.last}"
    data = {
        "thread": f"{w.decoy()} vs {w.decoy()}: who wins?",
        "posts": [
            {
                "meta": f"Posted by {name_a} from {w.rng.choice(PLACES)} on {w.date()}",
                "text": f"{w.rng.choice(ORGANISATIONS)} looked weak today.",
            },
            {"meta": f"{name_b} wrote:", "text": f"Agreed, {a.first}. Admin please pin this."},
        ],
    }
    return _page("forum", n, data, [name_a, name_b, a.first])


def _invoice(w: _Writer, n: int) -> Page:
    p, q = w.latin_person(), w.latin_person()
    name = w.spell(p, case="upper" if w.rng.random() < 0.4 else "title")
    rep = f"{q.first} {q.last}"
    data = {
        "header": f"INVOICE #{w.rng.randint(10000, 99999)} {w.decoy()}",
        "bill_to": f"Bill to: {name}",
        "lines": [f"{w.rng.choice(PRODUCTS)} x{w.rng.randint(1, 3)}"],
        "footer": f"Questions? Your account manager is {rep}.",
    }
    return _page("invoice", n, data, [name, rep])


def _log(w: _Writer, n: int) -> Page:
    p, q = w.latin_person(), w.latin_person()
    lower = f"{p.first} {p.last}".lower()
    approver = f"{q.first[0]}. {q.last}"
    data = {
        "lines": [
            f'{w.date()}T10:0{w.rng.randint(0, 9)}:00Z INFO login ok user="{lower}" ip={w.ip()}',
            f"{w.date()}T11:15:00Z WARN refund approved by {approver} "
            f"for order {w.rng.randint(1000, 9999)}",
            f"{w.date()}T12:00:00Z INFO job {w.rng.choice(PRODUCTS)} sync finished",
        ]
    }
    return _page("logs", n, data, [lower, approver])


def _table(w: _Writer, n: int) -> Page:
    people = [w.latin_person() for _ in range(3)]
    rows = ["last_name;first_name;city;employer"]
    names = []
    for p in people:
        rows.append(f"{p.last};{p.first};{w.rng.choice(PLACES)};{w.decoy()}")
        names.extend([p.last, p.first])
    data = {"csv": "\n".join(rows), "rows": len(people)}
    return _page("table", n, data, names)


def _team(w: _Writer, n: int) -> Page:
    people = [w.latin_person() for _ in range(3)]
    names = [f"{p.first} {p.last}" for p in people]
    roles = ("CTO", "CFO", "Head of Sales")
    members = ", ".join(f"{name} ({role})" for name, role in zip(names, roles, strict=True))
    data = {
        "about": f"Founded in {w.rng.choice(PLACES)}. Our team: {members}. Partners: {w.decoy()}."
    }
    return _page("team", n, data, names)


def _letter(w: _Writer, n: int) -> Page:
    p, q = w.latin_person(), w.latin_person()
    title = w.rng.choice(("Mr.", "Ms.", "Dr.", "Mrs."))
    signer = f"{q.first} {q.last}"
    data = {
        "subject": f"Your {w.decoy()} card",
        "body": f"Dear {p.first} {p.last}, your card ending {w.rng.randint(1000, 9999)} "
        "was charged. "
        f"As {title} {p.last} requested, the statement follows.",
        "signature": f"Kind regards,\n{signer}\n{w.decoy()}",
    }
    return _page("letter", n, data, [f"{p.first} {p.last}", p.last, signer])


def _review(w: _Writer, n: int) -> Page:
    p = w.latin_person()
    short = f"{p.first} {p.last[0]}."
    data = {
        "product": w.rng.choice(PRODUCTS),
        "review": f"Bought it at {w.decoy()} in {w.rng.choice(PLACES)}. Five stars.",
        "reviewer": f"Review by {short}",
    }
    return _page("review", n, data, [short])


def _ru_comment(w: _Writer, n: int) -> Page:
    a, b = w.russian_person(), w.russian_person()
    name_a = w.spell(a, case=w.case())
    name_b = w.spell(b)
    data = {
        "comments": [
            {
                "meta": f"Комментарий от {name_a} (IP {w.ip()})",
                "text": f"Был в {w.decoy(True)}, всё понравилось.",
            },
            {"meta": f"Автор: {name_b}", "text": f"Согласен. Работаю в {w.decoy(True)}."},
        ]
    }
    return _page("ru-forum", n, data, [name_a, name_b])


def _ru_profile(w: _Writer, n: int) -> Page:
    p = w.russian_person()
    full = f"{p.last} {p.first} {p.middle}"
    name = full.upper() if w.rng.random() < 0.5 else full
    latin = f"{translit(p.last)}, {translit(p.first)}"
    data = {
        "фио": name,
        "latin_name": latin,
        "о_себе": f"Живу в городе {w.decoy(True)}, работаю в {w.decoy(True)}.",
    }
    return _page("ru-profile", n, data, [name, latin])


def _ru_ad(w: _Writer, n: int) -> Page:
    p, q = w.russian_person(), w.russian_person()
    seller = w.spell(p, case=w.case())
    addressee = f"{q.first} {q.middle}"
    data = {
        "заголовок": f"Продам {w.rng.choice(PRODUCTS)}",
        "текст": f"Самовывоз: {w.decoy(True)}. Продавец: {seller}. Звонить после 18:00.",
        "письмо": f"Уважаемый(ая) {addressee}, ваш заказ готов.",
    }
    return _page("ru-ads", n, data, [seller, addressee])


KINDS: Final[tuple[_Kind, ...]] = (
    _profile,
    _ad,
    _forum,
    _invoice,
    _log,
    _table,
    _team,
    _letter,
    _review,
    _ru_comment,
    _ru_profile,
    _ru_ad,
)


def generate_pages(count: int, seed: int = 11) -> Iterator[Page]:
    """``count`` page records of every kind in turn, the same for the same seed."""
    writer = _Writer(random.Random(seed))
    for n in range(count):
        yield KINDS[n % len(KINDS)](writer, n)
