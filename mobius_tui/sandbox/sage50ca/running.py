"""The Sage 50 sandbox for ``mobius-tui sandbox`` and ``mobius-tui demo``: MariaDB, a seeded company, and
the bridge built with Mono. Left out, with what to install, where this machine lacks one of them."""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from pathlib import Path

from mobius_tui.sandbox.runner import PackageCredentials, RunningSandbox, SandboxOptions, Unavailable

MISSING = ("Sage 50 needs MariaDB, its ODBC driver and Mono here: apt-get install mariadb-server odbc-mariadb "
           "mono-mcs mono-runtime libmono-system-data4.0-cil libmono-system-web-extensions4.0-cil")


def start(stack: ExitStack, options: SandboxOptions, secret_names: frozenset[str]) -> RunningSandbox:
    try:
        import pyodbc
    except ImportError as exc:
        raise Unavailable("pyodbc is not installed: pip install 'mobius-tui[odbc]'") from exc
    from mobius_tui.sandbox.sage50ca import MariaDBServer, create_sandbox_company
    from mobius_tui.sandbox.sage50ca.build import build_bridge
    from mobius_tui.sandbox.sage50ca.mariadb import ODBC_DRIVER

    if ODBC_DRIVER not in pyodbc.drivers():
        raise Unavailable(MISSING)
    try:
        bridge = build_bridge()
        server = MariaDBServer().start()
    except RuntimeError as exc:
        raise Unavailable(f"{MISSING} ({exc})") from exc
    stack.callback(server.stop)
    directory = Path(options.directory) / "sage50" if options.directory else \
        Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mobius-s50-sandbox-")))
    company = create_sandbox_company(server, directory, dataset=options.dataset, include_missing=True,
                                     database="simply")  # the only company on its server: Sage's usual name
    settings = {**company.settings, "bridge_path": str(bridge)}  # worksheets: the (demo's own) data folder
    url = f"mysql://127.0.0.1:{server.port}/{company.database}"
    return RunningSandbox("sage50ca", url, url, PackageCredentials(settings, secret_names),
                          extra={"company_file": str(company.sai_path)}, handle=company)
