"""PERSON in Russian (Cyrillic) text: natasha's news NER model plus morphology and cue rules.

natasha's models ship inside its wheel (``navec`` embeddings and ``slovnet`` NER), so nothing is
downloaded. natasha raises on empty text, so only strings that contain a capitalised Cyrillic
word reach it; it sees ALL CAPS words that morphology takes for names in title case
(``ПЕТРОВА АННА`` as ``Петрова Анна``, same offsets). The rules of :mod:`recognizers.ru.names`
(``pymorphy3``'s Name/Surn/Patr grammemes, initials, cues) run on every text with a Cyrillic
letter, whatever its case, and their spans are joined to natasha's; a text whose capitalised
words they have all found (``Иванов Иван Иванович``) does not reach natasha, nor does a text
of dictionary words whose only capitals open sentences with words that are no nouns (``Пишите
на почту``; see :meth:`~recognizers.ru.names.RussianNames.only_plain_openers`). Set
``OPENBLAS_NUM_THREADS=1`` (this package does) or natasha runs five times slower; the tagger
is loaded as :mod:`recognizers.ru.tagger` makes it faster.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from recognizers.names import Interval, merge
from recognizers.ner import CYRILLIC, CYRILLIC_CAPITALISED, NerRecognizer, Span, names_cover
from recognizers.ru.names import RussianNames
from recognizers.ru.tagger import load_russian_tagger


class RuPersonRecognizer(NerRecognizer):
    """People's names found by natasha's NER (label ``PER``): full names, surname with
    initials, inflected forms."""

    LANGUAGE: ClassVar[str] = "ru"

    def __init__(self, tagger: Any | None = None, names: RussianNames | None = None) -> None:
        super().__init__()
        self.loads_own_model = tagger is None and names is None
        self._tagger = tagger if tagger is not None else load_russian_tagger()
        self._names = names if names is not None else RussianNames()

    def wants(self, text: str) -> bool:
        return CYRILLIC.search(text) is not None

    def analyze_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        found: list[list[Interval]] = []
        inputs: list[str] = []
        for text in texts:  # one text at a time: its words are remembered
            found.append(self._names.find(text))
            inputs.append(self._names.recased(text))
        # Shortest first: natasha pads each batch to its longest text, so similar lengths
        # side by side waste less work (twice as fast on scraped fields); the results are the
        # same in any order.
        todo = sorted(
            (
                i
                for i, text in enumerate(inputs)
                if CYRILLIC_CAPITALISED.search(text)
                and not names_cover(text, found[i])
                and not self._names.only_plain_openers(text)
            ),
            key=lambda i: len(texts[i]),
        )
        markups = self._tagger.map([inputs[i] for i in todo])
        for index, markup in zip(todo, markups, strict=True):
            text = texts[index]
            for span in markup.spans:
                if span.type != "PER":
                    continue
                start, stop = _trim(text, span.start, span.stop)
                if CYRILLIC.search(text[start:stop]):
                    found[index].append((start, stop))
        return [[(start, end, self.SCORE) for start, end in merge(spans)] for spans in found]


def _trim(text: str, start: int, stop: int) -> tuple[int, int]:
    """Narrow ``text[start:stop]`` to the name: natasha sometimes takes in a closing bracket
    glued to the last word (``(Сергей Кузнецов)`` at the end of a text). The dots of initials
    stay."""
    while stop > start and not (text[stop - 1].isalpha() or text[stop - 1] == "."):
        stop -= 1
    while start < stop and not text[start].isalpha():
        start += 1
    return start, stop
