"""PERSON in Russian (Cyrillic) text, with natasha's news NER model.

natasha's models ship inside its wheel (``navec`` embeddings and ``slovnet`` NER), so nothing is
downloaded. natasha raises on empty text, so only strings that contain a capitalised Cyrillic
word reach it. Set ``OPENBLAS_NUM_THREADS=1`` (this package does) or it runs five times slower.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from recognizers.ner import CYRILLIC, CYRILLIC_CAPITALISED, NerRecognizer, Span


def load_russian_tagger() -> Any:
    """natasha's news NER tagger over its news embeddings."""
    from natasha import NewsEmbedding, NewsNERTagger  # noqa: PLC0415 - heavy import

    return NewsNERTagger(NewsEmbedding())


class RuPersonRecognizer(NerRecognizer):
    """People's names found by natasha's NER (label ``PER``): full names, surname with
    initials, inflected forms."""

    LANGUAGE: ClassVar[str] = "ru"

    def __init__(self, tagger: Any | None = None) -> None:
        super().__init__()
        self.loads_own_model = tagger is None
        self._tagger = tagger if tagger is not None else load_russian_tagger()

    def wants(self, text: str) -> bool:
        return CYRILLIC_CAPITALISED.search(text) is not None

    def analyze_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        results: list[list[Span]] = [[] for _ in texts]
        # Shortest first: natasha pads each batch of 8 to its longest text, so similar lengths
        # side by side waste less work (twice as fast on scraped fields); the results are the
        # same in any order.
        todo = sorted(
            (i for i, text in enumerate(texts) if text.strip()), key=lambda i: len(texts[i])
        )
        markups = self._tagger.map([texts[i] for i in todo])
        for index, markup in zip(todo, markups, strict=True):
            text = texts[index]
            spans: list[Span] = []
            for span in markup.spans:
                if span.type != "PER":
                    continue
                start, stop = _trim(text, span.start, span.stop)
                if CYRILLIC.search(text[start:stop]):
                    spans.append((start, stop, self.SCORE))
            results[index] = spans
        return results


def _trim(text: str, start: int, stop: int) -> tuple[int, int]:
    """Narrow ``text[start:stop]`` to the name: natasha sometimes takes in a closing bracket
    glued to the last word (``(Сергей Кузнецов)`` at the end of a text). The dots of initials
    stay."""
    while stop > start and not (text[stop - 1].isalpha() or text[stop - 1] == "."):
        stop -= 1
    while start < stop and not text[start].isalpha():
        start += 1
    return start, stop
