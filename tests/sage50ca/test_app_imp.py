"""The app, driven by keys (pilot): on the Sage 50 login the accountant chooses the Import Transactions
mode and an import folder; the profile keeps the choice, and a dry run from the screens then says, per
document, what the file could not carry."""

from __future__ import annotations

from textual.widgets import Input, Select

from mobius_tui.service.profiles import load_profile
from mobius_tui.tui.screens.export_view import ExportScreen
from mobius_tui.tui.screens.login import LoginScreen
from tests.tui.conftest import no_keyring  # noqa: F401 - secrets from the environment, as over SSH
from tests.tui.tui_helpers import login, settle

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
