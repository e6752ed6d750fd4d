"""Plans the way a run makes them: a GLExport the Manage sandbox serves over HTTP, through the real
converter. Shared by the package tests whose rules start from Manage's own export."""

from __future__ import annotations

from collections.abc import Sequence

from mobius_tui.documents.convert import PlanOptions, plan_from_glexport
from mobius_tui.documents.model import Plan
from mobius_tui.manage.models import GLExport


def manage_plan(sandbox, *, invoices: bool = False, expenses: bool = False, products: bool = False,
                product_ids: Sequence[str] | None = None, invoice_ids: Sequence[int] | None = None,
                home_currency: str = "CAD") -> Plan:
    """``sandbox``: tests/conftest.py's ManageSandbox. ``product_ids``: unpostedProductIds to export
    (implies products); ``invoice_ids``: UnpostedInvoice ids (implies invoices)."""
    products = products or bool(product_ids)
    invoices = invoices or bool(invoice_ids)
    body = {"batchIdentifier": "0", "glInterfaceIdentifier": "0", "locationId": 0, "summarizeInvoices": "Default",
            "exportInvoicesFlag": invoices, "exportExpensesFlag": expenses, "exportProductsFlag": products}
    if product_ids:
        body["includedProductIds"] = list(product_ids)
    if invoice_ids:
        body["includedInvoiceIds"] = list(invoice_ids)
    with sandbox.client() as http:
        response = http.post("/finance/accounting/export", json=body)
        response.raise_for_status()
        export = GLExport.model_validate_json(response.content)
        entry_ids: dict[str, list[int]] = {}
        if products:
            rows = http.get("/finance/accounting/unpostedprocurement",
                            params={"pageSize": 1000, "fields": "id,unpostedProductId"})
            rows.raise_for_status()
            for row in rows.json():
                entry_ids.setdefault(row["unpostedProductId"], []).append(row["id"])
    return plan_from_glexport(export, PlanOptions(procurement_entry_ids=entry_ids, home_currency=home_currency))


def receipts_on_one_po(dataset) -> tuple:
    """The dataset's two receipts of one purchase order (first, second)."""
    by_po: dict[str, list] = {}
    for p in dataset.procurements:
        if p.type == "Purchase":
            by_po.setdefault(p.po_number, []).append(p)
    (pair,) = [found for found in by_po.values() if len(found) == 2]
    return tuple(pair)
