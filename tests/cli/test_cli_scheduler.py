"""The command line as a scheduler reads it: usage errors exit 64, outages 75 ("try again later"),
a refused TLS certificate 4 (fix the setup). Real CLI, Manage sandbox over HTTP, sandbox SL company."""

from __future__ import annotations

import json

import pytest

from mobius_tui import cli
from tests.headless import run
from tests.service.harness import run_cli
from tests.wire.tls_server import untrusted_tls_server

BAD_USAGE = [
    (("export", "--profile", "demo", "--thru", "2025/03/31"), "argument --thru: '2025/03/31' is not a date"),
    (("export", "--profile", "demo", "--no-such-flag"),
     "unrecognized arguments: --no-such-flag (see 'mobius-tui export --help')"),
    (("export", "--profile", "demo", "--location", "abc"), "argument --location: 'abc' is not a Manage location id"),
    (("check", "--profile", "demo", "--location", "-5"), "argument --location: '-5' is not a Manage location id"),
    (("check", "--profile", "demo", "--location", "0"), "give a whole number above 0"),
    (("sync-payments", "--profile", "demo", "--since", "31-03-2025"), "argument --since: '31-03-2025' is not a date"),
    (("batches", "list", "--profile", "demo", "--limit", "-1"), "argument --limit"),
    (("export", "--profile"), "argument --profile: expected one argument"),
    (("launch",), "invalid choice: 'launch'"),
]


@pytest.mark.parametrize("argv,says", BAD_USAGE, ids=[" ".join(a) for a, _ in BAD_USAGE])
def test_usage_errors_exit_64_and_do_nothing(env, app_dirs, argv, says):
    code, out, err = run(*argv)
    assert code == cli.EXIT_USAGE == 64, out + err
    assert says in err and "usage: mobius-tui" in err and out == ""
    assert not (app_dirs[1] / "journal.sqlite").exists() and env.ar_documents() == []


def test_usage_error_as_a_cron_job_sees_it(env):
    done = run_cli(env, ["export", "--profile", "demo", "--location", "abc", "--json", "--yes"])
    assert done.returncode == 64, done.stdout + done.stderr
    (event,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert event == {"event": "error", "exit_code": 64,
                     "message": "mobius-tui export: error: argument --location: 'abc' is not a Manage location id "
                                "(System > Locations): give a whole number above 0"}
    assert run_cli(env, ["export", "--help"]).returncode == 0


@pytest.mark.parametrize("fault", ["error_next", "drop_next", "throttle_next"], ids=["503", "dropped", "429"])
def test_retries_used_up_exit_75_try_again_later(env, manage_sandbox, quick_retries, fault):
    setattr(manage_sandbox.faults, fault, 100)
    code, out, err = run("export", "--profile", "demo", "--invoices", "--yes", "--batch-number", "T-I")
    assert code == cli.EXIT_TEMPORARY == 75, out + err
    assert err.startswith("error: temporary — try again later: ") and "after 5 attempts" in err
    assert "login/companyinfo" in err  # what failed
    assert env.ar_documents() == [] and manage_sandbox.store.batch_by_identifier("T-I") is None


def test_outage_mid_run_exits_75_and_a_later_run_works(env, manage_sandbox, quick_retries):
    manage_sandbox.faults.only("POST", "/finance/accounting/export").error_next = 100
    code, out, err = run("check", "--profile", "demo", "--json")
    assert code == cli.EXIT_TEMPORARY, out + err
    event = json.loads(out.splitlines()[-1])
    assert event["event"] == "error" and event["exit_code"] == 75
    assert event["message"].startswith("temporary — try again later: Manage could not answer POST")
    manage_sandbox.faults.clear()
    assert run("export", "--profile", "demo", "--invoices", "--yes", "--batch-number", "T-I")[0] == cli.EXIT_SUCCESS


def test_retry_after_longer_than_the_cap_exits_75_at_once(env, manage_sandbox):
    manage_sandbox.faults.throttle_next, manage_sandbox.faults.retry_after = 1, 3600
    code, out, err = run("check", "--profile", "demo")
    assert code == cli.EXIT_TEMPORARY, out + err
    assert "temporary — try again later" in err and "asked to wait 3600 s" in err
    assert len(manage_sandbox.faults.injected) == 1


def test_a_refused_tls_certificate_is_a_configuration_error_said_at_once(env, tmp_path):
    with untrusted_tls_server(tmp_path) as server:
        code, out, err = run("check", "--profile", "demo", "--site", server.url)
        connections = server.connections
    assert code == cli.EXIT_CONFIG, out + err
    assert "TLS certificate of 127.0.0.1 was not accepted" in err and "not an outage" in err
    assert "temporary" not in err and "unreachable" not in err
    assert connections == 1  # not retried
