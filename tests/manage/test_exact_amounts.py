"""Amounts reach Manage exactly: payments and models travel as exact JSON numbers over real HTTP."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import httpx

from mobius_tui.manage import ApiKeyCredentials, ManageClient, ManageSettings
from mobius_tui.manage.models import ExportAccountingBatchRequest, to_wire, to_wire_json
from tests.manage.test_client_sandbox import connect

BIG = Decimal("12345678901234567.89")  # more digits than a float holds


class Wiretap(httpx.AsyncBaseTransport):
    """The real HTTP transport, keeping every request it sends."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def tapped(sandbox, tap: Wiretap) -> ManageClient:
    c = sandbox.credentials
    settings = ManageSettings(site=sandbox.url, company_id=c.company_id, client_id=c.client_id,
                              credentials=ApiKeyCredentials(c.public_key, c.private_key))
    return ManageClient(settings, transport=tap)


def bodies(tap: Wiretap, method: str) -> list[bytes]:
    return [r.content for r in tap.sent if r.method == method and "/payments" in r.url.path]


async def test_a_large_payment_amount_reaches_the_sandbox_digit_for_digit(manage_sandbox):
    store = manage_sandbox.store
    tap = Wiretap()
    async with tapped(manage_sandbox, tap) as manage:
        unpaid = next(i for i in store.dataset.invoices if not store.payments_of(i.id))
        created = await manage.set_invoice_payment(unpaid.id, BIG, date(2025, 4, 2))
        assert created is not None and created.id is not None
        (post,) = bodies(tap, "POST")
        assert b'"amount":12345678901234567.89' in post
        assert json.loads(post, parse_float=Decimal)["amount"] == BIG

        raised = BIG + Decimal("0.01")
        await manage.set_invoice_payment(unpaid.id, raised, date(2025, 4, 9))
        (patch,) = bodies(tap, "PATCH")
        assert b'"value":12345678901234567.90' in patch
        assert {"op": "replace", "path": "/amount", "value": raised} in json.loads(patch, parse_float=Decimal)
    assert len(store.payments_of(unpaid.id)) == 1


async def test_models_sent_directly_carry_the_same_json_as_to_wire(manage_sandbox):
    """Every field of a real GLExport (amounts, dates, _info) encodes as the plain-JSON view does."""
    async with connect(manage_sandbox) as manage:
        export = await manage.export(ExportAccountingBatchRequest(
            exportInvoicesFlag=True, exportExpensesFlag=True, exportProductsFlag=True))
    assert export.transactions
    assert json.loads(to_wire_json(export)) == to_wire(export)
