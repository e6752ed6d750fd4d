"""The command line end to end on Sage Business Cloud with expenses and procurement: the Manage sandbox's
GLExport through the real converter, check and package into the Sage sandbox over HTTP, the Manage batch
recorded; a rerun that skips every duplicate, a kill -9 mid-run then finish, and per-document refusals."""

from __future__ import annotations

import json
import signal


from mobius_tui.service.journal import Journal
from mobius_tui.service.reports import DocumentState

from .e2e import PROFILE

PURCHASE_TABLES = ("purchase_invoices", "other_payments")


def selection(dataset) -> list[str]:  # noqa: ANN001
    """Flags choosing what Sage can carry: card-paid and reimbursable expenses in CAD on mapped accounts by
    members with a vendor number, and the receipts of vendors with a vendor xref (what a user would tick)."""
    members = {m.id: m for m in dataset.members}
    companies = {c.id: c for c in dataset.companies}
    unmapped = {m.key for m in dataset.missing_mappings if m.kind == "account"}
    out = ["--no-invoices", "--expenses", "--inventory"]
    for e in dataset.expenses:
        owed_by_journal = e.classification != "Reimbursable" and e.offset_account == "2150-00"
        if e.currency != "CAD" or owed_by_journal or e.account in unmapped or not members[e.member_id].vendor_number:
            out += ["--exclude-expense", str(e.id)]
    for p in dataset.procurements:
        if p.type == "Purchase" and companies[p.vendor_company_id].vendor_identifier:
            out += ["--include-product", p.unposted_product_id]
    return out


def export(dataset, batch: str) -> list[str]:  # noqa: ANN001
    return ["export", "--profile", PROFILE, "--yes", "--batch-number", batch, *selection(dataset)]


def in_sage(sage) -> list[str]:  # noqa: ANN001
    return [r["reference"] for t in PURCHASE_TABLES for r in sage.business.table(t).values()]


def posted_keys(events: list[dict]) -> list[str]:
    return [e["document_key"] for e in events if e["event"] == "document_posted"]


def events_of(run) -> list[dict]:  # noqa: ANN001
    return [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]


def test_expenses_and_receipts_post_once_then_a_rerun_skips_every_duplicate(cloud, manage_sandbox, sage):
    dataset = manage_sandbox.store.dataset
    done = cloud.run([*export(dataset, "SC-E1"), "--json"])
    assert done.returncode == 0, done.stdout + done.stderr
    keys = posted_keys(events_of(done))
    kinds = {k.split(":", 1)[0] for k in keys}
    assert kinds == {"ap_bill", "item_receipt", "journal_entry"}, kinds
    references = in_sage(sage)
    assert len(references) == len(set(references)) == len(keys)
    assert sorted(references) == sorted(k.split(":", 1)[1] for k in keys)
    batch = manage_sandbox.store.batch_by_identifier("SC-E1")
    assert batch is not None and manage_sandbox.store.batched_entry_ids(batch.id)
    again = cloud.run(["rerun", "SC-E1", "--profile", PROFILE, "--yes", "--json"])
    assert again.returncode in (0, 2), again.stdout + again.stderr
    assert not posted_keys(events_of(again))
    assert sorted(in_sage(sage)) == sorted(references)


def test_killed_after_a_purchase_invoice_then_finished_loses_and_duplicates_nothing(cloud, manage_sandbox, sage):
    dataset = manage_sandbox.store.dataset
    killed = cloud.run([*export(dataset, "SC-EK"), "--json"], {"MOBIUS_TUI_CRASH_AT": "after-post:3"})
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    assert manage_sandbox.store.batch_by_identifier("SC-EK") is None
    done = cloud.run(["finish", "--all", "--profile", PROFILE])
    assert done.returncode in (0, 2), done.stdout + done.stderr
    with Journal() as journal:
        (run,) = [r for r in journal.recent(10) if r.action == "export"]
        documents = journal.documents(run.run_id)
    posted = [d for d in documents if d.state == DocumentState.POSTED]
    assert any(d.key.startswith(("ap_bill:", "item_receipt:")) for d in posted)
    references = in_sage(sage)
    assert len(references) == len(set(references))
    assert sorted(d.key.split(":", 1)[1] for d in posted) == sorted(references)
    batch = manage_sandbox.store.batch_by_identifier("SC-EK")
    assert batch is not None
    assert manage_sandbox.store.batched_entry_ids(batch.id) == {i for d in posted for i in d.gl_entry_ids}
    # What the kill left unsent goes now (with every write in flight at the kill, possibly nothing):
    # each document is in Sage once, from one run or the other.
    rest = cloud.run([*export(dataset, "SC-EK2"), "--json"])
    assert rest.returncode == 0, rest.stdout + rest.stderr
    sent_now = [k.split(":", 1)[1] for k in json.loads(rest.stdout.splitlines()[-1])["posted"]]
    everything = in_sage(sage)
    assert len(everything) == len(set(everything)) and sorted(everything) == sorted(references + sent_now)
    assert all(d.state != DocumentState.NOT_POSTED or d.key.split(":", 1)[1] in sent_now for d in documents)
    assert not set(posted_keys(events_of(rest))) & {d.key for d in posted}


def test_what_sage_cannot_carry_stops_the_run_per_document_with_the_reason(cloud, manage_sandbox, sage):
    dataset = manage_sandbox.store.dataset
    owed = next(e for e in dataset.expenses if e.classification == "Personal" and e.currency == "CAD")
    adjustment = next(p for p in dataset.procurements if p.type == "Adjustment")
    run = cloud.run(["export", "--profile", PROFILE, "--yes", "--batch-number", "SC-ER", "--no-invoices",
                     "--expenses", "--include-expense", str(owed.id), "--inventory", "--include-product",
                     adjustment.unposted_product_id])
    assert run.returncode == 3, run.stdout + run.stderr  # the check failed: nothing written anywhere
    text = run.stdout + run.stderr
    assert "offset account 2150-00 is not a bank account in Sage" in text
    assert "inventory adjustments cannot go" in text
    assert not in_sage(sage) and manage_sandbox.store.batch_by_identifier("SC-ER") is None
