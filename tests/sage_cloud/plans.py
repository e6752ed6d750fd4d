"""Plans the real converter builds from a GLExport the Manage sandbox produced over HTTP, and an
adapter connected to a Sage sandbox with tokens handed in (no keyring needed for adapter tests)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import httpx

from mobius_tui.accounting.base import PostResult
from mobius_tui.accounting.sage_cloud import SageCloud
from mobius_tui.accounting.sage_cloud.oauth import Tokens
from mobius_tui.accounting.sage_cloud.tokens import MemoryVault
from mobius_tui.documents.convert import PlanOptions, plan_from_glexport
from mobius_tui.documents.model import DocumentKind, Plan
from mobius_tui.manage.models import GLExport
from mobius_tui.sandbox.manage import API_ROOT, DEMO, ManageStore, create_app
from mobius_tui.sandbox.sage_cloud import SageCloudSandbox
from mobius_tui.sandbox.server import serve


@contextmanager
def manage_plans(seed: int = 7, size: int = 60) -> Iterator[Plan]:
    """The full plan (invoices, expenses, procurement) of the Manage sandbox's export."""
    store = ManageStore(":memory:", seed=seed, size=size)
    token = base64.b64encode(f"{DEMO.company_id}+{DEMO.public_key}:{DEMO.private_key}".encode()).decode()
    headers = {"clientId": DEMO.client_id, "Authorization": f"Basic {token}",
               "Accept": "application/vnd.connectwise.com+json; version=2025.1"}
    try:
        with serve(create_app(store)) as server, httpx.Client(base_url=server.url + API_ROOT, headers=headers) as http:
            body = {"batchIdentifier": "0", "glInterfaceIdentifier": "0", "locationId": 0,
                    "summarizeInvoices": "Detailed", "exportInvoicesFlag": True, "exportExpensesFlag": True,
                    "exportProductsFlag": True}
            response = http.post("/finance/accounting/export", json=body)
            response.raise_for_status()
            export = GLExport.model_validate_json(response.content)
            yield plan_from_glexport(export, PlanOptions(home_currency="CAD"))
    finally:
        store.close()


def sales_only(plan: Plan) -> Plan:
    return replace(plan, documents=[d for d in plan.documents
                                    if d.kind in (DocumentKind.SALES_INVOICE, DocumentKind.CREDIT_MEMO)])


def adapter_values(sb: SageCloudSandbox, **extra: Any) -> dict[str, Any]:
    tokens = Tokens.from_response(sb.oauth.issue(sb.package_values["client_id"], "demo@example.com"))
    return {**sb.settings, "token_vault": MemoryVault(tokens), "requests_per_minute": 0, "concurrency": 4, **extra}


async def post_all(package: SageCloud, plan: Plan) -> dict[str, PostResult]:
    ref = await package.reference()
    return {r.document_key: r async for r in package.post(plan, plan.documents, ref)}
