"""Attribution: whose personal data a finding is, so that consent is judged per person.

A subject's **identity** comes with their consent (``consent.identity`` on a record, ``identity``
on a registry grant event): an object keyed by entity type, each with a list of values::

    {"PERSON": ["Иван Петров"], "EMAIL_ADDRESS": ["ivan@mail.ru"],
     "PHONE_NUMBER": ["+7 916 123-45-67"]}

:func:`parse_identity` validates it. Identity values are never kept: each is normalised into
one or more **forms** and only keyed fingerprints of the forms are kept (HMAC-SHA-256 under a key
derived from the keyring for this purpose alone, so a fingerprint never equals a pseudonym or
an evidence digest). A finding is attributed by fingerprinting the forms of its value and
looking them up: a match is a set intersection, never a comparison with clear text.

Forms, per entity type:

- ``PERSON``: each word lemmatised with pymorphy3 (Russian inflection: ``Ивановой Марии`` is
  ``Мария Иванова``; the readings of the words must agree in gender and case), ``ё`` read as
  ``е``, transliterated to a Latin skeleton (so ``Ivanova Maria`` is ``Мария Иванова``), case and
  word order ignored, ``Petrov, Ivan`` is ``Ivan Petrov``. A patronymic in the identity is kept
  apart: ``Иван Петров`` matches ``Иван Сергеевич Петров``, but ``Иван Андреевич Петров`` does not
  match an identity ``Иван Сергеевич Петров``. Initials (``М. Иванова``, ``Иванова М.``,
  ``Ivanova M.``) match when the surname matches, the initials agree and, for a Russian
  surname, its gender agrees with the identity's; a namesake with another first name does not
  match. An identity name needs a given name and a surname.
- ``PHONE_NUMBER``: digits; an 11-digit number starting with ``8`` (not ``+8``) is read as
  ``7`` (``+7 916 …``, ``7 916 …`` and ``8 916 …`` are one number); 7-15 digits.
- ``EMAIL_ADDRESS``: NFKC, case-folded; one ``@`` with text on both sides.
- any other type: NFKC, case-folded, letters and digits only (spacing and punctuation ignored).

A value that cannot be normalised is attributed to nobody (``third_party``): fail closed.

Known limits: a Russian name form can be two names at once (``Александра Петрова`` is Alexandra
Petrova and also the genitive of Alexander Petrov), and then it matches either identity;
transliteration variants beyond the skeleton (``Yevgeny``/``Евгений``, ``Alexander``/
``Александр``) do not match, so those findings are third parties (redacted).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

import pymorphy3

from streams.core.consent import normalise_subject_ref
from streams.core.keys import Keyring

ENTITY_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
MAX_IDENTITY_TYPES = 32
MAX_IDENTITY_VALUES = 16
MAX_IDENTITY_VALUE = 256
MAX_NAME_WORDS = 4
_MAX_READINGS = 8
_FINGERPRINT = b"identity-fingerprint/v1"
_FINGERPRINT_BYTES = 16


class IdentityError(ValueError):
    """An identity object is malformed. The message names the field, never a value."""


def parse_identity(obj: object, name: str = "identity") -> dict[str, tuple[str, ...]]:
    """Validate an identity object (``name`` is its field, e.g. ``consent.identity``): entity
    types (``PERSON``, ``RU_INN``...) to lists of 1-16 non-empty strings of at most 256
    characters, each of which can be normalised. Raises :class:`IdentityError`."""
    if not isinstance(obj, Mapping) or not obj:
        raise IdentityError(f"{name}: must be an object of entity types to lists of values")
    if len(obj) > MAX_IDENTITY_TYPES:
        raise IdentityError(f"{name}: at most {MAX_IDENTITY_TYPES} entity types")
    out: dict[str, tuple[str, ...]] = {}
    for entity_type, values in obj.items():
        if not isinstance(entity_type, str) or not ENTITY_NAME.match(entity_type):
            # Not the key itself: it may be a value put in the wrong place.
            raise IdentityError(f"{name}: keys must be entity types such as PERSON")
        where = f"{name}.{entity_type}"
        if (
            not isinstance(values, (list, tuple))
            or not 0 < len(values) <= MAX_IDENTITY_VALUES
            or not all(isinstance(v, str) and 0 < len(v) <= MAX_IDENTITY_VALUE for v in values)
        ):
            raise IdentityError(
                f"{where}: must be a list of 1-{MAX_IDENTITY_VALUES} non-empty strings "
                f"of at most {MAX_IDENTITY_VALUE} characters"
            )
        for i, value in enumerate(values):
            if not identity_forms(entity_type, value):
                raise IdentityError(f"{where}[{i}]: cannot be read as a {entity_type}")
        out[entity_type] = tuple(values)
    return out


# --- normalisation -------------------------------------------------------------------------------

_CYR_TO_LAT = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
        "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu",
        "я": "ia", "і": "i", "ї": "i", "є": "e", "'": "", "’": "",
    }
)  # fmt: skip
_DOUBLED = re.compile(r"(.)\1+")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_CYRILLIC = re.compile(r"[а-яё]")
_LATIN_PATRONYMIC = re.compile(r"(?:ovich|evich|ovna|evna|ichna)$")
_CASES = {"nomn": "nomn", "gent": "gent", "gen2": "gent", "datv": "datv", "accs": "accs",
          "ablt": "ablt", "loct": "loct", "loc2": "loct", "voct": "nomn"}  # fmt: skip
_GENDERS = frozenset({"masc", "femn"})


def _skeleton(word: str) -> str:
    """A Latin spelling of ``word`` in which common transliteration choices coincide."""
    latin = word.translate(_CYR_TO_LAT).replace("kh", "h").replace("y", "i").replace("j", "i")
    return _DOUBLED.sub(r"\1", latin.replace("w", "v"))


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang="ru")


@dataclass(frozen=True, slots=True)
class _Reading:
    """One reading of one word of a name."""

    form: str  # skeleton of the lemma (or of the surface form)
    role: str  # "name", "patronymic" or "other" (a surname, or unknown)
    gender: str | None  # masc, femn, or None when it does not say
    case: str | None  # None for the surface form (it agrees with anything)
    first: str  # the word's first letter as written (case-folded)


def _readings(word: str) -> list[_Reading]:
    """The readings of one (case-folded) word: its surface form first, then its lemmas."""
    surface = _skeleton(word)
    first = word[0]
    if not _CYRILLIC.search(word):
        role = "patronymic" if _LATIN_PATRONYMIC.search(surface) else "other"
        return [_Reading(surface, role, None, None, first)]
    readings: dict[tuple[str, str, str | None, str | None], None] = {}
    parses = _morph().parse(word)
    # A word the dictionary knows as a name, surname or patronymic is read only as one.
    named = [p for p in parses if {"Name", "Surn", "Patr"} & p.tag.grammemes]
    skeletons: dict[str, str] = {}
    for parse in named or parses:
        tag = parse.tag
        if "Patr" in tag:
            role = "patronymic"
        elif "Name" in tag:
            role = "name"
        else:
            role = "other"
        gender = tag.gender if tag.gender in _GENDERS else None
        case = _CASES.get(tag.case) if tag.case is not None else None
        normal = parse.normal_form
        lemma = skeletons.get(normal)
        if lemma is None:
            parts = normal.replace("ё", "е").split("-")
            lemma = skeletons[normal] = "-".join(_skeleton(p) for p in parts)
        readings[(lemma, role, gender, case)] = None
    # First, the surface form as written: the role and gender all its readings agree on, any
    # case; then at most _MAX_READINGS - 1 lemma readings.
    roles, genders = {key[1] for key in readings}, {key[2] for key in readings}
    role = roles.pop() if len(roles) == 1 else "other"
    gender = genders.pop() if len(genders) == 1 else None
    lemmas = itertools.islice(readings, _MAX_READINGS - 1)
    return [_Reading(surface, role, gender, None, first), *(_Reading(*k, first) for k in lemmas)]


def _agree(combo: Sequence[_Reading]) -> str | bool | None:
    """The gender the readings of a name agree on (``None``: none stated); ``False`` when they
    disagree in gender or case."""
    genders = {r.gender for r in combo if r.gender is not None}
    cases = {r.case for r in combo if r.case is not None}
    if len(genders) > 1 or len(cases) > 1:
        return False
    return next(iter(genders), None)


def _agreeing(per_word: Sequence[Sequence[_Reading]]) -> list[tuple[_Reading, ...]]:
    """Every reading of the words of a name whose words agree in gender and case (pruned
    word by word)."""
    combos: list[tuple[tuple[_Reading, ...], str | None, str | None]] = [((), None, None)]
    for readings in per_word:
        extended = []
        for combo, gender, case in combos:
            for r in readings:
                if r.gender is not None and gender is not None and r.gender != gender:
                    continue
                if r.case is not None and case is not None and r.case != case:
                    continue
                extended.append(((*combo, r), r.gender or gender, r.case or case))
        combos = extended
    return [combo for combo, _, _ in combos]


def _name_words(value: str) -> tuple[list[str], list[str]] | None:
    """A name's full words and initials (case-folded, ``ё`` as ``е``); ``None`` if it has
    none or too many words."""
    text = unicodedata.normalize("NFKC", value).casefold().replace("ё", "е")
    tokens = _WORD.findall(text)
    if not tokens or len(tokens) > MAX_NAME_WORDS:
        return None
    return [t for t in tokens if len(t) > 1], [t for t in tokens if len(t) == 1]


def _initials_of(reading: _Reading) -> list[str]:
    """The keys of a word's initial: ``l`` + the first Latin letter of its skeleton and, for a
    Cyrillic word, ``c`` + its first letter."""
    keys = [f"l{reading.form[:1]}"]
    if _CYRILLIC.match(reading.first):
        keys.append(f"c{reading.first}")
    return keys


def _initial_keys(letter: str) -> str:
    """The key of an initial as written in a finding."""
    return f"c{letter}" if _CYRILLIC.match(letter) else f"l{_skeleton(letter)[:1]}"


def _full_name_forms(combo: Sequence[_Reading], *, identity: bool) -> set[str]:
    """``n:`` + every word; with a patronymic, the name without it too: ``s:`` (an identity's,
    which a finding without a patronymic looks up) or ``n:`` (a finding's, which matches an
    identity that has none). So a patronymic in both must be the same one."""
    patronymic = any(r.role == "patronymic" for r in combo)
    rest = sorted(r.form for r in combo if r.role != "patronymic")
    forms = {"n:" + "|".join(sorted(r.form for r in combo))}
    if patronymic and len(rest) >= 2:  # never a given name alone
        forms.add(("s:" if identity else "n:") + "|".join(rest))
    elif not patronymic and not identity:
        forms.add("s:" + "|".join(rest))
    return forms


def _identity_initial_forms(combo: Sequence[_Reading]) -> set[str]:
    """The initials forms an identity name registers, from one agreeing reading of it:
    surname, initials, and (for a lemma reading of the surname) the name's gender."""
    patronymic = [r for r in combo if r.role == "patronymic"]
    # The surname: each word but the patronymic in turn (the dictionary's guess of which word
    # is a given name is unreliable for surnames it does not know).
    candidates = [r for r in combo if r.role != "patronymic"]
    gender = _agree(combo)
    forms: set[str] = set()
    for surname in candidates:
        given = [r for r in combo if r is not surname and r.role != "patronymic"]
        if len(given) != 1:
            continue
        if surname.case is None:
            mark = "-"
        elif isinstance(gender, str):
            mark = gender
        else:
            continue  # a lemma reading that does not say its gender compares nothing
        for first in _initials_of(given[0]):
            if not patronymic:
                forms.add(f"i:{surname.form}|{first}|{mark}")
                continue
            forms.add(f"j:{surname.form}|{first}|{mark}")
            for second in _initials_of(patronymic[0]):
                if first[0] == second[0]:  # one script for both initials
                    forms.add(f"ip:{surname.form}|{first}{second}|{mark}")
    return forms


