"""A profile on the Manage sandbox and the Sage Business Cloud sandbox, authorised through the real
consent page and token flow, with its sign-in in a keyring file every child process shares; and the
real command line run in a child process with its secrets in the environment, as a cron job runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mobius_tui.accounting.sage_cloud import SageCloud
from mobius_tui.accounting.sage_cloud.tokens import KeyringVault
from mobius_tui.sandbox.sage_cloud import SageCloudSandbox
from mobius_tui.service import oauth
from mobius_tui.service.profiles import Profile, save_profile
from mobius_tui.service.secrets import MANAGE_ENV, Secrets

ROOT = Path(__file__).resolve().parents[2]
_CLI = "import sys; from mobius_tui.cli import main; sys.exit(main(sys.argv[1:]))"
PROFILE = "cloud"


@dataclass
class CloudEnv:
    manage: object
    sage: SageCloudSandbox
    profile: Profile
    env: dict[str, str] = field(default_factory=dict)

    def secret_values(self) -> list[str]:
        tokens = KeyringVault(PROFILE).load()
        found = [tokens.access_token, tokens.refresh_token] if tokens else []
        return [*self.env.values(), *found]

    def run(self, args: list[str], extra: dict[str, str] | None = None, stdin: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        environ = {**os.environ, **self.env, **(extra or {})}
        environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), environ.get("PYTHONPATH", "")])
        return subprocess.run([sys.executable, "-c", _CLI, *args], env=environ, capture_output=True, text=True,
                              input=stdin, timeout=timeout)

    def references(self, collection: str = "sales_invoices") -> list[str]:
        return sorted(r["reference"] for r in self.sage.business.table(collection).values())


def cloud_env(manage_sandbox, sage: SageCloudSandbox, *, authorise: bool = True) -> CloudEnv:
    creds = manage_sandbox.credentials
    values = {k: v for k, v in sage.package_values.items() if k != "business_id"}
    profile = Profile(name=PROFILE, site=manage_sandbox.url, company_id=creds.company_id, client_id=creds.client_id,
                      public_key=creds.public_key, package=SageCloud.name, package_values=values, initials="JD")
    save_profile(profile, SageCloud)
    secret_field = next(f for f in SageCloud.settings if f.secret)
    env = {MANAGE_ENV["private_key"]: creds.private_key, SageCloud.env_var(secret_field): sage.secrets["client_secret"]}
    if authorise:
        auth = oauth.start(profile, Secrets(sage.secrets))
        businesses = oauth_complete(auth, sage.approve(auth.url))
        profile = oauth.choose_business(auth.profile, businesses[0][0], businesses)
    return CloudEnv(manage_sandbox, sage, profile, env)


def oauth_complete(auth, pasted: str):  # noqa: ANN001, ANN201
    import asyncio
    import threading

    out: dict = {}
    worker = threading.Thread(target=lambda: out.setdefault("v", asyncio.run(oauth.complete(auth, pasted))))
    worker.start()
    worker.join()
    return out["v"]
