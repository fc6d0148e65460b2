"""natasha's Russian NER tagger, loaded to run faster with the same spans.

natasha (slovnet) runs its model in numpy. Three things cost more than they need to, and are
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
  is one matrix product.
- **The first convolution per word.** The first layer's input at a position is the embedding of
  the word there and of its shape, so its product with each kernel position's weights depends on
  the word alone: :class:`NerModel` computes it once per distinct word of a call and keeps it
  for the next calls (:data:`WORD_CACHE` words, 24 MB), then adds up the three kernel positions;
  the embeddings of natasha's quantised vectors are looked up only for words it computes. A
  scraped field's words repeat; on factRuEval's news texts, from an empty cache, 30,914
  positions took 9,384 products.

Outputs differ from slovnet's only by float rounding (below 1e-5 on the accuracy sets);
``tests/recognizers/ru/test_tagger.py`` checks them against slovnet, spans and scores.

Together about half the time natasha took on the detector's texts (benchmarks/README.md).
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
#: Words whose first-layer products :class:`NerModel` keeps: 3 × 256 floats each, 24 MB in all.
WORD_CACHE: Final = 8192

_Array = npt.NDArray[np.float32]


class ChannelLastEncoder:
    """slovnet's ``CNNEncoder`` layers computed on batch × positions × channels
    (see the module's docstring). Called as slovnet calls its encoder: ``(input, pad_mask)``,
    ``input`` batch × positions × channels, ``pad_mask`` true at padded positions."""

    def __init__(self, layers: Sequence[Any]) -> None:
        self._layers = []
        for layer in layers:
            stacked, padding, kernel = _conv_weights(layer.conv)
            scale, shift = _norm_weights(layer.norm)
            self._layers.append((stacked, layer.conv.bias.array, padding, kernel, scale, shift))

    def __call__(self, input: _Array, mask: npt.NDArray[np.bool_]) -> _Array:
        batch, length, _channels = input.shape
        keep = ~mask[:, :, None]
        x = input
        for stacked, bias, padding, kernel, scale, shift in self._layers:
            padded = np.zeros((batch, length + 2 * padding, x.shape[2]), dtype=x.dtype)
            padded[:, padding : padding + length] = x
            windows = np.concatenate([padded[:, k : k + length] for k in range(kernel)], axis=2)
            out = windows.reshape(batch * length, -1) @ stacked
            x = _activate(out.reshape(batch, length, -1), bias, scale, shift, keep)
        return x


def _activate(
    out: _Array, bias: _Array, scale: _Array, shift: _Array, keep: npt.NDArray[np.bool_]
) -> _Array:
    """A convolution's output, batch × positions × filters, made a layer's, in place: the
    bias added, ReLU, the batch norm (as one scale and shift), padded positions zeroed."""
    out += bias
    np.maximum(out, 0, out=out)
    out *= scale
    out += shift
    out *= keep
    return out


def _conv_weights(conv: Any) -> tuple[_Array, int, int]:
    """A slovnet ``Conv1d``'s weights as one matrix with kernel-major rows (to match windows
    laid out as kernel × channels), its padding and its kernel size."""
    weight = conv.weight.array  # filters × channels × kernel
    filters, _channels, kernel = weight.shape
    padding = int(conv.padding)
    if kernel != 2 * padding + 1:  # natasha's news model: 3 and 1
        raise ValueError("a convolution that changes the length is not supported")
    return np.ascontiguousarray(weight.transpose(2, 1, 0).reshape(-1, filters)), padding, kernel


def _norm_weights(norm: Any) -> tuple[_Array, _Array]:
    """A slovnet ``BatchNorm1d`` as one scale and one shift per channel."""
    scale = norm.weight.array / norm.std.array
    return scale, norm.bias.array - norm.mean.array * scale


class NerModel:
    """slovnet's NER model (embeddings, CNN encoder, head) with its first convolution computed
    per distinct word instead of per position (see the module's docstring). Called as slovnet
    calls it, ``(word_id, shape_id, pad_mask)``, each batch × positions; gives the head's
    scores, batch × positions × tags, and has slovnet's ``head`` (its CRF decodes them), and
    nothing else of slovnet's model (no ``emb`` to inject other embeddings into).

    One thread at a time (detection runs single-threaded in its own process): the kept products
    change as it runs. A pickled copy keeps none of them."""

    def __init__(self, model: Any, capacity: int = WORD_CACHE) -> None:
        self.head = model.head
        self._word = model.emb.word
        first, *rest = model.encoder.layers
        stacked, self._padding, self._kernel = _conv_weights(first.conv)
        filters = stacked.shape[1]
        word_dim = self._word.dim
        by_kernel = stacked.reshape(self._kernel, -1, filters)  # kernel × channels × filters
        #: a word embedding times each kernel position's weights: word_dim × (kernel · filters)
        self._word_weights = np.ascontiguousarray(
            by_kernel[:, :word_dim].transpose(1, 0, 2).reshape(word_dim, -1)
        )
        #: every word shape's embedding times them: shapes × kernel × filters
        shapes = model.emb.shape.weight.array
        self._shape_products = np.einsum("sc,kcf->skf", shapes, by_kernel[:, word_dim:])
        self._bias = first.conv.bias.array
        self._scale, self._shift = _norm_weights(first.norm)
        self._rest = ChannelLastEncoder(rest)
        self._capacity = capacity
        #: word id -> its row of :attr:`_products`
        self._rows: dict[int, int] = {}
        self._products = np.zeros((capacity, self._kernel, filters), dtype=np.float32)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_rows"], state["_products"] = {}, None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        kernel, filters = self._shape_products.shape[1:]
        self._products = np.zeros((self._capacity, kernel, filters), dtype=np.float32)

    @property
    def cached_words(self) -> int:
        """How many words' products are kept."""
        return len(self._rows)

    def __call__(
        self,
        word_id: npt.NDArray[np.int64],
        shape_id: npt.NDArray[np.int64],
        pad_mask: npt.NDArray[np.bool_],
    ) -> _Array:
        batch, length = word_id.shape
        ids, where = np.unique(word_id, return_inverse=True)
        products = self._word_products(ids)[where.reshape(batch, length)]
        products += self._shape_products[shape_id]  # batch × positions × kernel × filters
        out = np.zeros((batch, length, products.shape[3]), dtype=np.float32)
        for k in range(self._kernel):  # position t takes kernel position k from t + k - padding
            step = k - self._padding
            low, high = max(0, -step), min(length, length - step)
            out[:, low:high] += products[:, low + step : high + step, k]
        first = _activate(out, self._bias, self._scale, self._shift, ~pad_mask[:, :, None])
        return self.head(self._rest(first, pad_mask))  # type: ignore[no-any-return]

    def _word_products(self, ids: npt.NDArray[np.int64]) -> _Array:
        """The products of the words ``ids`` (distinct), kernel × filters each: kept ones
        looked up, the others computed (and kept while there is room; when there is none,
        what is kept is dropped and kept anew)."""
        rows = self._rows
        found = [rows.get(word, -1) for word in ids.tolist()]
        missing = [index for index, row in enumerate(found) if row < 0]
        if missing:
            if len(ids) > self._capacity:  # more words than room: computed, none kept
                return self._compute(ids)
            if len(rows) + len(missing) > self._capacity:
                rows.clear()
                found, missing = [-1] * len(ids), list(range(len(ids)))
            new = ids[missing]
            first = len(rows)
            self._products[first : first + len(new)] = self._compute(new)
            for index, word in enumerate(new.tolist()):
                rows[word] = found[missing[index]] = first + index
        return self._products[np.array(found, dtype=np.intp)]

    def _compute(self, ids: npt.NDArray[np.int64]) -> _Array:
        embedded = self._word(ids)  # words × word_dim
        products: _Array = (embedded @ self._word_weights).reshape(len(ids), self._kernel, -1)
        return products


class RussianTagger:
    """natasha's NER tagger with :meth:`map` as natasha's: slovnet's markup (``.spans``, each
    with ``.start``, ``.stop``, ``.type``) for each text, in order.

    It changes the natasha tagger it is given (its model and batch size), so that tagger is
    then faster too; wrapping it again reuses what was changed."""

    def __init__(self, tagger: Any) -> None:
        self._infer = tagger.infer
        self._infer.encoder.batch_size = BATCH_SIZE  # one run of :func:`calls` is one batch
        if not isinstance(self._infer.model, NerModel):
            self._infer.model = NerModel(self._infer.model)

    def map(self, texts: Sequence[str]) -> Iterator[Any]:
        """The markup of each of ``texts``; fastest when they come sorted by length."""
        for first, last in calls(texts):
            yield from self._infer(texts[first:last])


def calls(texts: Sequence[str]) -> list[tuple[int, int]]:
    """``texts`` cut into runs (``first``, ``last``) of at most :data:`BATCH_SIZE`, each of
    texts at most :data:`LENGTH_RATIO` times as long as its first plus :data:`LENGTH_SLACK`."""
    if not texts:
        return []
    out = []
    first, limit = 0, len(texts[0]) * LENGTH_RATIO + LENGTH_SLACK
    for index in range(1, len(texts)):
        if index - first >= BATCH_SIZE or len(texts[index]) > limit:
            out.append((first, index))
            first, limit = index, len(texts[index]) * LENGTH_RATIO + LENGTH_SLACK
    out.append((first, len(texts)))
    return out


def load_russian_tagger() -> RussianTagger:
    """natasha's news NER tagger over its news embeddings."""
    from natasha import NewsEmbedding, NewsNERTagger  # noqa: PLC0415 - heavy import

    return RussianTagger(NewsNERTagger(NewsEmbedding()))
