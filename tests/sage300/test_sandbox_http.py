"""The Sage 300 Web API sandbox over real HTTP: auth, headers, paging, errors, posting helpers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import httpx
import pytest

from mobius_tui.sandbox.dataset import Dataset
from mobius_tui.sandbox.sage300 import Sage300Sandbox, create_sandbox

JSON = {"Content-Type": "application/json"}


def client(sb: Sage300Sandbox, user: str | None = None, password: str | None = None,
           headers: dict[str, str] | None = JSON) -> httpx.Client:
    return httpx.Client(base_url=f"{sb.url}/v1.0/-/{sb.company}",
                        auth=(user or sb.settings["user"], password or sb.settings["password"]), headers=headers)


@pytest.fixture
def http(sandbox: Sage300Sandbox) -> Iterator[httpx.Client]:
    with client(sandbox) as c:
        yield c


def error(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_admin_is_refused_and_user_ids_are_case_sensitive(sandbox: Sage300Sandbox) -> None:
    with client(sandbox, "ADMIN", "ADMIN") as c:
        r = c.get("/AR/ARCustomers")
        assert error(r) == (401, "Unauthorized") and "ADMIN" in r.json()["error"]["message"]["value"]
    with client(sandbox, sandbox.settings["user"].lower()) as c:
        assert error(c.get("/AR/ARCustomers")) == (401, "Unauthorized")
    with client(sandbox, password="wrong") as c:
        assert error(c.get("/AR/ARCustomers")) == (401, "Unauthorized")


def test_content_type_is_required_even_on_get(sandbox: Sage300Sandbox) -> None:
    with client(sandbox, headers={}) as c:
        assert error(c.get("/AR/ARCustomers")) == (500, "InternalServerError")


def test_company_list_and_unknown_company(sandbox: Sage300Sandbox) -> None:
    with httpx.Client(auth=(sandbox.settings["user"], sandbox.settings["password"]), headers=JSON) as c:
        names = [row["Name"] for row in c.get(f"{sandbox.url}/v1.0/-/").json()["value"]]
        assert names == ["SAMLTD", "SAMINC"]
        assert error(c.get(f"{sandbox.url}/v1.0/-/NOPE/AR/ARCustomers")) == (404, "ResourceNotFound")


def test_paths_outside_the_api_and_methods_the_root_does_not_take(sandbox: Sage300Sandbox) -> None:
    with httpx.Client(auth=(sandbox.settings["user"], sandbox.settings["password"]), headers=JSON) as c:
        outside = c.get(f"{sandbox.url}/v2.0/-/SAMLTD/AR/ARCustomers")
        assert (outside.status_code, outside.text) == (404, "Not Found")
        root = c.post(f"{sandbox.url}/v1.0/-/", json={})
        assert (root.status_code, root.headers["allow"]) == (405, "GET, HEAD")


def test_paging_follows_next_link_with_the_page_size(dataset: Dataset) -> None:
    with create_sandbox(dataset, page_size=7) as sb, client(sb) as c:
        first = c.get("/GL/GLAccounts", params={"$count": "true", "$select": "AccountNumber"}).json()
        total = int(first["@odata.count"])
        assert len(first["value"]) == 7 and total == len(dataset.accounts) - 1  # 6400-20 deliberately missing
        seen, body = [], first
        while True:
            seen += [row["AccountNumber"] for row in body["value"]]
            link = body.get("@odata.nextLink")
            if not link:
                break
            body = c.get(link).json()
        assert len(seen) == len(set(seen)) == total
        assert set(first["value"][0]) == {"AccountNumber"}
        window = c.get("/GL/GLAccounts", params={"$skip": "3", "$top": "10", "$select": "AccountNumber"}).json()
        assert [r["AccountNumber"] for r in window["value"]] == seen[3:10]
        rest = c.get(window["@odata.nextLink"]).json()
        assert [r["AccountNumber"] for r in rest["value"]] == seen[10:13] and "@odata.nextLink" not in rest


def test_single_entry_filter_and_errors(http: httpx.Client, dataset: Dataset) -> None:
    customer = next(c for c in dataset.companies if c.account_number == "C00101")
    r = http.get("/AR/ARCustomers('C00101')")
    assert r.status_code == 200 and r.json()["CustomerName"] == customer.name
    assert error(http.get("/AR/ARCustomers('NOPE')")) == (404, "RecordNotFound")
    rows = http.get("/AR/ARCustomers", params={"$filter": "CurrencyCode eq 'USD'"}).json()["value"]
    assert rows and all(row["CurrencyCode"] == "USD" for row in rows)
    r = http.get("/AR/ARCustomers", params={"$filter": "Colour eq 'red'"})
    assert error(r) == (400, "InvalidParameters") and "Colour" in r.json()["error"]["message"]["value"]
    assert error(http.get("/AR/ARNothing")) == (404, "ResourceNotFound")
    assert error(http.delete("/AR/ARInvoiceBatches(1)")) == (405, "MethodNotAllowed")
    r = http.post("/AR/ARCustomers", json={"CustomerNumber": "C00101", "CustomerName": "Again"})
    assert error(r) == (409, "RecordDuplicate")
    r = http.post("/AR/ARCustomers", json={"CustomerNumber": "NEW1", "CustomerNam": "typo"})
    assert error(r) == (400, "InvalidPayload") and "CustomerNam" in r.json()["error"]["message"]["value"]


def _invoice(number: str, amount: str = "100.00", **extra: object) -> dict:
    return {"CustomerNumber": "C00102", "DocumentType": "Invoice", "DocumentNumber": number,
            "DocumentDate": "2025-06-10", "InvoiceDetails": [{"RevenueAccount": "4100-10",
                                                                "ExtendedAmountWithTIP": Decimal(amount)}], **extra}


def _json(body: dict) -> str:
    from mobius_tui.accounting.sage300.client import encode

    return encode(body).decode()


def test_invoice_batch_rules(http: httpx.Client) -> None:
    r = http.post("/AR/ARInvoiceBatches", content=_json({"Description": "t", "Invoices": [
        _invoice("T-1", TaxAmount1=Decimal("13.00"))]}))
    assert r.status_code == 201
    batch = r.json()
    assert batch["BatchNumber"] == 1 and batch["BatchStatus"] == "Open" and batch["Invoices"][0]["TaxGroup"] == "HST-ON"
    assert Decimal(str(batch["BatchTotal"])) == Decimal("113.00")
    assert error(http.patch("/AR/ARInvoiceBatches(1)", content=_json({"Invoices": [_invoice("T-1")]}))) == (
        409, "RecordDuplicate")
    r = http.patch("/AR/ARInvoiceBatches(1)", content=_json({"Invoices": [_invoice("T-2", DocumentDate="2031-01-05")]}))
    assert error(r) == (409, "General") and "fiscal period" in r.json()["error"]["message"]["value"]
    bad = _invoice("T-3")
    bad["InvoiceDetails"][0]["RevenueAccount"] = "9999-99"
    assert error(http.patch("/AR/ARInvoiceBatches(1)", content=_json({"Invoices": [bad]}))) == (409, "FieldInvalid")
    assert http.patch("/AR/ARInvoiceBatches(1)", content=_json({"Invoices": [_invoice("T-4")]})).status_code == 204
    entries = http.get("/AR/ARInvoiceBatches(1)", params={"$select": "Invoices"}).json()["Invoices"]
    assert [e["DocumentNumber"] for e in entries] == ["T-1", "T-4"]  # failed inserts left nothing behind


def test_process_posts_ready_batches_and_posted_batches_are_frozen(http: httpx.Client, sandbox: Sage300Sandbox) -> None:
    http.post("/AR/ARInvoiceBatches", content=_json({"Description": "t", "Invoices": [_invoice("P-1")]}))
    http.patch("/AR/ARInvoiceBatches(1)", json={"BatchStatus": "ReadyToPost"})
    r = http.post("/AR/ARPostInvoices('$process')",
                  json={"PostAllBatches": "Donotpostallbatches", "PostBatchFrom": 1, "PostBatchTo": 1})
    assert r.status_code == 204
    assert http.get("/AR/ARInvoiceBatches(1)").json()["BatchStatus"] == "Posted"
    doc = http.get("/AR/ARPostedDocuments(CustomerNumber='C00102',DocumentNumber='P-1')").json()
    # No tax amounts sent: the customer's group (HST-ON, 13 %) is applied, as Sage's sample shows.
    assert doc["FullyPaid"] == "No" and Decimal(str(doc["CustomerCurrencyAmountDue"])) == Decimal("113.00")
    assert error(http.patch("/AR/ARInvoiceBatches(1)", content=_json({"Invoices": [_invoice("P-2")]}))) == (
        409, "General")
    sandbox.apply_receipt("C00102", "P-1", Decimal("113.00"), date(2025, 7, 3))
    doc = http.get("/AR/ARPostedDocuments", params={"$filter": "FullyPaid eq 'Yes'"}).json()["value"]
    assert [(d["DocumentNumber"], d["DatePaid"]) for d in doc] == [("P-1", "2025-07-03T00:00:00Z")]


def test_modules_and_rights(dataset: Dataset) -> None:
    with create_sandbox(dataset, modules=("GL", "AR", "AP", "TX"), rights={"WEBAPI": frozenset({"GL", "AR"})}) as sb:
        with client(sb) as c:
            r = c.get("/IC/ICItems")
            assert error(r) == (404, "ResourceNotFound") and "not activated" in r.json()["error"]["message"]["value"]
            assert error(c.get("/AP/APVendors")) == (403, "Forbidden")
            assert c.get("/AR/ARCustomers").status_code == 200


def test_records_the_rules_look_up_are_read_afresh_once_changed(http: httpx.Client) -> None:
    """The rules keep customers and accounts in memory once read: a customer created, an account
    made inactive, and a refused request's rollback are all seen by the next document."""
    newcomer = {**_invoice("F-1"), "CustomerNumber": "NEW9"}
    r = http.post("/AR/ARInvoiceBatches", content=_json({"Description": "t", "Invoices": [newcomer]}))
    assert error(r) == (409, "FieldInvalid") and "NEW9" in r.json()["error"]["message"]["value"]
    assert http.post("/AR/ARCustomers", json={"CustomerNumber": "NEW9", "CustomerName": "Newcomer"}).status_code == 201
    assert http.post("/AR/ARInvoiceBatches", content=_json({"Description": "t", "Invoices": [newcomer]})).status_code == 201
    assert http.patch("/GL/GLAccounts('410010')", json={"Status": "Inactive"}).status_code == 204
    r = http.patch("/AR/ARInvoiceBatches(1)", content=_json({"Invoices": [_invoice("F-2")]}))
    assert error(r) == (409, "FieldInvalid") and "4100-10" in r.json()["error"]["message"]["value"]
    assert http.patch("/GL/GLAccounts('410010')", json={"Status": "Active"}).status_code == 204
    assert http.patch("/AR/ARInvoiceBatches(1)", content=_json({"Invoices": [_invoice("F-2")]})).status_code == 204
    entries = http.get("/AR/ARInvoiceBatches(1)", params={"$select": "Invoices,NumberOfEntries"}).json()
    assert [(e["DocumentNumber"], e["EntryNumber"]) for e in entries["Invoices"]] == [("F-1", 1), ("F-2", 2)]
    assert entries["NumberOfEntries"] == 2
