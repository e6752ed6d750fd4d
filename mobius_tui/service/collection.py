"""No full garbage collection while a posting run works.

A full collection walks every object the process holds: a run's documents, their lines and the
records they came from (100,000s of objects for 1,000 invoices, millions for 10,000), holding the
GIL 0.1-1.7 s each time. The heap of a run grows until posting starts, and each time it grew by a
quarter the collector sets one off: in an export of 1,000 invoices to Sage 300 that was a 110 ms
full collection between the check and the first post (the journal's start), on the event loop
that posts. The young generations are still collected, so short-lived cycles are freed as usual;
what outlives them is freed by reference counting, or by the next full collection after the run.

The screens' service thread (``tui/service_thread.py``) holds it for as long as any of its calls
runs; holders nest, and the last one out restores the collector.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

NEVER = 1 << 30  # a full collection after this many collections of the middle generation: none

_lock = threading.Lock()
_holders = 0
_threshold: tuple[int, int, int] | None = None


@contextmanager
def no_full_collection() -> Iterator[None]:
    global _holders, _threshold
    with _lock:
        if _holders == 0:
            found = gc.get_threshold()
            if found[2] < NEVER:  # already off, by whoever set it so: theirs to restore
                _threshold = found
                gc.set_threshold(found[0], found[1], NEVER)
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _threshold is not None:
                gc.set_threshold(*_threshold)
                _threshold = None


def without_full_collection(use_case: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """``use_case`` (a coroutine function) run under :func:`no_full_collection`."""

    @functools.wraps(use_case)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        with no_full_collection():
            return await use_case(*args, **kwargs)

    return run
