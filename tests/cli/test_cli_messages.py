"""What the command line says: finish's listing, nothing to finish, a missing secret, the banner of
a run whose Manage batch is not recorded, a problem on records that share a label."""

from __future__ import annotations

import json

from mobius_tui import cli
from mobius_tui.accounting.base import Problem
from mobius_tui.accounting.sage300 import Sage300
from mobius_tui.documents.model import Origin, RecordKind
from mobius_tui.sandbox.sage300 import create_sandbox
from mobius_tui.service.problems import describe_groups, group_problems
from tests.headless import EXPORT, run


def test_finish_suggests_an_option_that_exists_and_says_when_there_is_nothing(env):
    assert run(*EXPORT, "--batch-number", "M-I")[0] == cli.EXIT_SUCCESS  # the journal exists now
    code, _, err = run("finish", "nope", "--profile", "demo")
    assert code == cli.EXIT_CONFIG and "The run journal has no run 'nope'" in err
    suggested = err.split("List runs with '", 1)[1].split("'", 1)[0].split()
    assert suggested == ["mobius-tui", "finish", "--list"]
    code, out, err = run(*suggested[1:], "--profile", "demo")
    assert code == cli.EXIT_SUCCESS and out == "No unfinished runs.\n", err
    code, out, _ = run("finish", "--list", "--profile", "demo", "--json")
    assert code == 0 and json.loads(out) == {"event": "report", "unfinished": []}
    code, out, _ = run("finish", "--all", "--profile", "demo")
    assert code == cli.EXIT_SUCCESS and out == "Nothing to finish: no run on these books is unfinished.\n"
    code, _, err = run("finish", "--list", "--all", "--profile", "demo")
    assert code == cli.EXIT_USAGE and "--list finishes nothing" in err


def test_unrecorded_batch_is_not_called_success(env, manage_sandbox, quick_retries):
    manage_sandbox.faults.only("POST", "/finance/accounting/batches").error_next = 1000  # posted; not recorded
    code, out, err = run(*EXPORT, "--batch-number", "U-I")
    assert code == cli.EXIT_UNEXPECTED, out + err
    assert out.startswith("UNFINISHED: ") and "SUCCESS" not in out and "finish run" in out
    assert manage_sandbox.store.batch_by_identifier("U-I") is None and env.ar_documents()
    code, out, _ = run("finish", "--list", "--profile", "demo", "--json")
    (run_id,) = json.loads(out)["unfinished"]

    code, out, _ = run("finish", run_id, "--profile", "demo", "--json")  # Manage still refuses
    report = json.loads(out.splitlines()[-1])
    assert code == 1 and report["outcome"] == "unfinished" and report["exit_code"] == 1 and report["unfinished"]

    manage_sandbox.faults.clear()
    code, out, _ = run("finish", "--all", "--profile", "demo")
    assert code == cli.EXIT_SUCCESS and out.startswith("SUCCESS: ") and manage_sandbox.store.batch_by_identifier("U-I")


def test_a_missing_package_secret_is_named_not_reported_as_a_wrong_password(env, manage_sandbox, monkeypatch):
    # Sage 300's password may legally be blank, so a missing one is sent empty and refused as wrong.
    c = manage_sandbox.credentials
    with create_sandbox(manage_sandbox.store.dataset) as sage:
        values = {k: v for k, v in sage.settings.items() if k in ("base_url", "company", "user")}
        code, _, err = run("profiles", "add", "sage", "--site", manage_sandbox.url, "--company-id", c.company_id,
                           "--client-id", c.client_id, "--public-key", c.public_key, "--package", Sage300.name,
                           *[f"--pkg-{k.replace('_', '-')}={v}" for k, v in values.items()])
        assert code == 0, err
        variable = Sage300.env_var(next(f for f in Sage300.settings if f.name == "password"))
        monkeypatch.delenv(variable, raising=False)
        code, out, err = run("check", "--profile", "sage")
        assert code == cli.EXIT_CONFIG, out + err
        assert f"error: The Password of profile 'sage' is missing: {variable} is not set and there is no keyring" in err
        assert "user 'sage:password'" in err or "no keyring: " in err
        assert "Sage 300 said: Sage 300 refused the login" in err, err
        monkeypatch.setenv(variable, sage.settings["password"])
        code, out, err = run("check", "--profile", "sage")
        assert "is missing" not in out + err and code != cli.EXIT_CONFIG, out + err


def test_a_problem_on_records_sharing_a_label_lists_every_record():
    # Two receipts on one PO (two Manage records, one label) and the same record reported twice.
    first = Origin(RecordKind.PROCUREMENT, "100367", "PO PO20001", (100368,))
    second = Origin(RecordKind.PROCUREMENT, "100401", "PO PO20001", (100402,))
    cause, fix = "Vendor V1 not in Dynamics SL", "Create the vendor."
    (group,) = group_problems([Problem(cause, fix, first, "line 1"), Problem(cause, fix, first, "line 2"),
                               Problem(cause, fix, second)])
    as_json = group.to_json()
    assert as_json["records"] == [{"kind": "procurement", "id": "100367"}, {"kind": "procurement", "id": "100401"}]
    assert as_json["count"] == 2 and group.headline().endswith("2 inventory records")
    assert describe_groups([group])[-1] == "    Procurement PO PO20001, procurement PO PO20001 (Manage record 100401)"
