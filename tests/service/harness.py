"""Build a profile, secrets and a ledger around a running Manage sandbox, for the end-to-end tests."""

from __future__ import annotations

import pytest

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from tests.service import ledger_package
from tests.service.ledger_package import Ledger
from mobius_tui.service.events import Event
from mobius_tui.service.profiles import Profile, save_profile
from mobius_tui.service.secrets import Secrets
from mobius_tui.service.session import Session

LEDGER_PASSWORD = "Ledger-Pw-9f27c1e0"


@pytest.fixture(autouse=True)
def app_dirs(tmp_path, monkeypatch):
    """Every test gets its own config and data folders (profiles, journal, locks, logs)."""
    config, data = tmp_path / "config", tmp_path / "data"
    monkeypatch.setenv("MOBIUS_TUI_CONFIG_DIR", str(config))
    monkeypatch.setenv("MOBIUS_TUI_DATA_DIR", str(data))
    for name in ("MOBIUS_TUI_CRASH_AT", "MOBIUS_TUI_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return config, data


@dataclass
class Env:
    sandbox: object  # tests/conftest.py ManageSandbox
    profile: Profile
    secrets: Secrets
    ledger_path: Path
    events: list[Event] = field(default_factory=list)

    def ledger(self) -> Ledger:
        return Ledger(self.ledger_path)

    async def session(self) -> Session:
        return await Session.open(self.profile, self.secrets)

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def secret_values(self) -> list[str]:
        return list(self.secrets.values())

    def env_vars(self) -> dict[str, str]:
        """What a headless run needs in its environment (secrets the way a cron job gives them)."""
        return {"MOBIUS_PRIVATE_KEY": self.secrets["private_key"], "MOBIUS_LEDGER_PASSWORD": LEDGER_PASSWORD}


def make_env(sandbox, tmp_path: Path, *, missing_accounts: tuple[str, ...] = ()) -> Env:
    ledger_path = tmp_path / "ledger.sqlite"
    ledger = Ledger(ledger_path)
    ledger.set_password(LEDGER_PASSWORD)
    ledger.add_accounts([a.number for a in sandbox.store.dataset.accounts if a.number not in missing_accounts])
    ledger.close()
    c = sandbox.credentials
    profile = Profile(
        name="demo", site=sandbox.url, company_id=c.company_id, client_id=c.client_id, public_key=c.public_key,
        package=ledger_package.NAME, package_values={"ledger_path": str(ledger_path)}, initials="JD",
    )
    save_profile(profile, ledger_package.LedgerPackage)
    secrets = Secrets({"private_key": c.private_key, "ledger_password": LEDGER_PASSWORD})
    return Env(sandbox, profile, secrets, ledger_path)


SERVICE_TESTS = Path(__file__).resolve().parent
ROOT = SERVICE_TESTS.parents[1]
_CLI = "import sys, tests.service.ledger_package; from mobius_tui.cli import main; sys.exit(main(sys.argv[1:]))"


def run_cli(env: Env, args: list[str], extra_env: dict[str, str] | None = None, stdin: str | None = None):
    """The real command line in a child process, with the ledger package importable and the
    secrets in the environment (the way a cron job runs it)."""
    import os
    import subprocess
    import sys

    environ = {**os.environ, **env.env_vars(), **(extra_env or {})}
    environ["PYTHONPATH"] = os.pathsep.join([str(SERVICE_TESTS), str(ROOT), environ.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-c", _CLI, *args], env=environ, capture_output=True, text=True,
                          input=stdin, timeout=120)


@contextmanager
def sandbox_of(size: int, seed: int) -> Iterator[SimpleNamespace]:
    """A Manage sandbox with a dataset of the given size and seed (the suite's fixture has one fixed dataset)."""
    from mobius_tui.sandbox.manage import DEMO, ManageStore, create_app
    from mobius_tui.sandbox.server import serve

    store = ManageStore(seed=seed, size=size)
    try:
        with serve(create_app(store)) as server:
            yield SimpleNamespace(url=server.url, credentials=DEMO, store=store)
    finally:
        store.close()
