"""Work that once held the event loop for hundreds of ms now runs off it, with the same result."""

from __future__ import annotations

import threading

from mobius_tui.service import secrets as secret_store
from mobius_tui.tui.screens import export_view
from mobius_tui.tui.screens.export_view import ExportScreen
from mobius_tui.tui.screens.login import LoginScreen

from tests.tui.tui_helpers import login, settle


def note_of(app) -> str:
    return str(app.screen.query_one("#keyring-note").render())


async def test_the_login_shows_the_keyring_status_once_the_thread_answers(tui_env, monkeypatch):
    answer = threading.Event()
    real_status = secret_store.keyring_status

    def slow_status():
        answer.wait(10)
        return real_status()

    monkeypatch.setattr(secret_store, "keyring_status", slow_status)
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        # The screen is up and usable while the keyring has not answered: saving is off, no note yet.
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#save-password").disabled and note_of(app) == ""
        answer.set()
        await settle(pilot, app)
        # No keyring here (``no_keyring``): the box stays off and the note names the environment variables.
        assert app.screen.query_one("#save-password").disabled
        note = note_of(app)
        assert note.startswith("Save password is off: no keyring backend is available"), note
        assert "MOBIUS_SAGE300_PASSWORD" in note


async def test_the_dry_run_plan_written_in_pieces_is_complete_and_opens_at_the_top(tui_env, monkeypatch):
    monkeypatch.setattr(export_view, "PLAN_CHUNK_LINES", 3)
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot, app)
        await pilot.press("f6")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        plan = screen.query_one("#plan")
        assert len(screen._plan_text) > 3 * 2  # really written in several pieces
        assert list(plan.lines) == [part for line in screen._plan_text for part in line.splitlines()]
        assert plan.scroll_y == 0


async def test_the_main_screen_is_not_restyled_whole_right_after_mounting(tui_env):
    from mobius_tui.tui.screens.main import MainScreen

    app = tui_env.app()
    restyled: list[object] = []
    async with app.run_test(size=(100, 40)) as pilot:
        real_update = app.update_styles

        def recording(node=None, animate=True):
            restyled.append(node)
            return real_update(node, animate=animate)

        app.update_styles = recording
        await login(pilot, app)
        assert isinstance(app.screen, MainScreen)
        assert not any(isinstance(node, MainScreen) for node in restyled)
        # Styled all the same: the hidden line stays hidden, the tabs show their labels.
        assert not app.screen.query_one("#last-scheduled").display
        assert "Run New Batch (F2)" in str(app.screen.query_one("#main-tabs").get_tab("tab-new").label)
