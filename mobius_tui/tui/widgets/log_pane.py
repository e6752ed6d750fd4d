"""A log pane that takes lines from any thread and writes them in batches.

Writers call :meth:`LogPane.push` (thread-safe, never blocks); a 100 ms timer drains the queue
with one ``Log.write_lines`` call. One write per message would flood the event loop at export
speeds; batching keeps the screen responsive and lets a user scrolled up keep reading.
"""

from __future__ import annotations

import queue
import textwrap
from collections.abc import Iterable

from textual.widgets import Log

DRAIN_SECONDS = 0.1
MAX_LINES = 20_000
MAX_BATCH = 5_000  # lines per tick, so a burst of 100k lines spreads over a few frames


class LogPane(Log):
    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(max_lines=MAX_LINES, id=id, classes=classes)
        self._queue: queue.SimpleQueue[str] = queue.SimpleQueue()
        self.history: list[str] = []  # every line ever pushed, for "Save Full Log"

    def on_mount(self) -> None:
        self.set_interval(DRAIN_SECONDS, self.drain)

    def push(self, line: str) -> None:
        self._queue.put(line)

    def drain(self) -> int:
        """Write what is queued; returns how many lines were written."""
        batch: list[str] = []
        try:
            while len(batch) < MAX_BATCH:
                batch.append(self._queue.get_nowait())
        except queue.Empty:
            pass
        if batch:
            self.history.extend(batch)
            self.write_lines(wrap_lines(batch, self.wrap_width()))
        return len(batch)

    def wrap_width(self) -> int:
        """The width lines are wrapped at: the pane's, or the screen's while the pane is not laid out."""
        return self.scrollable_content_region.width or max(20, self.app.size.width - 4)

    def reset(self) -> None:
        self.drain()
        self.history.clear()
        self.clear()


def wrap_lines(lines: Iterable[str], width: int) -> list[str]:
    """Lines longer than ``width`` continue on indented lines: a message is read whole at 80
    columns, never cut at the pane's edge. The saved log keeps each line whole."""
    out: list[str] = []
    for line in lines:
        if len(line) <= width or width < 20:
            out.append(line)
        else:
            out.extend(textwrap.wrap(line, width, subsequent_indent="    ", break_on_hyphens=False) or [""])
    return out
