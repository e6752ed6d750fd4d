"""Finishing an interrupted run from the TUI: a new batch number when Manage holds a foreign batch
under the run's number, and the documents the package never got listed by name."""

from __future__ import annotations

import os
import subprocess
import sys

from textual.widgets import Input, OptionList, Static

from mobius_tui.manage import models as m
from mobius_tui.service.events import Outcome
from mobius_tui.service.journal import Journal
from mobius_tui.service.reports import DocumentState
from mobius_tui.tui.screens.dialogs import BatchNumberDialog, ChoiceDialog
from mobius_tui.tui.screens.export_view import ExportScreen
from mobius_tui.tui.screens.main import MainScreen

from tests.tui.test_flows import CRASH_SCRIPT
from tests.tui.tui_helpers import documents_in_sage, login, screen_text, settle


def kill_a_run(crash_at: str, invoices: int = 2) -> None:
    script = CRASH_SCRIPT.replace(".invoices[:2]", f".invoices[:{invoices}]")
    env = dict(os.environ, MOBIUS_TUI_CRASH_AT=crash_at)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0, done.stderr  # killed mid-run


def problem_texts(screen: ExportScreen) -> list[str]:
    options = screen.query_one("#problems", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def finish_now(pilot, app) -> ExportScreen:
    await login(pilot, app)
    await settle(pilot, app)
    assert isinstance(app.screen, ChoiceDialog), screen_text(app)
    await pilot.press("f9")  # Finish now (Enter would take "Later")
    await settle(pilot, app)
    assert isinstance(app.screen, ExportScreen), screen_text(app)
    return app.screen


async def test_a_foreign_batch_under_the_runs_number_is_finished_under_a_new_one(tui_env):
    kill_a_run("before-batch")
    store = tui_env.sandbox.store
    in_sage = documents_in_sage(tui_env.sage)
    expense, other = store.unposted_expenses()[:2]
    foreign, _ = store.create_batch(m.CreateAccountingBatchRequest(
        batchIdentifier="CRASHED-I", exportExpensesFlag=True, processedRecordIds=list(expense.entry_ids)), "someone")
    store.create_batch(m.CreateAccountingBatchRequest(
        batchIdentifier="TAKEN-I", exportExpensesFlag=True, processedRecordIds=list(other.entry_ids)), "someone")
    foreign_entries = store.batched_entry_ids(foreign.id)
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        refused = await finish_now(pilot, app)
        assert refused.report.unfinished, refused.report.summary
        assert "Esc" in str(refused.query_one("#outcome", Static).render())
        await pilot.press("escape")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, BatchNumberDialog), screen_text(app)
        field = dialog.query_one("#new-batch-number", Input)
        assert field.value == "CRASHED-I-1"

        # the refused number, an empty one and one too long are turned down in the dialog
        for text in ("CRASHED-I", "", "X" * 60):
            field.value = text
            await pilot.press("enter")
            await settle(pilot, app)
            assert app.screen is dialog
            assert str(dialog.query_one("#batch-number-error", Static).render()).strip()

        # a number Manage already has: refused again, asked again
        field.value = "TAKEN-I"
        await pilot.press("enter")
        await settle(pilot, app)
        taken = app.screen
        assert isinstance(taken, ExportScreen) and taken.report.outcome == Outcome.FAILED, screen_text(app)
        assert any("already has a batch TAKEN-I" in p for p in problem_texts(taken))
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, BatchNumberDialog), screen_text(app)
        assert app.screen.query_one("#new-batch-number", Input).value == "TAKEN-I-1"

        await pilot.press("ctrl+a", "ctrl+k", *"CRASHED-I-2", "enter")  # keyboard only
        await settle(pilot, app)
        done = app.screen
        assert isinstance(done, ExportScreen), screen_text(app)
        assert done.report.outcome == Outcome.SUCCESS and not done.report.unfinished, done.report.summary
        assert done.report.batch_identifier == "CRASHED-I-2"
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, MainScreen), screen_text(app)

    recorded = store.batch_by_identifier("CRASHED-I-2")
    assert recorded is not None and recorded.id == done.report.manage_batch_id
    assert store.batched_entry_ids(foreign.id) == foreign_entries  # the foreign batch is left alone
    assert documents_in_sage(tui_env.sage) == in_sage  # finishing never posts
    with Journal() as journal:
        assert journal.unfinished() == []


async def test_documents_the_package_never_got_are_listed_to_run_again(tui_env):
    # Killed once the first result is on disk; requests already in flight may still land (the
    # journal's disk sync does not stop them), the rest were never sent.
    kill_a_run("after-post:1", invoices=8)
    in_sage = len(documents_in_sage(tui_env.sage))
    assert 1 <= in_sage < 8
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        finished = await finish_now(pilot, app)
        report = finished.report
        assert report.not_posted and report.manage_batch_id, report.summary
        assert all(r.state == DocumentState.NOT_POSTED for r in report.not_posted)
        problems = problem_texts(finished)
        for result in report.not_posted:
            (line,) = [p for p in problems if p.lower().startswith(result.label.lower() + ":")]
            assert "not posted" in line and "run it again" in line
        assert f"Problems ({len(problems)})" in screen_text(app)
    assert len(documents_in_sage(tui_env.sage)) == in_sage  # finishing never posts
