"""The service thread runs the session's coroutines on its own loop, and no full garbage collection
runs while it works (one would hold the GIL, and so the screen, for a second over a large run), nor
over what it leaves once it is done; meanwhile the GIL changes hands sooner."""

from __future__ import annotations

import asyncio
import gc
import sys
import threading

from mobius_tui.service.collection import NEVER
from mobius_tui.tui.service_thread import SWITCH_INTERVAL, ServiceThread, ThreadedSession


class Session:
    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def work(self, hold: bool = False) -> tuple[str, tuple[int, int, int], int, float]:
        if hold:
            await self.release.wait()
        collected = []

        def seen(phase: str, info: dict) -> None:
            if phase == "start" and info["generation"] == 2:
                collected.append(1)

        gc.callbacks.append(seen)
        try:
            for _ in range(60_000):  # enough cyclic garbage for many young collections
                loop = []
                loop.append(loop)
        finally:
            gc.callbacks.remove(seen)
        return threading.current_thread().name, gc.get_threshold(), len(collected), sys.getswitchinterval()

    def wording(self) -> str:
        return "in place"


async def test_work_runs_on_the_service_thread_with_full_collections_held():
    before = gc.get_threshold()
    service = ServiceThread()
    inner = Session()
    session = ThreadedSession(inner, service)
    try:
        assert session.wording() == "in place"
        frozen = gc.get_freeze_count()
        interval = sys.getswitchinterval()
        thread, threshold, full, switch = await session.work()
        assert thread == "mobius-service" and threshold[2] == NEVER and full == 0 and switch == SWITCH_INTERVAL
        assert gc.get_threshold() == before and sys.getswitchinterval() == interval
        assert gc.get_freeze_count() > frozen  # what it left is out of the next full collection's way

        # two calls at once: held until the last one ends
        slow = asyncio.ensure_future(session.work(hold=True))
        await session.work()
        assert gc.get_threshold()[2] == NEVER
        service.loop.call_soon_threadsafe(inner.release.set)
        await slow
        assert gc.get_threshold() == before

        async def fails() -> None:
            raise ValueError("refused")

        try:
            await service.run(fails())
        except ValueError:
            pass
        assert gc.get_threshold() == before and sys.getswitchinterval() == interval
    finally:
        service.stop()
