"""Recall, precision and flagged decoys for the types of issue 19 (addresses, dates of birth,
handles, profile URLs, IBAN, US and UK identifiers, wallets, advertising ids).

Run ``python -m benchmarks.accuracy_pages [--output results.json] [--seed N] [--per-type N]``.
Two datasets, scored as :mod:`benchmarks.accuracy` scores (a gold mention is recalled when a
prediction of its type overlaps it; precision over predictions):

``presidio-research``
    ``synth_dataset_v2.json``: its ``STREET_ADDRESS`` spans scored as ``ADDRESS``,
    ``IBAN_CODE`` and ``US_SSN`` as themselves, and its ``DATE_TIME`` spans that have a birth
    cue in the same sentence (``She was born on 2/8/1935``, ``your date of birth. It's
    6/24/1991``; the cue is this benchmark's reading, not the dataset's label) as
    ``DATE_OF_BIRTH``. Every other ``DATE_TIME`` span is an ordinary date: a
    ``DATE_OF_BIRTH`` found on one is a false positive (``fp_other``).
``pages``
    Strings written the way scraped pages carry these values (profile cards, order forms,
    comments, JSON fields, e-mail signatures, in Russian and English), each holding one planted
    value, generated with valid checksums from ``--seed``; and as many decoys holding none:
    ordinary dates, shop opening hours, order and ticket numbers, a site's non-profile URLs,
    company addresses in signatures, UUIDs of requests, code with decorators. Precision is
    reported; ``decoys`` counts predictions on decoy strings.
``held-out``
    Strings written by hand in other phrasings than the templates (:data:`HELD_OUT`), and more
    decoys: a check that the templates did not teach the patterns.

The engine is :func:`recognizers.registry.build_detector` without the name models (no type
scored here comes from them), findings scored below 0.4 dropped, raw findings (before the
pipeline merges overlapping ones).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import string
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from stdnum import iban as stdnum_iban
from stdnum.gb import nhs as stdnum_nhs

from benchmarks.accuracy import (
    DEFAULT_DATA_DIR,
    DEFAULT_MIN_SCORE,
    PAGE_TYPES,
    Case,
    Dataset,
    Engine,
    Mention,
    PiiredactEngine,
    PresidioEngine,
    Row,
    build_presidio_analyzer,
    score,
)
from recognizers.generic.crypto import eip55_checksum
from recognizers.registry import build_detector

PAGES: Final = "pages"
PRESIDIO_RESEARCH: Final = "presidio-research"
#: presidio-research gold type -> ours.
PRESIDIO_TYPES: Final = {"STREET_ADDRESS": "ADDRESS", "IBAN_CODE": "IBAN_CODE", "US_SSN": "US_SSN"}
PRESIDIO_SCORED: Final = ("ADDRESS", "IBAN_CODE", "US_SSN", "DATE_OF_BIRTH")
#: The types plain Presidio has a recognizer for (its rows for the others would be all zero).
PRESIDIO_HAS: Final = frozenset(
    {"IBAN_CODE", "US_SSN", "US_ITIN", "US_PASSPORT", "UK_NHS", "CRYPTO"}
)
_BIRTH_CUE: Final = re.compile(r"born|birth|\bdob\b", re.IGNORECASE)

# --- synthetic values ------------------------------------------------------------------------

_B58: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(count))


def make_iban(rng: random.Random, country: str, bban: str) -> str:
    """An IBAN of ``country`` with ``bban`` and its computed check digits."""
    check = stdnum_iban.calc_check_digits(country + "00" + bban)
    return country + check + bban


def iban(rng: random.Random) -> str:
    country, layout = rng.choice(
        [("DE", "n18"), ("GB", "a4n14"), ("FR", "n23"), ("NL", "a4n10"), ("ES", "n20")]
    )
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
    if layout.startswith("a4"):
        bban = letters + _digits(rng, int(layout[3:]))
    else:
        bban = _digits(rng, int(layout[1:]))
    if country == "FR":
        bban = _french_bban(bban)
    number = make_iban(rng, country, bban)
    if not stdnum_iban.is_valid(number):
        return iban(rng)
    if rng.random() < 0.5:
        return " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    return number


def _french_bban(bban: str) -> str:
    """A French BBAN with its RIB key (the last two digits), which stdnum checks."""
    body = bban[:21]
    key = 97 - (89 * int(body[:5]) + 15 * int(body[5:10]) + 3 * int(body[10:21])) % 97
    return body + f"{key:02d}"


def ssn(rng: random.Random) -> str:
    while True:
        area = rng.randrange(1, 900)
        if area != 666:
            break
    return f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"


def itin(rng: random.Random) -> str:
    group = rng.choice([g for g in range(70, 100) if g not in (89, 93)])
    return f"9{rng.randrange(100):02d}-{group:02d}-{rng.randrange(10000):04d}"


def nhs(rng: random.Random) -> str:
    while True:
        body = _digits(rng, 9)
        check = stdnum_nhs.checksum(body + "0")  # the sum with a zero check digit
        digit = (11 - check) % 11
        if digit < 10:
            number = body + str(digit)
            if stdnum_nhs.is_valid(number):
                return f"{number[:3]} {number[3:6]} {number[6:]}"


def passport(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(string.ascii_uppercase) + _digits(rng, 8)
    return str(rng.randrange(1, 10)) + _digits(rng, 8)


def _b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def _polymod(values: list[int]) -> int:
    generators = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(generators):
            if (top >> i) & 1:
                checksum ^= generator
    return checksum


def _bits(data: bytes) -> list[int]:
    acc = bits = 0
    out = []
    for byte in data:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append((acc >> bits) & 31)
    if bits:
        out.append((acc << (5 - bits)) & 31)
    return out


def segwit(version: int, program: bytes) -> str:
    """A ``bc1`` address (BIP-173 / BIP-350 encoder, written from the specifications)."""
    data = [version, *_bits(program)]
    hrp = [ord(ch) >> 5 for ch in "bc"] + [0] + [ord(ch) & 31 for ch in "bc"]
    constant = 1 if version == 0 else 0x2BC830A3
    polymod = _polymod(hrp + data + [0] * 6) ^ constant
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return "bc1" + "".join(_BECH32[d] for d in data + checksum)


def crypto(rng: random.Random) -> str:
    kind = rng.randrange(4)
    payload = bytes(rng.randrange(256) for _ in range(20))
    if kind == 0:
        raw = bytes([rng.choice([0, 5])]) + payload
        return _b58encode(raw + hashlib.sha256(hashlib.sha256(raw).digest()).digest()[:4])
    if kind == 1:
        return segwit(0, payload)
    if kind == 2:
        return segwit(1, payload + bytes(rng.randrange(256) for _ in range(12)))
    return "0x" + eip55_checksum(payload.hex())


def uuid(rng: random.Random) -> str:
    raw = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    text = f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-a{raw[17:20]}-{raw[20:]}"
    return text.upper() if rng.random() < 0.5 else text


_FIRST: Final = ("ivan", "olga", "irina", "maria", "john", "emma", "liam", "sofia", "alex")
_LAST: Final = ("petrov", "smirnova", "gomez", "smith", "brown", "ivanova", "kuznetsov")


def handle(rng: random.Random) -> str:
    name = rng.choice(_FIRST) + rng.choice(["", "_", "."]) + rng.choice(_LAST)
    return name + (str(rng.randrange(100)) if rng.random() < 0.5 else "")


_RU_MONTHS: Final = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
                     "сентября", "октября", "ноября", "декабря")  # fmt: skip
_EN_MONTHS: Final = ("January", "February", "March", "April", "May", "June", "July", "August",
                     "September", "October", "November", "December")  # fmt: skip


def birth_date(rng: random.Random) -> str:
    year, month, day = rng.randrange(1940, 2008), rng.randrange(1, 13), rng.randrange(1, 29)
    return rng.choice(
        [
            f"{day:02d}.{month:02d}.{year}",
            f"{year}-{month:02d}-{day:02d}",
            f"{day} {_RU_MONTHS[month - 1]} {year}",
            f"{_EN_MONTHS[month - 1]} {day}, {year}",
            f"{day} {_EN_MONTHS[month - 1]} {year}",
            f"{month}/{day}/{year}",
        ]
    )


_RU_CITIES: Final = ("Москва", "Санкт-Петербург", "Казань", "Новосибирск", "Екатеринбург")
_RU_STREETS: Final = ("ул. Тверская", "ул. Ленина", "пр-т Мира", "Невский пр.", "ул. 8 Марта",
                      "пер. Кривоколенный", "ул. Маршала Жукова", "Ленинский проспект",
                      "ул. Садовая-Кудринская", "б-р Яна Райниса", "наб. реки Фонтанки",
                      "ш. Энтузиастов")  # fmt: skip
_EN_STREETS: Final = ("Main St", "Oak Avenue", "Elm Street", "Whitchurch Road",
                      "Sunset Blvd", "Maple Drive", "Church Lane", "Park Road", "Highland Ave",
                      "Baker Street")  # fmt: skip
_EN_PLACES: Final = ("Springfield, IL 62704", "London NW1 6XE", "Austin, TX 78701",
                     "Toronto, ON M5V 2T6", "Leeds LS1 4AP", "Denver, CO 80202")  # fmt: skip


def ru_address(rng: random.Random) -> str:
    parts = []
    if rng.random() < 0.4:
        parts.append(f"{rng.randrange(101000, 690000)}")
    parts.append(f"г. {rng.choice(_RU_CITIES)}")
    parts.append(rng.choice(_RU_STREETS))
    house = f"д. {rng.randrange(1, 200)}" if rng.random() < 0.6 else str(rng.randrange(1, 200))
    if rng.random() < 0.3:
        house += f", корп. {rng.randrange(1, 5)}"
    parts.append(house)
    if rng.random() < 0.7:
        parts.append(f"кв. {rng.randrange(1, 400)}")
    return ", ".join(parts)


def en_address(rng: random.Random) -> str:
    text = f"{rng.randrange(1, 9999)} {rng.choice(_EN_STREETS)}"
    if rng.random() < 0.4:
        text += f", Apt {rng.randrange(1, 99)}"
    if rng.random() < 0.7:
        text += f", {rng.choice(_EN_PLACES)}"
    return text


def profile_url(rng: random.Random) -> str:
    name = handle(rng)
    site = rng.choice(
        [
            "https://vk.com/{}",
            "https://t.me/{}",
            "https://www.instagram.com/{}/",
            "https://facebook.com/{}",
            "https://x.com/{}",
            "https://twitter.com/{}",
            "https://www.linkedin.com/in/{}",
            "https://github.com/{}",
            "https://www.tiktok.com/@{}",
            "https://www.youtube.com/@{}",
            "https://habr.com/ru/users/{}/",
            "vk.com/{}",
            "https://ok.ru/profile/5{}",
        ]
    )
    return site.format(name.replace(".", "_") if "t.me" in site else name).replace(
        "profile/5" + name, "profile/5" + _digits(rng, 11)
    )


# --- the page corpus -------------------------------------------------------------------------

Template = tuple[str, Callable[[random.Random], str], tuple[str, ...]]

TEMPLATES: Final[tuple[Template, ...]] = (
    ("IBAN_CODE", iban, ("IBAN {}", "Реквизиты для перевода: IBAN {}, BIC COBADEFFXXX",
                         "Please wire the deposit to {} (Deutsche Bank).", "iban: {}",
                         '{{"payout": {{"iban": "{}"}}}}', "Счёт получателя {}")),
    ("US_SSN", ssn, ("SSN {}", "Social Security No.: {}", "my ssn is {} thanks",
                     "Applicant SSN: {} DOB on file", "SSN#{}", "{} (social security)")),
    ("US_ITIN", itin, ("ITIN: {}", "Individual Taxpayer Identification Number {}",
                       "TIN {} (ITIN issued by the IRS)")),
    ("US_PASSPORT", passport, ("US passport number {}", "Passport No. {}",
                               "passport: {} (United States)", "Номер загранпаспорта США {}")),
    ("UK_NHS", nhs, ("NHS number: {}", "Patient NHS No {}", "NHS {} — GP surgery Leeds")),
    ("CRYPTO", crypto, ("Donate BTC: {}", "ETH wallet {}", "Send to {} please",
                        "Кошелёк для донатов: {}", '{{"wallet": "{}"}}')),
    ("ADVERTISING_ID", uuid, ("idfa={}", "IDFA: {}", "GAID {}", "advertising_id: {}",
                              '"advertisingId": "{}"', "рекламный идентификатор {}")),
    ("DATE_OF_BIRTH", birth_date, ("DOB: {}", "Дата рождения: {}", "Born {} in Kazan",
                                   "д.р. {}", "родилась {}", "Date of birth {}",
                                   "birthday: {}", "Родился {} в Москве")),
    ("USERNAME", lambda rng: "@" + handle(rng), ("Follow me {}", "{}", "Telegram: {}",
                                                 "Пишите в телеграм {}", "thanks {} for the tip!",
                                                 "Инстаграм {} — подписывайтесь",
                                                 "RT {}: great thread")),
    ("PROFILE_URL", profile_url, ("Мой профиль: {}", "{}", "Find me at {}.",
                                  "Contacts: {}", "Страница ВК {}")),
    ("ADDRESS", ru_address, ("Доставка по адресу: {}", "Адрес: {}", "Проживает: {}",
                             "Адрес регистрации {}", "Куда доставить: {}")),
    ("ADDRESS", en_address, ("Ship to {}", "Address: {}", "I live at {}",
                             "Billing address: {}", "Please send it to {}")),
)  # fmt: skip

#: Strings that hold none of these types (and none of the older ones).
DECOYS: Final = (
    "Открыто ежедневно с 10:00 до 22:00",
    "Mon–Fri 9:00–18:00, Sat 10:00–16:00",
    "Дата публикации: 12.03.2024",
    "Posted on March 12, 2024 by admin",
    "Заказ № 458812 от 01.02.2025 оформлен",
    "Order #1029-3384-11 shipped on 2025-02-01",
    "Ticket 4471-2290 — row 12, seat 7",
    "Билет № 2024-11-0457, ряд 5, место 12",
    "https://vk.com/",
    "https://vk.com/feed",
    "https://vk.com/club12345",
    "https://www.instagram.com/explore/",
    "https://www.instagram.com/p/Cx12AbCdEf/",
    "https://github.com/features/actions",
    "https://x.com/search?q=sale",
    "https://habr.com/ru/news/812345/",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://www.linkedin.com/company/acme",
    "https://t.me/joinchat/AAAAAE",
    "ООО «Ромашка», г. Москва, ул. Ленина, д. 1, офис 5",
    "Acme Inc., 1 Infinite Loop, Cupertino, CA 95014",
    "Наш магазин: г. Казань, ул. Баумана, д. 10",
    "Visit us: 221 Market Street, San Francisco",
    "Москва",
    "Доставка по Москве и области",
    "ул. Тверская закрыта на ремонт",
    "request_id=6d92078a-8246-4ba4-ae5b-76104861e7dc",
    "idfa=00000000-0000-0000-0000-000000000000",
    "@property\ndef name(self):",
    "@media (max-width: 600px) {",
    "Пишите на ivan.petrov@mail.ru",
    "Скидки до 12.03.2025! День рождения магазина",
    "Happy birthday to our store: sale until 12/03/2025",
    "Version 1.2.3 released 2024-05-05",
    "Цена: 1 299 ₽, артикул 4006381333931",
    "Call 555-0100 between 9am and 5pm",
    "Meet @10am at the office",
    "Rated 4.8 by 1,024 customers",
    "commit 3f2a9c1 by ci-bot",
    "We have 3 Park benches and 2 Lake views",
    "Season 2 Episode 12 (2019)",
    "ИНН 7707083893, КПП 770701001",
)


#: Written by hand, phrased unlike :data:`TEMPLATES` (what a profile, a listing, a forum
#: post or a JSON field look like), to check that the templates did not teach the patterns:
#: (text, entity type, value). Identifiers generated as above (seed 2026), names invented.
HELD_OUT: Final[tuple[tuple[str, str, str], ...]] = (
    ("Bankverbindung: DE03 1399 8698 7973 0911 41 (Sparkasse)", "IBAN_CODE",
     "DE03 1399 8698 7973 0911 41"),
    ("Оплата на счёт NL96 VKGM 4556 8151 88 до пятницы", "IBAN_CODE", "NL96 VKGM 4556 8151 88"),
    ('"bank":{"iban":"NL34EUWW9405576169","holder":"J. de Vries"}', "IBAN_CODE",
     "NL34EUWW9405576169"),
    ("refund -> GB51PHDU77848648876634 pls", "IBAN_CODE", "GB51PHDU77848648876634"),
    ("W-4 attached, SS# 804-66-4241", "US_SSN", "804-66-4241"),
    ("Employee record: name Dana Cole, ssn 464 24 6976, start 2021", "US_SSN", "464 24 6976"),
    ("His Social Security card reads 066-84-4366.", "US_SSN", "066-84-4366"),
    ("ssn=511481584&state=TX", "US_SSN", "511481584"),
    ("Form W-7 approved; ITIN 957-74-0229", "US_ITIN", "957-74-0229"),
    ("taxpayer id (ITIN): 900 72 7392", "US_ITIN", "900 72 7392"),
    ("Travel docs: passport # 512349876, exp 2031", "US_PASSPORT", "512349876"),
    ("U.S. Passport: C03005988", "US_PASSPORT", "C03005988"),
    ("Your NHS No. is 190 845 2056 — bring it to the surgery", "UK_NHS", "190 845 2056"),
    ("nhs_number: 9972837920", "UK_NHS", "9972837920"),
    ("Tips welcome → 0x251AB1b40d0df3A79BE6A63EFeee574E69DeAceA", "CRYPTO",
     "0x251AB1b40d0df3A79BE6A63EFeee574E69DeAceA"),
    ("BTC: bc1qy0xpzezczuvwwc8hpfpx73jjtlrchkw56j70cq (segwit)", "CRYPTO",
     "bc1qy0xpzezczuvwwc8hpfpx73jjtlrchkw56j70cq"),
    ("мой биткоин-кошелёк 1Jvame7GnTPHqL3hqvHeK8piSwLEfVkE3g", "CRYPTO",
     "1Jvame7GnTPHqL3hqvHeK8piSwLEfVkE3g"),
    ("ad_id=53314b90-d4bd-4c7d-a450-c847008fd8a4&os=android", "ADVERTISING_ID",
     "53314b90-d4bd-4c7d-a450-c847008fd8a4"),
    ('{"device":{"ifa":"D1529B84-3069-4CC5-A24C-A89165999B4C","os":"iOS"}}', "ADVERTISING_ID",
     "D1529B84-3069-4CC5-A24C-A89165999B4C"),
    ("Анкета: Петрова Анна, 14.07.1992 г.р., Казань", "DATE_OF_BIRTH", "14.07.1992"),
    ("Родилась 5 января 1988 года в Самаре.", "DATE_OF_BIRTH", "5 января 1988"),
    ("Name: Tom Hale | DOB 03/04/1979 | Blood type A+", "DATE_OF_BIRTH", "03/04/1979"),
    ("Jane (born 21 Sept 1990) joined the club", "DATE_OF_BIRTH", "21 Sept 1990"),
    ("День рождения: 30 декабря 1975", "DATE_OF_BIRTH", "30 декабря 1975"),
    ("birthdate=1999-11-02", "DATE_OF_BIRTH", "1999-11-02"),
    ("Ivan Petrov, b. 1961", "DATE_OF_BIRTH", "1961"),
    ("big thanks to @sveta_kosh for the photos", "USERNAME", "@sveta_kosh"),
    ("Автор: @dimon.rybak · 3 ч назад", "USERNAME", "@dimon.rybak"),
    ('{"user": {"login": "kate_m1991"}}', "USERNAME", "kate_m1991"),
    ("@ghost_rider wrote: lol no", "USERNAME", "@ghost_rider"),
    ("Я ВКонтакте: vk.com/id48213377", "PROFILE_URL", "vk.com/id48213377"),
    ("Portfolio: https://github.com/kmoroz/", "PROFILE_URL", "https://github.com/kmoroz/"),
    ("канал автора https://t.me/anna_bakes", "PROFILE_URL", "https://t.me/anna_bakes"),
    ("https://www.instagram.com/lena.travel.diary?igsh=abc", "PROFILE_URL",
     "https://www.instagram.com/lena.travel.diary?igsh=abc"),
    ("Получатель: Сидоров П.А., 620014, г. Екатеринбург, ул. Малышева, д. 51, кв. 12",
     "ADDRESS", "620014, г. Екатеринбург, ул. Малышева, д. 51, кв. 12"),
    ("Прописан: Московская обл., г. Подольск, ул. Кирова, д. 9", "ADDRESS",
     "Московская обл., г. Подольск, ул. Кирова, д. 9"),
    ("Забрать можно тут: пр-т Ленина 45/2, подъезд 3", "ADDRESS", "пр-т Ленина 45/2, подъезд 3"),
    ("Mail it to Kim at 4417 Oakridge Ave, Apt 3B, Madison, WI 53705", "ADDRESS",
     "4417 Oakridge Ave, Apt 3B, Madison, WI 53705"),
    ("Our new place: 12 Rose Lane, Bristol BS8 1TH", "ADDRESS", "12 Rose Lane, Bristol BS8 1TH"),
    ("Lieferadresse: Hauptstraße 12, 10115 Berlin", "ADDRESS", "Hauptstraße 12"),
    ("She lives at 77 Via Garibaldi, Torino", "ADDRESS", "77 Via Garibaldi"),
)  # fmt: skip
#: Held-out decoys, written by hand as well.
HELD_OUT_DECOYS: Final = (
    "Пн–Пт 09:00–20:00, Сб–Вс 10:00–18:00",
    "Акция действует с 01.12.2026 по 31.12.2026",
    "Invoice 2026-00417 due 15/01/2027",
    "Рейс SU 1402, вылет 14.02.2027 07:35",
    "Booking ref 512-34-5678 confirmed",
    "ООО «Вектор», 443001, г. Самара, ул. Молодогвардейская, д. 204, офис 12",
    "Best regards, Acme Ltd, 10 Downing Street, London",
    "https://vk.com/market-12345",
    "https://www.facebook.com/events/123456789/",
    "https://github.com/topics/python",
    "https://ok.ru/group/54321",
    "session=53314b90-d4bd-4c7d-a450-c847008fd8a4",
    "@keyframes spin { from { transform: rotate(0deg) } }",
    "Download @2x and @3x assets",
    "В 1985 году компания открыла первый магазин",
    "Founded in 1962, we serve 3 cities",
    "Артикул 5123456789, 2 шт.",
    "Track your parcel: RR123456785CN",
)


def load_held_out() -> Dataset:
    """:data:`HELD_OUT` and :data:`HELD_OUT_DECOYS` as one dataset."""
    cases: list[Case] = []
    for text, entity, value in HELD_OUT:
        start = text.index(value)
        cases.append(Case(len(cases), text, (Mention(entity, ((start, start + len(value)),)),)))
    for decoy in HELD_OUT_DECOYS:
        cases.append(Case(len(cases), decoy, (), decoy=True))
    return Dataset(
        "held-out",
        f"{len(HELD_OUT)} hand-written strings and {len(HELD_OUT_DECOYS)} decoys",
        PAGE_TYPES,
        len(cases),
        tuple(cases),
        has_decoys=True,
    )


def load_pages(per_type: int = 40, seed: int = 7) -> Dataset:
    """``per_type`` strings per template row (each holding one planted value), and every
    decoy, as one dataset."""
    rng = random.Random(seed)
    cases: list[Case] = []
    for entity, make, templates in TEMPLATES:
        for index in range(per_type):
            value = make(rng)
            template = templates[index % len(templates)]
            head, _, tail = template.partition("{}")
            head = head.replace("{{", "{").replace("}}", "}")
            tail = tail.replace("{{", "{").replace("}}", "}")
            text = head + value + tail
            mention = Mention(entity, ((len(head), len(head) + len(value)),))
            cases.append(Case(len(cases), text, (mention,)))
    for decoy in DECOYS:
        cases.append(Case(len(cases), decoy, (), decoy=True))
    return Dataset(
        PAGES,
        f"page-like strings, {per_type} per template row, seed {seed}, and {len(DECOYS)} decoys",
        PAGE_TYPES,
        len(cases),
        tuple(cases),
        has_decoys=True,
    )


def load_presidio_research(path: Path) -> Dataset:
    """presidio-research's records with the gold mapped as the module's docstring says."""
    items: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    cases = []
    for index, item in enumerate(items):
        text = item["full_text"]
        gold = []
        for span in item["spans"]:
            start, end, kind = span["start_position"], span["end_position"], span["entity_type"]
            if kind == "DATE_TIME":
                sentence_start = max(text.rfind(". ", 0, start - 2), text.rfind("\n", 0, start))
                cue = _BIRTH_CUE.search(text, max(0, sentence_start - 40), start)
                kind = "DATE_OF_BIRTH" if cue else "DATE_TIME"
            gold.append(Mention(PRESIDIO_TYPES.get(kind, kind), ((start, end),)))
        cases.append(Case(index, text, tuple(gold)))
    return Dataset(
        PRESIDIO_RESEARCH,
        "presidio-research synth_dataset_v2.json",
        PRESIDIO_SCORED,
        len(cases),
        tuple(cases),
    )


def evaluate(
    per_type: int = 40,
    seed: int = 7,
    data_dir: Path = DEFAULT_DATA_DIR,
    examples: int = 5,
    *,
    presidio: bool = False,
) -> list[Row]:
    """Rows for the page corpus, the held-out strings and, when it is there,
    presidio-research; with ``presidio``, plain Presidio's rows too (for the types it has:
    IBAN_CODE, US_SSN, US_ITIN, US_PASSPORT, UK_NHS, CRYPTO)."""
    engines: list[Engine] = [PiiredactEngine(build_detector(names=False), DEFAULT_MIN_SCORE)]
    if presidio:
        engines.append(PresidioEngine(build_presidio_analyzer(), DEFAULT_MIN_SCORE))
    datasets = [load_pages(per_type, seed), load_held_out()]
    path = data_dir / "presidio-research" / "synth_dataset_v2.json"
    if path.is_file():
        datasets.append(load_presidio_research(path))
    rows: list[Row] = []
    for dataset in datasets:
        texts = [case.text for case in dataset.cases]
        for engine in engines:
            predictions = engine.analyze(texts, dataset.entity_types)
            found, _other = score(dataset, engine.name, predictions, examples)
            rows.extend(
                row
                for row in found
                if (row.gold or row.predicted)
                and (engine.name != "presidio" or row.entity in PRESIDIO_HAS)
            )
    return rows


def format_rows(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| dataset | entity | engine | tp | fn | fp | fp_other | decoys | recall | precision |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        recall = "-" if row.recall is None else f"{row.recall:.3f}"
        precision = "-" if row.precision is None else f"{row.precision:.3f}"
        decoys = "-" if row.decoys is None else str(row.decoys)
        lines.append(
            f"| {row.dataset} | {row.entity} | {row.engine} | {row.tp} | {row.fn} | {row.fp} | "
            f"{row.fp_on_other} | {decoys} | {recall} | {precision} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--per-type", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--examples", type=int, default=5)
    parser.add_argument("--presidio", action="store_true", help="plain Presidio's rows too")
    parser.add_argument("--output", type=Path, help="write the rows as JSON here")
    args = parser.parse_args(argv)
    rows = evaluate(args.per_type, args.seed, args.data_dir, args.examples, presidio=args.presidio)
    print(format_rows(rows))
    if args.output:
        args.output.write_text(
            json.dumps([row.as_dict() for row in rows], ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
