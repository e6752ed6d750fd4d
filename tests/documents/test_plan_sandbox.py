"""The converter on exports the Manage sandbox serves over HTTP, for several datasets and setups.

Checks the GLExport contract end to end: every GL entry id of an export lands in exactly one
document (or in a deliberately broken record's issue), and a Manage batch of the planned
documents' ids is accepted by the sandbox's strict whole-document rule.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import httpx
import pytest

from mobius_tui.documents.convert import PlanOptions, plan_from_glexport
from mobius_tui.documents.model import Plan
from mobius_tui.documents.totals import glexport_totals, plan_totals
from mobius_tui.manage.models import GLExport
from mobius_tui.sandbox.manage import API_ROOT, DEMO, ManageStore, create_app
from mobius_tui.sandbox.server import serve


@contextmanager
def _manage(seed: int) -> Iterator[tuple[httpx.Client, ManageStore]]:
    store = ManageStore(":memory:", seed=seed, size=60)
    token = base64.b64encode(f"{DEMO.company_id}+{DEMO.public_key}:{DEMO.private_key}".encode()).decode()
    headers = {"clientId": DEMO.client_id, "Authorization": f"Basic {token}",
               "Accept": "application/vnd.connectwise.com+json; version=2025.1"}
    try:
        with serve(create_app(store)) as server, httpx.Client(base_url=server.url + API_ROOT, headers=headers) as http:
            yield http, store
    finally:
        store.close()


def _export(http: httpx.Client, summarize: str) -> GLExport:
    body = {"batchIdentifier": "0", "glInterfaceIdentifier": "0", "locationId": 0, "summarizeInvoices": summarize,
            "exportInvoicesFlag": True, "exportExpensesFlag": True, "exportProductsFlag": True}
    response = http.post("/finance/accounting/export", json=body)
    response.raise_for_status()
    return GLExport.model_validate_json(response.content)


def _procurement_ids(http: httpx.Client) -> dict[str, list[int]]:
    response = http.get("/finance/accounting/unpostedprocurement",
                        params={"pageSize": 1000, "fields": "id,unpostedProductId"})
    response.raise_for_status()
    out: dict[str, list[int]] = {}
    for row in response.json():
        out.setdefault(row["unpostedProductId"], []).append(row["id"])
    return out


def _deliberately_broken(store: ManageStore, expenses_as_bills: bool) -> set[int]:
    """GL entry ids of the records the dataset breaks in Manage itself: a vendor company without a
    vendor xref, and a member without a vendor number (which only an expense bill needs)."""
    ds = store.dataset
    named = [(p.po_number, p.entry_ids) for p in ds.procurements]
    if expenses_as_bills:
        named += [(str(e.id), e.entry_ids) for e in ds.expenses]
    broken: set[int] = set()
    for mapping in ds.missing_mappings:
        if mapping.in_manage:
            for name, entry_ids in named:
                if name in mapping.documents:
                    broken.update(entry_ids)
    return broken


def _check(plan: Plan, export: GLExport, store: ManageStore) -> None:
    broken = _deliberately_broken(store, bool(export.expenseBills))
    for issue in plan.issues:
        assert issue.origin is not None and set(issue.origin.gl_entry_ids) <= broken, issue
    for doc in plan.documents:
        assert doc.imbalance() == Decimal(0), doc.origin.label()
    in_documents = [e for d in plan.documents for e in d.origin.gl_entry_ids]
    in_issues = [e for i in plan.issues if i.origin for e in i.origin.gl_entry_ids]
    assert len(in_documents) == len(set(in_documents))
    exported = store.export_ids_for(export)
    assert sorted(in_documents + in_issues) == sorted(exported)
    assert set(in_issues) == broken & set(exported)  # every deliberately broken record is reported
    assert plan_totals(plan) == glexport_totals(export, [d.origin for d in plan.documents])


@pytest.mark.parametrize("seed", [7, 11, 23])
def test_sandbox_exports_convert_without_surprises(seed):
    with _manage(seed) as (http, store):
        for summarize in ("Detailed", "Condensed"):
            for as_bills in (True, False):
                store.set_setup(transferExpensesAsBillFlag=as_bills)
                export = _export(http, summarize)
                assert export.transactions and export.purchaseTransactions and export.inventoryTransfers
                assert bool(export.expenseBills) == as_bills
                plan = plan_from_glexport(export, PlanOptions(procurement_entry_ids=_procurement_ids(http)))
                _check(plan, export, store)


def test_sandbox_accepts_a_batch_of_the_planned_documents_and_nothing_is_left_but_the_broken(seed=7):
    with _manage(seed) as (http, store):
        export = _export(http, "Detailed")
        plan = plan_from_glexport(export, PlanOptions(procurement_entry_ids=_procurement_ids(http)))
        body = {"batchIdentifier": "DOCS-TEST-1", "exportInvoicesFlag": True, "exportExpensesFlag": True,
                "exportProductsFlag": True, "processedRecordIds": plan.gl_entry_ids()}
        response = http.post("/finance/accounting/batches", json=body)
        assert response.status_code in (200, 201), response.text
        left = _export(http, "Detailed")
        left_ids = set(store.export_ids_for(left))
        assert left_ids == {e for i in plan.issues if i.origin for e in i.origin.gl_entry_ids}
