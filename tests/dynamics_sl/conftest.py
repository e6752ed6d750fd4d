"""Sandbox SL companies for the tests: a fresh copy of the seeded template for every test,
parametrized over SQLite and PostgreSQL (see ``fixtures.py``)."""

from __future__ import annotations

import pytest

from mobius_tui.accounting.dynamics_sl import DynamicsSL
from mobius_tui.sandbox.dynamics_sl import SandboxCompany
from tests.dynamics_sl.fixtures import ENGINES, fresh_company, pg_server, sl_templates  # noqa: F401 - fixtures


@pytest.fixture(scope="session")
def templates(sl_templates):
    return sl_templates


@pytest.fixture(params=ENGINES)
def company(request, templates, tmp_path) -> SandboxCompany:
    clone = fresh_company(templates, request.param, tmp_path)
    yield clone
    if request.param == "postgres":
        clone.drop()


@pytest.fixture
async def sl(company):
    async with DynamicsSL(company.settings) as adapter:
        yield adapter
