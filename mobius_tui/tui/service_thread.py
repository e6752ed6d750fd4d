"""The session works on an event loop of its own, in its own thread, so the screen never waits for it.

Reading 10,000 invoices from Manage, validating them and planning their documents is seconds of
Python work; on the screen's event loop that is seconds in which no key is answered. Here the
session is opened on the service loop (its HTTP clients belong to that loop) and every coroutine
of it runs there; the screens await the result. Events come back through the screens' queues,
which any thread may fill.

No full garbage collection runs while the service works. The collector is the process's: a full
collection walks every object of both threads (a run's 10,000 documents, their records and the
table's rows: millions), holding the GIL for 0.3-1.7 s, and a growing heap sets one off each
time it grew by a quarter (23 of them, 14 s in all, in a 10,000-invoice export). The young
generations are still collected. When the last service call ends, what it left alive (the rows
or the report the screen is about to show) is frozen (``gc.freeze``): otherwise the next full
collection, which its growth would set off at once, walks it all on the screen's thread. Frozen
objects are still freed when no longer referenced; only a reference cycle among them that is
already garbage stays (the young generations are collected first, so there are few).

And while the service works, the GIL changes hands after 1 ms instead of 5: each time the
screen's loop wakes (a key, a timer) while the service thread computes, it waits for the GIL up to
that long, and answering one key takes dozens of wake-ups. Measured with a thread computing:
200 wake-ups of a loop took 1.9-2.6 s at 5 ms, 0.5-0.8 s at 1 ms (load 9 on 2 cores), with no
measurable loss to the computing thread.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import inspect
import sys
import threading
from collections.abc import Coroutine, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

from mobius_tui.service.collection import no_full_collection

T = TypeVar("T")

SWITCH_INTERVAL = 0.001  # seconds a thread keeps the GIL while another waits for it


class ServiceWorking:
    """While any call is inside :meth:`held`: no full collection (the service's own policy,
    ``service.collection``, held for as long as any call is), and the GIL handed over sooner (see
    the module's docstring); when the last call ends, what it left alive is frozen."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._collection: AbstractContextManager[None] | None = None
        self._interval = sys.getswitchinterval()

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._collection = no_full_collection()
                self._collection.__enter__()
                self._interval = sys.getswitchinterval()
                sys.setswitchinterval(min(self._interval, SWITCH_INTERVAL))
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._collection is not None:
                    gc.collect(1)
                    gc.freeze()
                    self._collection.__exit__(None, None, None)
                    self._collection = None
                    sys.setswitchinterval(self._interval)


class ServiceThread:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.working = ServiceWorking()
        self._thread = threading.Thread(target=self._serve, name="mobius-service", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    async def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """``coroutine``'s result, computed on the service loop; cancelling the caller cancels it."""
        with self.working.held():
            return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self.loop))

    def stop(self) -> None:
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)


class ThreadedSession:
    """A :class:`~mobius_tui.service.session.Session` as the screens see it: the same methods, its
    coroutines run on the service loop. Plain methods (quick journal reads, wording) run in place."""

    def __init__(self, session: Any, service: ServiceThread) -> None:
        self._session = session
        self._service = service

    @property
    def session(self) -> Any:
        return self._session

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._session, name)
        if not inspect.iscoroutinefunction(attr):
            return attr

        @functools.wraps(attr)
        async def on_service_loop(*args: Any, **kwargs: Any) -> Any:
            return await self._service.run(attr(*args, **kwargs))

        return on_service_loop
