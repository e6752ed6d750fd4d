"""A screen that shows itself in short steps of the event loop, so a key pressed meanwhile is answered.

A new screen queues some 150 messages at once (resume, resize, each widget's size and show); Textual
handles a screen's queued messages in one turn of the event loop, and its first show lays out and
paints every widget in that turn: 170-190 ms for the main screen, in which no key and no timer runs.
Here the screen gives the loop a turn after each message, lays out in one turn and paints its first
frame in bands of rows over the next turns (a widget renders only the rows asked for, so the bands
together cost what one full paint does). Later paints are Textual's own.
"""

from __future__ import annotations

import asyncio
import time

from textual.geometry import Region
from textual.message import Message
from textual.screen import Screen

BAND_ROWS = 2  # the first paint goes by bands of this many rows...
TURN_BUDGET = 0.015  # ...as many in one turn of the event loop as fit in this many seconds of work


def bands(region: Region, rows: int = BAND_ROWS) -> list[Region]:
    """``region`` cut into bands of ``rows`` whole rows (the last may have fewer), top to bottom."""
    return [Region(region.x, top, region.width, min(rows, region.bottom - top)) for top in range(region.y, region.bottom, rows)]


class StepwiseScreen(Screen):
    _painted_once = False
    _bands_left: list[Region] | None = None
    _banded = Region()  # the screen region the bands were cut from

    async def _dispatch_message(self, message: Message) -> None:
        await super()._dispatch_message(message)
        await asyncio.sleep(0)  # the loop's turn: keys, timers and the other widgets' messages

    def _compositor_refresh(self) -> None:
        if self._bands_left is not None:
            return  # the first paint is under way; its last band paints what was marked meanwhile
        if self._painted_once or self.app.is_inline or self is not self.app.screen:
            super()._compositor_refresh()
            return
        self._painted_once = True
        # The whole screen is painted band by band: what is marked dirty now is covered.
        self._compositor._dirty_regions.clear()
        self._banded = self._compositor.size.region
        self._bands_left = bands(self._banded)
        self.call_later(self._paint_band)

    def _paint_band(self) -> None:
        band_list = self._bands_left
        if band_list is None:
            return
        if not self.is_attached or self is not self.app.screen or self._compositor.size.region != self._banded:
            # Replaced, covered or resized meanwhile: a normal paint of all that is dirty.
            self._bands_left = None
            self._compositor._dirty_regions.add(self._compositor.size.region)
            super()._compositor_refresh()
            return
        compositor = self._compositor
        started = time.thread_time()
        while band_list and time.thread_time() - started < TURN_BUDGET:
            marked, compositor._dirty_regions = compositor._dirty_regions, {band_list.pop(0)}
            try:
                update = compositor.render_partial_update()
            finally:
                compositor._dirty_regions = marked
            if update is not None:
                self.app._display(self, update)
        if band_list:
            self.call_later(self._paint_band)
        else:
            self._bands_left = None
            super()._compositor_refresh()  # whatever changed while the bands were painted

