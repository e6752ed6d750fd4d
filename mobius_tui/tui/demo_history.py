"""A past the demo books start with: a few invoices exported before, posted in the package and paid.

So a new user's first Update Invoice Payments finds payments to bring back to Manage, and Recent
batches lists a batch with its run. The export goes through the service as any run does (Manage
records the batch, the journal the run); posting the package's batch and paying the invoices is
done in each package's sandbox, as its users would there (``sandbox/demo_payments.py``). The
packages share one Manage sandbox, so each exports invoices of its own under a free batch number.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import date

from mobius_tui.documents.model import RecordKind
from mobius_tui.service.events import ignore
from mobius_tui.service.options import ExportOptions, Selection
from mobius_tui.service.profiles import Profile
from mobius_tui.service.secrets import load_secrets

PAID_INVOICES = 4


def seed_paid_invoices(profiles: list[Profile], sandboxes, today: date) -> str:
    """Export, post and pay a few invoices on each package that can; "" or what went wrong."""
    from mobius_tui.sandbox.demo_payments import PAYERS

    problems: list[str] = []
    for profile in profiles:
        if profile.package not in PAYERS or profile.package not in sandboxes.by_name:
            continue
        outcome: list[BaseException] = []

        def work(profile: Profile = profile) -> None:
            try:
                asyncio.run(_export_and_pay(profile, sandboxes.by_name[profile.package].handle, today))
            except BaseException as exc:  # reported, never fatal: the demo works without a past
                outcome.append(exc)

        # A thread of its own: the caller may already be inside an event loop.
        thread = threading.Thread(target=work, name="demo-history")
        thread.start()
        thread.join()
        problems += [f"{profile.package}: {exc}" for exc in outcome]
    return "; ".join(problems)


async def _export_and_pay(profile: Profile, handle, today: date) -> None:
    from mobius_tui.sandbox.demo_payments import pay_exported
    from mobius_tui.service.packages import find
    from mobius_tui.service.session import Session

    secrets = load_secrets(profile, find(profile.package))
    async with await Session.open(profile, secrets) as session:
        rows = [r for r in (await session.unposted(None, today)).invoices if r.amount > 0][:PAID_INVOICES]
        if not rows:
            return
        options = ExportOptions(thru_date=today, invoices=True,
                                selections={RecordKind.INVOICE: Selection(include=[r.id for r in rows])})
        options.batch_number = await session.free_batch_number(options)
        report = await session.run_export(options, ignore)
    if not report.posted:
        raise RuntimeError(report.summary)
    # The invoice number is the last word of the label ("invoice INV10001"); the demo adds no prefix.
    exported = [(r.reference, r.label.split()[-1], r.amount) for r in report.posted]
    pay_exported(profile.package, handle, exported, today)
