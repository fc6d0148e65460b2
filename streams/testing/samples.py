"""Synthetic scraped records for the demo, the tests and the benchmarks.

Every personal value is generated (names from short lists, phone numbers in unused-looking
ranges, card numbers that pass Luhn with test prefixes); none belongs to a real person. Each
record comes with the personal values planted in it, so a test can check that none survives.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from recognizers.checksums import luhn_valid
from recognizers.ru import inn, ogrn, ogrnip, snils
from recognizers.ru.bank_account import calc_key
from recognizers.ru.oms import oms_check_digit

EN_FIRST = (
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Thomas",
    "Jessica",
    "Daniel",
    "Sarah",
    "Matthew",
    "Karen",
    "Anthony",
    "Emily",
    "Mark",
    "Olivia",
    "Steven",
    "Sophia",
)
EN_LAST = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Martin",
    "Jackson",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
)
# (male first, female first) and (male surname, female surname)
RU_FIRST = (
    ("Александр", "Анна"),
    ("Дмитрий", "Мария"),
    ("Сергей", "Елена"),
    ("Андрей", "Ольга"),
    ("Алексей", "Татьяна"),
    ("Михаил", "Наталья"),
    ("Иван", "Ирина"),
    ("Николай", "Светлана"),
    ("Павел", "Екатерина"),
    ("Владимир", "Юлия"),
    ("Евгений", "Марина"),
    ("Максим", "Дарья"),
)
RU_LAST = (
    ("Иванов", "Иванова"),
    ("Смирнов", "Смирнова"),
    ("Кузнецов", "Кузнецова"),
    ("Попов", "Попова"),
    ("Васильев", "Васильева"),
    ("Петров", "Петрова"),
    ("Соколов", "Соколова"),
    ("Михайлов", "Михайлова"),
    ("Новиков", "Новикова"),
    ("Фёдоров", "Фёдорова"),
    ("Морозов", "Морозова"),
    ("Волков", "Волкова"),
)
RU_PATRONYMIC = (
    ("Александрович", "Александровна"),
    ("Сергеевич", "Сергеевна"),
    ("Иванович", "Ивановна"),
    ("Петрович", "Петровна"),
    ("Николаевич", "Николаевна"),
    ("Андреевич", "Андреевна"),
)
_TRANSLIT = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "y",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "sch",
        "ы": "y",
        "э": "e",
        "ю": "yu",
        "я": "ya",
        "ь": "",
        "ъ": "",
    }
)
EN_DOMAINS = ("example.com", "example.org", "mail.example.net", "test.example.co.uk")
RU_DOMAINS = ("example.ru", "почта.example.рф", "mail.example.ru", "yandex.example.ru")
EN_CITIES = ("Springfield", "Riverton", "Lakeside", "Fairview", "Greenville")
RU_CITIES = ("Москве", "Казани", "Новосибирске", "Екатеринбурге", "Самаре")
PRODUCTS_EN = (
    "Vintage oak bookshelf, 5 shelves, 180 cm tall",
    "Road bike, aluminium frame, 21 speeds, size M",
    "Used laptop, 16 GB RAM, 512 GB SSD, battery holds 6 hours",
    "Set of 4 dining chairs, walnut finish",
)
PRODUCTS_RU = (
    "Диван угловой, раскладной, состояние отличное",
    "Холодильник двухкамерный, 180 см, гарантия до 2027 года",
    "Детская коляска 3 в 1, серая, все комплектующие",
    "Велосипед горный, рама 19 дюймов, 24 скорости",
)


@dataclass
class Sample:
    """One generated record and the personal values planted in it."""

    record: dict[str, Any]
    #: ``(entity type, value)`` of every value planted in the record
    planted: list[tuple[str, str]] = field(default_factory=list)
    #: planted values that are not personal data and that the built-in policy keeps (an
    #: organisation's ИНН and ОГРН): detected, but allowed on the clean topic
    public: frozenset[str] = frozenset()

    @property
    def canaries(self) -> list[str]:
        """Values found by patterns and checksums that must never reach the clean topic."""
        return [
            value
            for entity, value in self.planted
            if entity != "PERSON" and value not in self.public
        ]

    @property
    def names(self) -> list[str]:
        """Planted names (found by NER models, which are statistical)."""
        return [value for entity, value in self.planted if entity == "PERSON"]


def _card(rng: random.Random) -> str:
    prefix = rng.choice(("4", "51", "55", "2200", "2201"))
    while True:
        body = prefix + "".join(str(rng.randrange(10)) for _ in range(15 - len(prefix)))
        for check in "0123456789":
            if luhn_valid(body + check):
                digits = body + check
                return " ".join(digits[i : i + 4] for i in range(0, 16, 4))


def _ru_phone(rng: random.Random) -> str:
    code = rng.choice(("916", "903", "925", "985", "999", "912"))
    a, b, c = rng.randrange(100, 1000), rng.randrange(10, 100), rng.randrange(10, 100)
    style = rng.randrange(4)
    if style == 0:
        return f"+7 ({code}) {a}-{b:02d}-{c:02d}"
    if style == 1:
        return f"8 {code} {a} {b:02d} {c:02d}"
    if style == 2:
        return f"+7{code}{a}{b:02d}{c:02d}"
    return f"8({code}){a}-{b:02d}-{c:02d}"


def _en_phone(rng: random.Random) -> str:
    area = rng.choice(("212", "415", "617", "312", "503"))
    a, b = rng.randrange(200, 1000), rng.randrange(1000, 10000)
    style = rng.randrange(3)
    if style == 0:
        return f"({area}) {a}-{b}"
    if style == 1:
        return f"+1 {area} {a} {b}"
    return f"+44 20 7946 {rng.randrange(1000, 10000)}"


def _ipv4(rng: random.Random) -> str:
    first = rng.choice((10, 172, 192, 203))
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _ipv6(rng: random.Random) -> str:
    return (
        "2001:db8:"
        + ":".join(f"{rng.randrange(65536):x}" for _ in range(3))
        + "::"
        + f"{rng.randrange(1, 65536):x}"
    )


def _ru_person(rng: random.Random) -> tuple[str, str, str, str]:
    """(full name, surname, first name, email local part)."""
    female = rng.random() < 0.5
    first = rng.choice(RU_FIRST)[female]
    last = rng.choice(RU_LAST)[female]
    patronymic = rng.choice(RU_PATRONYMIC)[female]
    local = f"{first.lower().translate(_TRANSLIT)}.{last.lower().translate(_TRANSLIT)}"
    return f"{last} {first} {patronymic}", last, first, local


def _en_person(rng: random.Random) -> tuple[str, str, str, str]:
    first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
    return f"{first} {last}", last, first, f"{first.lower()}.{last.lower()}{rng.randrange(100)}"


def _profile_en(rng: random.Random, n: int) -> Sample:
    name, _last, first, local = _en_person(rng)
    email = f"{local}@{rng.choice(EN_DOMAINS)}"
    phone = _en_phone(rng)
    ip = _ipv4(rng)
    bio = (
        f"Hi, I'm {name}, a photographer based in {rng.choice(EN_CITIES)}. "
        f"Write to {email} or call {phone} for bookings."
    )
    record = {
        "id": f"profile-en-{n}",
        "source": f"https://social.example.com/u/{n}",
        "scraped_at": "2026-11-20T08:15:00Z",
        "lang": "en",
        "data": {
            "author": {"name": name, "handle": f"@{first.lower()}{n}"},
            "bio": bio,
            "last_login_ip": ip,
            "followers": rng.randrange(10, 5000),
        },
    }
    return Sample(
        record,
        [("EMAIL_ADDRESS", email), ("PHONE_NUMBER", phone), ("IP_ADDRESS", ip), ("PERSON", name)],
    )


def _profile_ru(rng: random.Random, n: int) -> Sample:
    name, last, first, local = _ru_person(rng)
    email = f"{local}@{rng.choice(RU_DOMAINS)}"
    phone = _ru_phone(rng)
    record = {
        "id": f"profile-ru-{n}",
        "source": f"https://vk.example.ru/id{n}",
        "scraped_at": "2026-11-20T09:40:00+03:00",
        "lang": "ru",
        "data": {
            "author": {"name": name},
            "about": (
                f"Меня зовут {first} {last}, живу в {rng.choice(RU_CITIES)}. "
                f"Пишите на {email}, тел. {phone}."
            ),
            "city": rng.choice(RU_CITIES),
        },
    }
    return Sample(record, [("EMAIL_ADDRESS", email), ("PHONE_NUMBER", phone), ("PERSON", name)])


def _ad_ru(rng: random.Random, n: int) -> Sample:
    _name, last, first, _local = _ru_person(rng)
    phone = _ru_phone(rng)
    price = rng.randrange(1, 200) * 500
    record = {
        "id": f"ad-ru-{n}",
        "source": f"https://board.example.ru/ads/{100000 + n}",
        "scraped_at": "2026-11-19T17:05:12Z",
        "data": {
            "title": rng.choice(PRODUCTS_RU),
            "price": f"{price:,} ₽".replace(",", " "),
            "seller": f"{first} {last[0]}.",
            "contact": f"Звонить {phone}, {first}" if rng.random() < 0.5 else phone,
            "sku": f"SKU-{rng.randrange(10**6, 10**7)}",
        },
    }
    return Sample(record, [("PHONE_NUMBER", phone), ("PERSON", f"{first} {last[0]}.")])


def _ad_en(rng: random.Random, n: int) -> Sample:
    price = rng.randrange(20, 2000)
    record = {
        "id": f"ad-en-{n}",
        "source": f"https://classifieds.example.com/item/{n}",
        "scraped_at": "2026-11-19T12:00:00Z",
        "lang": "en",
        "data": {
            "title": rng.choice(PRODUCTS_EN),
            "price": f"${price}.00",
            "posted": "2026-11-18",
            "order_ref": f"Order #{rng.randrange(10**7, 10**8)}",
            "views": rng.randrange(1000),
        },
    }
    return Sample(record, [])


def _comments(rng: random.Random, n: int) -> Sample:
    en_name, _, _, en_local = _en_person(rng)
    ru_name, _, _, _ = _ru_person(rng)
    card = _card(rng)
    ip6 = _ipv6(rng)
    email = f"{en_local}@{rng.choice(EN_DOMAINS)}"
    record = {
        "id": f"thread-{n}",
        "source": f"https://forum.example.com/t/{n}",
        "scraped_at": "2026-11-18T21:30:00Z",
        "data": {
            "thread": "Refund problems with the shop",
            "comments": [
                {"user": "guest", "text": f"{en_name} said the refund went to card {card}."},
                {"user": "moderator", "text": "Please do not post card numbers here."},
                {"user": "anon", "text": f"Спасибо, {ru_name} уже ответил мне в личке."},
                {"user": "anon2", "text": f"My mail is {email}, last seen from {ip6}"},
            ],
            "tags": ["refund", "shop", "2026"],
        },
    }
    return Sample(
        record,
        [
            ("CREDIT_CARD", card),
            ("IP_ADDRESS", ip6),
            ("EMAIL_ADDRESS", email),
            ("PERSON", en_name),
            ("PERSON", ru_name),
        ],
    )


def _page_clean(rng: random.Random, n: int) -> Sample:
    record = {
        "id": f"page-{n}",
        "source": f"https://news.example.org/{2026}/11/{n}",
        "scraped_at": "2026-11-17T06:00:00Z",
        "data": {
            "headline": "City council approves new bike lanes",
            "body": (
                "The council voted 7 to 2 on Tuesday to add 12 km of protected lanes. "
                f"Construction starts in March 2027 and will cost about {rng.randrange(2, 9)}.5 "
                "million. Version 2.3.1 of the city app shows the planned routes."
            ),
            "word_count": rng.randrange(200, 900),
        },
    }
    return Sample(record, [])


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(count))


def _luhn_complete(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


_REGIONS = ("77", "78", "50", "52", "66", "54")
#: A real bank's public БИК (a bank identifier, not personal data), so account keys check out.
SAMPLE_BIK = "044525225"


def _inn_organisation(rng: random.Random) -> str:
    body = rng.choice(_REGIONS) + _digits(rng, 7)
    return body + inn.calc_check_digits(body)


def _inn_person(rng: random.Random) -> str:
    body = rng.choice(_REGIONS) + _digits(rng, 8)
    return body + inn.calc_check_digits(body)


def _ogrn(rng: random.Random) -> str:
    body = "1" + f"{rng.randrange(3, 25):02d}" + rng.choice(_REGIONS) + _digits(rng, 7)
    return body + ogrn.calc_check_digit(body)


def _ogrnip(rng: random.Random) -> str:
    body = "3" + f"{rng.randrange(4, 25):02d}" + rng.choice(_REGIONS) + _digits(rng, 9)
    return body + ogrnip.calc_check_digit(body)


def _snils(rng: random.Random) -> str:
    body = f"{rng.randrange(2_000_000, 999_999_999):09d}"
    return f"{body[:3]}-{body[3:6]}-{body[6:]} {snils.calc_checksum(body)}"


def _passport(rng: random.Random) -> str:
    series = f"{rng.randrange(1, 99):02d}{rng.choice(('03', '07', '10', '14', '18', '21'))}"
    return f"{series[:2]} {series[2:]} {_digits(rng, 6)}"


def _oms(rng: random.Random) -> str:
    body = str(rng.randrange(1, 10)) + _digits(rng, 14)
    return body + oms_check_digit(body)


def _bank_account(rng: random.Random) -> str:
    account = "40817810" + "0" + _digits(rng, 11)
    return account[:8] + calc_key(account, SAMPLE_BIK) + account[9:]


def _driver_license(rng: random.Random) -> str:
    return f"{rng.choice(_REGIONS)} {rng.randrange(10, 40)} {_digits(rng, 6)}"


def _imei(rng: random.Random) -> str:
    return _luhn_complete("35" + _digits(rng, 12))


def _mac(rng: random.Random) -> str:
    octets = [rng.randrange(256) for _ in range(6)]
    octets[0] = 0xA0 | (octets[0] & 0x0E)  # a hex letter up front, unicast
    return ":".join(f"{octet:02X}" for octet in octets)


def _geo(rng: random.Random) -> str:
    return f"{rng.uniform(43.0, 69.0):.5f}, {rng.uniform(28.0, 140.0):.5f}"


def _company_ru(rng: random.Random, n: int) -> Sample:
    name, _last, _first, _local = _ru_person(rng)
    org_inn, org_ogrn, account = _inn_organisation(rng), _ogrn(rng), _bank_account(rng)
    record = {
        "id": f"company-ru-{n}",
        "source": f"https://companies.example.ru/org/{n}",
        "scraped_at": "2026-11-16T11:20:00+03:00",
        "lang": "ru",
        "data": {
            "name": "ООО «Северный ветер»",
            "requisites": f"ИНН {org_inn}, КПП {org_inn[:4]}01001, ОГРН {org_ogrn}",
            "bank": f"р/с {account} в ПАО «Банк», БИК {SAMPLE_BIK}",
            "director": f"Генеральный директор {name}",
            "founded": "2014-05-12",
        },
    }
    return Sample(
        record,
        [
            ("RU_INN", org_inn),
            ("RU_OGRN", org_ogrn),
            ("RU_BANK_ACCOUNT", account),
            ("PERSON", name),
        ],
        public=frozenset({org_inn, org_ogrn}),
    )


def _questionnaire_ru(rng: random.Random, n: int) -> Sample:
    name, _last, _first, _local = _ru_person(rng)
    values = {
        "RU_PASSPORT": _passport(rng),
        "RU_SNILS": _snils(rng),
        "RU_INN": _inn_person(rng),
        "RU_OMS": _oms(rng),
        "RU_DRIVER_LICENSE": _driver_license(rng),
        "IMEI": _imei(rng),
        "MAC_ADDRESS": _mac(rng),
        "GEO_COORDINATES": _geo(rng),
    }
    record = {
        "id": f"form-ru-{n}",
        "source": f"https://jobs.example.ru/resume/{n}",
        "scraped_at": "2026-11-15T14:45:00+03:00",
        "lang": "ru",
        "data": {
            "fio": name,
            "documents": {
                "passport": f"Паспорт серия {values['RU_PASSPORT']}, выдан ОВД района",
                "snils": f"СНИЛС {values['RU_SNILS']}",
                "inn": f"ИНН {values['RU_INN']}",
                "oms": f"Полис ОМС {values['RU_OMS']}",
                "license": f"Водительское удостоверение {values['RU_DRIVER_LICENSE']}",
            },
            "device": f"IMEI {values['IMEI']}, MAC-адрес {values['MAC_ADDRESS']}",
            "location": f"Координаты: {values['GEO_COORDINATES']}",
        },
    }
    return Sample(record, [*values.items(), ("PERSON", name)])


def _entrepreneur_ru(rng: random.Random, n: int) -> Sample:
    name, _last, _first, _local = _ru_person(rng)
    ip_ogrnip, ip_inn = _ogrnip(rng), _inn_person(rng)
    record = {
        "id": f"seller-ru-{n}",
        "source": f"https://market.example.ru/seller/{n}",
        "data": {
            "seller": f"ИП {name}",
            "legal": f"ОГРНИП {ip_ogrnip}, ИНН {ip_inn}",
            "rating": round(rng.uniform(3.0, 5.0), 1),
        },
    }
    return Sample(record, [("RU_OGRNIP", ip_ogrnip), ("RU_INN", ip_inn), ("PERSON", name)])


def _order_ru(rng: random.Random, n: int) -> Sample:
    """Numbers that look like identifiers and are not: nothing here is personal data."""
    record = {
        "id": f"order-ru-{n}",
        "source": f"https://shop.example.ru/orders/{n}",
        "data": {
            "order": f"Заказ № {rng.randrange(10**9, 10**10)} от 12.03.2026",
            "tracking": f"Трек-номер {_digits(rng, 14)}",
            "sku": f"Артикул {_digits(rng, 13)}",
            "total": f"Сумма {rng.randrange(1, 99)} {rng.randrange(100, 999)} ₽",
            "app": f"версия приложения 4.{rng.randrange(20)}.{rng.randrange(10)}",
            "created": str(1_700_000_000 + rng.randrange(10**7)),
        },
    }
    return Sample(record, [])


_KINDS = (
    _profile_en,
    _profile_ru,
    _ad_ru,
    _ad_en,
    _comments,
    _page_clean,
    _company_ru,
    _questionnaire_ru,
    _entrepreneur_ru,
    _order_ru,
)


def generate(count: int, seed: int = 7, *, min_chars: int = 0) -> Iterator[Sample]:
    """``count`` records of mixed kinds, the same for the same seed.

    With ``min_chars``, a record whose JSON is shorter than that many characters gets a
    ``data.related`` list holding the ``data`` of further generated records (a page with its
    linked profiles, ads and threads) until it is not; their planted values join the record's.
    The records without ``min_chars`` are unchanged by it.
    """
    rng = random.Random(seed)
    extra = random.Random(seed + 1_000_003)
    for n in range(count):
        sample = _KINDS[n % len(_KINDS)](rng, n)
        if min_chars:
            sample = _pad(sample, min_chars, extra, n)
        yield sample


def _pad(sample: Sample, min_chars: int, rng: random.Random, n: int) -> Sample:
    """``sample`` with ``data.related`` grown until its JSON has ``min_chars`` characters."""
    record = dict(sample.record, data=dict(sample.record["data"]))
    planted = list(sample.planted)
    public = set(sample.public)
    related: list[dict[str, Any]] = []
    while len(json.dumps(record, ensure_ascii=False, separators=(",", ":"))) < min_chars:
        kind = rng.randrange(len(_KINDS))
        extra = _KINDS[kind](rng, n * 100 + len(related))
        related.append(extra.record["data"])
        record["data"]["related"] = related
        planted.extend(extra.planted)
        public.update(extra.public)
    return Sample(record, planted, frozenset(public))


#: Consent statements by the state they give on 2026-11-21 (see :mod:`streams.core.consent`).
CONSENTS: dict[str, dict[str, Any] | None] = {
    "distribution": {
        "status": "granted",
        "scope": ["processing", "distribution"],
        "purposes": ["publication"],
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": "2030-01-01T00:00:00Z",
        "jurisdiction": "RU",
        "evidence": "consent-form-signed",
    },
    "processing": {
        "status": "granted",
        "scope": ["processing"],
        "purposes": ["research"],
        "valid_from": "2026-01-01T00:00:00Z",
        "jurisdiction": "RU",
    },
    "expired": {
        "status": "granted",
        "scope": ["processing", "distribution"],
        "valid_from": "2024-01-01T00:00:00Z",
        "valid_until": "2025-01-01T00:00:00Z",
        "jurisdiction": "EU",
    },
    "withdrawn": {
        "status": "withdrawn",
        "scope": ["processing"],
        "withdrawn_at": "2026-06-01T00:00:00Z",
        "jurisdiction": "RU",
    },
    "none": None,
}


def consent_samples(count: int, seed: int = 11) -> Iterator[Sample]:
    """Russian profiles of ``count`` people, each with a ``subject_ref`` and one of the
    :data:`CONSENTS` in turn, whose consent carries the subject's ``identity`` (name, e-mail,
    phone), and a comment by somebody else, a third party nobody asked. ``planted`` lists
    only what the built-in policy must hide for that consent: with consent to distribute, the
    subject's name and e-mail are kept and the phone is masked (its last digits stay visible,
    never the whole number); the commenter's name and phone are always hidden."""
    rng = random.Random(seed)
    states = list(CONSENTS)
    for n in range(count):
        state = states[n % len(states)]
        sample = _profile_ru(rng, n)
        record = dict(sample.record, id=f"consent-{state}-{n}", subject_ref=f"vk:{100000 + n}")
        other = random.Random(seed * 7919 + n)  # the commenter: leaves the profiles as they were
        other_name, _last, _first, _local = _ru_person(other)
        other_phone = _ru_phone(other)
        record["data"] = {
            **record["data"],
            "comments": [
                {"author": other_name, "text": f"Отличный профиль! Мой номер {other_phone}"}
            ],
        }
        consent = CONSENTS[state]
        if consent is not None:
            identity: dict[str, list[str]] = {}
            for entity, value in sample.planted:
                identity.setdefault(entity, []).append(value)
            record["consent"] = {**consent, "identity": identity}
        planted = sample.planted
        if state == "distribution":
            planted = [(e, v) for e, v in planted if e == "PHONE_NUMBER"]
        planted = [*planted, ("PERSON", other_name), ("PHONE_NUMBER", other_phone)]
        yield Sample(record, planted)


#: Messages that are not valid records, with the dead-letter reason each must get.
MALFORMED: tuple[tuple[bytes, str], ...] = (
    (b'{"id": "broken-1", "source": "https://x.example", "data": {', "not_json"),
    (b'{"source": "https://x.example", "data": {}}', "missing_field"),
    (b'["a", "list", "not", "an", "object"]', "not_object"),
    (b'{"id": "bad-utf8", "source": "https://x.example", "data": {"t": "\xff\xfe"}}', "not_utf8"),
    (b'{"id": 42, "source": "https://x.example", "data": {}}', "bad_field"),
)
