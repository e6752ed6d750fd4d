"""Paging, chunking and payment decisions of ManageClient, against httpx.MockTransport."""

import json
from datetime import date
from decimal import Decimal

import httpx
import pytest

from mobius_tui.manage import ManageError
from mobius_tui.manage.paging import PAGINATION_HEADER
from tests.manage.manage_mock import BASE, Recorder


def rows(start, count):
    return [{"id": n, "locationId": 1, "total": 10.1} for n in range(start, start + count)]


async def test_forward_only_follows_link_and_stops_on_short_page():
    def handler(request):
        page_id = int(request.url.params.get("pageId", 0))
        assert request.headers[PAGINATION_HEADER] == "forward-only"
        data = rows(page_id + 1, 1000 if page_id < 2000 else 500)
        last = data[-1]["id"]
        # The Link URL names another host: the client must stay on its own site.
        link = f"<http://internal:9/v4_6_release/apis/3.0/finance/accounting/unpostedinvoices?pageSize=1000&pageId={last}>"
        return httpx.Response(200, json=data, headers={"Link": link})

    rec = Recorder(handler)
    async with rec.client() as manage:
        invoices = await manage.unposted_invoices()
    assert [i.id for i in invoices] == list(range(1, 2501))
    assert invoices[0].total == Decimal("10.1")
    assert [r.url.host for r in rec.requests] == ["manage.example.com"] * 3
    assert rec.requests[2].url.params["pageId"] == "2000"


async def test_forward_only_empty_link_on_a_full_page_ends_the_list():
    def handler(request):
        page_id = int(request.url.params.get("pageId", 0))
        link = f"<{BASE}/finance/accounting/unpostedexpenses?pageSize=1000&pageId={page_id + 1000}>"
        return httpx.Response(200, json=rows(page_id + 1, 1000), headers={"Link": link if page_id == 0 else ""})

    rec = Recorder(handler)
    async with rec.client() as manage:
        expenses = await manage.unposted_expenses()
    assert len(expenses) == 2000 and len(rec.requests) == 2


async def test_malformed_records_are_a_clear_error():
    rec = Recorder(httpx.Response(200, json=[{"id": 5, "total": "lots"}]))
    async with rec.client() as manage:
        with pytest.raises(ManageError, match=r"UnpostedInvoice \(id 5\) .*2025\.1: total: "):
            await manage.unposted_invoices()


async def test_forward_only_falls_back_to_numbered_pages():
    def handler(request):
        page = int(request.url.params.get("page", 1))
        return httpx.Response(200, json=rows((page - 1) * 1000 + 1, 1000 if page < 3 else 1))

    rec = Recorder(handler)
    async with rec.client() as manage:
        invoices = await manage.unposted_invoices()
    assert len(invoices) == 2001
    assert [r.url.params.get("page") for r in rec.requests] == [None, "2", "3"]
    assert PAGINATION_HEADER not in rec.requests[1].headers


async def test_navigable_paging_stops_without_next():
    def handler(request):
        page = int(request.url.params["page"]) if "page" in request.url.params else 1
        url = f"{BASE}/system/locations?pageSize=1000&page={page + 1}"
        link = f'<{url}>; rel="next"' if page < 2 else f'<{BASE}/system/locations?page=1>; rel="first"'
        return httpx.Response(200, json=rows((page - 1) * 1000 + 1, 1000), headers={"Link": link})

    rec = Recorder(handler)
    async with rec.client() as manage:
        locations = await manage.locations()
    assert len(locations) == 2000 and len(rec.requests) == 2


async def test_repeated_next_link_is_an_error_not_a_loop():
    link = f"<{BASE}/system/locations?pageSize=1000&page=2>; rel=\"next\""
    rec = Recorder(lambda request: httpx.Response(200, json=rows(1, 1000), headers={"Link": link}))
    async with rec.client() as manage:
        with pytest.raises(ManageError, match="same next-page link twice"):
            await manage.locations()


async def test_in_lists_are_chunked_under_the_url_limit():
    numbers = [f"{n:08d}" for n in range(1500)]

    def handler(request):
        assert len(str(request.url)) < 2000
        condition = request.url.params["conditions"]
        asked = [v.strip('"') for v in condition.removeprefix("invoiceNumber in (").removesuffix(")").split(",")]
        return httpx.Response(200, json=[{"id": int(n), "invoiceNumber": n} for n in asked])

    rec = Recorder(handler)
    async with rec.client() as manage:
        found = await manage.invoices_by_number(numbers)
        assert await manage.invoices_by_number([]) == []
    assert sorted(i.invoiceNumber for i in found) == numbers
    assert len(rec.requests) > 10


async def test_unposted_filters():
    rec = Recorder(httpx.Response(200, json=[]))
    async with rec.client() as manage:
        await manage.unposted_invoices(location_id=3, thru_date=date(2025, 1, 31))
        await manage.unposted_procurement(procurement_type="Purchase", product_ids=["3-PO1-purchase"])
    assert rec.requests[0].url.params["conditions"] == "locationId = 3 and invoiceDate < [2025-02-01T00:00:00Z]"
    assert rec.requests[1].url.params["conditions"] == (
        'procurementType = "Purchase" and unpostedProductId in ("3-PO1-purchase")'
    )


class PaymentsServer:
    """Just enough of /finance/invoices/{id}/payments to check what the client decides."""

    def __init__(self, payments):
        self.payments = payments
        self.writes = []

    def __call__(self, request):
        if request.method == "GET":
            return httpx.Response(200, json=self.payments)
        body = json.loads(request.content) if request.content else None
        self.writes.append((request.method, request.url.path.rsplit("/", 1)[-1], body))
        if request.method == "POST":
            self.payments.append({**body, "id": 50})
            return httpx.Response(201, json=self.payments[-1])
        if request.method == "PATCH":
            payment = self.payments[-1]
            for op in body:
                payment[op["path"].strip("/")] = op["value"]
            return httpx.Response(200, json=payment)
        self.payments.pop()
        return httpx.Response(204)


async def test_payment_is_created_updated_left_alone_and_removed():
    server = PaymentsServer([])
    rec = Recorder(server)
    async with rec.client() as manage:
        created = await manage.set_invoice_payment(7, Decimal("100.10"), date(2025, 3, 1))
        again = await manage.set_invoice_payment(7, Decimal("100.10"), date(2025, 3, 1))
        raised = await manage.set_invoice_payment(7, Decimal("250.00"), date(2025, 3, 9))
        removed = await manage.set_invoice_payment(7, Decimal("0"), date(2025, 3, 9))
    assert created.amount == Decimal("100.10") and again.id == created.id
    assert raised.amount == Decimal("250.00")
    assert removed is None
    assert server.writes == [
        ("POST", "payments", {"type": "P", "amount": 100.1, "paymentDate": "2025-03-01T00:00:00Z", "invoice": {"id": 7}}),
        ("PATCH", "50", [
            {"op": "replace", "path": "/amount", "value": 250},
            {"op": "replace", "path": "/paymentDate", "value": "2025-03-09T00:00:00Z"},
        ]),
        ("DELETE", "50", None),
    ]


async def test_payment_post_after_dropped_connection_is_not_duplicated():
    server = PaymentsServer([])

    def handler(request):
        response = server(request)
        if request.method == "POST":
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        return response

    rec = Recorder(handler)
    async with rec.client() as manage:
        payment = await manage.set_invoice_payment(7, Decimal("40"), date(2025, 3, 1))
    assert payment.amount == Decimal("40")
    assert [w[0] for w in server.writes] == ["POST"]
