"""The Sage Accounting sandbox over real HTTP: the OAuth token flow, businesses, paging, errors, faults."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import pytest

from mobius_tui.sandbox.sage_cloud import REDIRECT_URI, SageCloudSandbox, create_sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SageCloudSandbox]:
    with create_sandbox(code_ttl=1.0) as sb:
        yield sb


def authorize(sb: SageCloudSandbox, state: str = "s-1", redirect_uri: str = REDIRECT_URI) -> str:
    v = sb.package_values
    return v["authorize_url"] + "&" + urlencode({"response_type": "code", "client_id": v["client_id"],
                                                 "redirect_uri": redirect_uri, "scope": "full_access", "state": state})


def token(sb: SageCloudSandbox, **form: str) -> httpx.Response:
    body = {"client_id": sb.package_values["client_id"], "client_secret": sb.secrets["client_secret"], **form}
    return httpx.post(sb.package_values["token_url"], data=body, headers={"Accept": "application/json"})


def code_from(redirect: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(redirect).query).items()}


def exchange(sb: SageCloudSandbox, code: str) -> httpx.Response:
    return token(sb, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI)


def api(sb: SageCloudSandbox, access: str, path: str, business: str | None = None, **params: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {access}", "Accept": "application/json"}
    if business:
        headers["X-Business"] = business
    return httpx.get(sb.package_values["api_url"] + path, headers=headers, params=params)


def test_code_is_single_use_carries_state_and_tokens_rotate(sandbox: SageCloudSandbox) -> None:
    back = code_from(sandbox.approve(authorize(sandbox, state="abc")))
    assert back["state"] == "abc" and back["country"] == "ca" and back["code"].startswith("CA/")
    first = exchange(sandbox, back["code"])
    assert first.status_code == 200
    tokens = first.json()
    assert set(tokens) == {"access_token", "scope", "token_type", "expires_in", "refresh_token",
                           "refresh_token_expires_in", "requested_by_id"}
    assert tokens["expires_in"] == 300 and tokens["refresh_token_expires_in"] == 2_678_400
    again = exchange(sandbox, back["code"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"

    rotated = token(sandbox, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert rotated.status_code == 200 and rotated.json()["refresh_token"] != tokens["refresh_token"]
    reused = token(sandbox, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    assert api(sandbox, rotated.json()["access_token"], "/businesses").status_code == 200

    httpx.post(sandbox.package_values["revoke_url"], data={"token": rotated.json()["refresh_token"]})
    dead = token(sandbox, grant_type="refresh_token", refresh_token=rotated.json()["refresh_token"])
    assert dead.json()["error"] == "invalid_grant"
    assert api(sandbox, rotated.json()["access_token"], "/businesses").status_code == 401


def test_expired_code_wrong_secret_and_wrong_callback(sandbox: SageCloudSandbox) -> None:
    code = code_from(sandbox.approve(authorize(sandbox)))["code"]
    wrong = httpx.post(sandbox.package_values["token_url"], data={
        "client_id": sandbox.package_values["client_id"], "client_secret": "nope", "grant_type": "authorization_code",
        "code": code, "redirect_uri": REDIRECT_URI})
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    import time
    time.sleep(1.1)  # this sandbox's codes live 1 s (60 s by default, as Sage's)
    late = exchange(sandbox, code)
    assert late.status_code == 400 and late.json() == {"error": "invalid_grant",
                                                       "error_description": "The authorization code has expired."}
    page = httpx.get(authorize(sandbox, redirect_uri="http://127.0.0.1:9/other"))
    assert page.status_code == 400 and "redirect_uri does not match" in page.text
    with pytest.raises(RuntimeError):
        sandbox.approve(authorize(sandbox), password="wrong")


def test_businesses_paging_attributes_and_errors(sandbox: SageCloudSandbox) -> None:
    access = sandbox.oauth.issue(sandbox.package_values["client_id"], "demo@example.com")["access_token"]
    businesses = api(sandbox, access, "/businesses").json()
    assert [set(b) for b in businesses["$items"]] == [{"id", "displayed_as", "$path"}] * 2
    main, other = (b["id"] for b in businesses["$items"])
    assert api(sandbox, access, "/businesses/lead").json()["id"] == main
    assert api(sandbox, access, "/contacts", other).json()["$total"] == 0

    page = api(sandbox, access, "/contacts", main, items_per_page="5", attributes="reference").json()
    assert page["$total"] == len(sandbox.business.table("contacts")) and len(page["$items"]) == 5
    assert page["$next"] == "/contacts?page=2&items_per_page=5&attributes=reference" and page["$back"] is None
    assert set(page["$items"][0]) == {"id", "displayed_as", "$path", "reference"}
    last = api(sandbox, access, "/contacts", main, items_per_page="5", page="99").json()
    assert last["$page"] == -(-len(sandbox.business.table("contacts")) // 5) > 1 and last["$next"] is None
    assert api(sandbox, access, "/contacts", main, items_per_page="500").json()["$itemsPerPage"] == 200
    found = api(sandbox, access, "/contacts", main, search="c00101", attributes="reference").json()["$items"]
    assert [c["reference"] for c in found] == ["C00101"]

    unknown = api(sandbox, access, "/contacts", "0" * 32)
    assert unknown.status_code == 404 and unknown.json()[0]["$source"] == "X-Business"
    assert api(sandbox, "not-a-token", "/contacts", main).json()[0]["$dataCode"] == "AuthorizationFailure"
    settings = api(sandbox, access, "/invoice_settings", main).json()
    assert settings["sales_invoice_number_prefix"] == "SI-"
    assert api(sandbox, access, "/financial_settings", main).json()["base_currency"]["id"] == "CAD"


def test_lapsed_subscription_and_validation_errors(sandbox: SageCloudSandbox) -> None:
    access = sandbox.oauth.issue(sandbox.package_values["client_id"], "demo@example.com")["access_token"]
    headers = {"Authorization": f"Bearer {access}", "X-Business": sandbox.business.id}
    url = sandbox.package_values["api_url"]
    accounts = api(sandbox, access, "/ledger_accounts", sandbox.business.id, visible_in="sales",
                   attributes="nominal_code", items_per_page="200").json()["$items"]
    sales = next(a["id"] for a in accounts if a["nominal_code"] == 410010)
    contact = api(sandbox, access, "/contacts", sandbox.business.id, search="C00101").json()["$items"][0]["id"]
    body = {"sales_invoice": {"contact_id": contact, "date": "2025-06-01", "reference": "X-1",
                              "invoice_lines": [{"description": "Work", "ledger_account_id": sales,
                                                 "quantity": 2, "unit_price": 10.5}]}}
    made = httpx.post(f"{url}/sales_invoices", json=body, headers=headers)
    assert made.status_code == 201, made.text
    assert made.json()["invoice_number"] == made.json()["displayed_as"] and made.json()["total_amount"] == 21
    body["sales_invoice"]["invoice_lines"][0]["ledger_account_id"] = "f" * 32
    refused = httpx.post(f"{url}/sales_invoices", json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.json()[0] | {"$message": ""} == {"$severity": "error", "$dataCode": "RecordInvalid",
                                                    "$message": "", "$source": "invoice_lines.ledger_account_id"}
    too_long = httpx.post(f"{url}/contacts", json={"contact": {"name": "A", "contact_type_ids": ["CUSTOMER"],
                                                               "reference": "ELEVEN-CHAR"}}, headers=headers)
    assert too_long.status_code == 422 and too_long.json()[0]["$source"] == "reference"

    sandbox.business.subscription_active = False
    try:
        lapsed = httpx.get(f"{url}/contacts", headers=headers)
    finally:
        sandbox.business.subscription_active = True
    assert lapsed.status_code == 401
    assert lapsed.json() == [{"$severity": "error", "$dataCode": "AuthorizationFailure",
                              "$message": "No active subscription. (MSE)", "$source": ""}]


def test_payments_update_the_invoice_but_not_its_updated_at(sandbox: SageCloudSandbox) -> None:
    access = sandbox.oauth.issue(sandbox.package_values["client_id"], "demo@example.com")["access_token"]
    accounts = api(sandbox, access, "/ledger_accounts", sandbox.business.id, attributes="nominal_code",
                   items_per_page="200").json()["$items"]
    sales = next(a["id"] for a in accounts if a["nominal_code"] == 410010)
    contact = next(c["id"] for c in sandbox.business.table("contacts").values() if c["reference"] == "C00102")
    invoice = sandbox.business.create_artefact("sales_invoice", {
        "contact_id": contact, "date": "2025-06-02", "reference": "PAY-1",
        "invoice_lines": [{"description": "x", "ledger_account_id": sales, "unit_price": Decimal("100.00")}]})
    stamp = invoice["updated_at"]
    sandbox.receive_payment("PAY-1", Decimal("40.00"), date(2025, 7, 1))
    assert invoice["status"]["id"] == "PART_PAID" and invoice["outstanding_amount"] == Decimal("60.00")
    sandbox.receive_payment("PAY-1", Decimal("60.00"), date(2025, 7, 3))
    assert invoice["status"]["id"] == "PAID" and invoice["last_paid"] == "2025-07-03"
    assert invoice["updated_at"] == stamp
    payments = api(sandbox, access, "/contact_payments", sandbox.business.id, transaction_type_id="CUSTOMER_RECEIPT",
                   attributes="all").json()["$items"]
    assert [p["allocated_artefacts"][0]["artefact"]["id"] for p in payments][-2:] == [invoice["id"]] * 2


def test_faults_reach_the_api(sandbox: SageCloudSandbox) -> None:
    access = sandbox.oauth.issue(sandbox.package_values["client_id"], "demo@example.com")["access_token"]
    sandbox.faults.throttle_next = 1
    sandbox.faults.only("GET", "/v3.1/contacts")
    try:
        throttled = api(sandbox, access, "/contacts")
        assert throttled.status_code == 429 and throttled.headers["retry-after"] == "1"
        assert api(sandbox, access, "/contacts").status_code == 200
        sandbox.faults.drop_next = 1
        with pytest.raises(httpx.TransportError):
            api(sandbox, access, "/contacts")
    finally:
        sandbox.faults.clear()


def test_purchase_invoices_other_payments_and_deleted_receipts_on_the_wire(sandbox: SageCloudSandbox) -> None:
    access = sandbox.oauth.issue(sandbox.package_values["client_id"], "demo@example.com")["access_token"]
    business = sandbox.business.id
    headers = {"Authorization": f"Bearer {access}", "X-Business": business}
    url = sandbox.package_values["api_url"]
    accounts = {a["nominal_code"]: a["id"] for a in api(sandbox, access, "/ledger_accounts", business,
                                                        attributes="nominal_code", items_per_page="200").json()["$items"]}
    supplier = api(sandbox, access, "/contacts", business, search="INGRAM", contact_type_id="VENDOR").json()["$items"]
    customer = api(sandbox, access, "/contacts", business, search="C00101").json()["$items"][0]["id"]
    assert len(supplier) == 1
    bill = {"purchase_invoice": {"contact_id": supplier[0]["id"], "date": "2025-06-01", "due_date": "2025-07-01",
                                 "reference": "PO-W1", "vendor_reference": "VI-9",
                                 "invoice_lines": [{"description": "Parts", "ledger_account_id": accounts[130000],
                                                    "quantity": 1, "unit_price": 80, "tax_amount": 0}]}}
    made = httpx.post(f"{url}/purchase_invoices", json=bill, headers=headers)
    assert made.status_code == 201 and made.json()["displayed_as"] == "VI-9" and made.json()["total_amount"] == 80
    for change, source in (({"contact_id": customer}, "contact"), ({"due_date": None}, "due_date")):
        wrong = {"purchase_invoice": {**bill["purchase_invoice"], **change}}
        refused = httpx.post(f"{url}/purchase_invoices", json=wrong, headers=headers)
        assert refused.status_code == 422 and refused.json()[0]["$source"] == source, refused.text
    found = api(sandbox, access, "/purchase_invoices", business, search="VI-9", attributes="reference").json()
    assert set(found) >= {"$total", "$page", "$next", "$back", "$items"}
    assert [r["reference"] for r in found["$items"]] == ["PO-W1"]

    card = next(b["id"] for b in api(sandbox, access, "/bank_accounts", business,
                                     attributes="bank_account_type").json()["$items"]
                if b["bank_account_type"]["id"] == "CREDIT_CARD")
    line = {"ledger_account_id": accounts[620020], "details": "Lunch", "total_amount": 42.5}
    paid = {"other_payment": {"transaction_type_id": "OTHER_PAYMENT", "date": "2025-06-03", "reference": "E-1",
                              "bank_account_id": card, "total_amount": 42.5, "payment_lines": [line]}}
    assert httpx.post(f"{url}/other_payments", json=paid, headers=headers).status_code == 201
    paid["other_payment"]["total_amount"] = 40
    short = httpx.post(f"{url}/other_payments", json=paid, headers=headers)
    assert short.status_code == 422 and short.json()[0]["$source"] == "total_amount"
    listed = api(sandbox, access, "/other_payments", business, from_date="2025-06-03", to_date="2025-06-03",
                 attributes="reference,total_amount").json()["$items"]
    assert [(p["reference"], p["total_amount"]) for p in listed] == [("E-1", 42.5)]

    contact = next(c["id"] for c in sandbox.business.table("contacts").values() if c["reference"] == "C00103")
    sales = sandbox.business.create_artefact("sales_invoice", {
        "contact_id": contact, "date": "2025-06-04", "reference": "DEL-1",
        "invoice_lines": [{"description": "x", "ledger_account_id": accounts[410010], "unit_price": Decimal("90.00")}]})
    receipt = sandbox.receive_payment("DEL-1", Decimal("90.00"), date(2025, 7, 1))
    gone = httpx.delete(f"{url}/contact_payments/{receipt['id']}", headers=headers)
    assert gone.status_code == 204
    assert sales["status"]["id"] == "UNPAID" and sales["outstanding_amount"] == Decimal("90.00")
    assert api(sandbox, access, f"/contact_payments/{receipt['id']}", business).status_code == 404
    live = api(sandbox, access, "/contact_payments", business).json()["$items"]
    deleted = api(sandbox, access, "/contact_payments", business, deleted_since="2025-01-01",
                  attributes="allocated_artefacts").json()["$items"]
    assert receipt["id"] not in {p["id"] for p in live}
    assert [p["allocated_artefacts"][0]["artefact"]["id"] for p in deleted] == [sales["id"]]
