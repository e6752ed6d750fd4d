"""The session works on an event loop of its own, in its own thread, so the screen never waits for it.

Reading 10,000 invoices from Manage, validating them and planning their documents is seconds of
Python work; on the screen's event loop that is seconds in which no key is answered. Here the
session is opened on the service loop (its HTTP clients belong to that loop) and every coroutine
of it runs there; the screens await the result. Events come back through the screens' queues,
which any thread may fill.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class ServiceThread:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name="mobius-service", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    async def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """``coroutine``'s result, computed on the service loop; cancelling the caller cancels it."""
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
