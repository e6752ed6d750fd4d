"""A profile, secrets and a sandbox Dynamics SL company around a running Manage sandbox, for the
end-to-end tests. The SL company is seeded from the same dataset as the Manage sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from mobius_tui.accounting.dynamics_sl import DynamicsSL
from mobius_tui.accounting.dynamics_sl.sql import Session as SLSession
from mobius_tui.sandbox.dynamics_sl import SandboxCompany, allow_documents, refuse_documents
from mobius_tui.service.events import Event
from mobius_tui.service.profiles import Profile, save_profile
from mobius_tui.service.secrets import Secrets
from mobius_tui.service.session import Session
from tests.dynamics_sl.fixtures import Templates, fresh_company

SL_PASSWORD = "Sl-Pw-9f27c1e0"
SQL_PASSWORD = "Sql-Pw-4c81d2aa"  # PostgreSQL sandbox: trust authentication takes any password
_SECRET_FIELDS = {f.name for f in DynamicsSL.settings if f.secret}


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
    sandbox: object  # tests/conftest.py ManageSandbox (or sandbox_of's namespace)
    profile: Profile
    secrets: Secrets
    company: SandboxCompany
    events: list[Event] = field(default_factory=list)

    async def session(self) -> Session:
        return await Session.open(self.profile, self.secrets)

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def secret_values(self) -> list[str]:
        return list(self.secrets.values())

    def env_vars(self) -> dict[str, str]:
        """What a headless run needs in its environment (secrets the way a cron job gives them)."""
        fields = {f.name: DynamicsSL.env_var(f) for f in DynamicsSL.settings if f.secret}
        return {"MOBIUS_PRIVATE_KEY": self.secrets["private_key"],
                **{fields[name]: value for name, value in self.secrets.items() if name in fields}}

    @contextmanager
    def sl(self) -> Iterator[SLSession]:
        """A session on the SL company database, to arrange and inspect."""
        with self.company.session() as s:
            yield s

    def ar_documents(self) -> list[str]:
        """Reference numbers of the invoices and credit memos in SL, one per row (duplicates would show)."""
        with self.sl() as s:
            return sorted(r["refnbr"] for r in s.rows(
                "SELECT RefNbr FROM ARDoc WHERE DocType IN ('IN', 'CM', 'DM') ORDER BY RefNbr"))

    def count(self, sql: str, *params: object) -> int:
        with self.sl() as s:
            return int(s.scalar(sql, *params) or 0)

    def refuse(self, numbers: list[str], reason: str) -> None:
        """SL's database refuses to store these invoices (a trigger), so their posts fail for real."""
        with self.sl() as s:
            refuse_documents(s, numbers, reason)

    def allow(self) -> None:
        with self.sl() as s:
            allow_documents(s)


def make_env(sandbox, tmp_path: Path, templates: Templates, *, engine: str = "sqlite",
             include_missing: bool = True) -> Env:
    """An SL company copied from the template seeded with the Manage sandbox's dataset.

    ``include_missing=True`` (the default) seeds the mappings the dataset leaves out on purpose, so
    every record posts; False keeps the deliberate gaps for the check tests.
    """
    company = fresh_company(templates, engine, tmp_path / "sl", sandbox.store.dataset, include_missing)
    c = sandbox.credentials
    values = {k: v for k, v in company.settings.items() if k not in _SECRET_FIELDS}
    profile = Profile(
        name="demo", site=sandbox.url, company_id=c.company_id, client_id=c.client_id, public_key=c.public_key,
        package=DynamicsSL.name, package_values=values, initials="JD",
    )
    save_profile(profile, DynamicsSL)
    secrets = Secrets({"private_key": c.private_key, "sl_password": SL_PASSWORD,
                       "sql_password": SQL_PASSWORD if engine == "postgres" else ""})
    return Env(sandbox, profile, secrets, company)


@pytest.fixture
def new_env(tmp_path, sl_templates):
    """``new_env(sandbox, engine="sqlite", include_missing=True)`` → :class:`Env`; PostgreSQL
    companies are dropped after the test."""
    made: list[Env] = []

    def make(sandbox, engine: str = "sqlite", include_missing: bool = True, directory: Path | None = None) -> Env:
        env = make_env(sandbox, directory or tmp_path, sl_templates, engine=engine, include_missing=include_missing)
        made.append(env)
        return env

    yield make
    for env in made:
        if env.company.kind == "postgres":
            env.company.drop()


SERVICE_TESTS = Path(__file__).resolve().parent
ROOT = SERVICE_TESTS.parents[1]
_CLI = "import sys; from mobius_tui.cli import main; sys.exit(main(sys.argv[1:]))"


def run_cli(env: Env, args: list[str], extra_env: dict[str, str] | None = None, stdin: str | None = None,
            script: str = _CLI, timeout: float = 120):
    """The real command line in a child process, with the secrets in the environment (the way a
    cron job runs it). ``script`` replaces the child's program (to make a part of it fail)."""
    import os
    import subprocess
    import sys

    environ = {**os.environ, **env.env_vars(), **(extra_env or {})}
    environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), environ.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-c", script, *args], env=environ, capture_output=True, text=True,
                          input=stdin, timeout=timeout)


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
