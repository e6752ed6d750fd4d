"""API keys, member impersonation tokens, missing clientId, wrong keys and the 403 member."""

from __future__ import annotations

from datetime import timedelta

import httpx

UNAUTHENTICATED = {"code": "ConnectWiseApi", "message": "UserNotAuthenticated"}
PROBE = "/finance/accounting/unpostedinvoices/count"


def call(sandbox, path: str, user: str, password: str, method: str = "GET", **headers: str) -> httpx.Response:
    creds = sandbox.credentials
    hdrs = {"clientId": creds.client_id, **headers}
    return httpx.request(method, sandbox.api_url + path, auth=(f"{creds.company_id}+{user}", password), headers=hdrs)


def test_api_key(manage_sandbox) -> None:
    creds = manage_sandbox.credentials
    assert call(manage_sandbox, PROBE, creds.public_key, creds.private_key).status_code == 200
    wrong = call(manage_sandbox, PROBE, creds.public_key, "not-the-key")
    assert wrong.status_code == 401 and wrong.json() == UNAUTHENTICATED
    other_company = httpx.get(manage_sandbox.api_url + PROBE, headers={"clientId": creds.client_id},
                              auth=(f"othercompany+{creds.public_key}", creds.private_key))
    assert other_company.status_code == 401 and other_company.json() == UNAUTHENTICATED
    no_auth = httpx.get(manage_sandbox.api_url + PROBE, headers={"clientId": creds.client_id})
    assert no_auth.status_code == 401 and no_auth.json() == UNAUTHENTICATED


def test_missing_client_id(manage_sandbox) -> None:
    creds = manage_sandbox.credentials
    r = httpx.get(manage_sandbox.api_url + PROBE, auth=(f"{creds.company_id}+{creds.public_key}", creds.private_key))
    assert r.status_code == 401
    assert "clientId" in r.json()["message"]


def test_member_without_accounting_role_gets_403(manage_sandbox) -> None:
    creds = manage_sandbox.credentials
    r = call(manage_sandbox, PROBE, creds.readonly_public_key, creds.readonly_private_key)
    assert r.status_code == 403
    body = r.json()
    assert body["code"] == "Forbidden" and "readonly-api" in body["message"] and "security role" in body["message"]
    # reference data stays readable, so a connection test can tell "wrong key" from "missing role"
    assert call(manage_sandbox, "/system/info", creds.readonly_public_key, creds.readonly_private_key).status_code == 200
    assert call(manage_sandbox, "/finance/accounting/batches", creds.readonly_public_key, creds.readonly_private_key,
                method="POST").status_code == 403


def test_impersonation_tokens(manage_sandbox) -> None:
    creds = manage_sandbox.credentials
    integrator = {"x-cw-usertype": "integrator"}
    tokens_path = f"/system/members/{creds.member_identifier}/tokens"
    # the integrator login itself may only ask for tokens
    denied = call(manage_sandbox, PROBE, creds.integrator_username, creds.integrator_password, **integrator)
    assert denied.status_code == 403 and "tokens" in denied.json()["message"]
    bad = call(manage_sandbox, tokens_path, creds.integrator_username, "wrong", "POST", **integrator)
    assert bad.status_code == 401 and bad.json() == UNAUTHENTICATED
    assert call(manage_sandbox, "/system/members/nobody/tokens", creds.integrator_username, creds.integrator_password,
                "POST", **integrator).status_code == 404
    r = call(manage_sandbox, tokens_path, creds.integrator_username, creds.integrator_password, "POST", **integrator)
    assert r.status_code == 201
    token = r.json()
    assert set(token) == {"publicKey", "privateKey", "expiration"}
    member = {"x-cw-usertype": "member"}
    ok = call(manage_sandbox, PROBE, token["publicKey"], token["privateKey"], **member)
    assert ok.status_code == 200
    assert call(manage_sandbox, PROBE, token["publicKey"], "bad", **member).json() == UNAUTHENTICATED
    manage_sandbox.store.expire_tokens()
    expired = call(manage_sandbox, PROBE, token["publicKey"], token["privateKey"], **member)
    assert expired.status_code == 401 and expired.json() == UNAUTHENTICATED


def test_token_lifetime_is_configurable(manage_sandbox) -> None:
    creds = manage_sandbox.credentials
    store = manage_sandbox.store
    store.token_lifetime = timedelta(minutes=2)
    token = store.issue_token(creds.member_identifier)
    now = store.clock()
    store.clock = lambda: now + timedelta(minutes=1)
    assert call(manage_sandbox, PROBE, token.publicKey, token.privateKey).status_code == 200
    store.clock = lambda: now + timedelta(minutes=2)
    assert call(manage_sandbox, PROBE, token.publicKey, token.privateKey).status_code == 401


def test_company_info_needs_no_auth_and_paths_ignore_case(manage_sandbox) -> None:
    creds = manage_sandbox.credentials
    info = httpx.get(f"{manage_sandbox.url}/LOGIN/CompanyInfo/{creds.company_id.upper()}")
    assert info.status_code == 200 and info.json()["Codebase"] == "v4_6_release/"
    unknown = httpx.get(f"{manage_sandbox.url}/login/companyinfo/nosuchco")
    assert unknown.status_code == 404
    assert call(manage_sandbox, "/FINANCE/Accounting/UnpostedInvoices/COUNT", creds.public_key,
                creds.private_key).status_code == 200
    missing = call(manage_sandbox, "/no/such/route", creds.public_key, creds.private_key)
    assert missing.status_code == 404 and missing.json()["code"] == "NotFound"
