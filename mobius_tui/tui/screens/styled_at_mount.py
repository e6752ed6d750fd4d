"""A screen whose first ScreenResume does not restyle it: mounting has just styled every widget.

Textual restyles the whole screen on every push or switch (some 300 ms for the main screen on a busy
machine, all on the event loop); on the first one that repeats what mounting did a moment before.
Later resumes restyle as usual.
"""

from __future__ import annotations

from textual import events, on

from mobius_tui.tui.screens.stepwise import StepwiseScreen


class StyledAtMountScreen(StepwiseScreen):
    _resumed_before = False

    @on(events.ScreenResume)
    def _skip_restyle_after_mount(self, event: events.ScreenResume) -> None:
        # Runs before Screen's own handler, which reads the flag.
        if not self._resumed_before:
            self._resumed_before = True
            event.refresh_styles = False
