"""Fixtures: a Sage Accounting sandbox over real HTTP, a file keyring every process of a test shares,
and private config and data folders."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest

from mobius_tui.sandbox.dataset import Dataset, generate
from tests.sage_cloud.file_keyring import BACKEND, FILE_ENV, FileKeyring


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
