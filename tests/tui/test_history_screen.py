"""The History screen and the main screen's last scheduled run, driven by keys, against the Manage
and Sage 300 sandboxes over HTTP; the runs it shows are made for real first."""

from __future__ import annotations

import os
import subprocess
import sys

from textual.widgets import Input, Log, OptionList, Select, Static

from mobius_tui.service.events import ignore
from mobius_tui.service.history import History
from mobius_tui.service.schedules import Schedule, When, run_schedule
from mobius_tui.tui.screens.dialogs import ChoiceDialog
from mobius_tui.tui.screens.export_view import ExportScreen
from mobius_tui.tui.screens.history import HistoryScreen
from mobius_tui.tui.screens.main import MainScreen

from tests.tui.conftest import TODAY
from tests.tui.test_flows import CRASH_SCRIPT
from tests.tui.tui_helpers import login, screen_text, settle


def prompts(screen) -> list[str]:
    options = screen.query_one("#history-runs", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def detail(screen) -> list[str]:
    return list(screen.query_one("#history-detail", Log).lines)


async def test_scheduled_run_on_the_main_screen_and_in_history(tui_env, tmp_path):
    # a night run, the way the timer starts it: Sage 300 refuses the first invoice (503 three times)
    tui_env.sage.faults.only("PATCH", "ARInvoiceBatches").error_next = 3
    nightly = Schedule("nightly", tui_env.profile.name, When(at="02:00"), export=("invoices",), thru="today")
    done = await run_schedule(nightly, ignore, today=TODAY)
    (report,) = done.reports
    assert report.outcome.value == "partial", report.summary
    (failed,) = report.failed
    app = tui_env.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, app)
        line = str(app.screen.query_one("#last-scheduled", Static).render())
        assert line.startswith("Last scheduled run (nightly, new batch) ") and \
            f": PARTIAL, {len(report.posted)} posted · F7 History" in line
        await pilot.press("f7")
        await settle(pilot, app)
        history = app.screen
        assert isinstance(history, HistoryScreen), screen_text(app)
        (row,) = prompts(history)
        assert row.startswith("S ") and "new batch" in row and "PARTIAL" in row and "20250630JD-I" in row
        summary = str(history.query_one("#history-summary", Static).render())
        assert "scheduled (nightly)" in summary and report.summary in summary
        lines = detail(history)
        assert sum(line.startswith("posted   ") and " as " in line for line in lines) == len(report.posted)
        (refused,) = [line for line in lines if line.startswith("failed   ")]
        assert failed.label in refused and "503" in refused

        # filters: outcome, profile, day
        history.query_one("#history-outcome", Select).value = "success"
        await settle(pilot, app)
        assert prompts(history) == ["(no runs match)"] and detail(history) == []
        history.query_one("#history-outcome", Select).value = "partial"
        await settle(pilot, app)
        assert len(prompts(history)) == 1
        since = history.query_one("#history-since", Input)
        since.value = "2099-01-01"
        since.focus()
        await pilot.press("enter")
        await settle(pilot, app)
        assert prompts(history) == ["(no runs match)"]
        since.value = "someday"
        await pilot.press("enter")
        await settle(pilot, app)
        assert prompts(history) == ["(no runs match)"]  # a date that is no date changes nothing, and says so
        since.value = ""
        await pilot.press("enter")
        await settle(pilot, app)
        assert len(prompts(history)) == 1
        history.query_one("#history-runs", OptionList).focus()

        # Save List of Errors / Save Full Log
        for key, name, wanted in (("f2", "errors.txt", failed.label), ("f3", "full.log", "export started")):
            await pilot.press(key)
            await pilot.pause()
            app.screen.query_one("#save-path", Input).value = str(tmp_path / name)
            await pilot.press("enter")
            await settle(pilot, app)
            assert wanted in (tmp_path / name).read_text()
        assert app.screen is history and history.query_one("#history-finish").disabled  # nothing to finish
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, MainScreen)


async def test_a_run_that_needs_finishing_is_finished_from_history(tui_env):
    env = dict(os.environ, MOBIUS_TUI_CRASH_AT="before-batch")
    done = subprocess.run([sys.executable, "-c", CRASH_SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0, done.stderr
    app = tui_env.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, app)
        await settle(pilot, app)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("escape")  # later
        await settle(pilot, app)
        assert app.screen.query_one("#last-scheduled", Static).has_class("empty")  # no schedule ran
        await pilot.press("f7")
        await settle(pilot, app)
        history = app.screen
        (row,) = prompts(history)
        assert "UNFINISHED" in row and "CRASHED-I" in row
        assert "Finish (F9) records it" in str(history.query_one("#history-summary", Static).render())
        assert not history.query_one("#history-finish").disabled
        await pilot.press("f9")
        await settle(pilot, app)
        finish = app.screen
        assert isinstance(finish, ExportScreen) and finish.report.outcome.value == "success", screen_text(app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is history
        rows = prompts(history)
        assert "finish" in rows[0] and "SUCCESS" in rows[1] and "CRASHED-I" in rows[1]
        assert history.query_one("#history-finish").disabled
    finish_run, export = History().runs()
    assert finish_run.of_run == export.run_id and not export.needs_finish


def test_a_history_line_never_cuts_the_batch_number():
    from datetime import UTC, datetime

    from mobius_tui.service.history import HistoryRun
    from mobius_tui.tui.screens.history import run_prompt

    def line(batch: str) -> str:
        return run_prompt(HistoryRun("r1", "export", "p", "books", datetime(2025, 6, 30, 12, tzinfo=UTC), None,
                                     "success", batch, 3, counts={"documents": 4, "posted": 4}))

    assert "20250630DM-I-1 " in line("20250630DM-I-1") and len(line("20250630DM-I-10")) <= 76
    assert "20250630DM-I-1 " not in line("20250630DM-I-11") and "20250630DM-I-11" in line("20250630DM-I-11")
    assert "A-VERY-LONG-BATCH-NUMBER-OF-30C" in line("A-VERY-LONG-BATCH-NUMBER-OF-30C")  # wraps, never cut
