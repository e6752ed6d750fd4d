"""Sandbox SL companies for the tests: one PostgreSQL server per session, one seeded template
company per engine, and a fresh copy of it for every test (parametrized over SQLite and PostgreSQL).

Needs: unixodbc, libsqliteodbc (driver "SQLite3"), odbc-postgresql (driver "PostgreSQL Unicode")
and the PostgreSQL 15 server binaries (postgresql-15). A missing one fails with the package to install.
"""

from __future__ import annotations


import pytest

from mobius_tui.accounting.dynamics_sl import DynamicsSL
from mobius_tui.sandbox.dynamics_sl import PostgresServer, SandboxCompany, create_sandbox_company

ENGINES = ("sqlite", "postgres")
# Terms the dataset does not carry in SL form (its xrefs are not 1-2 digit integers).
TERMS = (("30", "Net 30", 30), ("15", "Net 15", 15))


@pytest.fixture(scope="session")
def pg_server():
    try:
        server = PostgresServer().start()
    except RuntimeError as exc:
        pytest.fail(f"PostgreSQL sandbox could not start: {exc}")
    yield server
    server.stop()


def _with_terms(company: SandboxCompany) -> SandboxCompany:
    with company.session() as s:
        s.insert("Terms", [{"TermsId": t, "Descr": d, "DueType": "D", "DueIntrv": n, "TermsType": "S"}
                           for t, d, n in TERMS])
        s.commit()
    return company


@pytest.fixture(scope="session")
def templates(tmp_path_factory, request):
    made: dict[str, SandboxCompany] = {}

    def get(kind: str) -> SandboxCompany:
        if kind not in made:
            try:
                if kind == "sqlite":
                    made[kind] = _with_terms(create_sandbox_company("sqlite", directory=tmp_path_factory.mktemp("sl")))
                else:
                    made[kind] = _with_terms(create_sandbox_company("postgres",
                                                                    server=request.getfixturevalue("pg_server")))
            except RuntimeError as exc:
                pytest.fail(str(exc))
        return made[kind]

    return get


@pytest.fixture(params=ENGINES)
def company(request, templates, tmp_path) -> SandboxCompany:
    clone = templates(request.param).clone(tmp_path if request.param == "sqlite" else None)
    yield clone
    if request.param == "postgres":
        clone.drop()


@pytest.fixture
async def sl(company):
    async with DynamicsSL(company.settings) as adapter:
        yield adapter
