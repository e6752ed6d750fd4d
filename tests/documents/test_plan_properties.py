"""Property: for any well-formed balanced GLExport, the plan loses nothing and adds nothing.

Σ document totals per kind equals the export's header totals, and the documents' GL entry ids are
exactly the export's, each in one document.
"""

from __future__ import annotations

import itertools
import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from mobius_tui.documents.convert import PlanOptions, plan_from_glexport
from mobius_tui.documents.model import DocumentKind
from mobius_tui.documents.totals import glexport_entry_ids, glexport_totals, plan_totals
from mobius_tui.manage.models import GLExport

cents = st.integers(-50_000, 500_000)
positive_cents = st.integers(0, 500_000)
noise = st.sampled_from([0.0, 1e-9, -1e-9])


def _wire(amount_cents: int, jitter: float) -> float:
    """Manage's floats: the amount, sometimes with a little floating-point noise."""
    return amount_cents / 100 + (jitter if amount_cents else 0.0)


@st.composite
def exports(draw):
    ids = itertools.count(1000)
    expected = {kind.value: Decimal(0) for kind in DocumentKind}
    counts = {kind.value: 0 for kind in DocumentKind}
    entry_ids: set[int] = set()
    procurement: dict[str, int] = {}

    def book(kind: DocumentKind, total_cents: int) -> None:
        expected[kind.value] += Decimal(total_cents) / 100
        counts[kind.value] += 1

    def new_id() -> int:
        entry = next(ids)
        entry_ids.add(entry)
        return entry

    transactions = []
    for n in range(draw(st.integers(0, 4))):
        credit = draw(st.booleans())
        sign = -1 if credit else 1
        lines = draw(st.lists(st.tuples(st.sampled_from(["R", "RP", "SD", "RA", "RE"]), cents), min_size=1, max_size=5))
        taxes = draw(st.lists(positive_cents.map(lambda c: c // 10), max_size=3))
        total = sum(c for _, c in lines) + sum(taxes)
        detail = []
        for index, (gl_type, c) in enumerate(lines):
            d = {"id": new_id(), "glTypeId": gl_type, "accountNumber": f"4{index}00", "description": f"line {index}",
                 "quantity": -sign * draw(st.integers(1, 9)), "total": _wire(-sign * c, draw(noise))}
            if gl_type == "RP":
                d["item"] = {"id": index, "identifier": f"ITEM{index}"}
                d["itemTypeXref"] = draw(st.sampled_from(["Inventory Part", "Service", "Non-Inventory Part"]))
                d["cost"] = 1
            detail.append(d)
        for level, c in enumerate(taxes, start=1):
            detail.append({"id": new_id(), "glTypeId": "ST", "accountNumber": f"23{level}0",
                           "description": f"Level {level} Sales Tax", "total": _wire(-sign * c, draw(noise))})
        header_ids = [new_id() for _ in range(draw(st.integers(0, 2)))]
        if not header_ids and not detail:
            header_ids = [new_id()]
        transactions.append({
            "id": n + 1, "documentNumber": f"INV{n + 1}", "documentDate": "2025-04-25T00:00:00Z",
            "documentType": "CREDIT MEMO" if credit else "INVOICE", "billingType": "CreditMemo" if credit else "Standard",
            "companyAccountNumber": "C1", "accountNumber": "1200", "glEntryIds": ",".join(map(str, header_ids)),
            "total": _wire(sign * total, draw(noise)), "piggyBackFlag": draw(st.booleans()), "detail": detail,
        })
        book(DocumentKind.CREDIT_MEMO if credit else DocumentKind.SALES_INVOICE, total)

    expenses, bills = [], []
    if draw(st.booleans()):
        for _ in range(draw(st.integers(0, 3))):
            c = draw(cents)
            expenses.append({"id": new_id(), "documentDate": "2025-04-10", "accountNumber": "6100", "total": _wire(c, 0),
                             "member": {"id": 1, "identifier": "jdoe"},
                             "offset": {"id": new_id(), "accountNumber": "2100", "total": _wire(-c, 0)}})
            book(DocumentKind.JOURNAL_ENTRY, abs(c))
    else:
        for n in range(draw(st.integers(0, 3))):
            parts = draw(st.lists(positive_cents, min_size=1, max_size=4))
            detail = [{"id": [new_id() for _ in range(draw(st.integers(1, 2)))], "accountNumber": "6100",
                       "total": _wire(-c, draw(noise))} for c in parts]
            bills.append({"id": n + 1, "documentNumber": f"EXP{n + 1}", "documentDate": "2025-04-30",
                          "apAccountNumber": "2110", "vendorNumber": "EMP1", "total": _wire(sum(parts), 0),
                          "detail": detail})
            book(DocumentKind.AP_BILL, sum(parts))

    purchases = []
    for n in range(draw(st.integers(0, 3))):
        parts = draw(st.lists(st.tuples(st.sampled_from(["RP", "PF"]), positive_cents), min_size=1, max_size=4))
        tax_parts = draw(st.lists(positive_cents.map(lambda c: c // 10), max_size=2))
        detail = []
        for index, (gl_type, c) in enumerate(parts):
            d = {"id": new_id(), "glTypeId": gl_type, "accountNumber": "5000", "lineNumber": index + 1,
                 "quantity": -1, "total": _wire(-c, draw(noise))}
            if gl_type == "RP":
                d.update(item={"id": 1, "identifier": "ITEM0"}, itemTypeXref="Inventory Part", inventoryAccountNumber="1300")
            detail.append(d)
        tax = [{"id": new_id(), "glTypeId": "PT", "accountNumber": "1410", "total": _wire(-c, 0)} for c in tax_parts]
        total = sum(c for _, c in parts) + sum(tax_parts)
        purchases.append({"id": f"PO #{n}", "documentNumber": f"PO-{n}", "documentDate": "2025-04-15",
                          "apAccountNumber": "2000", "vendorNumber": "V1", "total": _wire(total, 0),
                          "purchaseDetail": detail, "purchaseDetailTax": tax})
        book(DocumentKind.ITEM_RECEIPT, total)

    adjustments = []
    for n in range(draw(st.integers(0, 2))):
        key = f"{n + 1}-adjustment"
        procurement[key] = new_id()
        moves = draw(st.lists(st.tuples(st.integers(-5, 5), positive_cents), min_size=1, max_size=3))
        detail = [{"item": {"id": 1, "identifier": "ITEM0"}, "quantity": q, "inventoryAccountNumber": "1300",
                   "total": _wire(c if q >= 0 else -c, 0)} for q, c in moves]
        adjustments.append({"id": key, "documentDate": "2025-04-20", "accountNumber": "5800", "adjustmentDetail": detail})
        book(DocumentKind.INVENTORY_ADJUSTMENT, sum(c for _, c in moves))

    transfers = []
    for n in range(draw(st.integers(0, 2))):
        key = f"{n + 1}-transfer"
        procurement[key] = new_id()
        moved = draw(st.lists(positive_cents, min_size=1, max_size=3))
        for c in moved:
            transfers.append({"id": key, "documentDate": "2025-04-22", "accountNumber": "1300",
                              "item": {"id": 1, "identifier": "ITEM0"}, "quantity": 1, "total": _wire(c, 0),
                              "transferFromLocationXref": "1", "transferToLocationXref": "2",
                              "offset": {"id": 1, "accountNumber": "1300", "total": _wire(-c, 0)}})
        book(DocumentKind.INVENTORY_TRANSFER, sum(moved))

    data = {"transactions": transactions, "expenses": expenses, "expenseBills": bills,
            "purchaseTransactions": purchases, "adjustmentTransactions": adjustments, "inventoryTransfers": transfers}
    return data, expected, counts, entry_ids, procurement


@settings(max_examples=200, deadline=None)
@given(exports())
def test_plan_keeps_every_amount_and_every_gl_entry(generated):
    data, expected, counts, entry_ids, procurement = generated
    export = GLExport.model_validate_json(json.dumps(data))
    options = PlanOptions(procurement_entry_ids=procurement)
    plan = plan_from_glexport(export, options)

    assert plan.issues == []
    totals = plan_totals(plan)
    assert {k: v["total"] for k, v in totals.items()} == expected
    assert {k: v["count"] for k, v in totals.items()} == counts
    assert glexport_totals(export) == totals
    posted = [e for d in plan.documents for e in d.origin.gl_entry_ids]
    assert len(posted) == len(set(posted))
    assert set(posted) == entry_ids == glexport_entry_ids(export, options)
    for doc in plan.documents:
        assert doc.imbalance() == 0


@settings(max_examples=50, deadline=None)
@given(exports(), st.data())
def test_totals_of_a_subset_match_the_subset_of_documents(generated, data):
    raw, *_ , procurement = generated
    export = GLExport.model_validate_json(json.dumps(raw))
    plan = plan_from_glexport(export, PlanOptions(procurement_entry_ids=procurement))
    chosen = data.draw(st.lists(st.sampled_from(plan.documents), unique_by=id) if plan.documents else st.just([]))
    assert plan_totals(plan, chosen) == glexport_totals(export, [d.origin for d in chosen])
