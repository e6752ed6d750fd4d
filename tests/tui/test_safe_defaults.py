"""Dialogs that write focus the safe answer; the tables and the run agree on the through date; a
payment sync says where it starts before it runs. Keys only, against the sandboxes over HTTP."""

from __future__ import annotations

from textual.widgets import Button, Input, Static

from mobius_tui.tui.screens.dialogs import ChoiceDialog
from mobius_tui.tui.screens.export_view import ExportScreen
from mobius_tui.tui.screens.main import MainScreen
from mobius_tui.tui.screens import new_batch
from mobius_tui.tui.screens.new_batch import NewBatchPane
from mobius_tui.tui.screens.payments import PaymentsPane

from tests.tui.test_flows import NewBatchPaneRows, invoice_table, status_text
from tests.tui.tui_helpers import documents_in_sage, login, screen_text, settle


def dialog_body(app) -> str:
    return str(app.screen.query_one(".dialog-body Static").render())


async def test_enter_in_a_writing_dialog_never_posts(tui_env):
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot, app)
        await pilot.press("d", "space", "down", "space")  # two invoices
        chosen = [r.number for r in NewBatchPaneRows(app)[:2]]
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog) and app.screen.focused.id == "choice-cancel"
        await pilot.press("enter")  # the focused Cancel
        await settle(pilot, app)
        assert isinstance(app.screen, MainScreen) and documents_in_sage(tui_env.sage) == []
        await pilot.press("f8", "f8")  # Run Export, then its own key
        await settle(pilot, app)
        assert isinstance(app.screen, ExportScreen) and sorted(documents_in_sage(tui_env.sage)) == sorted(chosen)
        batch = app.screen.report.batch_identifier
        await pilot.press("escape")
        await settle(pilot, app)

        # Every document is already there: the only answer posts duplicates, so Cancel has the focus.
        await pilot.press("f3")
        app.screen.query_one("#rerun-id", Input).value = batch
        await pilot.press("f8")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog), screen_text(app)
        assert dialog.focused.id == "choice-cancel"
        assert "Ctrl+D" in str(dialog.query_one("#choice-force", Button).label)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, MainScreen) and sorted(documents_in_sage(tui_env.sage)) == sorted(chosen)
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("ctrl+d")  # the deliberate key
        await settle(pilot, app)
        assert isinstance(app.screen, ExportScreen), screen_text(app)
        assert app.screen.title_text == f"Rerun of batch {batch} (duplicates allowed)"


async def test_the_run_uses_the_through_date_the_tables_show(tui_env, monkeypatch):
    monkeypatch.setattr(new_batch, "THRU_SETTLE_SECONDS", 2.0)  # F6 comes first even on a busy machine
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot, app)
        pane = app.screen.query_one(NewBatchPane)
        everything = invoice_table(app).total_rows
        earlier = min(r.date for r in NewBatchPaneRows(app) if r.date)
        thru = app.screen.query_one("#thru", Input)
        thru.value = earlier.isoformat()  # typed, no Enter, no F5
        await pilot.press("f6")  # at once: the tables still show the old through date
        await pilot.pause()
        assert isinstance(app.screen, MainScreen), screen_text(app)
        status = status_text(app, "#new-batch-status")
        assert "through 2025-06-30" in status and f"through {earlier}" in status and "F5" in status, status
        await pilot.pause(2.5)  # the tables reload on their own once the date is complete
        await settle(pilot, app)
        assert pane.shown == (None, earlier)
        shown = invoice_table(app).total_rows
        assert 0 < shown < everything
        assert all(r.date <= earlier for r in NewBatchPaneRows(app) if r.date)
        await pilot.press("f6")
        await settle(pilot, app)
        plan = app.screen.report.plan
        assert isinstance(app.screen, ExportScreen) and len(plan.documents) == shown
        assert all(d.date <= earlier for d in plan.documents)
        # and the suggested batch number is dated by the through date, not today
        assert pane.query_one("#batch-number", Input).value.startswith(f"{earlier:%Y%m%d}")


async def test_payment_sync_confirms_with_the_start_date_first(tui_env):
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot, app)
        await pilot.press("f4")
        payments = app.screen.query_one(PaymentsPane)
        assert "none yet, so the past 365 days" in str(payments.query_one("#start-explained", Static).render())
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog) and app.screen.focused.id == "choice-cancel"
        body = dialog_body(app)
        assert "Last successful run: none yet, so the past 365 days (from 2024-06-30)" in body, body
        await pilot.press("enter")
        await settle(pilot, app)
        assert payments.report is None and not payments.running
        await pilot.press("f8", "f8")
        await settle(pilot, app)
        assert payments.report is not None and payments.report.since.isoformat() == "2024-06-30"
