"""A Sage 300 Web API sandbox: a real HTTP server on loopback over SQLite state.

    with create_sandbox(invoices=60) as sandbox:
        adapter = Sage300(sandbox.settings)        # base_url, company, user, password
        ...
        sandbox.post_batch("AR", 1)                 # what a Sage user does after review
        sandbox.apply_receipt("C00101", "INV10001", Decimal("50.00"), date(2025, 7, 2))

``sandbox.faults`` is the shared fault injector (latency, 429, 5xx, dropped connections, drops
after the server committed); ``sandbox.books`` the seeded company for direct inspection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from mobius_tui.sandbox.dataset import Dataset, generate
from mobius_tui.sandbox.faults import FaultMiddleware, Faults
from mobius_tui.sandbox.sage300.app import ApiSettings, Sage300Api
from mobius_tui.sandbox.sage300.books import Books, BooksSettings
from mobius_tui.sandbox.sage300.seed import seed_company, seed_company_profile
from mobius_tui.sandbox.sage300.store import Store
from mobius_tui.sandbox.server import RunningServer, serve

__all__ = ["Sage300Sandbox", "create_sandbox", "create_app"]

DEFAULT_USER = "WEBAPI"
DEFAULT_PASSWORD = "Sandbox-300"


def create_app(settings: ApiSettings, faults: Faults | None = None) -> Any:
    api = Sage300Api(settings)
    return FaultMiddleware(api, faults) if faults is not None else api


class Sage300Sandbox:
    def __init__(self, server: RunningServer, api: ApiSettings, company: str, faults: Faults,
                 dataset: Dataset | None, user: str, password: str) -> None:
        self.server = server
        self.api = api
        self.company = company
        self.faults = faults
        self.dataset = dataset
        self.url = f"{server.url}/Sage300WebApi"
        self.settings: dict[str, Any] = {"base_url": self.url, "company": company, "user": user,
                                         "password": password}

    @property
    def books(self) -> Books:
        return self.api.companies[self.company]

    def post_batch(self, module: str, number: int | str, on: date | None = None) -> None:
        """Mark an AR/AP invoice batch ready and post it (or post a GL journal batch)."""
        if module == "GL":
            self.books.post_journal_batch(str(number))
            return
        self.books.mark_ready(module, number)
        self.books.post_batches(module, int(number), int(number), on)

    def apply_receipt(self, customer: str, document_number: str, amount: Decimal, on: date) -> dict[str, Any]:
        return self.books.apply_receipt(customer, document_number, amount, on)

    def stop(self) -> None:
        self.server.stop()
        for books in self.api.companies.values():
            books.store.close()

    def __enter__(self) -> Sage300Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def create_sandbox(
    dataset: Dataset | None = None,
    *,
    seed: int = 7,
    invoices: int = 60,
    company: str = "SAMLTD",
    other_companies: Iterable[str] = ("SAMINC",),
    include_missing: bool = False,
    page_size: int = 100,
    modules: Iterable[str] = ("GL", "AR", "AP", "IC", "TX", "CS"),
    rights: dict[str, frozenset[str]] | None = None,
    allow_admin: bool = False,
    faults: Faults | None = None,
    db_path: str = ":memory:",
    today: Callable[[], date] = date.today,
    user: str = DEFAULT_USER,
    password: str = DEFAULT_PASSWORD,
) -> Sage300Sandbox:
    """Start a seeded Sage 300 Web API on 127.0.0.1; ``sandbox.settings`` are the adapter's settings.

    ``dataset=None`` generates the shared dataset with ``seed``/``invoices``; ``include_missing``
    seeds the deliberately missing mappings too. Other companies exist empty (for the company list).
    """
    if dataset is None:
        dataset = generate(seed=seed, invoices=invoices)
    books_settings = BooksSettings(today=today)
    main = Books(Store(db_path), books_settings)
    seed_company(main.store, dataset, include_missing=include_missing)
    companies = {company: main}
    for other in other_companies:
        if other != company:
            companies[other] = Books(Store(), books_settings)
    for code, books in companies.items():
        seed_company_profile(books, code)
    api = ApiSettings(companies=companies, users={user: password, "ADMIN": "ADMIN"}, rights=dict(rights or {}),
                      modules=frozenset(modules), page_size=page_size, allow_admin=allow_admin,
                      company_names={company: "Sample Company Ltd.", **{c: c.title() for c in other_companies}})
    faults = faults or Faults()
    server = serve(create_app(api, faults))
    return Sage300Sandbox(server, api, company, faults, dataset, user, password)
