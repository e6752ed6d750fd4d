"""Sandbox SL companies for the tests: a fresh copy of the seeded template for every test,
parametrized over SQLite and PostgreSQL (see ``fixtures.py``)."""

from __future__ import annotations

import pytest

from mobius_tui.accounting.dynamics_sl import DynamicsSL
from mobius_tui.sandbox.dynamics_sl import SandboxCompany
from tests.dynamics_sl.fixtures import ENGINES, fresh_company, pg_server, sl_templates  # noqa: F401 - fixtures


@pytest.fixture(scope="session")
def templates(sl_templates):  # noqa: F811 - the session fixture imported above
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


@pytest.fixture(params=ENGINES)
def manage_company(request, templates, tmp_path, manage_sandbox) -> SandboxCompany:
    """An SL company seeded from the Manage sandbox's dataset, every mapping in place (for tests that
    start from a GLExport the Manage sandbox produced)."""
    clone = fresh_company(templates, request.param, tmp_path, manage_sandbox.store.dataset, include_missing=True)
    yield clone
    if request.param == "postgres":
        clone.drop()
