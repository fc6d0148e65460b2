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
        self._tagger = tagger if tagger is not None else load_russian_tagger()

    def wants(self, text: str) -> bool:
        return CYRILLIC_CAPITALISED.search(text) is not None

    def analyze_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        results: list[list[Span]] = [[] for _ in texts]
        todo = [i for i, text in enumerate(texts) if text.strip()]
        markups = self._tagger.map([texts[i] for i in todo])
        for index, markup in zip(todo, markups, strict=True):
            text = texts[index]
            results[index] = [
                (span.start, span.stop, self.SCORE)
                for span in markup.spans
                if span.type == "PER" and CYRILLIC.search(text[span.start : span.stop])
            ]
        return results
