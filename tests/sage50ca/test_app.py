"""The app, driven by keys (pilot), against the Manage sandbox and a Sage 50 sandbox company: log in
with the Sage 50 profile, export three invoices, and see them in Sage 50 and in the Manage batch."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Input

from mobius_tui.accounting.sage50ca import Sage50
from mobius_tui.service.events import Outcome
from mobius_tui.service.profiles import Profile, save_profile
from mobius_tui.tui.app import MobiusApp
from mobius_tui.tui.screens.dialogs import ChoiceDialog
from mobius_tui.tui.screens.export_view import ExportScreen
from mobius_tui.tui.screens.new_batch import NewBatchPane
from mobius_tui.sandbox.sage50ca import create_sandbox_company
from tests.tui.conftest import no_keyring  # noqa: F401 - secrets from the environment, as over SSH
from tests.tui.tui_helpers import login, settle

TODAY = date(2025, 6, 30)


@pytest.fixture
def app(tmp_path, monkeypatch, manage_sandbox, mariadb, bridge_exe) -> MobiusApp:
    monkeypatch.setenv("MOBIUS_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("MOBIUS_TUI_DATA_DIR", str(tmp_path / "data"))
    company = create_sandbox_company(mariadb, tmp_path / "sage50", dataset=manage_sandbox.store.dataset,
                                     include_missing=True)
    creds = manage_sandbox.credentials
    monkeypatch.setenv("MOBIUS_PRIVATE_KEY", creds.private_key)
    secret = next(f for f in Sage50.settings if f.secret)
    monkeypatch.setenv(Sage50.env_var(secret), company.settings[secret.name])
    values = {k: v for k, v in company.settings.items() if k != secret.name} | {"bridge_path": str(bridge_exe)}
    save_profile(Profile(name="s50", site=manage_sandbox.url, company_id=creds.company_id, client_id=creds.client_id,
                         public_key=creds.public_key, package=Sage50.name, package_values=values, initials="JD"),
                 Sage50)
    made = MobiusApp(profile_name="s50", today=TODAY)
    made.sage50_company = company  # type: ignore[attr-defined]
    yield made
    company.drop()


async def test_export_three_invoices_from_the_screens(app, manage_sandbox) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot, app)
        chosen = [r.number for r in app.screen.query_one(NewBatchPane).unposted.invoices[:3]]
        await pilot.press("d", "space", "down", "space", "down", "space")
        batch = app.screen.query_one("#batch-number", Input).value
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("f8")  # the dialog focuses Cancel; F8 runs the export
        await settle(pilot, app)
        export = app.screen
        assert isinstance(export, ExportScreen)
        assert export.report is not None, export.failure  # the run raised: say what
        assert export.report.outcome == Outcome.SUCCESS, export.report.summary
    with app.sage50_company.connect() as conn:
        in_sage = sorted(r[0] for r in conn.execute("SELECT sSource FROM tcustr"))
    assert in_sage == sorted(chosen)
    assert manage_sandbox.store.batch_by_identifier(batch) is not None
