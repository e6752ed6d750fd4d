"""Everything on screen at 80x24: login errors, the help's keys, keys from any field, long log lines,
columns that use a wide screen. Keys only, against the sandboxes over HTTP."""

from __future__ import annotations

from collections import Counter

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, TabbedContent

from mobius_tui.documents.model import RecordKind
from mobius_tui.tui.screens.help import HelpScreen
from mobius_tui.tui.screens.login import LoginScreen
from mobius_tui.tui.widgets.log_pane import LogPane
from mobius_tui.tui.widgets.selection_panel import SelectionPanel

from tests.tui.tui_helpers import login, screen_text, settle


async def test_a_login_error_is_on_the_screen_at_80x24(tui_env):
    app = tui_env.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#private-key", Input).value = "not-the-key"
        await pilot.press("f8")
        await settle(pilot, app)
        assert isinstance(app.screen, LoginScreen)
        assert "Login failed:" in screen_text(app), screen_text(app)


async def test_screen_keys_and_the_palette_work_from_the_rerun_field(tui_env):
    app = tui_env.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, app)
        tabs = app.screen.query_one("#main-tabs", TabbedContent)
        for key, tab in (("f4", "tab-payments"), ("f2", "tab-new")):
            await pilot.press("f3")
            await settle(pilot, app)
            app.screen.query_one("#rerun-id", Input).focus()
            await pilot.pause()
            await pilot.press(key)
            await settle(pilot, app)
            assert tabs.active == tab, (key, tabs.active)
        await pilot.press("f3")
        await settle(pilot, app)
        app.screen.query_one("#rerun-id", Input).focus()
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Run New Batch tab", "Update Invoice Payments tab", "Dry run", "Run", "Quit", "Help"} <= set(titles)
        assert [t for t, n in Counter(titles).items() if n > 1] == [], titles  # one Quit
        assert "Move cursor left" not in titles  # a field's editing keys are not commands
        await pilot.press("f2")
        await settle(pilot, app)
        app.screen.query_one("#batch-number", Input).focus()  # not the table: Select All is still offered
        await pilot.pause()
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {"Select all", "Deselect all"} <= set(commands)
        table = app.screen.query_one(f"#panel-{RecordKind.INVOICE.value}", SelectionPanel).table
        commands["Deselect all"].callback()
        assert table.included == set()
        commands["Select all"].callback()
        assert len(table.included) == table.total_rows


async def test_help_lists_the_screens_own_keys_first_and_scrolls_at_once(tui_env):
    app = tui_env.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, app)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for key in ("Dry run", "Run", "Log out", "Include", "Select all"):
            assert key in text, (key, text)
        body = app.screen.query_one(".dialog-body", VerticalScroll)
        assert body.has_focus and body.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("escape")


async def test_the_tables_columns_widen_on_a_wide_screen(tui_env):
    widths = {}
    for size in ((80, 24), (120, 40)):
        app = tui_env.app()
        async with app.run_test(size=size) as pilot:
            await login(pilot, app)
            table = app.screen.query_one(f"#panel-{RecordKind.INVOICE.value}", SelectionPanel).table
            widths[size] = dict(zip((c.key for c in table.spec), table._widths))
            if size == (120, 40):
                assert table._line_width <= table.scrollable_content_region.width
    assert widths[(120, 40)]["party"] > widths[(80, 24)]["party"]


class LogApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LogPane()


async def test_log_lines_wrap_at_80_columns_and_are_saved_whole():
    message = "a customer will be created in Sage 300: " + "word " * 30 + "THE-END"
    app = LogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(LogPane)
        pane.push(message)
        pane.drain()
        await pilot.pause()
        assert all(len(line) <= pane.scrollable_content_region.width for line in pane.lines)
        assert pane.lines[-1].endswith("THE-END") and pane.lines[0].startswith("a customer will be created in Sage 300")
        assert pane.history == [message]
