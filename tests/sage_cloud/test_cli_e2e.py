"""The command line end to end on Sage Business Cloud: the Manage sandbox's GLExport through the real
converter, check and package into the Sage sandbox over HTTP, the Manage batch recorded, payments back."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


from mobius_tui.sandbox.faults import Faults
from mobius_tui.sandbox.sage_cloud import create_sandbox
from mobius_tui.service.journal import Journal
from mobius_tui.service.reports import DocumentState

from .e2e import PROFILE, ROOT, _CLI, cloud_env

EXPORT = ["export", "--profile", PROFILE, "--invoices", "--yes"]


def unposted(manage_sandbox) -> list[str]:
    return sorted(i.number for i in manage_sandbox.store.unposted_invoices())


def assert_once_each(cloud, numbers: list[str]) -> None:
    got = cloud.references() + cloud.references("sales_credit_notes")
    assert len(got) == len(set(got)), "a document was posted twice"
    assert sorted(got) == sorted(numbers)


def test_full_batch_then_a_rerun_skips_every_duplicate(cloud, manage_sandbox):
    numbers = unposted(manage_sandbox)
    done = cloud.run([*EXPORT, "--batch-number", "SC-1"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert_once_each(cloud, numbers)
    batch = manage_sandbox.store.batch_by_identifier("SC-1")
    assert batch is not None and not unposted(manage_sandbox)
    again = cloud.run(["rerun", "SC-1", "--profile", PROFILE, "--yes", "--json"])
    assert again.returncode in (0, 2), again.stdout + again.stderr
    events = [json.loads(line) for line in again.stdout.splitlines()]
    assert not [e for e in events if e["event"] == "document_posted"]
    assert_once_each(cloud, numbers)


def test_a_refused_invoice_makes_a_partial_run_that_names_the_field(cloud, manage_sandbox, sage):
    numbers = unposted(manage_sandbox)
    victim = numbers[1]
    sage.business.refusals[victim] = ("invoice_lines.ledger_account_id", "is not valid for this business")
    done = cloud.run([*EXPORT, "--batch-number", "SC-P"])
    assert done.returncode == 2, done.stdout + done.stderr
    assert victim in done.stderr and "field invoice_lines.ledger_account_id" in done.stderr
    assert_once_each(cloud, [n for n in numbers if n != victim])
    assert unposted(manage_sandbox) == [victim]


def test_killed_mid_run_then_finished_loses_and_duplicates_nothing(cloud, manage_sandbox):
    numbers = unposted(manage_sandbox)
    killed = cloud.run([*EXPORT, "--batch-number", "SC-K", "--json"], {"MOBIUS_TUI_CRASH_AT": "after-post:5"})
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    assert manage_sandbox.store.batch_by_identifier("SC-K") is None
    done = cloud.run(["finish", "--all", "--profile", PROFILE])
    assert done.returncode == 2, done.stdout + done.stderr  # some posted, the rest never were
    with Journal() as journal:
        (run,) = [r for r in journal.recent(10) if r.action == "export"]
        documents = journal.documents(run.run_id)
    posted = [d for d in documents if d.state == DocumentState.POSTED]
    in_sage = cloud.references() + cloud.references("sales_credit_notes")
    assert len(in_sage) == len(set(in_sage)) and sorted(d.key.split(":", 1)[1] for d in posted) == sorted(in_sage)
    batch = manage_sandbox.store.batch_by_identifier("SC-K")
    assert batch is not None
    assert manage_sandbox.store.batched_entry_ids(batch.id) == {i for d in posted for i in d.gl_entry_ids}
    rest = cloud.run([*EXPORT, "--batch-number", "SC-K2"])  # whatever the kill left unposted goes now
    assert rest.returncode == 0, rest.stdout + rest.stderr
    assert_once_each(cloud, numbers)


@dataclass
class ExpireMidRun(Faults):
    """Every access token dies after the fifth invoice is posted (a run outliving its token)."""

    oauth: object = None
    posts: int = 0

    def _take(self, method: str, path: str) -> str | None:
        if method == "POST" and "/sales_" in path:
            with self._lock:
                self.posts += 1
                if self.posts == 5:
                    self.oauth.expire_access_tokens()
        return super()._take(method, path)


def test_a_token_expiring_mid_run_is_refreshed_and_the_run_completes(manage_sandbox, app_dirs, file_keyring):
    faults = ExpireMidRun()
    with create_sandbox(manage_sandbox.store.dataset, faults=faults) as sage:
        faults.oauth = sage.oauth
        cloud = cloud_env(manage_sandbox, sage)
        numbers = unposted(manage_sandbox)
        done = cloud.run([*EXPORT, "--batch-number", "SC-T"])
        assert done.returncode == 0, done.stdout + done.stderr
        assert faults.posts >= 5 and sage.oauth.refreshes >= 1
        assert_once_each(cloud, numbers)


def test_payment_sync_twice_sets_partial_and_full_payments_once(cloud, manage_sandbox, sage):
    assert cloud.run([*EXPORT, "--batch-number", "SC-PAY"]).returncode == 0
    invoices = [i for i in manage_sandbox.store.dataset.invoices if not i.is_credit][:2]
    half = (invoices[0].total / 2).quantize(Decimal("0.01"))
    sage.receive_payment(invoices[0].number, half, date.today())
    sage.receive_payment(invoices[1].number, invoices[1].total, date.today())
    actions = []
    for _ in range(2):
        run = cloud.run(["sync-payments", "--profile", PROFILE, "--start", "past-week", "--json"])
        assert run.returncode == 0, run.stdout + run.stderr
        report = [json.loads(line) for line in run.stdout.splitlines()][-1]
        assert report["outcome"] == "success", report
        actions.append({r["manage_number"]: r["action"] for r in report["results"]})
    assert actions[0] == {invoices[0].number: "created", invoices[1].number: "created"}
    assert actions[1] == {invoices[0].number: "unchanged", invoices[1].number: "unchanged"}
    assert manage_sandbox.store.paid(invoices[0].id) == half  # the partial payment too
    assert manage_sandbox.store.paid(invoices[1].id) == invoices[1].total


def test_a_dead_sign_in_or_lapsed_subscription_exits_4_with_what_to_do(cloud, sage):
    sage.business.subscription_active = False
    lapsed = cloud.run([*EXPORT, "--batch-number", "SC-L"])
    assert lapsed.returncode == 4 and "No active subscription" in lapsed.stderr, lapsed.stderr
    sage.business.subscription_active = True
    for grant in list(sage.oauth.refresh_tokens.values()):
        grant.used = True
    sage.oauth.expire_access_tokens()
    dead = cloud.run([*EXPORT, "--batch-number", "SC-D"])
    assert dead.returncode == 4, dead.stdout + dead.stderr
    assert "authorise again" in dead.stderr.lower() and "profiles authorize" in dead.stderr


def test_authorize_command_prints_the_address_and_takes_the_pasted_redirect(manage_sandbox, sage, app_dirs,
                                                                        file_keyring):
    cloud = cloud_env(manage_sandbox, sage, authorise=False)
    import os

    environ = {**os.environ, **cloud.env, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", _CLI, "profiles", "authorize", PROFILE], env=environ,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: list[str] = []
    while "Paste the address" not in "".join(seen):
        seen.append(child.stderr.readline())  # type: ignore[union-attr]
    url = next(line.strip() for line in seen if line.startswith("http"))
    redirect = sage.approve(url)
    out, rest = child.communicate(f"{redirect}\n2\n", timeout=60)
    err = "".join(seen) + rest
    assert child.returncode == 0, out + err
    assert "60 seconds" in err and "authorised; posting into Sample MSP Holdings Inc." in out
    assert cloud.secret_values()[0] not in out + err


def test_a_customer_near_miss_stops_its_invoices_with_the_fix_and_creates_no_contact(manage_sandbox, app_dirs,
                                                                                     file_keyring):
    with create_sandbox(manage_sandbox.store.dataset, near_misses=True) as sage:
        cloud = cloud_env(manage_sandbox, sage)
        contacts = len(sage.business.table("contacts"))
        done = cloud.run([*EXPORT, "--batch-number", "SC-N"])
        assert done.returncode == 3, done.stdout + done.stderr  # the check failed: nothing written anywhere
        missing = next(m for m in manage_sandbox.store.dataset.missing_mappings if m.kind == "customer")
        typed = next(c["name"] for c in sage.business.table("contacts").values() if not c["reference"])
        assert f"set the reference of Sage contact '{typed}' to {missing.key}" in done.stdout + done.stderr
        assert len(sage.business.table("contacts")) == contacts and not sage.business.table("sales_invoices")
        sage.business.update_contact(next(c["id"] for c in sage.business.table("contacts").values()
                                          if not c["reference"]), {"reference": missing.key})
        fixed = cloud.run([*EXPORT, "--batch-number", "SC-N"])
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr
        assert len(sage.business.table("contacts")) == contacts  # matched, not duplicated
