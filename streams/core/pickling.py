"""Cheap pickling for the slotted dataclasses that travel between processes.

Outcomes come back from the detection process pickled. A slotted dataclass pickles by default
through ``__getstate__``/``__setstate__``, which look up its fields again for every object; in
the worker that was a tenth of its event loop's CPU. :func:`by_constructor` pickles such a class
as a call of its constructor with its fields in order instead.
"""

from __future__ import annotations

import dataclasses
from operator import attrgetter
from typing import Any, TypeVar

_T = TypeVar("_T")


def by_constructor(cls: type[_T]) -> type[_T]:
    """Make the dataclass ``cls`` pickle as ``cls(*fields)``; every field must be an
    ``__init__`` argument (so the call rebuilds the object exactly)."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if not all(f.init for f in fields):
        raise TypeError(f"{cls.__name__}: every field must be an __init__ argument")
    if len(fields) < 2:  # attrgetter returns a tuple only for two names or more
        raise TypeError(f"{cls.__name__}: at least two fields")
    values = attrgetter(*(f.name for f in fields))

    def __reduce__(self: Any) -> tuple[type[_T], tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls
