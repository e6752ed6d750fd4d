"""Start every sandbox this machine can run, on loopback, for the demo (``mobius-tui sandbox``) and tests.

    with start_sandboxes(size=60, seed=7) as sb:
        sb.manage.url            # "http://127.0.0.1:PORT" (site root; companyinfo lives here)
        sb.manage.api_url        # ".../v4_6_release/apis/3.0"
        sb.manage.credentials    # DemoCredentials (company id, keys, clientId, integrator login, member)
        sb.manage.store, sb.manage.faults
        sb.sage300.settings      # the Sage 300 adapter's settings, password included
        sb.sage300.package_values, sb.sage300.secrets   # the same, split for a profile
        sb.sage_cloud.handle     # Sage Business Cloud (OAuth + API); .approve(url) signs the demo user in
        sb.dynamics_sl.settings  # Dynamics SL on SQLite (only where the SQLite ODBC driver is installed)
        sb.unavailable           # {"dynamics_sl": "why it could not start"} for the ones left out
        sb.as_json()             # {"manage": {...}, "sage300": {...}, "dynamics_sl": {...}}

Every sandbox is seeded from the same generated books (same seed and size), so an invoice the
Manage sandbox exports finds its customer, accounts and tax codes in each package sandbox.
The credentials are fixed demo values that open only these local sandboxes.

Adding a sandbox: write ``_start_<name>(stack, options) -> RunningSandbox`` and add it to
``STARTERS``; raise :class:`Unavailable` when this machine cannot run it.
"""

from __future__ import annotations

import json
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from mobius_tui.sandbox.dataset import Dataset, generate
from mobius_tui.sandbox.faults import Faults
from mobius_tui.sandbox.manage import API_ROOT, DEMO, ManageStore, create_app
from mobius_tui.sandbox.server import serve

DEFAULT_SIZE = 60
DEFAULT_SEED = 7


class Unavailable(Exception):
    """This machine cannot run a sandbox (a driver or module is missing); the message says how to fix it."""


@dataclass(frozen=True)
class SandboxOptions:
    size: int = DEFAULT_SIZE
    seed: int = DEFAULT_SEED
    db_path: str | None = None  # where the Manage sandbox keeps its state; None = in memory
    directory: str | None = None  # where file-backed sandboxes (Dynamics SL) keep their databases; None = temporary

    @cached_property
    def dataset(self) -> Dataset:
        return generate(self.seed, self.size)


@dataclass(frozen=True)
class PackageCredentials:
    """An accounting-package sandbox's adapter settings; ``secret_names`` are the secret ones."""

    settings: dict[str, Any]
    secret_names: frozenset[str]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.settings)


@dataclass
class RunningSandbox:
    name: str
    url: str
    api_url: str
    credentials: Any  # DemoCredentials (Manage) or PackageCredentials: both have as_dict()
    faults: Faults | None = None
    store: Any = None
    extra: dict[str, Any] = field(default_factory=dict)  # more facts for the JSON line
    handle: Any = None  # the sandbox object itself (Sage300Sandbox, SandboxCompany)

    @property
    def settings(self) -> dict[str, Any]:
        """A package's adapter settings, secrets included (empty for Manage)."""
        return self.credentials.as_dict() if isinstance(self.credentials, PackageCredentials) else {}

    @property
    def package_values(self) -> dict[str, Any]:
        """The settings a profile stores: everything but the secrets."""
        secret = self.credentials.secret_names if isinstance(self.credentials, PackageCredentials) else frozenset()
        return {k: v for k, v in self.settings.items() if k not in secret}

    @property
    def secrets(self) -> dict[str, Any]:
        if isinstance(self.credentials, PackageCredentials):
            return {k: v for k, v in self.settings.items() if k in self.credentials.secret_names}
        return {k: getattr(self.credentials, k) for k in MANAGE_SECRETS}

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"url": self.url, "api_url": self.api_url}
        if isinstance(self.credentials, PackageCredentials):
            out["package_values"] = self.package_values
        else:
            out.update(self.credentials.as_dict())
        return {**out, **self.extra, "secrets": self.secrets}


MANAGE_SECRETS = ("private_key", "integrator_password", "readonly_private_key")


def _start_manage(stack: ExitStack, options: SandboxOptions) -> RunningSandbox:
    store = ManageStore(options.db_path or ":memory:", seed=options.seed, size=options.size)
    stack.callback(store.close)
    faults = Faults()
    server = stack.enter_context(serve(create_app(store, faults)))
    return RunningSandbox("manage", server.url, server.url + API_ROOT, DEMO, faults, store,
                          {"site": server.url})  # what a profile takes: loopback is plain http


def _secret_names(package: str) -> frozenset[str]:
    from mobius_tui.accounting import registry

    try:
        return frozenset(f.name for f in registry.package_class(package).settings if f.secret)
    except ImportError as exc:
        raise Unavailable(f"the {package} package cannot be imported here ({exc})") from exc


