"""Sandbox SL companies shared by the Dynamics SL tests and the service / CLI end-to-end tests:
one PostgreSQL server per session, and seeded template companies cloned per test.

Needs: unixodbc, libsqliteodbc (driver "SQLite3"), odbc-postgresql (driver "PostgreSQL Unicode")
and the PostgreSQL 15 server binaries (postgresql-15). A missing one fails with the package to install.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mobius_tui.sandbox.dataset import Dataset
from mobius_tui.sandbox.dynamics_sl import PostgresServer, SandboxCompany, create_sandbox_company

ENGINES = ("sqlite", "postgres")
# (engine, dataset seed, dataset size, include_missing) -> a seeded template company
Templates = Callable[..., SandboxCompany]


@pytest.fixture(scope="session")
def pg_server():
    try:
        server = PostgresServer().start()
    except RuntimeError as exc:
        pytest.fail(f"PostgreSQL sandbox could not start: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sl_templates(tmp_path_factory, request) -> Templates:
    """``sl_templates(engine, dataset=None, include_missing=False)``: a seeded company made once per
    session for each engine and dataset; tests take a :func:`fresh_company` copy of it."""
    made: dict[tuple, SandboxCompany] = {}

    def get(engine: str, dataset: Dataset | None = None, include_missing: bool = False) -> SandboxCompany:
        key = (engine, dataset.seed if dataset else 7, dataset.size if dataset else 60, include_missing)
        if key not in made:
            try:
                if engine == "sqlite":
                    made[key] = create_sandbox_company("sqlite", directory=tmp_path_factory.mktemp("sl"),
                                                       dataset=dataset, include_missing=include_missing)
                else:
                    made[key] = create_sandbox_company("postgres", server=request.getfixturevalue("pg_server"),
                                                       dataset=dataset, include_missing=include_missing)
            except RuntimeError as exc:
                pytest.fail(str(exc))
        return made[key]

    return get


def fresh_company(templates: Templates, engine: str, directory: Path, dataset: Dataset | None = None,
                  include_missing: bool = False) -> SandboxCompany:
    """A copy of the template company of its own (drop it after the test on PostgreSQL)."""
    template = templates(engine, dataset, include_missing)
    return template.clone(directory if engine == "sqlite" else None)
