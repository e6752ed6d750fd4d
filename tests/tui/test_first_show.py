"""A screen's first show goes in short steps of the event loop; the result is the same screen."""

from __future__ import annotations

import asyncio

from textual.geometry import Region

from mobius_tui.tui.screens.main import MainScreen
from mobius_tui.tui.screens.stepwise import bands

from tests.tui.tui_helpers import settle


def test_bands_cover_every_row_once():
    region = Region(0, 0, 120, 41)
    cut = bands(region, 2)
    assert [b.height for b in cut] == [2] * 20 + [1]
    assert [row for b in cut for row in range(b.y, b.bottom)] == list(range(41))
    assert all(b.x == 0 and b.width == 120 for b in cut)


async def test_the_main_screen_paints_in_bands_and_answers_a_key_pressed_while_it_builds(tui_env):
    app = tui_env.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        updates: list[str] = []
        real_display = app._display

        def display(screen, update):
            if isinstance(screen, MainScreen) and update is not None:
                updates.append(type(update).__name__)
            return real_display(screen, update)

        app._display = display
        app.simulate_key("f8")
        while not isinstance(app.screen, MainScreen):
            await asyncio.sleep(0.001)
        screen = app.screen
        assert not screen._painted_once  # current, not shown yet
        app.simulate_key("f3")  # the Rerun tab, pressed while the screen composes and lays out
        await settle(pilot, app)
        assert screen.active_tab == "tab-rerun"
        assert screen.focused is not None and screen.focused.id == "rerun-id"
        # The first frame went out band by band (partial updates), every row of the screen once.
        first_frame = len(bands(Region(0, 0, 120, 40)))
        assert updates[:first_frame] == ["ChopsUpdate"] * first_frame, updates


async def test_a_run_key_pressed_before_a_lazy_pane_is_mounted_acts_once_it_is(tui_env):
    app = tui_env.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.simulate_key("f8")
        while not isinstance(app.screen, MainScreen):
            await asyncio.sleep(0.001)
        screen = app.screen
        while not screen.query("Tab#--content-tab-tab-payments"):  # the tabs are there, the pane's fields not yet
            await asyncio.sleep(0.001)
        screen.action_show_tab("tab-payments")  # shown before its pane is composed (F4 right after login)
        assert screen.query("#tab-payments Lazy")
        screen.action_run()  # F8 now: the pane's fields do not exist yet
        await settle(pilot, app)
        assert screen.active_tab == "tab-payments"
        assert app.screen.id == "confirm-sync"  # the key was not lost: it asks to confirm the sync