def _lookup_initial_forms(surname: str, initials: Sequence[str]) -> set[str]:
    """The forms a finding ``И. Петров`` / ``Petrov I. I.`` looks up."""
    keys = [_initial_keys(i) for i in initials]
    forms: set[str] = set()
    for reading in _readings(surname):
        if reading.case is not None and reading.gender is None:
            continue
        mark = reading.gender or "-"
        if len(keys) == 1:
            forms.update(
                (f"i:{reading.form}|{keys[0]}|{mark}", f"j:{reading.form}|{keys[0]}|{mark}")
            )
        else:
            forms.add(f"ip:{reading.form}|{keys[0]}{keys[1]}|{mark}")
            forms.add(f"i:{reading.form}|{keys[0]}|{mark}")  # identity without a patronymic
    return forms


def _person_forms(value: str, *, identity: bool) -> frozenset[str]:
    """The forms of a name: what an identity registers, or what a finding looks up."""
    split = _name_words(value)
    if split is None:
        return frozenset()
    words, initials = split
    forms: set[str] = set()
    if initials:
        # Identities are full names. A finding: one surname and one or two initials.
        if identity or len(words) != 1 or len(initials) > 2:
            return frozenset()
        return frozenset(_lookup_initial_forms(words[0], initials))
    if identity and len(words) < 2:
        return frozenset()  # a given name alone identifies nobody
    # Every agreeing reading, and the words as written (a foreign name the dictionary reads
    # as common nouns of clashing genders still matches itself).
    per_word = [_readings(w) for w in words]
    written = tuple(_Reading(r[0].form, r[0].role, None, None, r[0].first) for r in per_word)
    for combo in [*_agreeing(per_word), written]:
        forms.update(_full_name_forms(combo, identity=identity))
        if identity:
            forms.update(_identity_initial_forms(combo))
    return frozenset(forms)


