"""Work that once held the event loop for hundreds of ms now runs off it, with the same result."""

from __future__ import annotations

import threading

from mobius_tui.service import secrets as secret_store
from mobius_tui.tui.screens import export_view
from mobius_tui.tui.screens.export_view import ExportScreen
from mobius_tui.tui.screens.login import LoginScreen

from tests.tui.tui_helpers import login, screen_text, settle


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


async def test_the_login_shows_before_the_packages_are_listed_and_f8_waits_for_them(tui_env, monkeypatch):
    from mobius_tui.service import packages
    from mobius_tui.tui.screens.main import MainScreen
    from mobius_tui.tui.widgets.settings_form import SettingsForm

    app = tui_env.app()
    seen: dict[str, object] = {}
    real_installed = packages.installed

    def before_listed() -> None:  # on the event loop, while the thread has not listed the packages yet
        screen = app.screen
        seen.update(login=isinstance(screen, LoginScreen), form=bool(screen.query(SettingsForm)), text=screen_text(app))
        screen.action_login()  # F8 now: remembered, not refused for a missing package

    def slow_installed():
        app.call_from_thread(before_listed)
        return real_installed()

    monkeypatch.setattr(packages, "installed", slow_installed)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        assert seen["login"] and not seen["form"], seen
        assert "finding the installed packages" in str(seen["text"]), seen["text"]
        assert isinstance(app.screen, MainScreen), screen_text(app)


async def test_the_login_focuses_the_first_empty_field_once_the_packages_are_listed(tui_env):
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#package").value == "sage300"
        assert app.screen.focused is app.screen.query_one("#private-key")  # secrets are never shown


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


async def test_the_footer_is_rebuilt_only_when_the_keys_it_shows_change(tui_env):
    from textual.widgets._footer import FooterKey

    from mobius_tui.tui.widgets.selection_table import SelectionTable
    from mobius_tui.tui.widgets.steady_footer import SteadyFooter

    app = tui_env.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await login(pilot, app)
        screen = app.screen
        footer = screen.query_one(SteadyFooter)

        def keys() -> list[tuple[str, str]]:
            return [(k.key, k.description) for k in footer.query(FooterKey)]

        screen.query_one(SelectionTable).focus()
        await pilot.pause()
        assert ("space", "Include") in keys()
        screen.query_one("#batch-number").focus()
        await pilot.pause()
        assert ("space", "Include") not in keys() and ("f8", "Run") in keys()
        shown = list(footer.query(FooterKey))
        await pilot.press("tab")  # to the Dry Run button: the same keys, so the same footer
        await pilot.pause()
        assert screen.focused.id == "dry-run"
        assert list(footer.query(FooterKey)) == shown
