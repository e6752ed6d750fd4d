"""The app, driven by keys (pilot): on the Sage 50 login the accountant chooses the Import Transactions
mode and an import folder; the profile keeps the choice, and a dry run from the screens then says, per
document, what the file could not carry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from textual.widgets import Input, Select

from mobius_tui.accounting.sage50ca import Sage50
from mobius_tui.sandbox.sage50ca.operations import import_transactions
from mobius_tui.service.journal import Journal
from mobius_tui.service.profiles import load_profile, save_profile
from mobius_tui.tui.screens.dialogs import ChoiceDialog
from mobius_tui.tui.screens.export_view import ExportScreen
from mobius_tui.tui.screens.login import LoginScreen
from tests.tui.conftest import no_keyring  # noqa: F401 - secrets from the environment, as over SSH
from tests.tui.tui_helpers import login, screen_text, settle

from .test_app import app  # noqa: F401 - the Sage 50 profile (SDK mode) and sandbox company


async def test_choosing_import_file_mode_at_login(app, tmp_path) -> None:  # noqa: F811
    folder = tmp_path / "imports"
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LoginScreen)
        mode = screen.query_one("#pkg-write_mode", Select)
        assert mode.value == "sdk"
        mode.focus()
        await pilot.press("enter")  # open the choices
        await pilot.press("down", "enter")  # sdk → imp
        await pilot.pause()
        assert mode.value == "imp"
        screen.query_one("#pkg-import_folder", Input).value = str(folder)
        await login(pilot, app)
        assert app.session.package.setup.write_mode == "imp"
        await pilot.press("d", "space", "down", "space")
        await pilot.press("f6")  # dry run
        await settle(pilot, app)
        export = app.screen
        assert isinstance(export, ExportScreen), type(export)
        report = export.report
    saved = load_profile("s50").package_values
    assert saved["write_mode"] == "imp" and saved["import_folder"] == str(folder)
    notices = [g for g in report.problems if g.cause.startswith("Not written to the Import Transactions file")]
    assert sum(g.count for g in notices) == 2 and report.counts["posted"] == 0
    assert not folder.exists()  # a dry run writes nothing


async def test_a_run_waiting_for_its_import_is_finished_from_the_screens(app, tmp_path) -> None:  # noqa: F811
    """A run in import-file mode (from the command line, as a schedule would) waits; the accountant
    imports the file in Sage 50, opens the app, and closes the run with Import done."""
    folder = tmp_path / "imports"
    profile = load_profile("s50")
    save_profile(replace(profile, package_values={**profile.package_values, "write_mode": "imp",
                                                  "import_folder": str(folder)}), Sage50)
    script = "import sys; from mobius_tui.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run([sys.executable, "-c", script, "export", "--profile", "s50", "--inventory",
                           "--exclude-product", "100401-PO20011-purchase", "--batch-number", "S50-TUI-IMP",
                           "--thru", "2025-06-30", "--yes", "--json"], env=dict(os.environ), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 5, done.stdout + done.stderr
    (path,) = {w["file"] for w in json.loads(done.stdout.splitlines()[-1])["written"]}
    imported = import_transactions(app.sage50_company, Path(path))
    assert imported and not [line for line in imported if line.startswith("refused")]
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot, app)
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog) and "written for import" in dialog.body, screen_text(app)
        await pilot.press("f6")  # Import done
        await settle(pilot, app)
        finished = app.screen
        assert isinstance(finished, ExportScreen), screen_text(app)
        report = finished.report
    invoices = [line for line in imported if line.startswith("imported purinvoice")]
    assert not report.unfinished and report.counts["posted"] == len(invoices) > 0
    with Journal() as journal:
        assert journal.unfinished() == []
