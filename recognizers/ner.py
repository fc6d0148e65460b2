"""The base of model-based (NER) recognizers: batched, gated, and usable inside Presidio.

A model is slow compared with a regex, so an NER recognizer runs only on strings that can hold a
name in its script: :meth:`NerRecognizer.wants` asks for a capitalised word in that script.
:meth:`NerRecognizer.analyze_batch` runs the model over many strings at once, and not over a
string whose capitalised words the name rules have all found already (:func:`names_cover`), or
whose only capitals open sentences with common words (each language's ``only_plain_openers``).

A recognizer that loaded its own model pickles as "load the model again", so a detector can be
sent to a detection process (:mod:`streams.worker.detection`) without copying hundreds of megabytes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any, ClassVar, Final

import regex
from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from recognizers.names import Interval, merge

Span = tuple[int, int, float]

LATIN_CAPITALISED = regex.compile(r"(?<![A-Za-z])[A-Z][a-z'’\-]")
CYRILLIC_CAPITALISED = regex.compile(r"(?<![А-Яа-яЁё])[А-ЯЁ][а-яё\-.]")
CYRILLIC = regex.compile(r"[А-Яа-яЁё]")
LATIN = regex.compile(r"[A-Za-z]")
#: The first letter of a word that opens with a capital, Latin or Cyrillic (``IBM`` too).
CAPITAL_WORD: Final = regex.compile(r"(?<!\p{L})\p{Lu}")
#: One lowercase word alone between two names: a particle (``Ludwig van Beethoven``).
_PARTICLE_GAP: Final = regex.compile(r"[ \t\u00a0]+\p{Ll}+[ \t\u00a0]+")


def names_cover(text: str, found: Iterable[Interval]) -> bool:
    """Whether the name spans that rules found in ``text`` leave a model
    nothing to add: every word that opens with a capital lies inside one, and no lowercase word
    stands alone between two of them. The models find names by their capitals, so on such a
    text (``Иванов Иван Иванович``, ``Mary Miller said the refund went to card …``) they could
    only report what the spans already cover, and are not run.
    """
    spans = merge(found)
    if not spans:
        return False
    starts = [start for start, _end in spans]
    for match in CAPITAL_WORD.finditer(text):
        index = bisect_right(starts, match.start()) - 1
        if index < 0 or match.start() >= spans[index][1]:
            return False
    return not any(
        _PARTICLE_GAP.fullmatch(text, left[1], right[0]) for left, right in pairwise(spans)
    )


class NerRecognizer(EntityRecognizer):
    """A named-entity model wrapped as a Presidio recognizer with a batch entry point."""

    ENTITY: ClassVar[str] = "PERSON"
    LANGUAGE: ClassVar[str]
    SCORE: ClassVar[float] = 0.85

    def __init__(self) -> None:
        super().__init__(
            supported_entities=[self.ENTITY],
            supported_language=self.LANGUAGE,
            name=type(self).__name__,
        )

    #: Set by a subclass constructor that loaded the default model itself.
    loads_own_model: bool = False

    def __reduce_ex__(self, protocol: Any) -> Any:
        """A recognizer that loaded its own model is rebuilt (and loads it) when unpickled."""
        if self.loads_own_model:
            return (type(self), ())
        return super().__reduce_ex__(protocol)

    def load(self) -> None:
        """Models are loaded in the subclass constructor; nothing to do here."""

    def wants(self, text: str) -> bool:
        """Whether ``text`` can contain a name this model would find."""
        raise NotImplementedError

    def analyze_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        """Spans ``(start, end, score)`` for each text, in order."""
        raise NotImplementedError

    def analyze(
        self,
        text: str,
        entities: list[str] | None = None,
        nlp_artifacts: NlpArtifacts | None = None,
    ) -> list[RecognizerResult]:
        """Presidio's entry point: one text at a time."""
        if (entities and self.ENTITY not in entities) or not self.wants(text):
            return []
        return [
            RecognizerResult(
                entity_type=self.ENTITY,
                start=start,
                end=end,
                score=score,
                analysis_explanation=AnalysisExplanation(
                    recognizer=type(self).__name__, original_score=score
                ),
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: type(self).__name__,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                },
            )
            for start, end, score in self.analyze_batch([text])[0]
        ]
