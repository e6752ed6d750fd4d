"""A run killed mid-way (between two posts, or after the last post before the Manage batch is
recorded) is finished from its journal: every posted document ends up in exactly one Manage
batch, and none is posted twice. The killed process posts to a sandbox Dynamics SL company, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import signal

import pytest

from tests.service.harness import run_cli
from mobius_tui.manage import models as m
from mobius_tui.service import doc_codec
from mobius_tui.service.journal import Journal
from mobius_tui.service.reports import DocumentState, batch_amount, by_currency
from mobius_tui.service.wording import format_totals

EXPORT = ["export", "--profile", "demo", "--invoices", "--yes", "--json"]


def posted_ids(journal, run_id):
    return {i for d in journal.documents(run_id) if d.state == DocumentState.POSTED for i in d.gl_entry_ids}


def journal_totals(run_id):
    """Per currency, from the journal's stored documents: (every document, the posted ones)."""
    with Journal() as journal:
        stored = [(d.state, doc_codec.loads(d.body)) for d in journal.documents(run_id)]
    every = by_currency((doc.currency, batch_amount(doc)) for _, doc in stored)  # credit memos negative
    return every, by_currency((doc.currency, batch_amount(doc)) for state, doc in stored if state == DocumentState.POSTED)


def as_json(totals):
    return {currency: str(amount) for currency, amount in totals.items()}


