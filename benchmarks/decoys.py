"""Identifiers and decoys as real pages write them: recall and precision per identifier type,
and how many decoys are flagged.

The records are generated here from how shops, forums, invoices, logs, documentation and
profile pages write numbers, not from the recognizers' rules: identifiers in their usual
layouts (with and without the word that names them, in JSON fields named as scrapers name
them), and numbers that are not personal data beside the words pages put before them: SKUs,
article and order numbers, references, invoices, tickets, tracking numbers, versions and builds,
section and standard numbers, ISBNs, prices, dates and times. Every value is synthetic.

``python -m benchmarks.decoys [--records N] [--seed S] [--examples K]`` prints the JSON report:
per type recall and precision, decoys flagged, and (with ``--examples``) the misses.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

#: A record: its strings with their JSON keys, and the planted values as (string index,
#: start, end, entity type); a decoy record plants nothing.
Text = tuple[str, str | None]


@dataclass(frozen=True)
class Sample:
    texts: tuple[Text, ...]
    planted: tuple[tuple[int, int, int, str], ...]
    decoy: bool
    kind: str


def _luhn_complete(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return body + str((10 - total % 10) % 10)


def _inn(rng: random.Random, person: bool) -> str:
    from recognizers.ru.inn import calc_check_digits  # noqa: PLC0415

    body = f"{rng.randint(1, 89):02d}" + "".join(
        rng.choice("0123456789") for _ in range(8 if person else 7)
    )
    return body + calc_check_digits(body)


def _digits(rng: random.Random, n: int, first: str = "123456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def _phone(rng: random.Random) -> str:
    code = rng.choice(["916", "903", "925", "977", "985", "495", "812", "343"])
    a, b, c = _digits(rng, 3), _digits(rng, 2, "0123456789"), _digits(rng, 2, "0123456789")
    return rng.choice(
        [
            f"+7 {code} {a}-{b}-{c}",
            f"8 ({code}) {a}-{b}-{c}",
            f"+7({code}){a}{b}{c}",
            f"8{code}{a}{b}{c}",
            f"+7 {code} {a} {b} {c}",
            f"8-{code}-{a}-{b}-{c}",
            f"+1 ({rng.randint(201, 989)}) {_digits(rng, 3)}-{_digits(rng, 4, '0123456789')}",
            f"({rng.randint(201, 989)}) {_digits(rng, 3)}-{_digits(rng, 4, '0123456789')}",
            f"+44 20 {_digits(rng, 4)} {_digits(rng, 4, '0123456789')}",
            f"+49 30 {_digits(rng, 8)}",
        ]
    )


def _passport(rng: random.Random) -> str:
    region = f"{rng.randint(1, 99):02d}"
    year = f"{rng.randint(0, 99):02d}"  # any year: pages hold mistyped and old series too
    number = _digits(rng, 6, "0123456789")
    return rng.choice(
        [f"{region} {year} {number}", f"{region}{year} {number}", f"{region}{year}{number}"]
    )


def _card(rng: random.Random) -> str:
    prefix, length = rng.choice(
        [("4", 16), ("51", 16), ("55", 16), ("2200", 16), ("2221", 16), ("37", 15), ("6011", 16)]
    )
    number = _luhn_complete(prefix + _digits(rng, length - len(prefix) - 1, "0123456789"))
    style = rng.choice(["", " ", "-"])
    if length == 15:
        return style.join((number[:4], number[4:10], number[10:])) if style else number
    return style.join(number[i : i + 4] for i in range(0, 16, 4))


def _ip(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return f"2a02:6b8:{rng.randint(0, 0xFFFF):x}::{rng.randint(1, 0xFFFF):x}"
    return ".".join(
        str(rng.randint(1, 223)) if i == 0 else str(rng.randint(0, 255)) for i in range(4)
    )


_FIRST = ["ivan", "olga", "petr", "anna", "sergey", "maria", "john", "kate", "dmitry", "elena"]
_LAST = ["petrov", "smirnova", "ivanov", "kuznetsova", "smith", "popov", "sokolova", "brown"]
_DOMAINS = ["mail.ru", "yandex.ru", "gmail.com", "example.org", "inbox.ru", "company.com"]


def _email(rng: random.Random) -> str:
    local = rng.choice(
        [
            f"{rng.choice(_FIRST)}.{rng.choice(_LAST)}",
            f"{rng.choice(_FIRST)}{rng.randint(1, 99)}",
            f"{rng.choice(_FIRST)[0]}.{rng.choice(_LAST)}",
        ]
    )
    return f"{local}@{rng.choice(_DOMAINS)}"


# (entity type, value maker, templates with the value's place, JSON keys it may stand under)
_PII: tuple[tuple[str, Callable[[random.Random], str], tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "PHONE_NUMBER",
        _phone,
        (
            "Телефон: {}",
            "Звоните {} с 9 до 18",
            "Call us at {} for details",
            "Контакты продавца: {}, Алексей",
            "WhatsApp {}",
            "{}",
            "Mobile: {} (evenings)",
        ),
        ("phone", "tel", "contact_phone", "mobile", "телефон", "phoneNumber"),
    ),
    (
        "RU_PASSPORT",
        _passport,
        (
            "паспорт {} выдан ОВД района Хамовники",
            "Паспорт: {}",
            "паспорт гражданина РФ {}",
            "данные паспорта {}, выдан 12.03.2015",
            "Passport {} issued in Moscow",
        ),
        ("passport", "паспорт", "passport_number", "pasport"),
    ),
    (
        "RU_INN",
        lambda rng: _inn(rng, rng.random() < 0.5),
        ("ИНН {}", "ИНН: {}, КПП 770101001", "Продавец ИП, ИНН {}", "INN {}", "{}"),
        ("inn", "ИНН", "tax_id", "inn_number"),
    ),
    (
        "CREDIT_CARD",
        _card,
        ("Оплата картой {}", "card: {}", "Номер карты {}", "Paid with {} on 01.03.2021", "{}"),
        ("card", "card_number", "cc", "pan"),
    ),
    (
        "IP_ADDRESS",
        _ip,
        ("Login from IP {}", "Комментарий (IP {})", "client={} status=200", "{} - - [01/Mar/2021]"),
        ("ip", "ip_address", "client_ip", "remote_addr"),
    ),
    (
        "EMAIL_ADDRESS",
        _email,
        ("e-mail: {}", "Пишите на {}", "Contact: {}", "{}", "Автор: {} (профиль)"),
        ("email", "e-mail", "mail", "contactEmail", "почта"),
    ),
)


def _version(rng: random.Random, parts: int) -> str:
    return ".".join(str(rng.randint(0, 20)) for _ in range(parts))


def _decoys(rng: random.Random) -> list[tuple[str, str | None, str]]:
    """(text, key, kind) of decoys: numbers that are not personal data."""
    luhn15 = _luhn_complete("3" + _digits(rng, 13, "0123456789"))
    luhn16 = _luhn_complete("4" + _digits(rng, 14, "0123456789"))
    d12 = _digits(rng, 12)
    d10 = _digits(rng, 10)
    price = f"{rng.randint(1, 999)} {rng.randint(0, 999):03d}"
    return [
        (f"SKU {d12}", None, "sku"),
        (f"Артикул: {_digits(rng, 10)}", None, "article"),
        (f"арт. {_digits(rng, 11)}", None, "article"),
        (f"Order #{d12}", None, "order"),
        (f"Заказ № {_digits(rng, 10)} от 01.03.2021", None, "order"),
        (f"№ заказа {_digits(rng, 11)}", None, "order"),
        (f"Reference {luhn15}", None, "reference"),
        (f"Ref: {luhn16}", None, "reference"),
        (f"Invoice {d10}", None, "invoice"),
        (f"Ticket {_digits(rng, 12)} resolved", None, "ticket"),
        (f"Tracking number {_digits(rng, 14)}", None, "tracking"),
        (f"Трек-номер: {_digits(rng, 14)}", None, "tracking"),
        (f"(build {_version(rng, 4)})", None, "build"),
        (f"version {_version(rng, 4)}", None, "version"),
        (f"Firmware v. {_version(rng, 4)}", None, "version"),
        (f"see appendix {_version(rng, 4)}", None, "section"),
        (f"Section {_version(rng, 4)} of the manual", None, "section"),
        (f"раздел {_version(rng, 4)}", None, "section"),
        (f"пункт {_version(rng, 4)} договора", None, "section"),
        (f"ГОСТ {_digits(rng, 5)}-{rng.randint(1990, 2024)}", None, "standard"),
        (f"ISBN 978-5-{_digits(rng, 4)}-{_digits(rng, 4)}-{rng.randint(0, 9)}", None, "isbn"),
        (f"Цена: {price} руб.", None, "price"),
        (f"{price} ₽", None, "price"),
        (f"${rng.randint(1, 9)},{rng.randint(100, 999)}.00", None, "price"),
        (
            f"Опубликовано {rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2021 в 12:30",
            None,
            "date",
        ),
        (
            f"2021-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:15",
            None,
            "date",
        ),
        (d12, "sku", "sku"),
        (_digits(rng, 10), "order_id", "order"),
        (luhn16, "reference", "reference"),
        (_version(rng, 4), "version", "version"),
        (_digits(rng, 14), "tracking_number", "tracking"),
        (f"{rng.randint(1, 500)} шт.", None, "count"),
    ]


def generate(count: int, seed: int) -> list[Sample]:
    """``count`` identifier records and as many decoys."""
    rng = random.Random(seed)
    samples: list[Sample] = []
    for _ in range(count):
        entity, make, templates, keys = rng.choice(_PII)
        value = make(rng)
        key: str | None
        if rng.random() < 0.3:  # the value alone, under a key that names it
            key = rng.choice(keys)
            samples.append(Sample(((value, key),), ((0, 0, len(value), entity),), False, entity))
            continue
        template = rng.choice(templates)
        text = template.format(value)
        start = template.index("{}")
        key = rng.choice(["text", "description", "comment", "body", None])
        samples.append(
            Sample(((text, key),), ((0, start, start + len(value), entity),), False, entity)
        )
    decoys = [d for _ in range(max(1, count // 32 + 1)) for d in _decoys(rng)]
    for text, decoy_key, kind in decoys[:count]:
        samples.append(Sample(((text, decoy_key),), (), True, kind))
    return samples


IDENTIFIER_TYPES = frozenset(entity for entity, *_ in _PII)


def evaluate(
    samples: Sequence[Sample], min_score: float = 0.4, examples: int = 0
) -> dict[str, Any]:
    """Recall and precision per identifier type and decoys flagged, by this project's detector
    (identifiers only; overlaps merged as the pipeline does; keys passed as context where the
    detector takes them)."""
    import inspect  # noqa: PLC0415

    from recognizers.findings import resolve_overlaps  # noqa: PLC0415
    from recognizers.registry import build_detector  # noqa: PLC0415

    detector = build_detector(names=False)
    texts = [text for s in samples for text, _key in s.texts]
    keys = [key for s in samples for _text, key in s.texts]
    takes_context = "contexts" in inspect.signature(detector.analyze).parameters
    found = detector.analyze(texts, keys) if takes_context else detector.analyze(texts)
    planted_n: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    reported: Counter[str] = Counter()
    right: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    decoys: Counter[str] = Counter()
    missed: list[dict[str, Any]] = []
    false: list[dict[str, Any]] = []
    cursor = 0
    for sample in samples:
        per_text = found[cursor : cursor + len(sample.texts)]
        cursor += len(sample.texts)
        merged = [
            [
                f
                for f in resolve_overlaps(f for f in fs if f.score >= min_score)
                if f.entity_type in IDENTIFIER_TYPES
            ]
            for fs in per_text
        ]
        if sample.decoy:
            decoys[sample.kind] += 1
            if any(merged):
                flagged[sample.kind] += 1
                if len(false) < examples:
                    false.append(
                        {
                            "text": sample.texts[0][0],
                            "key": sample.texts[0][1],
                            "found": [f.entity_type for f in merged[0]],
                        }
                    )
        for index, start, end, entity in sample.planted:
            planted_n[entity] += 1
            if any(
                f.entity_type == entity and f.start <= start and end <= f.end for f in merged[index]
            ):
                hit[entity] += 1
            elif len(missed) < examples:
                missed.append(
                    {
                        "text": sample.texts[index][0],
                        "key": sample.texts[index][1],
                        "type": entity,
                        "found": [(f.entity_type, f.start, f.end) for f in merged[index]],
                    }
                )
        for index, findings in enumerate(merged):
            for finding in findings:
                reported[finding.entity_type] += 1
                if any(
                    i == index
                    and entity == finding.entity_type
                    and finding.start < end
                    and start < finding.end
                    for i, start, end, entity in sample.planted
                ):
                    right[finding.entity_type] += 1
    types = {
        entity: {
            "planted": planted_n[entity],
            "recall": round(hit[entity] / planted_n[entity], 4) if planted_n[entity] else None,
            "precision": round(right[entity] / reported[entity], 4) if reported[entity] else None,
        }
        for entity in sorted(IDENTIFIER_TYPES)
    }
    total_decoys = sum(decoys.values())
    return {
        "records": len(samples),
        "types": types,
        "decoys": total_decoys,
        "decoys_flagged": sum(flagged.values()),
        "decoys_flagged_share": round(sum(flagged.values()) / total_decoys, 4)
        if total_decoys
        else 0.0,
        "flagged_by_kind": dict(sorted(flagged.items())),
        "missed": missed,
        "false_positives": false,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--min-score", type=float, default=0.4)
    parser.add_argument("--examples", type=int, default=0)
    args = parser.parse_args(argv)
    report = evaluate(generate(args.records, args.seed), args.min_score, args.examples)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
