"""natasha's tagger as loaded for speed computes what natasha computes."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
from natasha import NewsEmbedding, NewsNERTagger
from slovnet.token import tokenize

from recognizers.ru import tagger as module
from recognizers.ru.tagger import BATCH_SIZE, ChannelLastEncoder, NerModel, RussianTagger, calls

TEXTS = [
    "Генеральный директор Попова Ольга Ивановна",
    "ИП Петров Сергей Сергеевич",
    "Спасибо, Волкова Анна Николаевна уже ответила мне в личке.",
    "Меня зовут Евгений Иванов, живу в Казани. Пишите на почту, тел. +7 916 123-45-67",
    "Паспорт серия 73 14 647461, выдан ОВД района",
    "Комментарий от Осипов Венедикт Ааронович (IP 10.0.0.1)",
    "В Москве прошла встреча Владимира Путина с Си Цзиньпином.",
    "Заказ № 5359821714 от 12.03.2026",
    "А",
    "Михаил",
    "Председатель правления ПАО «Сбербанк» Герман Греф заявил журналистам, что банк "
    "не планирует менять условия, а Анна Сергеевна Петрова из отдела кредитования добавила, "
    "что решение примут в марте.",
]


@pytest.fixture(scope="module")
def natasha() -> Any:
    return NewsNERTagger(NewsEmbedding())


def spans(markups: Any) -> list[list[tuple[int, int, str]]]:
    return [[(s.start, s.stop, s.type) for s in markup.spans] for markup in markups]


def _batch(natasha: Any, texts: list[str]) -> Any:
    encoder = natasha.infer.encoder
    return encoder.input([encoder.item([w.text for w in _words(t)]) for t in texts])


def test_the_encoder_computes_slovnets_layers(natasha: Any) -> None:
    model = natasha.infer.model
    batch = _batch(natasha, TEXTS)
    embedded = model.emb(batch.word_id, batch.shape_id)
    expected = model.encoder(embedded, batch.pad_mask)
    got = ChannelLastEncoder(model.encoder.layers)(embedded, batch.pad_mask)
    assert got.shape == expected.shape
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    assert not got[batch.pad_mask].any()  # padded positions are zero, as in slovnet


#: Room for every word (the second call's new words kept beside the first's); for a call's
#: words but not all (the last call's words are kept anew, the others computed and not kept:
#: more distinct words than room); for none.
CAPACITIES = [(8192, "room"), (60, "dropped and kept anew"), (3, "never kept")]


@pytest.mark.parametrize(("capacity", "reason"), CAPACITIES, ids=[c[-1] for c in CAPACITIES])
def test_the_model_computes_slovnets_scores(natasha: Any, capacity: int, reason: str) -> None:
    """The same scores whether the words' products are kept, dropped when there is no more
    room, or never kept, over calls that share words."""
    model = natasha.infer.model
    fast = NerModel(model, capacity=capacity)
    # the second call adds words to those kept from the first
    calls = (TEXTS[:4], TEXTS, list(reversed(TEXTS)), TEXTS[3:])
    for texts in calls:
        batch = _batch(natasha, texts)
        expected = model(batch.word_id, batch.shape_id, batch.pad_mask)
        got = fast(batch.word_id, batch.shape_id, batch.pad_mask)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
        assert fast.cached_words <= capacity
    words = [set(np.unique(_batch(natasha, texts).word_id).tolist()) for texts in calls]
    kept = {8192: len(set().union(*words)), 60: len(words[-1]), 3: 0}
    assert fast.cached_words == kept[capacity], reason
    assert fast.head is model.head


def _words(text: str) -> Any:
    return list(tokenize(text))


def test_the_tagger_finds_natashas_spans_in_any_order(natasha: Any) -> None:
    fast = RussianTagger(NewsNERTagger(NewsEmbedding()))
    expected = spans(natasha.map(TEXTS))
    assert any(expected), "the texts hold names"
    assert spans(fast.map(TEXTS)) == expected
    ordered = sorted(TEXTS, key=len)
    assert spans(fast.map(ordered)) == spans(natasha.map(ordered))


def test_calls_cover_every_text_once_in_order_and_group_like_lengths() -> None:
    texts = ["a" * n for n in (1, 2, 8, 9, 10, 40, 41, 50, 51, 200, 400)]
    # 1 * 1.25 + 8 = 9.25 takes 1-9; 10 * 1.25 + 8 = 20.5 takes 10; 40 * 1.25 + 8 = 58 takes
    # 40-51; 200 and 400 alone
    assert calls(texts) == [(0, 4), (4, 5), (5, 9), (9, 10), (10, 11)]
    for first, last in calls(texts):
        longest = max(len(t) for t in texts[first:last])
        assert longest <= len(texts[first]) * module.LENGTH_RATIO + module.LENGTH_SLACK
    assert calls([]) == []
    same = ["x" * 20] * (2 * BATCH_SIZE + 1)
    assert calls(same) == [
        (0, BATCH_SIZE),
        (BATCH_SIZE, 2 * BATCH_SIZE),
        (2 * BATCH_SIZE, 2 * BATCH_SIZE + 1),
    ]


def test_a_tagger_is_made_faster_once(natasha: Any) -> None:
    tagger = NewsNERTagger(NewsEmbedding())
    first = RussianTagger(tagger)
    again = RussianTagger(tagger)  # the same natasha tagger wrapped twice
    assert spans(again.map(TEXTS)) == spans(first.map(TEXTS)) == spans(natasha.map(TEXTS))


def test_a_pickled_model_keeps_no_products_and_computes_the_same(natasha: Any) -> None:
    model = natasha.infer.model
    fast = NerModel(model)
    batch = _batch(natasha, TEXTS)
    expected = fast(batch.word_id, batch.shape_id, batch.pad_mask)
    assert fast.cached_words > 0
    copy = pickle.loads(pickle.dumps(fast))
    assert copy.cached_words == 0
    got = copy(batch.word_id, batch.shape_id, batch.pad_mask)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
