"""A secret quoted by the outside world (a database error, a driver's exception) never reaches what the
command line prints, on either stream, nor the events a use case emits. The CLI runs in a child process
with its secrets in the environment, the way a cron job runs it."""

from __future__ import annotations

import json
from datetime import date

import pytest

from mobius_tui.service.events import DocumentFailed
from mobius_tui.service.options import ExportOptions
from tests.service.harness import run_cli


@pytest.fixture
def env(manage_sandbox, new_env):
    """In place of the shared ``env``: the secrets stay out of this process; each child gets them."""
    return new_env(manage_sandbox)


def assert_hidden(env, *texts: str) -> None:
    for text in texts:
        for secret in env.secret_values():
            assert secret not in text


def test_a_refusal_quoting_secrets_is_printed_scrubbed(env, manage_sandbox):
    # The SL database refuses an invoice with a message that quotes the SL password and the Manage key.
    leak = f"period closed for user sa/{env.secrets['sl_password']} key {env.secrets['private_key']}"
    env.refuse([manage_sandbox.store.unposted_invoices()[0].number], leak)
    human = run_cli(env, ["export", "--profile", "demo", "--invoices", "--yes", "--batch-number", "LEAK-I"])
    assert human.returncode == 2, human.stdout + human.stderr
    assert "period closed for user sa/*** key ***" in human.stderr
    assert_hidden(env, human.stdout, human.stderr)

    env.refuse([manage_sandbox.store.unposted_invoices()[0].number], leak)
    as_json = run_cli(env, ["export", "--profile", "demo", "--invoices", "--yes", "--json", "--batch-number", "LEAK-I-1"])
    assert as_json.returncode == 3, as_json.stdout + as_json.stderr  # the refused invoice was all that was left
    failed = [e for e in map(json.loads, as_json.stdout.splitlines()) if e["event"] == "document_failed"]
    assert failed and all("period closed for user sa/*** key ***" in e["reason"] for e in failed)
    assert "sa/*** key ***" in json.loads(as_json.stdout.splitlines()[-1])["failed"][0]["error"]  # the report too
    assert_hidden(env, as_json.stdout, as_json.stderr)


async def test_the_emitted_events_are_scrubbed(env, manage_sandbox):
    leak = f"locked by {env.secrets['sl_password']}"
    env.refuse([manage_sandbox.store.unposted_invoices()[0].number], leak)
    async with await env.session() as session:
        report = await session.run_export(ExportOptions(date.today(), invoices=True, batch_number="LEAK-E"), env.emit)
    failed = [e for e in env.events if isinstance(e, DocumentFailed)]
    assert failed and all("locked by ***" in e.reason for e in failed)
    assert_hidden(env, *(json.dumps(e.to_json()) for e in env.events), *report.log_lines, *report.error_lines)


# A driver whose exception quotes its connection string: not a service error, so the CLI reports it
# as unexpected, with the exception's own text.
_LEAKY_CLI = """
import sys
from mobius_tui.accounting.dynamics_sl import DynamicsSL

async def payments_since(self, since):
    raise RuntimeError("connection lost: PWD=" + self.values["sl_password"] + ";")

DynamicsSL.payments_since = payments_since
from mobius_tui.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("as_json", [False, True], ids=["human", "json"])
def test_an_unexpected_exception_quoting_a_secret_is_printed_scrubbed(env, as_json):
    args = ["sync-payments", "--profile", "demo", "--start", "past-week"] + (["--json"] if as_json else [])
    done = run_cli(env, args, script=_LEAKY_CLI)
    assert done.returncode == 1, done.stdout + done.stderr
    shown = done.stdout if as_json else done.stderr
    assert "unexpected RuntimeError: connection lost: PWD=***;" in shown
    assert_hidden(env, done.stdout, done.stderr)
