"""Fixtures: a Sage Accounting sandbox over real HTTP (alone, or beside the Manage sandbox with a
profile for the command line), the plans of a Manage-sandbox GLExport, a file keyring every process
of a test shares, and private config and data folders."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest

from mobius_tui.documents.model import Plan
from mobius_tui.sandbox.dataset import Dataset, generate
from mobius_tui.sandbox.sage_cloud import create_sandbox
from tests.sage_cloud.e2e import cloud_env
from tests.sage_cloud.file_keyring import BACKEND, FILE_ENV, FileKeyring
from tests.sage_cloud.plans import manage_plans


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return generate(seed=7, invoices=60)


@pytest.fixture
def app_dirs(tmp_path, monkeypatch):
    config, data = tmp_path / "config", tmp_path / "data"
    monkeypatch.setenv("MOBIUS_TUI_CONFIG_DIR", str(config))
    monkeypatch.setenv("MOBIUS_TUI_DATA_DIR", str(data))
    for name in ("MOBIUS_TUI_CRASH_AT", "MOBIUS_TUI_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return config, data


@pytest.fixture
def file_keyring(tmp_path, monkeypatch) -> Iterator[FileKeyring]:
    monkeypatch.setenv(FILE_ENV, str(tmp_path / "keyring.json"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", BACKEND)
    previous = keyring.get_keyring()
    backend = FileKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def registered(monkeypatch):
    """The package offered by the registry for this test only."""
    from mobius_tui.accounting import registry

    monkeypatch.setitem(registry._PACKAGES, "sage_cloud", "mobius_tui.accounting.sage_cloud:SageCloud")


@pytest.fixture(scope="module")
def full_plan() -> Iterator[Plan]:
    with manage_plans() as plan:
        yield plan


@pytest.fixture
def sandbox(dataset):
    with create_sandbox(dataset) as sb:
        yield sb


@pytest.fixture
def sage(manage_sandbox):
    with create_sandbox(manage_sandbox.store.dataset) as sb:
        yield sb


@pytest.fixture
def cloud(manage_sandbox, sage, app_dirs, file_keyring):
    return cloud_env(manage_sandbox, sage)
