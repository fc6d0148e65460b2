"""Russian names found by morphology and cues, whatever their case.

``pymorphy3`` (with the OpenCorpora dictionary of ``pymorphy3-dicts-ru``, inside its wheel)
tags a word with the grammemes ``Name`` (first name), ``Surn`` (surname) and ``Patr``
(patronymic), in every inflected form, and guesses them for unknown words from their endings
(``Ааронович`` is a patronymic). ``pymorphy2`` does not load on Python 3.11; ``pymorphy3`` is its
maintained fork. A word's *roles* are the grammemes its parses carry with enough weight
(:data:`ROLE_SCORE`).

Rules (spans cover the name's words, never the cue):

1. **Patronymic**: a first name followed by a patronymic, with a surname before or after it:
   ``Осипов Венедикт Ааронович``, ``Анна Сергеевна``, ``ПЕТРОВА АННА СЕРГЕЕВНА``.
2. **Pair**: a first name and a surname in either order: ``Анна Петрова``, ``петрова анна``.
3. **Initials**: a capitalised word with initials after or before it: ``Ефремов Ф.Б.``, ``Ф. Б.
   Ефремов``.
4. **Cue**: after a cue phrase (``Комментарий от``, ``Уважаемый``, ``Автор:``, ``Продавец:``,
   ...), one to three words that have a role, or in mixed-case text capitalised words that are
   not dictionary words of another kind (``Автор: Бхутто``); before ``пишет``/``написал``.
5. **Whole string**: a string of two to four words that all have roles (a ``фио`` field), or one
   capitalised surname or first name.
6. **Tables**: cells under a header naming a column of names (``Фамилия``, ``ФИО``).

In mixed-case text the words of rules 1-3 must be capitalised (``вера и надежда`` are not
names there); in ALL CAPS or lowercase text case says nothing, and roles decide.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import regex

from recognizers.names import (
    Case,
    Cues,
    Interval,
    Token,
    after,
    cached_words,
    end_of,
    joined,
    merge,
    mixes_scripts,
    opens_sentence,
    recase,
    table_cells,
    text_case,
    tokenize,
)

#: A parse weight at or above which a grammeme counts as a role of the word.
ROLE_SCORE: Final = 0.3
_CYRILLIC_WORD: Final = regex.compile(r"[А-Яа-яЁё'’\-]+")
_MAX_WORDS: Final = 4

CUES: Final = (
    "уважаемый",
    "уважаемая",
    "уважаемые",
    "ая",  # ``Уважаемый(ая)``
    "дорогой",
    "дорогая",
    "от",
    "комментарий от",
    "сообщение от",
    "письмо от",
    "отзыв от",
    "ответ от",
    "автор",
    "авторы",
    "продавец",
    "покупатель",
    "контактное лицо",
    "контакт",
    "контакты",
    "менеджер",
    "директор",
    "руководитель",
    "ответственный",
    "исполнитель",
    "заказчик",
    "получатель",
    "отправитель",
    "клиент",
    "пациент",
    "врач",
    "доктор",
    "сотрудник",
    "владелец",
    "собственник",
    "арендатор",
    "арендодатель",
    "подписал",
    "подписала",
    "г-н",
    "г-жа",
    "господин",
    "госпожа",
    "гражданин",
    "гражданка",
    "тов",
    "фио",
    "имя",
    "фамилия",
    "меня зовут",
    "зовут",
    "с уважением",
    "спасибо",
    "привет",
    "здравствуйте",
)
#: Verbs after a name: ``Иван Петров пишет:``.
POST_CUES: Final = frozenset(
    ("пишет", "написал", "написала", "ответил", "ответила", "сообщил", "сообщила", "сказал")
)
#: Words in a table's header that mark a column of names.
NAME_COLUMNS: Final = ("фамилия", "имя", "отчество", "фио", "автор", "контакт", "клиент")
_NOT_NOMINAL: Final = frozenset(
    ("PREP", "CONJ", "PRCL", "INTJ", "VERB", "INFN", "ADVB", "NPRO", "PRED", "NUMR", "COMP", "GRND")
)
#: Cues after which only a word with a role is taken (``от Москвы`` is not a name).
_WEAK_CUES: Final = frozenset(("от", "спасибо", "привет", "зовут"))


@dataclass(frozen=True, slots=True)
class Roles:
    """The weight of the first-name, surname and patronymic parses of a word, and whether
    the dictionary knows the word as something else (a common word)."""

    name: float
    surname: float
    patronymic: float
    common: bool
    #: Whether some reading is a noun (every name is one; so are surnames such as ``Волк``).
    noun: bool

    @property
    def any(self) -> bool:
        return max(self.name, self.surname, self.patronymic) >= ROLE_SCORE


def load_morph() -> Any:
    """pymorphy3's analyzer over its Russian dictionary (loaded from site-packages)."""
    import pymorphy3  # noqa: PLC0415 - heavy import, deferred until needed

    return pymorphy3.MorphAnalyzer(lang="ru")


