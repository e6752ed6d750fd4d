"""``mobius-tui demo``: the sandboxes on loopback, one demo profile per package, the app ready to log in.

Everything stays in a temporary folder (profiles, run journal, logs) that is removed on exit, so a
demo never mixes with real books. The demo credentials only open the local sandboxes; they are put
in this process's environment (the route the app uses where no keyring exists), never in a file.
Packages whose sandbox needs a system driver (Dynamics SL: the SQLite ODBC driver) are offered only
where the runner could start them; the notice on the login screen says which were left out and why.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from mobius_tui import paths
from mobius_tui.service import packages
from mobius_tui.service.packages import AccountingPackage
from mobius_tui.service.profiles import Profile, save_profile
from mobius_tui.service.secrets import MANAGE_ENV
from mobius_tui.tui.demo_history import seed_paid_invoices

DEMO_PREFIX = "demo-"


def demo_profile_name(package: str) -> str:
    return f"{DEMO_PREFIX}{package}"


@dataclass
class Demo:
    """What the demo set up: a saved profile per package, the first one opened first."""

    profiles: list[Profile]
    env: dict[str, str]  # secret environment variables the profiles need
    unavailable: dict[str, str] = field(default_factory=dict)  # package → why its sandbox did not start
    history_problem: str = ""  # why the paid invoices could not be seeded ("" when they were)

    @property
    def offered(self) -> list[str]:
        return [p.package for p in self.profiles if p.package]

    @property
    def first(self) -> str | None:
        return self.profiles[0].name if self.profiles else None


def package_secret_env(package_cls: type[AccountingPackage], secrets: dict[str, object]) -> dict[str, str]:
    """The environment variables that carry a package's secret settings."""
    return {package_cls.env_var(f): str(secrets[f.name]) for f in package_cls.settings if f.secret and f.name in secrets}


def demo_profiles(sandboxes) -> Demo:
    """A profile per package sandbox that runs here (and whose adapter imports), and their secrets."""
    manage = sandboxes.manage
    creds = manage.credentials
    installed = packages.installed()
    env = {MANAGE_ENV["private_key"]: creds.private_key, MANAGE_ENV["integrator_password"]: creds.integrator_password}
    manage_fields = dict(
        site=manage.url,  # http on loopback only; the Manage client refuses plain http elsewhere
        company_id=creds.company_id,
        client_id=creds.client_id,
        auth_type="APIKey",
        public_key=creds.public_key,
        member_identifier=creds.member_identifier,
        integrator_user=creds.integrator_username,
        initials="DM",
    )
    profiles: list[Profile] = []
    unavailable = dict(sandboxes.unavailable)
    for name, running in sandboxes.by_name.items():
        if name == "manage":
            continue
        package_cls = installed.get(name)
        if package_cls is None:
            unavailable[name] = "its adapter cannot be imported here"
            continue
        declared = {f.name for f in package_cls.settings}
        env.update(package_secret_env(package_cls, running.secrets))
        profiles.append(Profile(name=demo_profile_name(name), package=name,
                                package_values={k: v for k, v in running.package_values.items() if k in declared},
                                **manage_fields))
    if not profiles:  # still show the Manage side filled in
        profiles.append(Profile(name=f"{DEMO_PREFIX}manage", **manage_fields))
    return Demo(profiles, env, unavailable)


def authorize_demo_profiles(demo: Demo, sandboxes) -> None:
    """Profiles of OAuth packages sign in on their sandbox's consent page with the demo user."""
    from mobius_tui.service import oauth
    from mobius_tui.service.secrets import Secrets

    for index, profile in enumerate(demo.profiles):
        handle = getattr(sandboxes.by_name.get(profile.package), "handle", None)
        if oauth.supports_oauth(packages.find(profile.package)) and hasattr(handle, "approve"):
            secrets = Secrets({k: str(v) for k, v in sandboxes.by_name[profile.package].secrets.items()})
            demo.profiles[index] = oauth.authorize_unattended(profile, secrets, handle.approve)


def _label(package: str) -> str:
    package_cls = packages.find(package)
    return package_cls.label if package_cls else package


def demo_notice(demo: Demo) -> str:
    left_out = "".join(f" {_label(name)} is not offered: {reason}." for name, reason in demo.unavailable.items())
    if not demo.offered:
        return ("Demo: the Manage sandbox is running, but no accounting package sandbox could start on this "
                "machine." + left_out)
    labels = ", ".join(_label(p) for p in demo.offered)
    switch = " Pick another package with the Profile list." if len(demo.profiles) > 1 else ""
    return ("Demo: every field points at sandboxes on this computer (127.0.0.1), filled with a made-up company's "
            f"books. Packages: {labels}.{switch} Press F8 to log in.{left_out}"
            + (f" (No paid invoices to sync: {demo.history_problem}.)" if demo.history_problem else ""))


@contextmanager
def demo_environment(size: int | None = None, seed: int | None = None, today: date | None = None) -> Iterator[Demo]:
    """Sandboxes running, a throw-away config/data folder, the demo profiles saved, a few invoices
    exported before and paid since (dated from ``today``); undone on exit."""
    from mobius_tui.sandbox.runner import start_sandboxes

    with tempfile.TemporaryDirectory(prefix="mobius-demo-") as folder, start_sandboxes(size=size, seed=seed) as sandboxes:
        demo = demo_profiles(sandboxes)
        overrides = {paths.CONFIG_DIR_ENV: os.path.join(folder, "config"),
                     paths.DATA_DIR_ENV: os.path.join(folder, "data"), **demo.env}
        saved = {k: os.environ.get(k) for k in overrides}
        os.environ.update(overrides)
        try:
            for profile in demo.profiles:
                save_profile(profile, packages.find(profile.package))
            authorize_demo_profiles(demo, sandboxes)
            demo.history_problem = seed_paid_invoices(demo.profiles, sandboxes, today or date.today())
            yield demo
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def run_demo(size: int | None = None, seed: int | None = None) -> int:
    """Entry point of ``mobius-tui demo``."""
    from mobius_tui.tui.app import MobiusApp

    with demo_environment(size=size, seed=seed) as demo:
        MobiusApp(profile_name=demo.first, notice=demo_notice(demo)).run()
    return 0
