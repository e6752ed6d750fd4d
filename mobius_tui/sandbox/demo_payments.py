"""What the demo's bookkeeper does in each package after the demo's first export: post (or release)
the invoices and receive customer payments against them, half in full, half in part, as its users
would in that package. So the demo's first payment sync has payments to bring back to Manage.

``pay_exported(package, handle, invoices, today)`` takes the sandbox handle the runner started
(``RunningSandbox.handle``) and the exported invoices as ``(package reference, invoice number,
amount)``; it returns how many invoices it paid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

Exported = tuple[str, str, Decimal]  # (the package's reference of the posting, invoice number, amount due)

# Posted and paid on the day of the export: the last successful payment sync is kept per Manage
# company (which every demo package shares) as a day, and a sync asks for changes on or after it, so
# payments of that day are found by the first sync of each package, whichever goes first.


def _paid(n: int, due: Decimal) -> Decimal:
    """Every other invoice paid in full, the others in part (so the sync shows both cases)."""
    return due if n % 2 == 0 else (due / 2).quantize(Decimal("0.01"))


def _sage300(sage: Any, invoices: Sequence[Exported], today: date) -> int:
    batches = {reference.split("/")[0].split()[-1] for reference, _, _ in invoices}  # "AR batch 1 / INV10001"
    for batch in batches:
        sage.post_batch("AR", batch, on=today)
    for n, (_, number, _) in enumerate(invoices):
        [posted] = sage.books.store.find_doc("ARPostedDocuments", number)
        due = Decimal(str(posted["CustomerCurrencyAmountDue"]))
        sage.apply_receipt(posted["CustomerNumber"], number, _paid(n, due), today)
    return len(invoices)


def _dynamics_sl(company: Any, invoices: Sequence[Exported], today: date) -> int:
    from mobius_tui.accounting.dynamics_sl.sql import to_decimal
    from mobius_tui.sandbox.dynamics_sl import apply_payment, release_batch

    released = datetime.combine(today, time(9))
    paid_on = today
    with company.session() as s:
        for batch in sorted({reference.split()[2] for reference, _, _ in invoices}):  # "AR batch 000123 IN INV1"
            release_batch(s, "AR", batch, when=released)
        for n, (_, number, _) in enumerate(invoices):
            doc = s.one("SELECT CustId, CuryDocBal FROM ARDoc WHERE DocType IN ('IN', 'DM') AND RefNbr = ?", number)
            apply_payment(s, doc["custid"], number, _paid(n, to_decimal(doc["curydocbal"])), paid_on,
                          when=datetime.combine(paid_on, time(10)))
    return len(invoices)


def _sage50ca(company: Any, invoices: Sequence[Exported], today: date) -> int:
    from mobius_tui.sandbox.sage50ca.operations import receive_payment

    for n, (_, number, amount) in enumerate(invoices):  # the SDK posts invoices at once: nothing to release
        receive_payment(company, number, _paid(n, amount), today)
    return len(invoices)


def _sage_cloud(sandbox: Any, invoices: Sequence[Exported], today: date) -> int:
    for n, (_, number, _) in enumerate(invoices):  # invoices are posted when created
        due = Decimal(str(sandbox.invoice(number)["outstanding_amount"]))
        sandbox.receive_payment(number, _paid(n, due), today)
    return len(invoices)


PAYERS: dict[str, Callable[[Any, Sequence[Exported], date], int]] = {
    "sage300": _sage300, "dynamics_sl": _dynamics_sl, "sage50ca": _sage50ca, "sage_cloud": _sage_cloud,
}


def pay_exported(package: str, handle: Any, invoices: Sequence[Exported], today: date) -> int:
    """Post and pay the exported invoices in the package's sandbox; 0 for a package with no payer."""
    payer = PAYERS.get(package)
    return payer(handle, invoices, today) if payer and invoices else 0
