"""Plans built the way a run builds them: a GLExport the Manage sandbox serves over HTTP, through the
real converter, with the inventory entry ids and the default warehouse read from Manage as the
service reads them. The Sage 300 sandbox is seeded from the same dataset."""

from __future__ import annotations

from dataclasses import replace

import httpx

from mobius_tui.documents.convert import PlanOptions, default_warehouse, plan_from_glexport
from mobius_tui.documents.model import Document, DocumentKind, Plan
from mobius_tui.manage.models import GLExport, Warehouse
from mobius_tui.sandbox.manage.harness import ManageSandbox


def glexport(manage: ManageSandbox, *, invoices: bool = True, expenses: bool = True,
             products: bool = True) -> GLExport:
    body = {"batchIdentifier": "0", "glInterfaceIdentifier": "0", "locationId": 0, "summarizeInvoices": "Default",
            "exportInvoicesFlag": invoices, "exportExpensesFlag": expenses, "exportProductsFlag": products}
    with manage.client(timeout=60) as http:
        response = http.post("/finance/accounting/export", json=body)
        response.raise_for_status()
        return GLExport.model_validate_json(response.content)


def options(manage: ManageSandbox) -> PlanOptions:
    with manage.client(timeout=60) as http:
        rows = _get(http, "/finance/accounting/unpostedprocurement", {"pageSize": 1000, "fields": "id,unpostedProductId"})
        warehouses = [Warehouse.model_validate(w) for w in _get(http, "/procurement/warehouses", {"pageSize": 1000})]
    ids: dict[str, list[int]] = {}
    for row in rows:
        ids.setdefault(row["unpostedProductId"], []).append(row["id"])
    return PlanOptions(procurement_entry_ids=ids, default_warehouse=default_warehouse(warehouses))


def _get(http: httpx.Client, path: str, params: dict) -> list[dict]:
    response = http.get(path, params=params)
    response.raise_for_status()
    return response.json()


def manage_plan(manage: ManageSandbox, plan_options: PlanOptions | None = None, **flags: bool) -> Plan:
    return plan_from_glexport(glexport(manage, **flags), plan_options or options(manage))


def only(plan: Plan, *kinds: DocumentKind) -> Plan:
    return replace(plan, documents=[d for d in plan.documents if d.kind in kinds])


def pick(plan: Plan, *docs: Document) -> Plan:
    return replace(plan, documents=list(docs))
