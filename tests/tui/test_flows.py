"""Every flow of the app, driven by keys, against the Manage and Sage 300 sandboxes over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import date
from decimal import Decimal

from textual.widgets import Input, OptionList, Static

from mobius_tui.documents.model import RecordKind
from mobius_tui.service.events import Outcome
from mobius_tui.service.reports import DocumentState
from mobius_tui.tui.screens.dialogs import ChoiceDialog, SavePathDialog
from mobius_tui.tui.screens.export_view import ExportScreen
from mobius_tui.tui.screens.login import LoginScreen
from mobius_tui.tui.screens.main import MainScreen
from mobius_tui.tui.screens.new_batch import NewBatchPane
from mobius_tui.tui.screens.payments import PaymentsPane
from mobius_tui.tui.screens.rerun import RerunPane
from mobius_tui.tui.widgets.selection_panel import SelectionPanel

from tests.tui.conftest import TODAY
from tests.tui.tui_helpers import (
    ar_batch_of,
    deactivate_accounts,
    documents_in_sage,
    login,
    screen_text,
    settle,
    type_invoice_into_sage,
)


def invoice_table(app):
    return app.screen.query_one(f"#panel-{RecordKind.INVOICE.value}", SelectionPanel).table


def status_text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_login_failure_is_shown_inline_with_the_fix(tui_env):
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#private-key", Input).value = "not-the-key"
        await pilot.press("f8")
        await settle(pilot, app)
        assert isinstance(app.screen, LoginScreen)
        error = status_text(app, "#login-error")
        assert error.startswith("Login failed:")
        assert "not-the-key" not in error  # the typed secret never shows
        assert "key" in error.lower()


async def test_wrong_package_password_is_shown_with_the_fix(tui_env, monkeypatch):
    monkeypatch.setenv("MOBIUS_SAGE300_PASSWORD", "not-the-sage-password")
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f8")
        await settle(pilot, app)
        assert isinstance(app.screen, LoginScreen)
        error = status_text(app, "#login-error")
        assert error.startswith("Login failed: Sage 300 refused the login of user WEBAPI"), error
        assert "Web API" in error and "not-the-sage-password" not in error
        # No keyring here: the box is off and the note names the environment variables instead.
        assert app.screen.query_one("#save-password").disabled
        assert "MOBIUS_SAGE300_PASSWORD" in status_text(app, "#keyring-note")


async def test_login_success_remembers_non_secret_fields(tui_env):
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#initials", Input).value = "AB"
        await login(pilot, app)
        assert app.session is not None
    from mobius_tui.service.profiles import load_profile

    saved = load_profile(tui_env.profile.name)
    assert saved.initials == "AB"
    assert "password" not in saved.package_values
    text = (tui_env.config_dir / "profiles.json").read_text()
    assert os.environ["MOBIUS_PRIVATE_KEY"] not in text and os.environ["MOBIUS_SAGE300_PASSWORD"] not in text


async def test_toggle_select_all_and_the_count_line(tui_env):
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot, app)
        table = invoice_table(app)
        total_rows = table.total_rows
        assert total_rows > 10 and len(table.included) == total_rows
        assert table.has_focus
        first = table.cursor_key()
        await pilot.press("space")
        assert first not in table.included
        await pilot.press("down", "space")
        assert len(table.included) == total_rows - 2
        summary = str(app.screen.query_one("#panel-invoice .selection-summary", Static).render())
        assert summary.startswith(f"{total_rows - 2} of {total_rows} included")
        await pilot.press("d")
        assert table.included == set() and table.included_totals == {}
        assert summary_of(app) == f"0 of {total_rows} included · total 0.00 CAD · 0.00 USD"
        await pilot.press("a")
        assert len(table.included) == total_rows
        # CAD and USD invoices: one total per currency, never their sum.
        rows = NewBatchPaneRows(app)
        expected = {c: sum(r.amount for r in rows if r.currency == c) for c in ("CAD", "USD")}
        assert {r.currency for r in rows} == {"CAD", "USD"} and table.included_totals == expected
        assert summary_of(app) == (f"{total_rows} of {total_rows} included · total "
                                   f"{expected['CAD']:,.2f} CAD · {expected['USD']:,.2f} USD")
        usd = [r.id for r in rows if r.currency == "USD"]
        for key in usd:
            table.set_included(key, False)
        assert table.included_totals == {"CAD": expected["CAD"]}
        await pilot.press("d", "space")  # only the invoice under the cursor (the second row)
        assert table.included == {table.cursor_key()} and first not in table.included


async def test_every_action_is_in_the_palette_and_logout_returns_to_login(tui_env):
    app = tui_env.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        on_login = [command.title for command in app.get_system_commands(app.screen)]
        assert on_login.count("Quit") == 1, on_login  # Escape and Ctrl+Q: one command
        await login(pilot, app)
        listed = [command.title for command in app.get_system_commands(app.screen)]
        assert listed.count("Quit") == 1 and listed.count("Select all") == 1, listed
        titles = set(listed)
        assert {"Include", "Select all", "Deselect all", "Refresh", "Dry run", "Run", "Log out", "Help", "Quit",
                "Run New Batch tab", "Rerun Previous Batch tab", "Update Invoice Payments tab"} <= titles
        await pilot.press("f10")
        await settle(pilot, app)
        assert isinstance(app.screen, LoginScreen) and app.session is None


def summary_of(app) -> str:
    return str(app.screen.query_one("#panel-invoice .selection-summary", Static).render())


def NewBatchPaneRows(app):
    return app.screen.query_one(NewBatchPane).unposted.invoices


async def test_dry_run_shows_the_plan_and_writes_nothing(tui_env):
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot, app)
        await pilot.press("f6")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        assert screen.report.action == "dry-run" and screen.report.outcome == Outcome.SUCCESS
        plan = "\n".join(screen.query_one("#plan").lines)
        assert "Accounts (debit +, credit -):" in plan and "Documents:" in plan
        assert documents_in_sage(tui_env.sage) == []
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_export_success_then_rerun_lists_every_duplicate(tui_env, tmp_path):
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot, app)
        chosen = [r.number for r in NewBatchPaneRows(app)[:3]]
        await pilot.press("d", "space", "down", "space", "down", "space")  # three invoices
        batch = app.screen.query_one("#batch-number", Input).value
        assert batch == "20250630JD-I"
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("f8")
        await settle(pilot, app)
        export = app.screen
        assert isinstance(export, ExportScreen)
        assert export.report.outcome == Outcome.SUCCESS, export.report.summary
        assert sorted(documents_in_sage(tui_env.sage)) == sorted(chosen)
        assert "SUCCESS" in status_text(app, "#outcome")
        # Save Full Log to a chosen path.
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, SavePathDialog)
        target = tmp_path / "saved" / "full.log"
        app.screen.query_one("#save-path", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert batch in target.read_text()
        await pilot.press("escape")
        await settle(pilot, app)
        # The posted invoices left the list.
        assert invoice_table(app).total_rows == len(NewBatchPaneRows(app))
        # Rerun: the duplicate check runs, and which documents it found is shown before anything is posted.
        await pilot.press("f3")
        rerun = app.screen.query_one(RerunPane)
        app.screen.query_one("#rerun-id", Input).value = batch
        await pilot.press("f8")
        await settle(pilot, app)
        assert isinstance(app.screen, ChoiceDialog)
        body = str(app.screen.query_one(".dialog-body Static").render())
        assert "0 documents would be posted, 3 skipped as already in the package" in body
        assert "Already in the package (3):" in body
        for number in chosen:  # by name, with where Sage 300 holds it
            assert f"{number} as AR batch 1 / {number}" in body, body
        await pilot.press("escape")  # cancel: nothing posted twice
        await pilot.pause()
        assert sorted(documents_in_sage(tui_env.sage)) == sorted(chosen)
        assert "3 skipped as already in the package" in status_text(app, "#rerun-result")
        assert rerun.checked is not None and rerun.checked.batch_identifier == batch
        assert {d.label.split()[-1] for d in rerun.checked.duplicates} == set(chosen)


async def test_export_partial_lists_the_failed_invoice(tui_env, tmp_path):
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot, app)
        # Sage 300 fails every send of the first invoice (503 three times), the second goes through.
        tui_env.sage.faults.only("PATCH", "ARInvoiceBatches").error_next = 3
        # one CAD and one USD invoice: what posted and what failed are totalled in their own currencies
        rows = NewBatchPaneRows(app)
        chosen = {c: next(r for r in rows if r.currency == c) for c in ("CAD", "USD")}
        await pilot.press("d")
        for row in chosen.values():
            invoice_table(app).set_included(row.id, True)
        await pilot.press("f8", "f8")  # F8 again confirms; Enter would cancel
        await settle(pilot, app)
        export = app.screen
        assert export.report.outcome == Outcome.PARTIAL, export.report.summary
        [posted] = export.report.posted
        [other] = [r for r in export.report.results if r.state != DocumentState.POSTED]
        totals = export.report.totals
        (code,) = totals["posted"]
        assert totals["posted"][code] == chosen[code].amount == posted.amount
        assert totals[other.state.value] == {other.currency: other.amount} and other.currency != code
        banner = status_text(app, "#outcome")
        assert banner.startswith("PARTIAL") and f"1 of 2 documents posted ({posted.amount:,.2f} {code})" in banner
        [failed] = export.report.failed
        number = failed.label.split()[-1]
        assert documents_in_sage(tui_env.sage) == [posted.label.split()[-1]]
        problems = export.query_one("#problems", OptionList)
        prompts = [str(problems.get_option_at_index(i).prompt) for i in range(problems.option_count)]
        assert any(number in p and "503" in p for p in prompts), prompts
        await pilot.press("f2")
        await pilot.pause()
        target = tmp_path / "errors.txt"
        app.screen.query_one("#save-path", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert number in target.read_text()


async def test_check_failure_posts_nothing_and_lists_the_fix(tui_env):
    inactive = deactivate_accounts(tui_env.sage, "4")  # every revenue account
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot, app)
        await pilot.press("f8", "f8")  # F8 again confirms; Enter would cancel
        await settle(pilot, app)
        export = app.screen
        assert export.report.outcome == Outcome.FAILED
        assert documents_in_sage(tui_env.sage) == []
        assert "FAILED" in status_text(app, "#outcome")
        problems = export.query_one("#problems", OptionList)
        assert problems.has_focus and problems.option_count >= 1
        prompts = [str(problems.get_option_at_index(i).prompt) for i in range(problems.option_count)]
        assert any(account in p for p in prompts for account in inactive), prompts


async def test_payment_sync_updates_and_summarises(tui_env):
    sage = tui_env.sage
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot, app)
        rows = NewBatchPaneRows(app)
        first = next(r for r in rows if r.number.startswith("INV"))
        await pilot.press("d")
        table = invoice_table(app)
        table.set_included(first.id, True)
        await pilot.press("f8", "f8")  # F8 again confirms; Enter would cancel
        await settle(pilot, app)
        assert app.screen.report.outcome == Outcome.SUCCESS
        await pilot.press("escape")
        await settle(pilot, app)
        # In Sage 300: the batch is posted, the customer pays in full; and an invoice Manage never had.
        sage.post_batch("AR", ar_batch_of(sage, first.number), on=date(2025, 6, 27))
        [posted] = sage.books.store.find_doc("ARPostedDocuments", first.number)
        sage.apply_receipt(posted["CustomerNumber"], first.number, posted["CustomerCurrencyAmountDue"], date(2025, 6, 28))
        type_invoice_into_sage(sage, posted["CustomerNumber"], "X-999", Decimal("10.00"), date(2025, 6, 29), "4100-10")
        await pilot.press("f4")
        payments = app.screen.query_one(PaymentsPane)
        # Custom date is validated before anything runs.
        await pilot.click("#start-custom")
        app.screen.query_one("#custom-date", Input).value = "2025-13-01"
        await pilot.press("f8")
        await settle(pilot, app)
        assert payments.report is None
        assert "not a date" in status_text(app, "#sync-summary")
        app.screen.query_one("#custom-date", Input).value = "2025-06-20"
        await pilot.press("f8", "f8")  # Run Sync, then confirm it
        await settle(pilot, app)
        summary = status_text(app, "#sync-summary")
        assert payments.report is not None, summary
        assert "1 updated" in summary and "1 not found in Manage" in summary and "X-999" in summary, summary
        assert payments.query_one("#sync-log").history
        assert payments.report.advanced_last_success
        # The app's frozen day, not the clock's, is what that sync recorded and what the next one starts from.
        await pilot.click("#start-last-successful-run")
        await pilot.press("f8")
        await pilot.pause()
        assert f"Last successful run: {TODAY}" in str(app.screen.query_one(".dialog-body Static").render())
        await pilot.press("f8")
        await settle(pilot, app)
        assert payments.report.since == TODAY, payments.report.since
        assert f"since {TODAY}" in status_text(app, "#sync-summary")


CRASH_SCRIPT = textwrap.dedent(
    """
    import asyncio
    from datetime import date
    from mobius_tui.accounting.registry import package_class
    from mobius_tui.documents.model import RecordKind
    from mobius_tui.service.options import ExportOptions, Selection
    from mobius_tui.service.profiles import load_profile
    from mobius_tui.service.secrets import load_secrets
    from mobius_tui.service.session import Session

    async def main():
        profile = load_profile("tests")
        session = await Session.open(profile, load_secrets(profile, package_class(profile.package)))
        rows = (await session.unposted(None, date(2025, 6, 30))).invoices[:2]
        options = ExportOptions(thru_date=date(2025, 6, 30), batch_number="CRASHED-I",
                                selections={RecordKind.INVOICE: Selection(include=[r.id for r in rows])})
        await session.run_export(options, lambda e: None)

    asyncio.run(main())
    """
)


async def test_an_interrupted_run_is_offered_for_finishing(tui_env):
    env = dict(os.environ, MOBIUS_TUI_CRASH_AT="before-batch")
    done = subprocess.run([sys.executable, "-c", CRASH_SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0, done.stderr  # killed between posting and recording the Manage batch
    assert len(documents_in_sage(tui_env.sage)) == 2
    app = tui_env.app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot, app)
        await settle(pilot, app)
        assert isinstance(app.screen, ChoiceDialog), screen_text(app)
        assert "CRASHED-I" in str(app.screen.query_one(".dialog-body Static").render())
        await pilot.press("f9")  # Finish now (Enter would take "Later")
        await settle(pilot, app)
        finish = app.screen
        assert isinstance(finish, ExportScreen)
        assert finish.report.outcome == Outcome.SUCCESS, finish.report.summary
        assert len(documents_in_sage(tui_env.sage)) == 2  # recorded, never posted again
        assert tui_env.sandbox.store.batch_by_identifier("CRASHED-I") is not None
