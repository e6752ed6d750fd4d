"""The app's Authorise step against the Sage sandbox's real consent page and token flow: the address
shown, a pasted address with the wrong state refused with its reason, the right one accepted, the
business chosen, then the login and three invoices posted to Sage from the screens."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input, Select, Static

from mobius_tui.accounting.sage_cloud import SageCloud
from mobius_tui.sandbox.sage_cloud import create_sandbox
from mobius_tui.service.profiles import load_profile
from mobius_tui.tui.app import MobiusApp
from mobius_tui.service.events import Outcome
from mobius_tui.tui.screens.authorize import AuthorizeDialog
from mobius_tui.tui.screens.dialogs import ChoiceDialog
from mobius_tui.tui.screens.export_view import ExportScreen
from mobius_tui.tui.screens.main import MainScreen
from mobius_tui.tui.screens.new_batch import NewBatchPane
from tests.tui.tui_helpers import screen_text, settle

from .e2e import PROFILE, cloud_env


async def test_authorise_paste_back_choose_business_and_log_in(manage_sandbox, app_dirs, file_keyring, monkeypatch):
    with create_sandbox(manage_sandbox.store.dataset) as sage:
        cloud = cloud_env(manage_sandbox, sage, authorise=False)
        for name, value in cloud.env.items():
            monkeypatch.setenv(name, value)
        app = MobiusApp(profile_name=PROFILE, today=date(2025, 6, 30))  # the dataset's quarter ends then
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("f6")
            await settle(pilot, app)
            dialog = app.screen
            assert isinstance(dialog, AuthorizeDialog)
            url = str(dialog.query_one("#auth-url", Static).render())
            assert url == dialog.auth.url and "60 seconds" in screen_text(app)

            stale = dialog.auth
            dialog.query_one("#auth-restart").press()  # a new address: the old one's state is now foreign
            await settle(pilot, app)
            foreign = sage.approve(stale.url)
            dialog.query_one("#auth-pasted", Input).value = foreign
            await pilot.press("enter")
            await settle(pilot, app)
            assert "another sign-in" in str(dialog.query_one("#auth-error", Static).render())

            dialog.query_one("#auth-pasted", Input).value = sage.approve(dialog.auth.url)
            await pilot.press("enter")
            await settle(pilot, app)
            select = dialog.query_one("#auth-business", Select)
            assert select.value == sage.business.id
            dialog.query_one("#auth-done").press()
            await settle(pilot, app)
            assert not isinstance(app.screen, AuthorizeDialog)
            assert app.screen.query_one("#pkg-business_id", Input).value == sage.business.id
            await pilot.press("f8")
            await settle(pilot, app)
            assert isinstance(app.screen, MainScreen), screen_text(app)
            assert app.session is not None and app.session.package.name == SageCloud.name
            chosen = [r.number for r in app.screen.query_one(NewBatchPane).unposted.invoices[:3]]
            await pilot.press("d", "space", "down", "space", "down", "space", "f8")
            await pilot.pause()
            assert isinstance(app.screen, ChoiceDialog)
            await pilot.press("f8")  # the dialog focuses Cancel; F8 runs the export
            await settle(pilot, app)
            assert isinstance(app.screen, ExportScreen) and app.screen.report.outcome == Outcome.SUCCESS
            references = [r["reference"] for t in ("sales_invoices", "sales_credit_notes")
                          for r in sage.business.table(t).values()]
            assert sorted(references) == sorted(chosen)
    saved = load_profile(PROFILE)
    assert saved.package_values["business_id"] == sage.business.id and saved.package_values["token_key"] == PROFILE
