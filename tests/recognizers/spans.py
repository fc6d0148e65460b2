"""A check shared by the recognizer tests: what a recognizer returns is a set of valid spans."""

from __future__ import annotations

from collections.abc import Sequence


def assert_valid_spans(text: str, found: Sequence[tuple[int, int, float]]) -> None:
    """Each span lies inside ``text``, is not empty, scores in (0, 1], and none repeats.

    The hostile inputs' running time is checked once, for every recognizer, by growth ratio in
    ``tests/recognizers/test_linear_time.py``; here they must only give a well-formed answer.
    """
    assert len(set((start, end) for start, end, _ in found)) == len(found)
    for start, end, score in found:
        assert 0 <= start < end <= len(text)
        assert 0.0 < score <= 1.0
