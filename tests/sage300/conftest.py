"""Fixtures: the shared dataset, a seeded Sage 300 sandbox over real HTTP, a connected adapter."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import date

import pytest

from mobius_tui.accounting.base import PostResult
from mobius_tui.accounting.sage300 import Sage300
from mobius_tui.accounting.sage300.reference import Sage300Reference
from mobius_tui.documents.model import Document, Plan
from mobius_tui.sandbox.dataset import Dataset, generate
from mobius_tui.sandbox.sage300 import Sage300Sandbox, create_sandbox

from .plans import build_plan

TODAY = date(2025, 7, 2)


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return generate(seed=7, invoices=60)


@pytest.fixture(scope="session")
def full_plan(dataset: Dataset) -> Plan:
    return build_plan(dataset)


@pytest.fixture
def sandbox(dataset: Dataset) -> Iterator[Sage300Sandbox]:
    with create_sandbox(dataset, today=lambda: TODAY) as sb:
        yield sb


@pytest.fixture
async def adapter(sandbox: Sage300Sandbox) -> AsyncIterator[Sage300]:
    async with Sage300(sandbox.settings) as package:
        yield package  # type: ignore[misc]


@pytest.fixture(scope="module")
def shared_sandbox(dataset: Dataset) -> Iterator[Sage300Sandbox]:
    """One sandbox for tests that only read."""
    with create_sandbox(dataset, today=lambda: TODAY) as sb:
        yield sb


async def load(settings: dict) -> Sage300Reference:
    async with Sage300(settings) as package:
        return await package.reference()


@pytest.fixture(scope="module")
def reference(shared_sandbox: Sage300Sandbox) -> Sage300Reference:
    return asyncio.run(load(shared_sandbox.settings))


async def post_all(package: Sage300, plan: Plan, documents: list[Document] | None = None,
                   reference: Sage300Reference | None = None) -> dict[str, PostResult]:
    ref = reference or await package.reference()
    return {r.document_key: r async for r in package.post(plan, plan.documents if documents is None else documents, ref)}
