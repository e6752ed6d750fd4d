"""The compact GLExport a run plans from reads exactly like the pydantic models: same plan from a
real sandbox export, exact amounts, unknown fields dropped, a wrong type refused readably."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from mobius_tui.documents.convert import PlanOptions, plan_from_glexport
from mobius_tui.manage import ApiKeyCredentials, ManageClient, ManageSettings
from mobius_tui.manage.errors import ManageError
from mobius_tui.manage.lean import decode_glexport, is_record, lean_type
from mobius_tui.manage.models import (
    ExportAccountingBatchRequest,
    GLExport,
    GLExportExpense,
    GLExportTransaction,
    GLExportTransactionDetail,
)
from mobius_tui.service.pipeline import converter_fields
from tests.manage.test_client_sandbox import connect

EVERYTHING = ExportAccountingBatchRequest(exportInvoicesFlag=True, exportExpensesFlag=True, exportProductsFlag=True)


async def test_lean_export_plans_exactly_as_the_models_do(manage_sandbox):
    async with connect(manage_sandbox) as manage:
        full = await manage.export(EVERYTHING)
        lean = await manage.export(EVERYTHING, lean=True)
    assert isinstance(full, GLExport) and not isinstance(lean, GLExport)
    assert full.transactions and full.expenses and full.purchaseTransactions
    for kind in ("transactions", "expenses", "expenseBills", "purchaseTransactions", "adjustmentTransactions",
                 "inventoryTransfers", "customers", "vendors"):
        assert len(getattr(full, kind) or []) == len(getattr(lean, kind) or []), kind
    full_plan, lean_plan = plan_from_glexport(full, PlanOptions()), plan_from_glexport(lean, PlanOptions())
    assert lean_plan.documents and lean_plan == full_plan
    # only the fields the converter reads, as a run decodes it
    async with connect(manage_sandbox) as manage:
        trimmed = await manage.export(EVERYTHING, lean=True, keep=converter_fields())
    assert plan_from_glexport(trimmed, PlanOptions()) == full_plan
    assert len(type(trimmed.transactions[0].detail[0]).__struct_fields__) < len(GLExportTransactionDetail.model_fields)
    assert is_record(lean.expenses[0], GLExportExpense) and not is_record(lean.transactions[0], GLExportExpense)


def test_fields_mirror_the_wire_models_without_links():
    for model in (GLExport, GLExportTransaction, GLExportTransactionDetail):
        expected = [name for name, f in model.model_fields.items() if not (f.alias or name).startswith("_")]
        assert list(lean_type(model).__struct_fields__) == expected


def test_amounts_exact_unknown_fields_dropped_and_lenient_like_pydantic():
    body = (b'{"transactions": [{"id": "12", "total": 12345678901234567.89, "futureField": {"a": 1},'
            b' "currency": {"id": 1, "currencyCode": "USD", "_info": {"href": "x"}},'
            b' "detail": [{"quantity": 1.50, "taxableFlag": true}]}], "someday": []}')
    lean = decode_glexport(body)
    [tx] = lean.transactions
    assert tx.id == 12 and tx.total == Decimal("12345678901234567.89") and tx.currency.currencyCode == "USD"
    assert str(tx.detail[0].quantity) == "1.50" and tx.detail[0].taxableFlag is True and tx.memo is None
    assert not hasattr(tx, "futureField") and not hasattr(tx.currency, "info")
    assert decode_glexport(b"").transactions is None


async def test_a_wrong_type_is_a_readable_manage_error():
    def handler(request: httpx.Request) -> httpx.Response:
        if "companyinfo" in request.url.path:
            return httpx.Response(200, json={"Codebase": "v4_6_release/", "CompanyName": "x", "CompanyID": "x",
                                             "VersionCode": "v2025.1", "IsCloud": False, "SiteUrl": "x"})
        return httpx.Response(200, content=b'{"transactions": [{"id": 1, "detail": [{"total": "lots"}]}]}')

    settings = ManageSettings(site="https://na.example.com", company_id="acme", client_id="c",
                              credentials=ApiKeyCredentials("pub", "priv"), codebase="v4_6_release/")
    async with ManageClient(settings, transport=httpx.MockTransport(handler)) as manage:
        with pytest.raises(ManageError, match=r"transactions\[0\].detail\[0\].total"):
            await manage.export(EVERYTHING, lean=True)
