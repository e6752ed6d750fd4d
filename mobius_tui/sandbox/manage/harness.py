"""A Manage sandbox started in-process for tests: store + fault injector + server on loopback.

``running_manage_sandbox(size=60, seed=7, db_path=":memory:", history=True, batch_reply="glexport")``
is a context manager yielding a :class:`ManageSandbox`; the root ``manage_sandbox`` pytest fixture
wraps it. ``batch_reply`` chooses what ``POST /batches`` answers (see ``create_app``).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from mobius_tui.sandbox.faults import Faults
from mobius_tui.sandbox.manage.app import API_ROOT, create_app
from mobius_tui.sandbox.manage.credentials import DEMO, DemoCredentials
from mobius_tui.sandbox.manage.store import ManageStore
from mobius_tui.sandbox.server import serve


@dataclass
class ManageSandbox:
    """A running Manage sandbox; see the ``manage_sandbox`` fixture."""

    url: str  # site root, e.g. "http://127.0.0.1:PORT"; GET {url}/login/companyinfo/{company_id}
    api_url: str  # url + "/v4_6_release/apis/3.0"
    site: str  # "127.0.0.1:PORT" (what a user types as the Manage site)
    credentials: DemoCredentials
    store: ManageStore
    faults: Faults

    @property
    def headers(self) -> dict[str, str]:
        """clientId, versioned Accept and the API-key Authorization header of the demo member."""
        c = self.credentials
        token = base64.b64encode(f"{c.company_id}+{c.public_key}:{c.private_key}".encode()).decode()
        return {"clientId": c.client_id, "Accept": "application/vnd.connectwise.com+json; version=2025.1",
                "Authorization": f"Basic {token}"}

    def client(self, headers: dict[str, str] | None = None, **kwargs: object) -> httpx.Client:
        """A plain httpx client on api_url with the demo member's headers (``headers`` add to them)."""
        return httpx.Client(base_url=self.api_url, headers={**self.headers, **(headers or {})},
                            **kwargs)  # type: ignore[arg-type]


@contextmanager
def running_manage_sandbox(size: int = 60, seed: int = 7, db_path: str = ":memory:", history: bool = True,
                           batch_reply: str = "glexport") -> Iterator[ManageSandbox]:
    store = ManageStore(db_path, seed=seed, size=size, history=history)
    faults = Faults()
    try:
        with serve(create_app(store, faults, batch_reply=batch_reply)) as server:
            yield ManageSandbox(server.url, server.url + API_ROOT, server.url.removeprefix("http://"), DEMO, store,
                                faults)
    finally:
        store.close()
