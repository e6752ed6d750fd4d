"""Every amount carries its currency, for every demo package: documents Manage sends without one
(inventory adjustments and transfers) are shown in the books' own currency, which each package's
reference data names."""

from __future__ import annotations

import asyncio
import re
import threading
from datetime import date

from mobius_tui.service.options import ExportOptions
from mobius_tui.service.packages import find
from mobius_tui.service.secrets import load_secrets
from mobius_tui.service.session import Session
from mobius_tui.tui.demo import demo_environment
from mobius_tui.tui.plan_text import plan_lines

TODAY = date(2025, 6, 30)
BARE_AMOUNT = re.compile(r"-?\d[\d,]*\.\d\d(?! [A-Z]{3})")  # a figure not followed by an ISO code


async def dry_run(profile):
    async with await Session.open(profile, load_secrets(profile, find(profile.package))) as session:
        options = ExportOptions(TODAY, invoices=True, expenses=True, inventory=True, batch_number="")
        return await session.run_export(options, lambda e: None, dry_run=True)


def test_a_dry_run_names_the_currency_of_every_amount_for_every_package():
    with demo_environment(size=20, today=TODAY) as demo:
        assert len(demo.offered) >= 2, demo.unavailable
        for profile in demo.profiles:
            reports = []
            thread = threading.Thread(target=lambda: reports.append(asyncio.run(dry_run(profile))))
            thread.start()
            thread.join()
            [report] = reports
            plan = report.plan
            assert plan is not None and plan.documents, profile.package
            # Manage sends no currency with adjustments and transfers: they are in the books' own.
            assert any(d.kind.startswith("inventory") for d in plan.documents), profile.package
            assert all(d.currency == "CAD" or d.currency == "USD" for d in plan.documents), profile.package
            assert set(report.to_json()["totals"]["documents"]) == {"CAD", "USD"}, profile.package
            text = plan_lines(plan) + report.log_lines + [report.summary]
            bare = [line for line in text if BARE_AMOUNT.search(line)]
            assert not bare, (profile.package, bare[:5])


async def export_inventory(profile):
    async with await Session.open(profile, load_secrets(profile, find(profile.package))) as session:
        options = ExportOptions(TODAY, invoices=False, inventory=True)
        options.batch_number = await session.free_batch_number(options)
        report = await session.run_export(options, lambda e: None)
        return report, session.batch_runs()


def test_posted_inventory_documents_carry_the_home_currency_into_the_journal_and_recent_batches():
    """Adjustments and transfers come without a currency: once posted, the log, the report, and what the
    journal keeps for Recent batches and History name the books' own currency."""
    with demo_environment(size=20, today=TODAY) as demo:
        sage = next(p for p in demo.profiles if p.package == "sage300")
        found = []
        thread = threading.Thread(target=lambda: found.append(asyncio.run(export_inventory(sage))))
        thread.start()
        thread.join()
        [(report, runs)] = found
        assert report.posted, report.summary
        assert "" not in report.totals["posted"] and set(report.totals["posted"]) <= {"CAD", "USD"}
        assert not [line for line in report.log_lines + [report.summary] if BARE_AMOUNT.search(line)]
        assert set(runs[report.batch_identifier].posted_totals) == set(report.totals["posted"])
        from mobius_tui.service.history import History

        [run] = [r for r in History().runs() if r.run_id == report.run_id]
        assert run.totals["posted"] == report.totals["posted"]
        assert {d.currency for d in History().run(report.run_id).documents} <= {"CAD", "USD"}
