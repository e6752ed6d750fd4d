"""Start every sandbox on loopback, for the demo (``mobius-tui sandbox``) and for tests.

    with start_sandboxes(size=60, seed=7) as sb:
        sb.manage.url          # "http://127.0.0.1:PORT" (site root; companyinfo lives here)
        sb.manage.api_url      # ".../v4_6_release/apis/3.0"
        sb.manage.credentials  # DemoCredentials (company id, keys, clientId, integrator login, member)
        sb.manage.store, sb.manage.faults
        sb.as_json()           # {"manage": {"url": ..., "api_url": ..., "company_id": ..., ...}}

Adding a sandbox: write a ``_start_<name>(stack, options) -> RunningSandbox`` and append it to
``STARTERS``; it appears in ``Sandboxes`` under its name and in the JSON line automatically.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from mobius_tui.sandbox.faults import Faults
from mobius_tui.sandbox.manage import API_ROOT, DEMO, ManageStore, create_app
from mobius_tui.sandbox.server import serve

DEFAULT_SIZE = 60
DEFAULT_SEED = 7


@dataclass(frozen=True)
class SandboxOptions:
    size: int = DEFAULT_SIZE
    seed: int = DEFAULT_SEED
    db_path: str | None = None  # where a sandbox keeps its state; None = in memory


@dataclass
class RunningSandbox:
    name: str
    url: str
    api_url: str
    credentials: Any  # a dataclass with as_dict()
    faults: Faults
    store: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"url": self.url, "api_url": self.api_url, **self.credentials.as_dict(), **self.extra}


def _start_manage(stack: ExitStack, options: SandboxOptions) -> RunningSandbox:
    store = ManageStore(options.db_path or ":memory:", seed=options.seed, size=options.size)
    stack.callback(store.close)
    faults = Faults()
    server = stack.enter_context(serve(create_app(store, faults)))
    return RunningSandbox("manage", server.url, server.url + API_ROOT, DEMO, faults, store,
                          {"site": server.url.removeprefix("http://")})


STARTERS: list[Callable[[ExitStack, SandboxOptions], RunningSandbox]] = [_start_manage]


class Sandboxes:
    def __init__(self, running: list[RunningSandbox]) -> None:
        self.by_name = {s.name: s for s in running}

    def __getattr__(self, name: str) -> RunningSandbox:
        try:
            return self.__dict__["by_name"][name]
        except KeyError:
            raise AttributeError(name) from None

    def as_json(self) -> dict[str, Any]:
        return {name: s.as_json() for name, s in self.by_name.items()}


@contextmanager
def start_sandboxes(size: int | None = None, seed: int | None = None, db_path: str | None = None) -> Iterator[Sandboxes]:
    options = SandboxOptions(size if size is not None else DEFAULT_SIZE, seed if seed is not None else DEFAULT_SEED,
                             db_path)
    with ExitStack() as stack:
        yield Sandboxes([start(stack, options) for start in STARTERS])


def run_forever(json_output: bool, size: int | None, seed: int | None) -> int:
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with start_sandboxes(size=size, seed=seed) as sandboxes:
            if json_output:
                print(json.dumps(sandboxes.as_json(), ensure_ascii=False), flush=True)
            else:
                for name, info in sandboxes.as_json().items():
                    print(f"{name}: {info['url']}")
                    for key, value in info.items():
                        if key != "url":
                            print(f"  {key}: {value}")
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