def _phone_form(value: str) -> str | None:
    text = unicodedata.normalize("NFKC", value).strip()
    digits = "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())
    if len(digits) == 11 and digits.startswith("8") and not text.startswith("+"):
        digits = "7" + digits[1:]  # Russian trunk prefix: 8 916 ... is +7 916 ...
    return digits if 7 <= len(digits) <= 15 else None


def _email_form(value: str) -> str | None:
    text = unicodedata.normalize("NFKC", value).strip().casefold()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or any(ch.isspace() for ch in text):
        return None
    return text


def _other_form(value: str) -> str | None:
    text = "".join(ch for ch in unicodedata.normalize("NFKC", value).casefold() if ch.isalnum())
    return text or None


def _single(entity_type: str, value: str) -> frozenset[str]:
    if entity_type == "PHONE_NUMBER":
        form = _phone_form(value)
    elif entity_type == "EMAIL_ADDRESS":
        form = _email_form(value)
    else:
        form = _other_form(value)
    return frozenset({form}) if form is not None else frozenset()


def identity_forms(entity_type: str, value: str) -> frozenset[str]:
    """The normalised forms an identity value registers (empty: it cannot be normalised)."""
    if entity_type == "PERSON":
        return _person_forms(value, identity=True)
    return _single(entity_type, value)


