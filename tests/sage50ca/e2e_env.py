"""A Manage sandbox and a Sage 50 sandbox company (MariaDB + the Mono-built bridge) behind the demo
profile: the environment of the end-to-end tests, in SDK and import-file mode alike (``env`` reaches
every test here through conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mobius_tui.accounting.sage50ca import Sage50
from mobius_tui.sandbox.sage50ca import create_sandbox_company
from mobius_tui.service.profiles import Profile, save_profile
from mobius_tui.service.secrets import Secrets
from mobius_tui.service.session import Session

ROOT = Path(__file__).resolve().parents[2]
SECRET = next(f for f in Sage50.settings if f.secret)


class S50Env:
    def __init__(self, sandbox, company, bridge: Path) -> None:
        self.sandbox, self.company = sandbox, company
        c = sandbox.credentials
        values = {k: v for k, v in company.settings.items() if k != SECRET.name}
        values.update(bridge_path=str(bridge), bridge_timeout=30)
        self.profile = Profile(name="demo", site=sandbox.url, company_id=c.company_id, client_id=c.client_id,
                               public_key=c.public_key, package=Sage50.name, package_values=values, initials="JD")
        save_profile(self.profile, Sage50)
        self.secrets = Secrets({"private_key": c.private_key, SECRET.name: company.settings[SECRET.name]})
        self.events: list = []

    async def session(self) -> Session:
        return await Session.open(self.profile, self.secrets)

    def cli(self, args: list[str], extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        environ = {**os.environ, "MOBIUS_PRIVATE_KEY": self.secrets["private_key"],
                   Sage50.env_var(SECRET): self.secrets[SECRET.name], **(extra or {})}
        environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), environ.get("PYTHONPATH", "")])
        script = "import sys; from mobius_tui.cli import main; sys.exit(main(sys.argv[1:]))"
        return subprocess.run([sys.executable, "-c", script, *args], env=environ, capture_output=True, text=True,
                              timeout=300)

    def wait_for_orphans(self, marker: str, timeout: float = 60) -> None:
        """Until no process started with ``marker`` in its environment is left (the bridge of a killed run
        finishes the document it was writing, then sees its input close and exits)."""
        needle = f"MOBIUS_TEST_MARK={marker}".encode()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            alive = []
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    if needle in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                        alive.append(pid)
                except OSError:
                    continue
            if not alive:
                return
            time.sleep(0.1)
        raise AssertionError(f"processes of the killed run still alive after {timeout} s: {alive}")

    def invoices_in_sage(self) -> list[str]:
        with self.company.connect() as conn:
            return sorted(r[0] for r in conn.execute("SELECT sSource FROM tcustr"))


@pytest.fixture
def env(manage_sandbox, mariadb, bridge_exe, tmp_path):
    company = create_sandbox_company(mariadb, tmp_path / "sage50", dataset=manage_sandbox.store.dataset,
                                     include_missing=True)
    yield S50Env(manage_sandbox, company, bridge_exe)
    company.drop()


def batched(sandbox) -> dict[int, int]:
    out: dict[int, int] = {}
    for batch in sandbox.store.batches():
        for entry in sandbox.store.batched_entry_ids(batch.id):
            assert entry not in out, "an entry is in two batches"
            out[entry] = batch.id
    return out
