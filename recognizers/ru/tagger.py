"""natasha's Russian NER tagger, loaded to run faster with the same spans.

natasha (slovnet) runs its model in numpy. Two things cost more than they need to, and are
changed here without changing what the model computes:

- **Padding.** Each model call pads its texts to the longest of them. Texts are given here
  sorted by length (:meth:`recognizers.ru.person.RuPersonRecognizer.analyze_batch`), and
  :meth:`RussianTagger.map` cuts them into calls of like length instead of fixed runs of
  :data:`BATCH_SIZE`, so less padding is computed. The padding token's embeddings are zeros
  and the encoder zeroes padded positions after each layer, so a text's tags do not depend on
  the call it is in.
- **The convolutions.** slovnet lays the CNN encoder's activations out as batch × channels ×
  positions and builds each layer's windows by a strided copy; :class:`ChannelLastEncoder`
  computes the same layers (zero-padded convolution, ReLU, batch norm, padded positions zeroed)
  on batch × positions × channels, where the windows are three contiguous slices and each layer
  is one matrix product. Outputs differ from slovnet's only by float rounding (below 1e-5 on
  the accuracy sets); ``tests/recognizers/ru/test_tagger.py`` checks both against slovnet.

Together about a third less time in natasha on scraped fields (benchmarks/README.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt

#: Texts per model call at most: per-call work dominates natasha's default of 8; 32 (of texts
#: sorted by length) was the fastest measured.
BATCH_SIZE: Final = 32
#: A model call takes texts up to this many times as long as its first (shortest) one, plus
#: :data:`LENGTH_SLACK` characters, so that little of it is padding.
LENGTH_RATIO: Final = 1.25
LENGTH_SLACK: Final = 8

_Array = npt.NDArray[np.float32]


class ChannelLastEncoder:
    """slovnet's ``CNNEncoder`` computed on batch × positions × channels
    (see the module's docstring). Called as slovnet calls its encoder: ``(input, pad_mask)``,
    ``input`` batch × positions × channels, ``pad_mask`` true at padded positions."""

    def __init__(self, encoder: Any) -> None:
        self._layers = []
        for layer in encoder.layers:
            weight = layer.conv.weight.array  # filters × channels × kernel
            filters, _channels, kernel = weight.shape
            if kernel != 2 * int(layer.conv.padding) + 1:  # natasha's news model: 3 and 1
                raise ValueError("a convolution that changes the length is not supported")
            # kernel-major rows, to match windows laid out as kernel × channels
            stacked = np.ascontiguousarray(weight.transpose(2, 1, 0).reshape(-1, filters))
            norm = layer.norm
            scale = norm.weight.array / norm.std.array
            shift = norm.bias.array - norm.mean.array * scale
            self._layers.append(
                (stacked, layer.conv.bias.array, int(layer.conv.padding), kernel, scale, shift)
            )

    def __call__(self, input: _Array, mask: npt.NDArray[np.bool_]) -> _Array:
        batch, length, _channels = input.shape
        keep = ~mask[:, :, None]
        x = input
        for stacked, bias, padding, kernel, scale, shift in self._layers:
            padded = np.zeros((batch, length + 2 * padding, x.shape[2]), dtype=x.dtype)
            padded[:, padding : padding + length] = x
            windows = np.concatenate([padded[:, k : k + length] for k in range(kernel)], axis=2)
            out = windows.reshape(batch * length, -1) @ stacked
            out = out.reshape(batch, length, -1)
            out += bias
            np.maximum(out, 0, out=out)
            out *= scale
            out += shift
            out *= keep
            x = out
        return x


class RussianTagger:
    """natasha's NER tagger with :meth:`map` as natasha's: slovnet's markup (``.spans``, each
    with ``.start``, ``.stop``, ``.type``) for each text, in order.

    It changes the natasha tagger it is given (its encoder and batch size), so that tagger is
    then faster too; wrapping it again reuses what was changed."""

    def __init__(self, tagger: Any) -> None:
        self._infer = tagger.infer
        self._infer.encoder.batch_size = BATCH_SIZE  # one run of :func:`calls` is one batch
        model = self._infer.model
        if not isinstance(model.encoder, ChannelLastEncoder):
            model.encoder = ChannelLastEncoder(model.encoder)

    def map(self, texts: Sequence[str]) -> Iterator[Any]:
        """The markup of each of ``texts``; fastest when they come sorted by length."""
        for first, last in calls(texts):
            yield from self._infer(texts[first:last])


def calls(texts: Sequence[str]) -> list[tuple[int, int]]:
    """``texts`` cut into runs (``first``, ``last``) of at most :data:`BATCH_SIZE`, each of
    texts at most :data:`LENGTH_RATIO` times as long as its first plus :data:`LENGTH_SLACK`."""
    out = []
    first = 0
    for index, text in enumerate(texts):
        if index == first:
            limit = len(text) * LENGTH_RATIO + LENGTH_SLACK
        elif index - first >= BATCH_SIZE or len(text) > limit:
            out.append((first, index))
            first, limit = index, len(text) * LENGTH_RATIO + LENGTH_SLACK
    if first < len(texts):
        out.append((first, len(texts)))
    return out


def load_russian_tagger() -> RussianTagger:
    """natasha's news NER tagger over its news embeddings."""
    from natasha import NewsEmbedding, NewsNERTagger  # noqa: PLC0415 - heavy import

    return RussianTagger(NewsNERTagger(NewsEmbedding()))
