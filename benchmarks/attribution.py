"""Attribution cost: how long
:meth:`streams.core.attribution.IdentityIndex.attribute` takes per record.

Run ``python -m benchmarks.attribution [--quick] [--subjects N] [--records N]``. An index of N
registered subjects (synthetic Russian and English names, phones, e-mails) is built; each record
then has 10 findings to attribute: 4 names (Russian in an oblique case, with patronymic, with
initials; an English one), 3 phones, 2 e-mails and one other identifier, a third of them the
record subject's, a third another registered subject's, a third nobody's. Reported: microseconds
per record (median of passes, CPU time of the process: the machine may be shared), per finding
by type, and per ``add`` (registering one identity).
Also the per-word cost of the two Russian lemmatisers available (pymorphy3, used; natasha's
``MorphVocab``, which wraps pymorphy2 and caches every word it has seen).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from natasha import MorphVocab

from streams.core.attribution import IdentityIndex, _morph
from streams.core.keys import Keyring

GIVEN_F = ["Мария", "Юлия", "Лидия", "Наталия", "Виктория", "Валерия", "Анастасия", "София"]
GIVEN_M = ["Иван", "Олег", "Артём", "Глеб", "Борис", "Роман", "Степан", "Антон"]
GIVEN_EN = ["John", "Mary", "Peter", "Anne", "David", "Helen", "Mark", "Susan"]
PATRONYMIC_M = ["Сергеевич", "Андреевич", "Петрович", "Олегович"]
PATRONYMIC_F = ["Сергеевна", "Андреевна", "Петровна", "Олеговна"]
#: Surnames are made of one syllable per decimal digit of the subject's number, so that every
#: subject has a name of their own (namesakes would make every lookup a crowd).
SYLLABLES = ["бар", "вел", "гор", "дан", "кир", "лом", "мар", "нес", "пет", "рус"]
SYLLABLES_EN = ["ba", "ke", "lo", "mu", "ni", "po", "ra", "si", "tu", "wy"]


def _stem(n: int, syllables: list[str]) -> str:
    return "".join(syllables[int(d)] for d in f"{n:04d}").capitalize()


def _identity(rng: random.Random, n: int) -> tuple[dict[str, list[str]], dict[str, str]]:
    female = n % 2 == 0
    given = rng.choice(GIVEN_F if female else GIVEN_M)
    surname = _stem(n, SYLLABLES) + ("ова" if female else "ов")
    patronymic = rng.choice(PATRONYMIC_F if female else PATRONYMIC_M)
    english = (rng.choice(GIVEN_EN), _stem(n, SYLLABLES_EN) + "son")
    phone = f"+7 9{n % 100:02d} {n // 100 % 1000:03d}-{n % 97:02d}-{n % 89:02d}"
    email = f"user{n}@mail.example"
    identity = {
        "PERSON": [f"{given} {patronymic} {surname}", " ".join(english)],
        "PHONE_NUMBER": [phone],
        "EMAIL_ADDRESS": [email],
        "NICKNAME": [f"nick_{n}"],
    }
    # The forms a page would show: oblique case, initials, another format.
    # (genitive for the women, whose names end in -ия; dative for the men).
    oblique = f"{given[:-1]}и {surname[:-1]}ой" if female else f"{given}у {surname}у"
    seen = {
        "name": oblique,
        "initials": f"{given[0]}. {patronymic[0]}. {surname}",
        "english": f"{english[1]}, {english[0]}",
        "phone": "8" + phone[2:].replace(" ", "").replace("-", ""),
        "email": email.upper(),
        "nick": f"NICK-{n}",
    }
    return identity, seen


def _record(
    rng: random.Random, seen: list[dict[str, str]], n: int
) -> tuple[str, list[tuple[str, str]]]:
    subject = rng.randrange(len(seen))
    other = rng.randrange(len(seen))
    own, theirs = seen[subject], seen[other]
    findings = [
        ("PERSON", own["name"]),
        ("PERSON", theirs["initials"]),
        ("PERSON", f"Олегу Петровичу {_stem(n, SYLLABLES)}еву"),  # nobody's
        ("PERSON", own["english"]),
        ("PHONE_NUMBER", own["phone"]),
        ("PHONE_NUMBER", theirs["phone"]),
        ("PHONE_NUMBER", f"+7 999 {n % 1000:03d}-00-00"),
        ("EMAIL_ADDRESS", theirs["email"]),
        ("EMAIL_ADDRESS", f"stranger{n}@mail.example"),
        ("NICKNAME", own["nick"]),
    ]
    return f"vk:{subject}", findings


def _timed(fn: Callable[[], object], min_seconds: float) -> list[float]:
    passes: list[float] = []
    started = time.process_time()
    while not passes or time.process_time() - started < min_seconds or len(passes) < 3:
        t = time.process_time()
        fn()
        passes.append(time.process_time() - t)
    return passes


def run(subjects: int, records: int, min_seconds: float) -> dict[str, Any]:
    rng = random.Random(7)
    keyring = Keyring("bench", {"bench": bytes(range(32))})
    index = IdentityIndex(keyring)
    people = [_identity(rng, n) for n in range(subjects)]
    _morph()  # loaded once per process (about 50 ms), not per call
    started = time.process_time()
    for n, (identity, _) in enumerate(people):
        index.add(f"vk:{n}", identity)
    add_us = (time.process_time() - started) / subjects * 1e6
    seen = [s for _, s in people]
    batch = [_record(rng, seen, n) for n in range(records)]
    gc.freeze()

    def attribute_all() -> None:
        for subject, findings in batch:
            for entity_type, value in findings:
                index.attribute(entity_type, value, subject)

    per_record = statistics.median(_timed(attribute_all, min_seconds)) / records * 1e6
    by_type: dict[str, float] = {}
    for entity_type in ("PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS", "NICKNAME"):
        items = [(s, v) for s, f in batch for t, v in f if t == entity_type]

        def one_type(items: list[tuple[str, str]] = items, t: str = entity_type) -> None:
            for subject, value in items:
                index.attribute(t, value, subject)

        by_type[entity_type] = (
            statistics.median(_timed(one_type, min_seconds / 4)) / len(items) * 1e6
        )
    outcome: dict[str, int] = {}
    for subject, findings in batch:
        for entity_type, value in findings:
            person = index.attribute(entity_type, value, subject).person.value
            outcome[person] = outcome.get(person, 0) + 1
    return {
        "subjects": subjects,
        "records": records,
        "findings_per_record": 10,
        "us_per_record": round(per_record, 1),
        "us_per_finding": {k: round(v, 1) for k, v in by_type.items()},
        "us_per_add": round(add_us, 1),
        "attributed": outcome,
        "lemmatiser_us_per_word": _lemmatisers(min_seconds),
    }


def _lemmatisers(min_seconds: float) -> dict[str, float]:
    words = [
        f"{w}{suffix}" for w in ("Иванов", "Смирнов", "Кузнецов") for suffix in ("", "а", "ой", "у")
    ] + ["Марии", "Сергеевичем", "Ольге", "Алексеевны", "Петровичу", "Дарьей"]
    morph, vocab = _morph(), MorphVocab()
    reps = 200

    def pymorphy() -> None:
        for _ in range(reps):
            for w in words:
                morph.parse(w)

    def natasha_uncached() -> None:
        for _ in range(reps):
            for w in words:
                vocab.parse.cache_clear()
                vocab.parse(w)

    def natasha_cached() -> None:
        for _ in range(reps):
            for w in words:
                vocab.parse(w)

    out = {}
    for name, fn in (
        ("pymorphy3", pymorphy),
        ("natasha_uncached", natasha_uncached),
        ("natasha_cached", natasha_cached),
    ):
        out[name] = round(statistics.median(_timed(fn, min_seconds)) / (reps * len(words)) * 1e6, 2)
    return out


@dataclass(frozen=True)
class _Mention:
    text: str
    kinds: frozenset[str]  # span types: name, surname, patronymic, nickname
    chain: str | None  # the coreference chain (a person) it belongs to


def _read_factru(stem: Path) -> tuple[list[_Mention], dict[str, str]]:
    """One factRuEval document: its Person mentions and the normalised name of each chain
    that has a first and a last name (``firstname [patronymic] lastname``)."""
    text = stem.with_suffix(".txt").read_text("utf-8")
    spans: dict[str, tuple[str, int, int]] = {}
    for line in stem.with_suffix(".spans").read_text("utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 4:
            spans[parts[0]] = (parts[1], int(parts[2]), int(parts[3]))
    objects: dict[str, list[tuple[str, int, int]]] = {}
    for line in stem.with_suffix(".objects").read_text("utf-8").splitlines():
        parts = line.split("#")[0].split()
        if len(parts) >= 3 and parts[1] == "Person":
            objects[parts[0]] = [spans[i] for i in parts[2:] if i in spans]
    chain_of: dict[str, str] = {}
    names: dict[str, str] = {}
    for block in stem.with_suffix(".coref").read_text("utf-8").strip().split("\n\n"):
        lines = block.strip().splitlines()
        head = lines[0].split()
        attrs = dict(line.split(" ", 1) for line in lines[1:] if " " in line)
        chain = f"{stem.name}/{head[0]}"
        for obj in head[1:]:
            chain_of[obj] = chain
        if attrs.get("firstname") and attrs.get("lastname"):
            given = (attrs["firstname"], attrs.get("patronymic"), attrs["lastname"])
            names[chain] = " ".join(p for p in given if p)
    mentions = [
        _Mention(
            text[min(p[1] for p in found) : max(p[1] + p[2] for p in found)],
            frozenset(p[0] for p in found),
            chain_of.get(obj),
        )
        for obj, found in objects.items()
        if found
    ]
    return mentions, names


def _same_person_key(name: str) -> tuple[str, str]:
    """How the evaluation tells two annotated names apart: the first four letters of the first
    and of the last word, ``ё`` and ``э`` read as ``е`` (the annotators spell one person
    ``Сэйдзи``/``Сейдзи``, ``Рамзан``/``Рамзану``, with or without a patronymic)."""
    words = name.casefold().replace("ё", "е").replace("э", "е").split()
    return words[0][:4], words[-1][:4]


def evaluate_factru(devset: Path) -> dict[str, Any]:
    """Attribution on independent data: factRuEval-2016's devset (Russian news; see
    ``../shared/data/README.md``). Each coreference chain with a first and last name is
    registered as one subject with the name the annotators normalised it to (nominative).
    Every Person mention (the text from its first to its last span, as printed: inflected,
    initials, surname alone) is attributed:

    - ``per_document``: against the subjects of its own document. A mention is *matchable*
      when its chain is registered and it has a given name or an initial besides the surname
      (a surname alone is nobody's by design); ``right``: attributed to its chain alone.
    - ``all_documents``: against every subject of every document (about 350 people), to count
      *wrong* attributions: to a subject whose annotated name differs from the mention's own
      chain's (:func:`_same_person_key`; the same person in two documents is two chains with
      one name: not wrong).
    """
    keyring = Keyring("eval", {"eval": bytes(range(32))})
    docs = [_read_factru(coref.with_suffix("")) for coref in sorted(devset.glob("*.coref"))]
    every = IdentityIndex(keyring)
    all_names: dict[str, tuple[str, str]] = {}
    for _, names in docs:
        for chain, name in names.items():
            with contextlib.suppress(ValueError):
                every.add(chain, {"PERSON": [name]})
                all_names[chain] = _same_person_key(name)
    local = {"mentions": 0, "matchable": 0, "right": 0, "nobody": 0, "other": 0}
    across = {"attributed": 0, "wrong": 0}
    for mentions, names in docs:
        index = IdentityIndex(keyring)
        for chain in names:
            if chain in all_names:
                index.add_fingerprints(chain, every.fingerprints({"PERSON": [names[chain]]}))
        for m in mentions:
            local["mentions"] += 1
            got = every.attribute("PERSON", m.text, None)
            own = all_names.get(m.chain or "")
            if got.subject_refs:
                across["attributed"] += 1
                if own is not None and any(all_names[r] != own for r in got.subject_refs):
                    across["wrong"] += 1
            if own is None or "surname" not in m.kinds or not m.kinds & {"name", "patronymic"}:
                continue
            local["matchable"] += 1
            refs = index.attribute("PERSON", m.text, None).subject_refs
            key = "right" if refs == (m.chain,) else "nobody" if not refs else "other"
            local[key] += 1
    return {
        "per_document": {**local, "recall": round(local["right"] / local["matchable"], 3)},
        "all_documents": {"subjects": len(every), **across},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--output-dir", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()
    subjects, records = (200, 50) if args.quick else (args.subjects, args.records)
    result = run(subjects, records, 0.5 if args.quick else 3.0)
    devset = Path(__file__).resolve().parents[1].parent / "shared/data/factRuEval-2016/devset"
    if devset.is_dir():
        result["factru_eval_2016_devset"] = evaluate_factru(devset)
    print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
    if not args.quick:
        args.output_dir.mkdir(parents=True, exist_ok=True)
        (args.output_dir / "attribution.json").write_bytes(
            orjson.dumps(result, option=orjson.OPT_INDENT_2)
        )


if __name__ == "__main__":
    main()