class RussianNames:
    """The rules of this module over one text at a time."""

    def __init__(self, morph: Any | None = None) -> None:
        self._morph = morph if morph is not None else load_morph()
        self._cues = Cues(CUES)
        self._weak = Cues(_WEAK_CUES)
        self.roles = functools.lru_cache(maxsize=65536)(self._roles)

    def _roles(self, lower: str) -> Roles:
        name = surname = patronymic = 0.0
        common = noun = False
        for parse in self._morph.parse(lower):
            grammemes = parse.tag.grammemes
            noun = noun or "NOUN" in grammemes or not parse.is_known
            if "Name" in grammemes:
                name += parse.score
            elif "Surn" in grammemes:
                surname += parse.score
            elif "Patr" in grammemes:
                patronymic += parse.score
            elif parse.is_known and parse.score >= ROLE_SCORE:
                common = True
        return Roles(name, surname, patronymic, common, noun)

    def tokens(self, text: str) -> tuple[Token, ...]:
        """The Cyrillic words of ``text``."""
        return _cyrillic_tokens(text, False)

    def recased(self, text: str) -> str:
        """``text`` with its ALL CAPS words that have a role in title case, for the model."""
        return recase(text, self.tokens(text), lambda token: self.roles(token.lower).any)

    def only_plain_openers(self, text: str) -> bool:
        """Whether every Cyrillic word of ``text`` is one the dictionary knows with no
        first-name, surname or patronymic reading, and every capitalised one also opens the
        text or a sentence in it and is no noun in any reading (``Пишите …``, ``Спасибо за
        заказ``): the model finds names by their capitals, and such a text has none but a
        sentence's first word, which is no name (names are nouns, and so are surnames the
        dictionary knows only as words: ``Волк``, ``Соловей``). ``False`` for a text with no
        capitalised word, or with a word mixing scripts."""
        if mixes_scripts(text):
            return False
        seen = False
        for token in self.tokens(text):
            roles = self.roles(token.lower)
            if not roles.common or roles.name or roles.surname or roles.patronymic:
                return False
            if token.text[0].isupper():
                if roles.noun or not opens_sentence(text, token.start):
                    return False
                seen = True
        return seen

    def find(self, text: str) -> list[Interval]:
        """Spans of names found by the rules, merged and sorted."""
        tokens = self.tokens(text)
        if not tokens:
            return []
        case = text_case(tokens)
        found = self._sequences(text, tokens, case)
        found.extend(self._patronymics(text, tokens, case))
        found.extend(self._initials(text, tokens, case))
        found.extend(self._after_cues(text, tokens, case))
        found.extend(self._whole(text, tokens))
        if "\n" in text:
            found.extend(self._table(text))
        return merge(found)

    # --- word classes ----------------------------------------------------------------------

    def _shaped(self, token: Token, case: Case) -> bool:
        """Capitalised in mixed-case text; any word elsewhere."""
        return case is not Case.MIXED or token.is_title or token.is_upper

    def _part(self, token: Token, case: Case) -> str:
        """The role of ``token`` in a name: ``P`` patronymic, ``N`` first name, ``S`` surname,
        ``""`` none (the strongest role wins; a patronymic beats the rest)."""
        if token.is_initial or not self._shaped(token, case):
            return ""
        roles = self.roles(token.lower)
        if roles.patronymic >= 0.5:
            return "P"
        best = max(roles.name, roles.surname)
        if best < ROLE_SCORE:
            return ""
        return "N" if roles.name >= roles.surname else "S"

    def _capitalised_word(self, token: Token, case: Case) -> bool:
        """A capitalised word that can be a name: it has a role, or the dictionary does not
        know it as another word (``Бхутто``)."""
        if token.is_initial or len(token.text) < 2 or not self._shaped(token, case):
            return False
        if case is not Case.MIXED:
            return self.roles(token.lower).any
        roles = self.roles(token.lower)
        return roles.any or not roles.common

    # --- rules -----------------------------------------------------------------------------

    def _sequences(self, text: str, tokens: Sequence[Token], case: Case) -> list[Interval]:
        """Rules 1 and 2: runs of words whose roles make a name."""
        found: list[Interval] = []
        index = 0
        while index < len(tokens):
            parts = []
            end = index
            while end < len(tokens) and end - index < 3:
                if end > index and not joined(text, tokens[end - 1], tokens[end]):
                    break
                part = self._part(tokens[end], case)
                if not part:
                    break
                parts.append(part)
                end += 1
            pattern = "".join(parts)
            length = _name_length(pattern)
            if length:
                found.append((tokens[index].start, tokens[index + length - 1].end))
                index += length
            else:
                index += 1
        return found

    def _patronymics(self, text: str, tokens: Sequence[Token], case: Case) -> list[Interval]:
        """Rule 1 anchored on the patronymic: the one or two words before it that can be
        names (``БОЛЬШАКОВ МИЛОВАН ДАНИЛОВИЧ``, ``Олимпиада Болеславовна``), and a surname
        after it."""
        found: list[Interval] = []
        for index, token in enumerate(tokens):
            if index == 0 or self._part(token, case) != "P":
                continue
            # the first name right before the patronymic may be any noun-like word
            # (``МИЛОВАН ДАНИЛОВИЧ``); a surname before that must look like one
            if not (
                joined(text, tokens[index - 1], token)
                and self._before_patronymic(tokens[index - 1], case)
            ):
                continue
            first = index - 1
            if (
                first > 0
                and joined(text, tokens[first - 1], tokens[first])
                and self._before_patronymic(tokens[first - 1], case)
                and self._surname_like(tokens[first - 1])
            ):
                first -= 1
            last = index
            if (
                index + 1 < len(tokens)
                and joined(text, token, tokens[index + 1])
                and self._part(tokens[index + 1], case) == "S"
            ):
                last = index + 1
            found.append((tokens[first].start, tokens[last].end))
        return found

    def _surname_like(self, token: Token) -> bool:
        """A surname parse of any weight, or no dictionary word (``Большаков``, ``Осипов``)."""
        roles = self.roles(token.lower)
        return roles.surname > 0 or roles.name >= ROLE_SCORE or not roles.common

    def _before_patronymic(self, token: Token, case: Case) -> bool:
        """A word before a patronymic is a first name or a surname unless it is a word of
        another part of speech (``сказал Иван Петрович``)."""
        if token.is_initial or len(token.text) < 2:
            return False
        if case is Case.MIXED and not (token.is_title or token.is_upper):
            return False
        return self._nominal(token)

    def _initials(self, text: str, tokens: Sequence[Token], case: Case) -> list[Interval]:
        """Rule 3: ``Ефремов Ф.Б.``, ``Ефремов Ф. Б.``, ``Ф.Б. Ефремов``."""
        found: list[Interval] = []
        for index, token in enumerate(tokens):
            if not token.is_initial:
                continue
            first = index
            while (
                first > 0
                and tokens[first - 1].is_initial
                and joined(text, tokens[first - 1], tokens[first])
            ):
                first -= 1
            last = index
            while (
                last + 1 < len(tokens)
                and tokens[last + 1].is_initial
                and joined(text, tokens[last], tokens[last + 1])
            ):
                last += 1
            if first != index:
                continue  # handled from the first initial of the group
            before = tokens[first - 1] if first else None
            following = tokens[last + 1] if last + 1 < len(tokens) else None
            if (
                before is not None
                and joined(text, before, tokens[first])
                and self._capitalised_word(before, Case.MIXED)
                and (before.is_title or before.is_upper)
            ):
                found.append((before.start, end_of(text, tokens[last])))
            elif (
                following is not None
                and joined(text, tokens[last], following)
                and (following.is_title or following.is_upper)
                and self._capitalised_word(following, Case.MIXED)
            ):
                found.append((token.start, following.end))
        return found

    def _after_cues(self, text: str, tokens: Sequence[Token], case: Case) -> list[Interval]:
        """Rule 4, both sides: a name after a cue phrase or before a verb of writing."""
        found: list[Interval] = []
        for index in range(len(tokens)):
            if self._cues.before(text, tokens, index):
                weak = self._weak.before(text, tokens, index) and not self._strong_before(
                    text, tokens, index
                )
                count = self._cued_run(text, tokens, index, case, weak=weak)
                if count:
                    found.append((tokens[index].start, end_of(text, tokens[index + count - 1])))
            if after(text, tokens, index, POST_CUES):
                first = index
                while (
                    first > 0
                    and index - first < 2
                    and joined(text, tokens[first - 1], tokens[first])
                    and self._capitalised_word(tokens[first - 1], case)
                ):
                    first -= 1
                if self._capitalised_word(tokens[index], case):
                    found.append((tokens[first].start, tokens[index].end))
        return found

    def _cued_run(
        self, text: str, tokens: Sequence[Token], index: int, case: Case, *, weak: bool
    ) -> int:
        """How many words from ``index`` on, right after a cue, form a name: up to three
        nominal words (initials after the first), with a role among them after a ``weak`` cue
        or in lowercase or ALL CAPS (``от СОФИЯ НАЗАРОВА``, ``от лукина анастасия``), or
        capitalised words that are not other dictionary words after a strong cue in mixed-case
        text (``Автор: Бхутто``)."""
        count = 0
        supported = 0  # the words up to the last one that says "name"
        while index + count < len(tokens) and count < 3:
            token = tokens[index + count]
            if count and not joined(text, tokens[index + count - 1], token):
                break
            count += 1
            if token.is_letter:
                # initials before the name (``в.в. ефимов``) count once a name word follows;
                # initials after it belong to it
                if supported and supported == count - 1:
                    supported = count
                continue
            if self._part(token, Case.LOWER):
                supported = count
            elif not self._nominal(token):
                count -= 1
                break
            elif (
                case is Case.MIXED
                and not weak
                and not token.text.islower()
                and self._capitalised_word(token, case)
            ):
                supported = count
        return supported

    def _nominal(self, token: Token) -> bool:
        """Not a preposition, conjunction, particle, verb, adverb or pronoun (names are
        nouns, and unknown names are guessed as anything else)."""
        parse = self._morph.parse(token.lower)[0]
        return parse.tag.POS not in _NOT_NOMINAL

    def _strong_before(self, text: str, tokens: Sequence[Token], index: int) -> bool:
        """Whether a multi-word cue (``комментарий от``) ends before ``tokens[index]``."""
        return index >= 2 and tokens[index - 2].lower in {
            "комментарий",
            "сообщение",
            "письмо",
            "отзыв",
            "ответ",
        }

    def _whole(self, text: str, tokens: Sequence[Token]) -> list[Interval]:
        """Rule 5: the whole string is a name."""
        words = [t for t in tokens if not t.is_initial]
        if not 1 <= len(words) <= _MAX_WORDS:
            return []
        rest = text
        for token in reversed(tokens):
            rest = rest[: token.start] + rest[end_of(text, token) :]
        if rest.strip(" \t\r\n\u00a0,.'\"«»()[]") or any(ch.isdigit() for ch in rest):
            return []
        if len(words) == 1:
            word = words[0]
            roles = self.roles(word.lower)
            if (word.is_title or word.is_upper) and max(roles.name, roles.surname) >= 0.5:
                return [(tokens[0].start, end_of(text, tokens[-1]))]
            return []
        if all(self.roles(w.lower).any for w in words):
            return [(tokens[0].start, end_of(text, tokens[-1]))]
        return []

    def _table(self, text: str) -> list[Interval]:
        """Rule 6: the cells of a column of names."""
        found: list[Interval] = []
        for start, end, named in table_cells(text, NAME_COLUMNS):
            cell = text[start:end]
            if named and _is_cyrillic(cell.replace(" ", "").replace(".", "")):
                found.append((start, end))
        return found


def _is_cyrillic(word: str) -> bool:
    return _CYRILLIC_WORD.fullmatch(word) is not None


def _is_cyrillic_word(word: str) -> bool:
    """:func:`_is_cyrillic` for a word of the tokenizer, which starts with a letter: in ASCII
    that letter is Latin, so no regex is needed to say no."""
    return not word.isascii() and _is_cyrillic(word)


@cached_words
def _cyrillic_tokens(text: str, slug: bool) -> tuple[Token, ...]:
    return tokenize(text, _is_cyrillic_word, slug=slug)


def _name_length(pattern: str) -> int:
    """How many of the leading parts in ``pattern`` (``N``, ``S``, ``P`` per word) make a
    name: ``SNP``, ``NPS``, ``NP``, ``NS``, ``SN``; 0 for none."""
    for shape in ("SNP", "NPS", "NP", "NS", "SN", "NNP"):
        if pattern.startswith(shape):
            return len(shape)
    return 0
