"""One throw-away MariaDB server per session, and sandbox Sage 50 companies seeded on it.

Needs: mariadb-server (mariadb-install-db, mariadbd), odbc-mariadb (driver "MariaDB Unicode") and unixodbc;
a missing one fails with the package to install.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mobius_tui.accounting.sage50ca.database import open_database
from mobius_tui.accounting.sage50ca.reference import Sage50Reference, load_reference
from mobius_tui.accounting.sage50ca.settings import Sage50Settings
from mobius_tui.documents.model import Plan
from mobius_tui.sandbox.dataset import Dataset, generate
from mobius_tui.sandbox.sage50ca import MariaDBServer, Sage50Company, create_sandbox_company
from mobius_tui.sandbox.sage50ca.build import build_bridge

from .e2e_env import env  # noqa: F401 - fixture: the end-to-end environment, SDK and import-file mode
from .plans import sandbox_plan


@pytest.fixture(scope="session")
def mariadb() -> Iterator[MariaDBServer]:
    try:
        server = MariaDBServer().start()
    except RuntimeError as exc:
        pytest.fail(f"MariaDB sandbox could not start: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return generate(seed=7, invoices=60)


@pytest.fixture(scope="session")
def shared_company(mariadb: MariaDBServer, dataset: Dataset, tmp_path_factory) -> Sage50Company:
    """One seeded company for tests that only read."""
    return create_sandbox_company(mariadb, tmp_path_factory.mktemp("s50"), dataset=dataset)


@pytest.fixture(scope="module")
def shared_reference(shared_company: Sage50Company) -> Sage50Reference:
    """The shared company's reference, read over ODBC once per module; copy it to change it."""
    db = open_database(Sage50Settings.from_values(shared_company.settings))
    try:
        return load_reference(db)
    finally:
        db.close()


@pytest.fixture
def company(mariadb: MariaDBServer, dataset: Dataset, tmp_path: Path) -> Iterator[Sage50Company]:
    """A company of its own, for tests that change it."""
    made = create_sandbox_company(mariadb, tmp_path / "company", dataset=dataset)
    yield made
    made.drop()


@pytest.fixture(scope="session")
def plan() -> Plan:
    """The plan of the Manage sandbox's export (60 invoices, seed 7), through the real converter."""
    return sandbox_plan()


@pytest.fixture(scope="session")
def bridge_exe(tmp_path_factory) -> Path:
    """The real bridge source built once with Mono against the stand-in SDK."""
    try:
        return build_bridge(tmp_path_factory.mktemp("bridge"))
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture
def settings(company: Sage50Company, bridge_exe: Path) -> dict:
    """Login values of a fresh company, with the built bridge and a short bridge timeout."""
    return {**company.settings, "bridge_path": str(bridge_exe), "bridge_timeout": 20,
            "worksheet_folder": str(company.sai_path.parent / "worksheets")}
