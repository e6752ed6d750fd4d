"""What the command-line and unattended-run tests share: the real command line run in this process,
a profile whose secrets are in this process's environment (as a cron job gives them), and the
production retry policy with short waits."""

from __future__ import annotations

import io

import pytest

from mobius_tui import cli
from mobius_tui.wire.retry import RetryPolicy

EXPORT = ("export", "--profile", "demo", "--invoices", "--yes")


def run(*argv: str) -> tuple[int, str, str]:
    """``mobius-tui ARGV`` in this process: its exit code, what it printed, what it printed on stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def env(manage_sandbox, new_env, monkeypatch):
    """The demo profile against the Manage sandbox and a sandbox SL company, its secrets in the environment."""
    env = new_env(manage_sandbox)
    for name, value in env.env_vars().items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def quick_retries(monkeypatch):
    """The production policy (5 attempts, Retry-After cap 120 s) with short waits between attempts."""
    monkeypatch.setattr(RetryPolicy, "backoff", lambda self, n: 0.01)
