"""``mobius-tui demo``: sandboxes up, a demo profile per package with no secret in it, the app ready to log in."""

from __future__ import annotations

import json

from textual.widgets import Input, Select, Static

from mobius_tui import paths
from mobius_tui.service.profiles import list_profiles, load_profile
from mobius_tui.tui.app import MobiusApp
from mobius_tui.tui.demo import demo_environment, demo_notice
from mobius_tui.tui.screens.login import LoginScreen
from mobius_tui.tui.screens.main import MainScreen
from mobius_tui.tui.widgets.settings_form import SettingsForm
from tests.tui.tui_helpers import settle


async def test_demo_writes_a_profile_per_package_and_logs_in_to_each():
    with demo_environment(size=20) as demo:
        assert "sage300" in demo.offered  # pure Python: always offered
        assert sorted(list_profiles()) == sorted(p.name for p in demo.profiles)
        stored = json.loads(paths.profiles_file().read_text())["profiles"]
        for profile in demo.profiles:
            saved = load_profile(profile.name)
            assert saved.site.startswith("http://127.0.0.1:") and saved.package == profile.package
            assert not {"private_key", "password", "sl_password", "sql_password"} & set(stored[profile.name])
            assert not {"password", "sl_password", "sql_password"} & set(saved.package_values)
        stored_values = {str(v) for raw in stored.values() for v in [*raw.values(), *raw["package_values"].values()]}
        assert not {s for s in demo.env.values() if s} & stored_values

        app = MobiusApp(profile_name=demo.first, notice=demo_notice(demo))
        async with app.run_test(size=(80, 24)) as pilot:
            for index, profile in enumerate(demo.profiles):
                await pilot.pause()
                login = app.screen
                assert isinstance(login, LoginScreen)
                assert login.query_one("#site", Input).value == profile.site
                assert "Demo:" in str(login.query_one("#login-notice", Static).render())
                if index:  # the Profile list switches the whole form to that package's demo profile
                    login.query_one("#profile", Select).value = profile.name
                    for _ in range(50):  # the new screen mounts its package form on its own time
                        await pilot.pause(0.05)
                        login = app.screen
                        switched = isinstance(login, LoginScreen) and login.profile.name == profile.name
                        if switched and login.query(SettingsForm):
                            break
                    assert login.profile.name == profile.name
                    assert login.query_one(SettingsForm).fields[0].name in profile.package_values
                await pilot.press("f8")
                await settle(pilot, app)
                assert isinstance(app.screen, MainScreen), profile.name
                assert app.session is not None and app.session.package.name == profile.package
                await pilot.press("f10")  # log out, back to the login screen
                await settle(pilot, app)


def test_the_demo_offers_dynamics_sl_where_pyodbc_and_the_sqlite_driver_are():
    """The README's first command installs pyodbc (the ``odbc`` extra), so with the SQLite ODBC
    driver present the demo has Dynamics SL as well as Sage 300."""
    import pyodbc
    import pytest

    if "SQLite3" not in pyodbc.drivers():
        pytest.skip("no SQLite ODBC driver on this machine")
    with demo_environment(size=20) as demo:
        assert {"dynamics_sl", "sage300"} <= set(demo.offered), demo.unavailable
        assert "Microsoft Dynamics SL" in demo_notice(demo)


async def test_the_demos_first_payment_sync_brings_payments_back_for_every_package():
    """Each demo package starts with four invoices exported, posted and paid there (two in full, two
    in part): its first payment sync, from the default start date, updates them in Manage."""
    from datetime import date

    from mobius_tui.tui.screens.payments import PaymentsPane

    today = date(2025, 6, 30)
    with demo_environment(size=20, today=today) as demo:
        assert demo.history_problem == ""
        assert {"sage300", "sage_cloud"} <= set(demo.offered), demo.unavailable  # pure Python: always offered
        app = MobiusApp(profile_name=demo.first, today=today, notice=demo_notice(demo))
        async with app.run_test(size=(80, 24)) as pilot:
            for index, profile in enumerate(demo.profiles):
                await pilot.pause()
                if index:
                    app.screen.query_one("#profile", Select).value = profile.name
                    for _ in range(50):
                        await pilot.pause(0.05)
                        login = app.screen
                        if isinstance(login, LoginScreen) and login.profile.name == profile.name \
                                and login.query(SettingsForm):
                            break
                await pilot.press("f8")
                await settle(pilot, app)
                assert isinstance(app.screen, MainScreen), profile.name
                assert app.session.package.name == profile.package
                await pilot.press("f3")
                await settle(pilot, app)
                recent = [str(app.screen.query_one("#recent-batches").get_option_at_index(n).prompt)
                          for n in range(len(demo.profiles))]
                assert any("20250630DM-I" in line and "4 posted" in line for line in recent), recent
                await pilot.press("f4")
                await pilot.pause()
                await pilot.press("f8", "f8")
                await settle(pilot, app)
                summary = str(app.screen.query_one("#sync-summary").render())
                assert summary.startswith("SUCCESS") and "4 updated" in summary, (profile.package, summary)
                pane = app.screen.query_one(PaymentsPane)
                # The first sync looks a year back; later ones (another package, same Manage company)
                # start at the last successful run: the day the demo's invoices were paid.
                assert pane.report.since == (date(2024, 6, 30) if index == 0 else today)
                paid = [line for line in pane.query_one("#sync-log").history if ": paid " in line]
                # Each amount with its currency; a date paid only for invoices paid in full.
                assert len(paid) == 4 and all(" CAD" in line or " USD" in line for line in paid), paid
                assert sum(" on 2025-06-30 (paid in full)" in line for line in paid) == 2, paid
                assert sum("part paid: no date paid" in line for line in paid) == 2, paid
                await pilot.press("f10")
                await settle(pilot, app)
