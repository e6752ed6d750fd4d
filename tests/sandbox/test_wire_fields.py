"""Every sandbox response parses into the Manage models, serialises back unchanged, and uses only
field names the reference lists for that model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from mobius_tui.manage import models as m
from mobius_tui.sandbox.manage.query import model_of, wire_fields

REFERENCE = json.loads((Path(__file__).parents[1] / "data" / "manage_reference_fields.json").read_text())


def assert_reference_names(model: type[BaseModel], data: Any, where: str) -> None:
    if isinstance(data, list):
        for n, item in enumerate(data):
            assert_reference_names(model, item, f"{where}[{n}]")
        return
    assert isinstance(data, dict), where
    fields = wire_fields(model)
    allowed = REFERENCE.get(model.__name__)
    for key, value in data.items():
        assert key in fields, f"{where}: {model.__name__} has no field {key!r}"
        if allowed is not None:
            assert key in allowed, f"{where}: {key!r} is not a reference field of {model.__name__}"
        nested, open_ = model_of(fields[key])
        if nested is not None and not open_ and isinstance(value, (dict, list)):
            assert_reference_names(nested, value, f"{where}.{key}")
        assert value is not None and value != [], f"{where}.{key}: null/empty properties must be omitted"


def roundtrip(model: type[BaseModel], data: Any) -> None:
    items = data if isinstance(data, list) else [data]
    for item in items:
        assert m.to_wire(model.model_validate(item)) == item
    assert_reference_names(model, data, model.__name__)


LISTS = [
    ("/finance/accounting/unpostedinvoices", m.UnpostedInvoice),
    ("/finance/accounting/unpostedexpenses", m.UnpostedExpense),
    ("/finance/accounting/unpostedprocurement", m.UnpostedProcurement),
    ("/finance/accounting/batches", m.AccountingBatch),
    ("/finance/invoices", m.Invoice),
    ("/company/companies", m.Company),
    ("/system/members", m.Member),
    ("/finance/glAccounts", m.GLAccount),
    ("/finance/taxCodes", m.TaxCode),
    ("/finance/billingTerms", m.BillingTerm),
    ("/procurement/catalog", m.CatalogItem),
    ("/procurement/types", m.ProductType),
    ("/procurement/warehouses", m.Warehouse),
    ("/system/locations", m.Location),
    ("/finance/currencies", m.FinanceCurrency),
    ("/finance/accountingPackageSetup", m.AccountingPackageSetup),
]


@pytest.mark.parametrize("path,model", LISTS, ids=[p for p, _ in LISTS])
def test_collections_single_items_and_counts(manage_sandbox, path: str, model: type[BaseModel]) -> None:
    with manage_sandbox.client() as c:
        rows = c.get(path, params={"pageSize": 1000}).raise_for_status().json()
        assert rows, path
        roundtrip(model, rows)
        one = c.get(f"{path}/{rows[0]['id']}").raise_for_status().json()
        assert one == rows[0]
        assert c.get(f"{path}/count").json() == {"count": len(rows)}
        roundtrip(m.Count, c.get(f"{path}/count").json())


def test_child_collections(manage_sandbox) -> None:
    store = manage_sandbox.store
    with manage_sandbox.client() as c:
        inv = store.unposted_invoices()[0]
        levels = c.get(f"/finance/accounting/unpostedinvoices/{inv.unposted_id}/taxableLevels").json()
        roundtrip(m.UnpostedInvoiceTaxableLevel, levels)
        assert sum(lv["taxAmount"] for lv in levels) == pytest.approx(float(inv.tax_total))
        exp = store.unposted_expenses()[0]
        roundtrip(m.UnpostedInvoiceTaxableLevel,
                  c.get(f"/finance/accounting/unpostedexpenses/{exp.id}/taxableLevels").json())
        purchase = next(p for p in store.unposted_procurements() if p.type == "Purchase")
        roundtrip(m.UnpostedInvoiceTaxableLevel,
                  c.get(f"/finance/accounting/unpostedprocurement/{purchase.id}/taxableLevels").json())
        roundtrip(m.TaxCodeLevel, c.get("/finance/taxCodes/3/taxCodeLevels").json())
        batch = c.get("/finance/accounting/batches").json()[0]
        roundtrip(m.BatchEntry, c.get(f"/finance/accounting/batches/{batch['id']}/entries").json())
        roundtrip(m.InvoicePayment, c.get(f"/finance/invoices/{inv.id}/payments").json() or [])
        roundtrip(m.Info, c.get("/system/info").json())


@pytest.mark.parametrize("summarize", ["Default", "Condensed", "Detailed"])
@pytest.mark.parametrize("as_bill", [True, False])
def test_glexport_names(manage_sandbox, summarize: str, as_bill: bool) -> None:
    manage_sandbox.store.set_setup(transferExpensesAsBillFlag=as_bill)
    with manage_sandbox.client() as c:
        body = {"exportInvoicesFlag": True, "exportExpensesFlag": True, "exportProductsFlag": True,
                "summarizeInvoices": summarize, "batchIdentifier": "0", "glInterfaceIdentifier": "01", "locationId": 0}
        export = c.post("/finance/accounting/export", json=body).raise_for_status().json()
        roundtrip(m.GLExport, export)
        for section in ("transactions", "expenses" if not as_bill else "expenseBills", "purchaseTransactions",
                        "adjustmentTransactions", "inventoryTransfers", "customers", "vendors"):
            assert export[section], section
        batch = c.get("/finance/accounting/batches").json()[0]
        roundtrip(m.GLExport, c.post(f"/finance/accounting/batches/{batch['id']}/export",
                                     json={"summarizeInvoices": summarize}).raise_for_status().json())


def test_auth_and_error_bodies(manage_sandbox) -> None:
    import httpx

    creds = manage_sandbox.credentials
    info = httpx.get(f"{manage_sandbox.url}/login/companyinfo/{creds.company_id}").json()
    roundtrip(m.CompanyInfo, info)
    assert info["Codebase"] == "v4_6_release/"
    token = httpx.post(f"{manage_sandbox.api_url}/system/members/{creds.member_identifier}/tokens",
                       auth=(f"{creds.company_id}+{creds.integrator_username}", creds.integrator_password),
                       headers={"clientId": creds.client_id, "x-cw-usertype": "integrator"}).json()
    roundtrip(m.Token, token)
    with manage_sandbox.client() as c:
        roundtrip(m.ErrorResponseMessage, c.get("/finance/invoices/999999").json())
        roundtrip(m.ErrorResponseMessage, c.post("/finance/accounting/batches", json={}).json())
