"""One throw-away MariaDB server per session, and sandbox Sage 50 companies seeded on it.

Needs: mariadb-server (mariadb-install-db, mariadbd), odbc-mariadb (driver "MariaDB Unicode") and unixodbc;
a missing one fails with the package to install.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mobius_tui.sandbox.dataset import Dataset, generate
from mobius_tui.sandbox.sage50ca import MariaDBServer, Sage50Company, create_sandbox_company


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


@pytest.fixture
def company(mariadb: MariaDBServer, dataset: Dataset, tmp_path: Path) -> Iterator[Sage50Company]:
    """A company of its own, for tests that change it."""
    made = create_sandbox_company(mariadb, tmp_path / "company", dataset=dataset)
    yield made
    made.drop()
