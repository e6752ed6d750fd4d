"""What an accountant files: a dry run's saved log holds the plan, saved lists open with which books,
batch and selection, log lines are dated, and Recent batches says when, what and how it went."""

from __future__ import annotations

import re

from textual.widgets import Input, OptionList

from mobius_tui.tui.screens.export_view import ExportScreen

from tests.tui.test_flows import NewBatchPaneRows
from tests.tui.tui_helpers import deactivate_accounts, login, screen_text, settle

DATED = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} ")


async def save(pilot, app, key: str, target) -> str:
    await pilot.press(key)
    await pilot.pause()
    app.screen.query_one("#save-path", Input).value = str(target)
    await pilot.press("enter")
    await pilot.pause()
    return target.read_text()


async def test_a_dry_runs_saved_log_is_the_plan_with_a_header(tui_env, tmp_path):
    app = tui_env.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, app)
        await pilot.press("f6")
        await settle(pilot, app)
        assert isinstance(app.screen, ExportScreen)
        text = await save(pilot, app, "f3", tmp_path / "plan.txt")
    lines = text.splitlines()
    assert lines[0].startswith(f"Mobius TUI · company {tui_env.profile.company_id} (profile tests) → Sage 300")
    assert lines[1] == "Batch 20250630JD-I · all locations, through 2025-06-30"
    assert lines[2].startswith("Run ") and "(dry-run): SUCCESS" in lines[2]
    assert lines[3].startswith("Saved 20")
    logged = [line for line in lines if DATED.match(line)]
    assert logged and "dry-run started" in logged[0]
    plan = lines[lines.index("Plan") + 1:]
    assert plan[0].endswith("documents would be posted.")
    assert "CAD" in plan[1] and "USD" in plan[1]  # the total, per currency
    for part in ("Accounts (debit +, credit -):", "Taxes:", "Documents:"):
        assert part in plan
    assert any(line.startswith("Credit memo ") and "-" in line for line in plan)  # negative, by name


async def test_the_error_list_has_a_header_and_recent_batches_tell_the_story(tui_env, tmp_path):
    app = tui_env.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, app)
        await pilot.press("d", "space", "down", "space")
        total = sum(r.amount for r in NewBatchPaneRows(app)[:2])
        await pilot.press("f8", "f8")
        await settle(pilot, app)
        assert app.screen.report is not None, f"{app.screen.failure}\n{screen_text(app)}"
        batch = app.screen.report.batch_identifier
        errors = await save(pilot, app, "f2", tmp_path / "errors.txt")
        assert errors.splitlines()[1] == f"Batch {batch} · all locations, through 2025-06-30"
        assert errors.splitlines()[-1] == "No errors."
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        recent = app.screen.query_one("#recent-batches", OptionList)
        prompt = str(recent.get_option(batch).prompt)
        assert f"2 posted · {total:,.2f} CAD · SUCCESS" in prompt and " export: " in prompt, prompt


async def test_a_failed_checks_error_list_names_the_books_and_the_batch(tui_env, tmp_path):
    deactivate_accounts(tui_env.sage, "4")
    app = tui_env.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, app)
        await pilot.press("f6")
        await settle(pilot, app)
        errors = (await save(pilot, app, "f2", tmp_path / "errors.txt")).splitlines()
        plan_tab = "\n".join(app.screen.query_one("#plan").lines)
    assert errors[0].startswith("Mobius TUI · company ") and "(dry-run): FAILED" in errors[2]
    assert any("4" in line for line in errors[4:])
    assert "none would be posted: the check failed" in plan_tab