def _start_sage300(stack: ExitStack, options: SandboxOptions) -> RunningSandbox:
    from mobius_tui.sandbox.sage300 import create_sandbox

    secret = _secret_names("sage300")
    sandbox = stack.enter_context(create_sandbox(options.dataset))
    return RunningSandbox("sage300", sandbox.url, sandbox.url, PackageCredentials(sandbox.settings, secret),
                          sandbox.faults, extra={"company": sandbox.company}, handle=sandbox)


def _start_sage_cloud(stack: ExitStack, options: SandboxOptions) -> RunningSandbox:
    from mobius_tui.sandbox.sage_cloud import create_sandbox

    secret = _secret_names("sage_cloud")
    sandbox = stack.enter_context(create_sandbox(options.dataset))
    return RunningSandbox("sage_cloud", sandbox.url, sandbox.package_values["api_url"],
                          PackageCredentials(sandbox.settings, secret), sandbox.faults,
                          extra={"business": sandbox.business.name}, handle=sandbox)


def _start_dynamics_sl(stack: ExitStack, options: SandboxOptions) -> RunningSandbox:
    try:
        import pyodbc  # noqa: F401 - the optional "odbc" dependency
    except ImportError as exc:
        raise Unavailable("pyodbc is not installed: pip install 'mobius-tui[odbc]'") from exc
    from mobius_tui.accounting.dynamics_sl.settings import SLSettings
    from mobius_tui.sandbox.dynamics_sl import create_sandbox_company

    secret = _secret_names("dynamics_sl")
    if options.directory:
        directory = Path(options.directory)
    else:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mobius-sl-sandbox-")))
    try:
        company = create_sandbox_company("sqlite", directory=directory, dataset=options.dataset)
    except RuntimeError as exc:  # the SQLite ODBC driver is missing; the message names the package
        raise Unavailable(str(exc)) from exc
    if options.directory:
        stack.callback(company.drop)
    settings = company.settings
    system = SLSettings.from_values(settings).connection_string(settings["system_database"])
    url = directory.resolve().as_uri()
    return RunningSandbox("dynamics_sl", url, url, PackageCredentials(settings, secret),
                          extra={"directory": str(directory), "odbc_connection": system}, handle=company)


def _start_sage50ca(stack: ExitStack, options: SandboxOptions) -> RunningSandbox:
    from mobius_tui.sandbox.sage50ca.running import start

    return start(stack, options, _secret_names("sage50ca"))


STARTERS: dict[str, Callable[[ExitStack, SandboxOptions], RunningSandbox]] = {
    "manage": _start_manage,
    "sage300": _start_sage300,
    "sage_cloud": _start_sage_cloud,
    "dynamics_sl": _start_dynamics_sl,
    "sage50ca": _start_sage50ca,
}


class Sandboxes:
    def __init__(self, running: list[RunningSandbox], unavailable: dict[str, str] | None = None) -> None:
        self.by_name = {s.name: s for s in running}
        self.unavailable = unavailable or {}

    def __getattr__(self, name: str) -> RunningSandbox:
        try:
            return self.__dict__["by_name"][name]
        except KeyError:
            raise AttributeError(name) from None

    def as_json(self) -> dict[str, Any]:
        return {name: s.as_json() for name, s in self.by_name.items()}


@contextmanager
def start_sandboxes(size: int | None = None, seed: int | None = None, db_path: str | None = None,
                    names: Iterable[str] | None = None, directory: str | None = None) -> Iterator[Sandboxes]:
    """Every sandbox in ``names`` (default: all) that this machine can run; stopped on exit.

    Manage must start; a package sandbox that cannot (missing driver) is listed in ``unavailable``."""
    options = SandboxOptions(size if size is not None else DEFAULT_SIZE, seed if seed is not None else DEFAULT_SEED,
                             db_path, directory)
    wanted = list(STARTERS) if names is None else list(names)
    unknown = [n for n in wanted if n not in STARTERS]
    if unknown:
        raise ValueError(f"unknown sandbox {', '.join(unknown)}; choose from {', '.join(STARTERS)}")
    with ExitStack() as stack:
        running: list[RunningSandbox] = []
        unavailable: dict[str, str] = {}
        for name in wanted:
            try:
                running.append(STARTERS[name](stack, options))
            except Unavailable as exc:
                if name == "manage":
                    raise
                unavailable[name] = str(exc)
        yield Sandboxes(running, unavailable)


def run_forever(json_output: bool, size: int | None, seed: int | None) -> int:
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with start_sandboxes(size=size, seed=seed) as sandboxes:
            if json_output:
                print(json.dumps(sandboxes.as_json(), ensure_ascii=False), flush=True)
                for name, reason in sandboxes.unavailable.items():
                    print(f"{name} sandbox not started: {reason}", file=sys.stderr, flush=True)
            else:
                for name, info in sandboxes.as_json().items():
                    print(f"{name}: {info['url']}")
                    for key, value in info.items():
                        if key != "url":
                            print(f"  {key}: {value}")
                for name, reason in sandboxes.unavailable.items():
                    print(f"{name}: not started ({reason})")
                print("Demo credentials only open these local sandboxes. Press Ctrl-C to stop.", flush=True)
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    sys.stdout.flush()
    return 0
