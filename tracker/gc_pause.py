"""Python's cyclic garbage collector paused for a bulk read."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a block builds many objects. A 20k-point
    series allocates ~100k rows, tuples and points; every 700 allocations start a
    collection over the young objects, and the older generations are walked again and
    again as they fill up: a third of the read's time, measured, and more in a process
    holding many objects already (the dashboard's). Cycles made meanwhile are collected
    as usual afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
