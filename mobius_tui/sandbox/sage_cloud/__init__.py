"""A Sage Business Cloud Accounting (v3.1) sandbox: OAuth and the API on one loopback server.

    with create_sandbox(dataset) as sandbox:
        sandbox.settings            # the adapter's settings (URLs, client id, client secret, business)
        url = authorize_url(...)    # the adapter builds it; a person signs in on the page it shows
        redirect = sandbox.approve(url)          # what the browser does when the demo user allows access
        receipt = sandbox.receive_payment("INV10001", Decimal("50.00"), date(2025, 7, 2))
        sandbox.business.delete_payment(receipt["id"])   # the bookkeeper takes a receipt back
        sandbox.oauth.expire_access_tokens()     # a run that outlives its access token
        sandbox.business.refusals["INV10002"] = ("invoice_lines.tax_rate_id", "is not valid")

Two businesses: the seeded one (lead) and an empty second one, so choosing a business means something.
``sandbox.faults`` injects 429 / 503 / dropped connections (see :mod:`mobius_tui.sandbox.faults`).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.routing import Route

from mobius_tui.sandbox.dataset import Dataset, generate
from mobius_tui.sandbox.faults import FaultMiddleware, Faults
from mobius_tui.sandbox.sage_cloud.api import API_PREFIX, SageApi
from mobius_tui.sandbox.sage_cloud.oauth import AUTHORIZE_PATH, REVOKE_PATH, TOKEN_PATH, Client, OAuthServer
from mobius_tui.sandbox.sage_cloud.seed import guid, seed_business
from mobius_tui.sandbox.sage_cloud.store import Business
from mobius_tui.sandbox.server import RunningServer, serve

__all__ = ["SageCloudSandbox", "create_sandbox", "DEMO_CLIENT_ID", "DEMO_EMAIL", "DEMO_PASSWORD"]

DEMO_CLIENT_ID = "mobius-demo-client"
DEMO_CLIENT_SECRET = "sandbox-client-secret-7c41"
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "Sage-Demo-2025"
REDIRECT_URI = "http://127.0.0.1:8765/callback"


class SageCloudSandbox:
    def __init__(self, server: RunningServer, oauth: OAuthServer, businesses: dict[str, Business],
                 faults: Faults, dataset: Dataset) -> None:
        self.server = server
        self.oauth = oauth
        self.businesses = businesses
        self.faults = faults
        self.dataset = dataset
        self.url = server.url
        self.business = next(iter(businesses.values()))
        self.package_values: dict[str, Any] = {
            "api_url": f"{server.url}{API_PREFIX}", "authorize_url": f"{server.url}{AUTHORIZE_PATH}?filter=apiv3.1",
            "token_url": f"{server.url}{TOKEN_PATH}", "revoke_url": f"{server.url}{REVOKE_PATH}",
            "client_id": DEMO_CLIENT_ID, "redirect_uri": REDIRECT_URI, "business_id": self.business.id,
            "requests_per_minute": 0, "concurrency": 4,  # a loopback sandbox needs no throttling
        }
        self.secrets: dict[str, str] = {"client_secret": DEMO_CLIENT_SECRET}
        self.settings: dict[str, Any] = {**self.package_values, **self.secrets}

    def approve(self, authorize_url: str, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD) -> str:
        """Sign in on the consent page and allow access; the redirect URL the browser would be sent to."""
        with httpx.Client(follow_redirects=False, timeout=10) as http:
            page = http.get(authorize_url)
            page.raise_for_status()
            fields = dict(re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page.text))
            answer = http.post(f"{self.url}{AUTHORIZE_PATH}", data={**fields, "email": email, "password": password})
        if answer.status_code != 302:
            raise RuntimeError(f"the consent page refused: HTTP {answer.status_code}")
        return answer.headers["location"]

    def invoice(self, reference: str, collection: str = "sales_invoices") -> dict[str, Any]:
        matches = [r for r in self.business.table(collection).values() if r.get("reference") == reference]
        if len(matches) != 1:
            raise LookupError(f"{len(matches)} {collection} with reference {reference}")
        return matches[0]

    def receive_payment(self, reference: str, amount: Decimal, on: date) -> dict[str, Any]:
        """A customer receipt allocated to the invoice with this reference (what a bookkeeper enters)."""
        invoice = self.invoice(reference)
        return self.business.create_payment({
            "transaction_type_id": "CUSTOMER_RECEIPT", "contact_id": invoice["contact"]["id"],
            "bank_account_id": guid(self.business.id, "bank", "1060"), "date": on.isoformat(),
            "total_amount": amount, "reference": f"Receipt {reference}",
            "allocated_artefacts": [{"artefact_id": invoice["id"], "amount": amount}]})

    def allocate_credit(self, credit_reference: str, invoice_reference: str, amount: Decimal,
                        on: date) -> dict[str, Any]:
        credit = self.invoice(credit_reference, "sales_credit_notes")
        invoice = self.invoice(invoice_reference)
        return self.business.create_allocation({
            "transaction_type_id": "CUSTOMER_ALLOCATION", "contact_id": invoice["contact"]["id"],
            "date": on.isoformat(), "allocated_artefacts": [{"artefact_id": invoice["id"], "amount": amount},
                                                            {"artefact_id": credit["id"], "amount": -amount}]})

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> SageCloudSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def create_app(oauth: OAuthServer, businesses: dict[str, Business], faults: Faults | None = None) -> Any:
    api = SageApi(businesses, oauth)
    app = Starlette(routes=[
        Route(AUTHORIZE_PATH, oauth.authorize, methods=["GET", "POST"]),
        Route(TOKEN_PATH, oauth.token, methods=["POST"]),
        Route(REVOKE_PATH, oauth.revoke, methods=["POST"]),
        *api.routes(),
    ])
    return FaultMiddleware(app, faults) if faults is not None else app


def create_sandbox(dataset: Dataset | None = None, *, seed: int = 7, invoices: int = 60,
                   include_missing: bool = False, near_misses: bool = False, faults: Faults | None = None,
                   redirect_uris: tuple[str, ...] = (REDIRECT_URI,), code_ttl: float = 60.0,
                   access_ttl: float = 300.0, port: int = 0) -> SageCloudSandbox:
    """Start a seeded Sage Accounting sandbox on 127.0.0.1.

    ``redirect_uris`` are the callbacks the demo application registered (exact match, as Sage
    checks them); ``include_missing`` seeds the customer the dataset leaves out; ``near_misses``
    adds it instead as a hand-typed contact without reference."""
    dataset = dataset or generate(seed=seed, invoices=invoices)
    main = Business(guid("business", dataset.seed, "main"), "Sample MSP Ltd.")
    seed_business(main, dataset, include_missing=include_missing, near_misses=near_misses)
    other = Business(guid("business", dataset.seed, "other"), "Sample MSP Holdings Inc.")
    seed_business(other, generate(seed=dataset.seed, invoices=0))
    other.table("contacts").clear()  # same chart, no customers yet
    oauth = OAuthServer({DEMO_CLIENT_ID: Client(DEMO_CLIENT_SECRET, tuple(redirect_uris))},
                        {DEMO_EMAIL: DEMO_PASSWORD}, code_ttl=code_ttl, access_ttl=access_ttl)
    businesses = {main.id: main, other.id: other}
    faults = faults or Faults()
    server = serve(create_app(oauth, businesses, faults), port=port)
    return SageCloudSandbox(server, oauth, businesses, faults, dataset)