def lookup_forms(entity_type: str, value: str) -> frozenset[str]:
    """The normalised forms a finding's value is looked up by (empty: it cannot be
    normalised, and belongs to nobody; so does a value longer than any identity value)."""
    if len(value) > MAX_IDENTITY_VALUE:
        return frozenset()
    if entity_type == "PERSON":
        return _person_forms(value, identity=False)
    return _single(entity_type, value)


# --- fingerprints and the index ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """One subject's identity as kept: keyed fingerprints and the keyring key id behind them."""

    key_id: str
    values: frozenset[bytes]

    def encode(self) -> dict[str, Any]:
        """A JSON-able form, for a table entry."""
        return {"kid": self.key_id, "fp": sorted(v.hex() for v in self.values)}

    @classmethod
    def decode(cls, doc: object) -> Fingerprints:
        """Back from :meth:`encode`. Raises ``ValueError``."""
        try:
            assert isinstance(doc, Mapping)
            kid, fps = doc["kid"], doc["fp"]
            assert isinstance(kid, str) and isinstance(fps, list)
            return cls(kid, frozenset(bytes.fromhex(v) for v in fps))
        except (AssertionError, KeyError, TypeError, ValueError):
            raise ValueError("identity fingerprints are malformed") from None


class Person(StrEnum):
    """Whose consent decides a finding."""

    SUBJECT = "subject"  # the record's own subject
    REGISTERED = "registered"  # another subject the registry knows
    THIRD_PARTY = "third_party"  # nobody known: no consent


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who a finding belongs to. ``subject_refs``: every registered subject other than the
    record's whose identity it matches (for ``registered``, at least one; for ``subject``,
    namesakes). Judge the finding under the most restrictive of the consents of everyone it
    names: the record subject's (for ``subject``) and each of ``subject_refs``'."""

    person: Person
    subject_refs: tuple[str, ...] = ()


THIRD_PARTY = Attribution(Person.THIRD_PARTY)
SUBJECT = Attribution(Person.SUBJECT)


@dataclass(slots=True)
class IdentityIndex:
    """Fingerprint → subject for every registered subject. Holds no clear identity value; holds
    the keyring (for the fingerprint keys), like :class:`streams.core.keys.KeyBook`.

    Subject references are normalised (:func:`streams.core.consent.normalise_subject_ref`).
    """

    keyring: Keyring = field(repr=False)
    _by_fingerprint: dict[bytes, set[str]] = field(default_factory=dict, repr=False)
    _by_subject: dict[str, Fingerprints] = field(default_factory=dict, repr=False)
    _keys: dict[str, bytes] = field(default_factory=dict, repr=False)
    _key_uses: dict[str, int] = field(default_factory=dict, repr=False)  # subjects per key id

    def __len__(self) -> int:
        return len(self._by_subject)

    def _key(self, key_id: str) -> bytes:
        key = self._keys.get(key_id)
        if key is None:
            key = self._keys[key_id] = self.keyring.derived(key_id, _FINGERPRINT)
        return key

    def fingerprints(
        self, identity: Mapping[str, Sequence[str]], key_id: str | None = None
    ) -> Fingerprints:
        """The fingerprints of a validated identity (see :func:`parse_identity`), under the
        active keyring key unless ``key_id`` names another."""
        kid = key_id if key_id is not None else self.keyring.active
        key = self._key(kid)
        values = {
            _fingerprint(key, entity_type, form)
            for entity_type, entries in identity.items()
            for value in entries
            for form in identity_forms(entity_type, value)
        }
        return Fingerprints(kid, frozenset(values))

    def add(self, subject_ref: str, identity: object) -> Fingerprints:
        """Register (or replace) a subject's identity; returns its fingerprints, to be stored
        in place of the identity. Raises :class:`IdentityError`."""
        fingerprints = self.fingerprints(parse_identity(identity))
        self.add_fingerprints(subject_ref, fingerprints)
        return fingerprints

    def add_fingerprints(self, subject_ref: str, fingerprints: Fingerprints) -> None:
        """Register (or replace) a subject's stored fingerprints (a table read back)."""
        ref = normalise_subject_ref(subject_ref)
        self.remove(ref)
        self._key(fingerprints.key_id)  # fails now if the key id is gone from the keyring
        self._by_subject[ref] = fingerprints
        self._key_uses[fingerprints.key_id] = self._key_uses.get(fingerprints.key_id, 0) + 1
        for fp in fingerprints.values:
            self._by_fingerprint.setdefault(fp, set()).add(ref)

    def remove(self, subject_ref: str) -> None:
        """Forget a subject's fingerprints (erasure)."""
        ref = normalise_subject_ref(subject_ref)
        old = self._by_subject.pop(ref, None)
        if old is None:
            return
        self._key_uses[old.key_id] -= 1
        if not self._key_uses[old.key_id]:
            del self._key_uses[old.key_id]
        for fp in old.values:
            refs = self._by_fingerprint.get(fp)
            if refs is not None:
                refs.discard(ref)
                if not refs:
                    del self._by_fingerprint[fp]

    def attribute(
        self,
        entity_type: str,
        value: str,
        record_subject: str | None,
        record_identity: Fingerprints | None = None,
    ) -> Attribution:
        """Who the finding ``value`` (of ``entity_type``) belongs to, in a record about
        ``record_subject`` whose own ``consent.identity`` has ``record_identity``.

        The record's subject (their registered or record-level identity), else other
        registered subjects, else a third party; a value that cannot be normalised is a
        third party. A value of the subject's that also matches other registered subjects
        (namesakes, or a record-level identity naming someone else) is ``subject`` with
        those subjects in ``subject_refs``: judge it under the most restrictive of all their
        consents, so a record cannot claim a registered person's values as its subject's and
        publish them past that person's withdrawal."""
        ref = normalise_subject_ref(record_subject) if record_subject is not None else None
        own = self._by_subject.get(ref) if ref is not None else None
        key_ids = set(self._key_uses)
        for extra in (own, record_identity):
            if extra is not None:
                key_ids.add(extra.key_id)
        if not key_ids:
            return THIRD_PARTY  # nobody is known: no need to read the value
        forms = lookup_forms(entity_type, value)
        if not forms:
            return THIRD_PARTY
        matches: set[str] = set()
        is_subject = False
        for kid in sorted(key_ids):
            key = self._key(kid)
            fps = {_fingerprint(key, entity_type, form) for form in forms}
            for mine in (own, record_identity):
                if mine is not None and mine.key_id == kid and not fps.isdisjoint(mine.values):
                    is_subject = True
            for fp in fps:
                matches.update(self._by_fingerprint.get(fp, ()))
        matches.discard(ref or "")
        others = tuple(sorted(matches))
        if is_subject:
            return Attribution(Person.SUBJECT, others) if others else SUBJECT
        if others:
            return Attribution(Person.REGISTERED, others)
        return THIRD_PARTY

    def subjects(self) -> Iterable[str]:
        """The registered subjects (normalised references)."""
        return self._by_subject.keys()


def _fingerprint(key: bytes, entity_type: str, form: str) -> bytes:
    message = f"{entity_type}\x00{form}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()[:_FINGERPRINT_BYTES]
