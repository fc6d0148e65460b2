"""Slotted dataclasses pickle as constructor calls and come back equal."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

import orjson
import pytest

from streams.core import Outcome
from streams.core.pickling import by_constructor
from streams.core.policy import DEFAULT_POLICY
from streams.testing.samples import consent_samples, generate
from streams.worker.detection import RedactorFactory


def test_outcomes_come_back_from_a_pickle_equal() -> None:
    samples = [*generate(40, 3), *consent_samples(20)]
    raws = [orjson.dumps(s.record) for s in samples]
    outcomes = RedactorFactory(DEFAULT_POLICY, names=False)().redact_batch(raws)
    assert any(o.consent is not None and o.consent.consent is not None for o in outcomes)
    assert any(o.findings for o in outcomes)
    back = pickle.loads(pickle.dumps(outcomes, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == outcomes
    assert all(type(o) is Outcome for o in back)


def test_a_class_pickles_by_its_constructor() -> None:
    @by_constructor
    @dataclass(frozen=True, slots=True)
    class Pair:
        left: int
        right: tuple[str, ...] = ()

    pair = Pair(1, ("a",))
    assert pair.__reduce__() == (Pair, (1, ("a",)))


def test_fields_outside_the_constructor_are_refused() -> None:
    with pytest.raises(TypeError, match="every field must be an __init__ argument"):

        @by_constructor
        @dataclass
        class Derived:
            left: int
            right: int = field(init=False, default=0)
