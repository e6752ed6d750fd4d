"""Two different Manage records under one package number: the check refuses, the duplicate guard never
takes one for the other.

Manage's expense bill numbers are cut at 20 characters ("EXP-" + member identifier + "-" + date): a
member with a long identifier gets the same number every month. Manage sandbox and Sage 300 sandbox
over HTTP, through the service session, as production runs them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from mobius_tui.accounting.sage300 import Sage300
from mobius_tui.sandbox.sage300 import create_sandbox
from mobius_tui.service.events import Outcome
from mobius_tui.documents.model import RecordKind
from mobius_tui.service.options import ExportOptions, Selection
from mobius_tui.service.profiles import Profile, save_profile
from mobius_tui.service.secrets import Secrets
from mobius_tui.service.session import Session

TODAY = date(2025, 6, 30)
LONG_IDENTIFIER = "jtremblay-montreal"  # "EXP-jtremblay-montre": the date is cut off


@pytest.fixture
def app_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("MOBIUS_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("MOBIUS_TUI_DATA_DIR", str(tmp_path / "data"))
    for name in ("MOBIUS_TUI_CRASH_AT", "MOBIUS_TUI_PROFILE"):
        monkeypatch.delenv(name, raising=False)


def rename_member(dataset, member_id: int, identifier: str) -> None:
    dataset.members[:] = [replace(m, identifier=identifier) if m.id == member_id else m for m in dataset.members]
    dataset._index.pop("members", None)


def open_session(manage_sandbox, sage):
    creds = manage_sandbox.credentials
    secret = {f.name for f in Sage300.settings if f.secret}
    profile = Profile(name="sage", site=manage_sandbox.url, company_id=creds.company_id, client_id=creds.client_id,
                      public_key=creds.public_key, package=Sage300.name, initials="JD",
                      package_values={k: v for k, v in sage.settings.items() if k not in secret})
    save_profile(profile, Sage300)
    return Session.open(profile, Secrets({"private_key": creds.private_key, **{k: sage.settings[k] for k in secret}}))


def expense_bills(report) -> list[str]:
    return [d.number for d in report.plan.documents if d.kind == "ap_bill"]


async def test_a_number_posted_before_from_other_manage_records_is_refused_not_skipped(app_dirs, manage_sandbox):
    dataset = manage_sandbox.store.dataset
    rename_member(dataset, 1, LONG_IDENTIFIER)
    # A member's bill in US dollars, which Sage 300 keeps in CAD for that vendor, stays out.
    usd = {RecordKind.EXPENSE: Selection(exclude=[str(e.id) for e in dataset.expenses if e.currency != "CAD"])}
    with create_sandbox(dataset, today=lambda: TODAY, include_missing=True) as sage:
        async with await open_session(manage_sandbox, sage) as session:
            april = ExportOptions(thru_date=date(2025, 4, 30), invoices=False, expenses=True, batch_number="APR-E",
                                  selections=usd)
            first = await session.run_export(april, lambda e: None)
            assert first.outcome == Outcome.SUCCESS, (first.summary, [(g.cause, g.documents) for g in first.problems])
            assert any(r.label.endswith("EXP-jtremblay-montre") for r in first.posted), [r.label for r in first.posted]

            # May's bill of the same member comes out of Manage under the same number.
            may = ExportOptions(thru_date=TODAY, invoices=False, expenses=True, batch_number="JUN-E", selections=usd)
            dry = await session.run_export(may, lambda e: None, dry_run=True)
            assert "EXP-jtremblay-montre" in expense_bills(dry)
            assert dry.outcome == Outcome.FAILED and not dry.duplicates
            [group] = [g for g in dry.blocking_problems if "posted before under the same number" in g.cause]
            assert "give it a number of its own in Manage" in group.fix
            assert "EXP-jtremblay-montre: batch APR-E" in " ".join(group.details), group.details

            refused = await session.run_export(may, lambda e: None)
            assert refused.outcome == Outcome.FAILED and not refused.posted and not refused.duplicates
            assert manage_sandbox.store.batch_by_identifier("JUN-E") is None

            # The same records again (a rerun of April) are the same documents: skipped, not refused.
            again = await session.rerun("APR-E", lambda e: None)
            assert again.outcome == Outcome.SUCCESS and len(again.duplicates) == first.counts["posted"]
