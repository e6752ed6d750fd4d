"""The TUI against real sandboxes: Manage and Sage 300, both over HTTP on loopback.

``tui_env`` gives a saved profile pointing at both, the secrets in environment variables (no keyring
on the test machines) and folders of its own. The Sage 300 company is seeded from the same
generated books as the Manage sandbox, so every invoice Manage exports finds its accounts, customer
and tax group there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from mobius_tui.accounting.sage300 import Sage300
from mobius_tui.sandbox.manage.harness import ManageSandbox
from mobius_tui.sandbox.sage300 import Sage300Sandbox, create_sandbox
from mobius_tui.service.profiles import Profile, save_profile
from mobius_tui.tui.app import MobiusApp

TODAY = date(2025, 6, 30)  # the sandbox dataset is dated in the quarter before this day
PROFILE = "tests"


@dataclass
class TuiEnv:
    sandbox: ManageSandbox
    sage: Sage300Sandbox
    profile: Profile
    data_dir: Path
    config_dir: Path

    def app(self, **kwargs) -> MobiusApp:
        return MobiusApp(profile_name=self.profile.name, today=TODAY, **kwargs)


@pytest.fixture(autouse=True)
def no_keyring(monkeypatch) -> Iterator[None]:
    """No keyring, as on a bare SSH host. Set on the keyring module itself too: the backend is chosen
    once per process, so the environment variable alone loses to whatever an earlier test installed."""
    import keyring
    from keyring.backends import fail

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def tui_env(tmp_path, monkeypatch, manage_sandbox) -> Iterator[TuiEnv]:
    config, data = tmp_path / "config", tmp_path / "data"
    monkeypatch.setenv("MOBIUS_TUI_CONFIG_DIR", str(config))
    monkeypatch.setenv("MOBIUS_TUI_DATA_DIR", str(data))
    monkeypatch.delenv("MOBIUS_TUI_CRASH_AT", raising=False)
    # No keyring (``no_keyring``): secrets come from the environment, as they would over SSH.
    creds = manage_sandbox.credentials
    monkeypatch.setenv("MOBIUS_PRIVATE_KEY", creds.private_key)
    with create_sandbox(manage_sandbox.store.dataset, today=lambda: TODAY) as sage:
        secret = {f.name for f in Sage300.settings if f.secret}
        for field in Sage300.settings:
            if field.secret and field.name in sage.settings:
                monkeypatch.setenv(Sage300.env_var(field), sage.settings[field.name])
        profile = Profile(
            name=PROFILE,
            site=manage_sandbox.url,
            company_id=creds.company_id,
            client_id=creds.client_id,
            public_key=creds.public_key,
            package=Sage300.name,
            # One request at a time, so the document a fault hits is always the first one posted.
            package_values={k: v for k, v in sage.settings.items() if k not in secret} | {"concurrency": 1},
            initials="JD",
        )
        save_profile(profile, Sage300)
        yield TuiEnv(manage_sandbox, sage, profile, data, config)
