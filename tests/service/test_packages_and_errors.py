"""What the screens and the command line learn about packages and errors, through service/ only."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from mobius_tui.accounting import registry
from mobius_tui.manage.errors import AuthenticationFailed
from mobius_tui.service import packages
from mobius_tui.service.errors import LockHeld, LoginError, is_configuration_error, is_lock_error
from mobius_tui.service.lock import LockHolder
from mobius_tui.service.profiles import ProfileError


@pytest.fixture
def broken_package(monkeypatch):
    """A registered package whose module raises while importing (not an ImportError)."""
    monkeypatch.setitem(registry._PACKAGES, "broken", "tests.service.broken_adapter_module:Broken")
    return "broken"


def test_installed_leaves_out_a_package_that_fails_to_load_and_logs_why(broken_package, caplog):
    with caplog.at_level(logging.WARNING, logger=registry.__name__):
        installed = packages.installed()
    assert broken_package not in installed
    assert {"dynamics_sl", "sage300"} <= set(installed)
    assert all(cls.label and cls.settings for cls in installed.values())
    assert any("broken" in r.getMessage() and "ZeroDivisionError" in r.getMessage() for r in caplog.records)


def test_package_class_says_why_and_find_returns_none(broken_package):
    with pytest.raises(ProfileError, match="choose one of"):
        packages.package_class("nope")
    with pytest.raises(ProfileError, match="cannot be loaded here .ZeroDivisionError"):
        packages.package_class(broken_package)
    assert packages.find("nope") is None and packages.find(broken_package) is None and packages.find("") is None
    assert packages.find("sage300") is registry.package_class("sage300")


def test_error_classification():
    assert is_configuration_error(LoginError("Manage", "bad key"))
    assert is_configuration_error(AuthenticationFailed("401"))
    assert is_configuration_error(ProfileError("no site"))
    assert not is_configuration_error(RuntimeError("boom"))
    held = LockHeld("books", LockHolder(pid=1, host="h", user="u", started="2025-01-01T00:00:00"), Path("x.lock"))
    assert is_lock_error(held) and not is_configuration_error(held) and not is_lock_error(LoginError("Manage", "x"))