def assert_each_posted_document_in_exactly_one_batch(sandbox, env):
    numbers = env.ar_documents()
    assert len(numbers) == len(set(numbers)), "a document was posted twice"
    batched: dict[int, int] = {}
    for batch in sandbox.store.batches():
        for entry in sandbox.store.batched_entry_ids(batch.id):
            assert entry not in batched, "an entry is in two batches"
            batched[entry] = batch.id
    with Journal() as journal:
        runs = [r for r in journal.recent(100) if r.action == "export"]
        for run in runs:
            assert run.finished is not None
            ids = posted_ids(journal, run.run_id)
            assert {batched[i] for i in ids} <= {run.manage_batch_id}
            assert sandbox.store.batched_entry_ids(run.manage_batch_id) == ids
        posted_keys = [d.key for r in runs for d in journal.documents(r.run_id) if d.state == DocumentState.POSTED]
    assert sorted(k.split(":", 1)[1] for k in posted_keys) == numbers


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
async def test_killed_between_two_posts_then_finished(manage_sandbox, new_env, engine):
    env = new_env(manage_sandbox, engine)
    killed = run_cli(env, [*EXPORT, "--batch-number", "K-I"], {"MOBIUS_TUI_CRASH_AT": "after-post:3"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    # The package may have committed more than the journal heard of (it commits in groups): the
    # journal knows 3; finishing settles the rest with the package's own word, never by posting.
    in_package = len(env.ar_documents())
    assert in_package >= 3 and manage_sandbox.store.batch_by_identifier("K-I") is None
    with Journal() as journal:
        (run,) = journal.unfinished()
        assert (run.posted, run.batch_identifier) == (3, "K-I")
        # the package committed the 3rd document but the crash came before the journal did
        third = [d for d in journal.documents(run.run_id) if d.state == DocumentState.POSTED][-1]
        journal.record_result(run.run_id, third.key, DocumentState.PLANNED)
    refused = run_cli(env, [*EXPORT, "--batch-number", "K-I-2"])
    assert refused.returncode == 5 and "did not finish" in refused.stdout
    finished = run_cli(env, ["finish", run.run_id, "--profile", "demo", "--json"])
    assert finished.returncode == 2, finished.stdout + finished.stderr  # some posted, the rest never were
    report = json.loads(finished.stdout.splitlines()[-1])
    assert report["event"] == "report" and len(report["posted"]) == in_package and report["manage_batch_id"]
    # the documents the package never got are listed by name, to be run again
    with Journal() as journal:
        missing = {d.key: d.label for d in journal.documents(run.run_id) if d.state == DocumentState.NOT_POSTED}
        assert journal.summary(run.run_id).not_posted == len(missing)
    assert missing and {d["key"]: d["label"] for d in report["not_posted"]} == missing
    assert report["counts"]["documents"] == in_package + len(missing)
    # a new process, with only the journal to go on, still totals each currency apart
    every, posted = journal_totals(run.run_id)
    assert len(every) == 2, every  # CAD and USD invoices in the one run
    (event,) = [json.loads(line) for line in finished.stdout.splitlines() if '"event": "finished"' in line]
    assert event["totals"] == report["totals"]
    assert report["totals"]["documents"] == as_json(every) and report["totals"]["posted"] == as_json(posted)
    assert f"documents posted ({format_totals(posted)})" in report["summary"]
    assert len(env.ar_documents()) == in_package  # finishing never posts
    with Journal() as journal:
        assert journal.unfinished() == []
        assert manage_sandbox.store.batched_entry_ids(report["manage_batch_id"]) == posted_ids(journal, run.run_id)
    rest = run_cli(env, [*EXPORT, "--batch-number", "K-I-1"])
    assert rest.returncode == 0, rest.stdout + rest.stderr
    assert manage_sandbox.store.unposted_counts()["invoices"] == 0
    assert_each_posted_document_in_exactly_one_batch(manage_sandbox, env)


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
async def test_killed_after_the_last_post_before_the_batch_then_finished(manage_sandbox, new_env, engine):
    env = new_env(manage_sandbox, engine)
    invoices = manage_sandbox.store.unposted_counts()["invoices"]
    killed = run_cli(env, [*EXPORT, "--batch-number", "K-I"], {"MOBIUS_TUI_CRASH_AT": "before-batch"})
    assert killed.returncode == -signal.SIGKILL
    assert len(env.ar_documents()) == invoices and manage_sandbox.store.batch_by_identifier("K-I") is None
    listed = run_cli(env, ["finish", "--profile", "demo"])
    assert listed.returncode == 0 and "K-I" in listed.stdout
    # Manage had created the batch when the process died, before the journal heard of it
    with Journal() as journal:
        (run,) = journal.unfinished()
        ids = sorted(posted_ids(journal, run.run_id))
    made, _ = manage_sandbox.store.create_batch(
        m.CreateAccountingBatchRequest(batchIdentifier="K-I", exportInvoicesFlag=True, processedRecordIds=ids), "x")
    finished = run_cli(env, ["finish", "--all", "--profile", "demo"])
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "SUCCESS" in finished.stdout and "already holds batch K-I" in finished.stderr
    every, posted = journal_totals(run.run_id)
    assert posted == every and len(every) == 2  # everything posted: one figure per currency
    assert f"documents posted ({format_totals(every)})" in finished.stdout
    assert [b.batchIdentifier for b in manage_sandbox.store.batches()].count("K-I") == 1
    with Journal() as journal:
        assert journal.run(run.run_id).manage_batch_id == made.id
    assert manage_sandbox.store.unposted_counts()["invoices"] == 0
    assert len(env.ar_documents()) == invoices
    assert_each_posted_document_in_exactly_one_batch(manage_sandbox, env)
    again = run_cli(env, ["finish", "--profile", "demo"])
    assert "No unfinished runs" in again.stdout


async def test_a_batch_another_run_created_under_the_same_number_is_never_adopted(manage_sandbox, new_env):
    """Another run created Manage batch K-I (with its own GL entries) while this one was down: it is
    not this run's batch. Finishing refuses it, naming it; finishing with another number records
    the run's entries there. Nothing is posted twice and nothing is left unbatched."""
    env = new_env(manage_sandbox, "sqlite")
    killed = run_cli(env, [*EXPORT, "--batch-number", "K-I"], {"MOBIUS_TUI_CRASH_AT": "before-batch"})
    assert killed.returncode == -signal.SIGKILL
    in_package = len(env.ar_documents())
    expense = manage_sandbox.store.unposted_expenses()[0]
    foreign, _ = manage_sandbox.store.create_batch(m.CreateAccountingBatchRequest(
        batchIdentifier="K-I", exportExpensesFlag=True, processedRecordIds=list(expense.entry_ids)), "someone")
    foreign_entries = manage_sandbox.store.batched_entry_ids(foreign.id)
    with Journal() as journal:
        (run,) = journal.unfinished()
        ours = posted_ids(journal, run.run_id)

    refused = run_cli(env, ["finish", run.run_id, "--profile", "demo"])
    assert refused.returncode == 1, refused.stdout + refused.stderr  # posted, Manage batch not recorded yet
    assert f"batch K-I (id {foreign.id})" in refused.stdout and "--batch-number K-I-1" in refused.stdout
    with Journal() as journal:
        assert journal.run(run.run_id).manage_batch_id is None and journal.run(run.run_id).finished is None
    assert manage_sandbox.store.batched_entry_ids(foreign.id) == foreign_entries
    assert not ours & manage_sandbox.store.batched_entry_ids()  # none of ours is batched anywhere

    other = manage_sandbox.store.unposted_expenses()[0]
    manage_sandbox.store.create_batch(m.CreateAccountingBatchRequest(
        batchIdentifier="K-X", exportExpensesFlag=True, processedRecordIds=list(other.entry_ids)), "someone")
    taken = run_cli(env, ["finish", run.run_id, "--profile", "demo", "--batch-number", "K-X"])
    assert taken.returncode == 3 and "already has a batch K-X" in taken.stdout
    not_alone = run_cli(env, ["finish", "--all", "--profile", "demo", "--batch-number", "K-I-1"])
    assert not_alone.returncode == 4 and "run id" in not_alone.stdout + not_alone.stderr

    finished = run_cli(env, ["finish", run.run_id, "--profile", "demo", "--batch-number", "K-I-1", "--json"])
    assert finished.returncode == 0, finished.stdout + finished.stderr
    report = json.loads(finished.stdout.splitlines()[-1])
    assert report["batch_identifier"] == "K-I-1" and report["manage_batch_id"] not in (None, foreign.id)
    assert manage_sandbox.store.batched_entry_ids(report["manage_batch_id"]) == ours
    assert manage_sandbox.store.batch_by_identifier("K-I-1").id == report["manage_batch_id"]
    assert manage_sandbox.store.batched_entry_ids(foreign.id) == foreign_entries
    with Journal() as journal:
        assert journal.unfinished() == [] and journal.run(run.run_id).batch_identifier == "K-I-1"
    assert len(env.ar_documents()) == in_package  # finishing never posts
    assert_each_posted_document_in_exactly_one_batch(manage_sandbox, env)
