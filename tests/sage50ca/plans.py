"""Plans the way a run builds them: a GLExport the Manage sandbox serves over HTTP, through the real
converter."""

from __future__ import annotations

from mobius_tui.documents.convert import PlanOptions, plan_from_glexport
from mobius_tui.documents.model import Plan
from mobius_tui.manage.models import GLExport
from mobius_tui.sandbox.manage.harness import running_manage_sandbox


def sandbox_plan(size: int = 60, seed: int = 7) -> Plan:
    with running_manage_sandbox(size=size, seed=seed) as manage, manage.client() as http:
        body = {"batchIdentifier": "0", "glInterfaceIdentifier": "0", "locationId": 0, "summarizeInvoices": "Detailed",
                "exportInvoicesFlag": True, "exportExpensesFlag": True, "exportProductsFlag": True}
        response = http.post("/finance/accounting/export", json=body)
        response.raise_for_status()
        export = GLExport.model_validate_json(response.content)
        rows = http.get("/finance/accounting/unpostedprocurement",
                        params={"pageSize": 1000, "fields": "id,unpostedProductId"})
        rows.raise_for_status()
    ids: dict[str, list[int]] = {}
    for row in rows.json():
        ids.setdefault(row["unpostedProductId"], []).append(row["id"])
    return plan_from_glexport(export, PlanOptions(home_currency="CAD", procurement_entry_ids=ids))
