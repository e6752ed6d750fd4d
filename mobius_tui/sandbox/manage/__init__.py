"""ConnectWise Manage sandbox: a Starlette-free ASGI app over a SQLite-backed store.

    store = ManageStore(":memory:", seed=7, size=60)
    app = create_app(store, faults=Faults())
    with serve(app) as server:   # mobius_tui.sandbox.server
        base = server.url + API_ROOT
"""

from mobius_tui.sandbox.manage.app import API_ROOT, create_app
from mobius_tui.sandbox.manage.credentials import DEMO, DemoCredentials
from mobius_tui.sandbox.manage.store import ManageStore

__all__ = ["API_ROOT", "DEMO", "DemoCredentials", "ManageStore", "create_app"]
