"""A past the demo books start with: a few invoices exported before, posted in the package and paid.

So a new user's first Update Invoice Payments finds payments to bring back to Manage, and Recent
batches lists a batch with its run. The export goes through the service as any run does (Manage
records the batch, the journal the run); posting the package's batch and paying the invoices is
done in the Sage 300 sandbox, as its users would in Sage.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import date, timedelta
from decimal import Decimal

from mobius_tui.documents.model import RecordKind
from mobius_tui.service.events import ignore
from mobius_tui.service.options import ExportOptions, Selection
from mobius_tui.service.profiles import Profile
from mobius_tui.service.secrets import load_secrets

PAID_INVOICES = 4
PACKAGES = ("sage300",)  # whose sandbox can post and pay invoices here


def seed_paid_invoices(profiles: list[Profile], sandboxes, today: date) -> str:
    """Export, post and pay a few invoices on each package that can; "" or what went wrong."""
    problems: list[str] = []
    for profile in profiles:
        if profile.package not in PACKAGES or profile.package not in sandboxes.by_name:
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


async def _export_and_pay(profile: Profile, sage, today: date) -> None:
    from mobius_tui.service.packages import find
    from mobius_tui.service.session import Session

    secrets = load_secrets(profile, find(profile.package))
    async with await Session.open(profile, secrets) as session:
        rows = [r for r in (await session.unposted(None, today)).invoices if r.amount > 0][:PAID_INVOICES]
        if not rows:
            return
        options = ExportOptions(thru_date=today, invoices=True, batch_number=f"{today:%Y%m%d}DM-I",
                                selections={RecordKind.INVOICE: Selection(include=[r.id for r in rows])})
        report = await session.run_export(options, ignore)
    batches = {r.reference.split("/")[0].split()[-1] for r in report.posted}  # "AR batch 1 / INV10001"
    for batch in batches:
        sage.post_batch("AR", batch, on=today - timedelta(days=3))
    for n, result in enumerate(report.posted):
        number = result.label.split()[-1]
        [posted] = sage.books.store.find_doc("ARPostedDocuments", number)
        due = Decimal(str(posted["CustomerCurrencyAmountDue"]))
        paid = due if n % 2 == 0 else (due / 2).quantize(Decimal("0.01"))  # paid in full, and in part
        sage.apply_receipt(posted["CustomerNumber"], number, paid, today - timedelta(days=2))
