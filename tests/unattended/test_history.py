"""The run history, end to end: runs of every kind made for real (Manage sandbox over HTTP + a
sandbox Dynamics SL company over ODBC), then read back through ``mobius-tui history``."""

from __future__ import annotations

import json
import signal
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from mobius_tui import cli
from mobius_tui.service.history import History, HistoryError, HistoryFilter
from mobius_tui.service.reports import by_currency
from mobius_tui.service.wording import format_totals
from tests.headless import EXPORT, run
from tests.service.harness import run_cli
from tests.service.test_rerun_payments_lock_e2e import TODAY, open_invoices, pay, release_ar


def history_json(*argv: str) -> list[dict]:
    code, out, err = run("history", "--json", *argv)
    assert code == 0, out + err
    return json.loads(out)["runs"]


def test_every_kind_of_run_side_by_side(env, manage_sandbox, tmp_path):
    refused = manage_sandbox.store.unposted_invoices()[0].number
    env.refuse([refused], "period 12-2026 is closed")
    code, out, _ = run(*EXPORT, "--batch-number", "H-I", "--json")
    assert code == cli.EXIT_PARTIAL
    report = json.loads(out.splitlines()[-1])
    env.allow()
    code, _, _ = run("rerun", "H-I", "--profile", "demo", "--yes")
    assert code == 0
    code, _, _ = run(*EXPORT, "--batch-number", "H-I")  # the number is taken: refused before posting
    assert code == cli.EXIT_FAILED
    release_ar(env, datetime.combine(TODAY - timedelta(days=60), datetime.min.time()))  # long before the sync's week
    (customer, number, balance), *_ = open_invoices(env)
    pay(env, customer, number, balance, TODAY)
    code, _, _ = run("sync-payments", "--profile", "demo", "--start", "past-week")
    assert code == 0

    runs = history_json()
    assert [r["kind"] for r in runs] == ["payment sync", "new batch", "rerun", "new batch"]
    sync, taken, rerun, first = runs
    assert first["run_id"] == report["run_id"] and first["outcome"] == "partial"
    assert first["batch_identifier"] == "H-I" and first["manage_batch_id"] == report["manage_batch_id"]
    assert first["counts"]["posted"] == report["counts"]["posted"] and first["counts"]["failed"] == 1
    assert first["totals"]["posted"] == report["totals"]["posted"] and len(first["totals"]["posted"]) == 2
    # the Manage batch holds what posted, so its rerun finds all of it in SL already
    assert rerun["outcome"] == "success" and rerun["counts"]["posted"] == 0
    assert rerun["counts"]["duplicate"] == report["counts"]["posted"]
    assert taken["outcome"] == "failed" and taken["counts"] == {"documents": 0, "posted": 0, "failed": 0}
    assert "Manage already has a batch H-I" in taken["summary"]
    currency = {i.number: i.currency for i in manage_sandbox.store.dataset.invoices}[number]
    assert sync["outcome"] == "success" and sync["counts"]["posted"] == 1
    assert sync["totals"]["posted"] == {currency: str(balance)}
    assert {r["origin"] for r in runs} == {"interactive"} and not any(r["needs_finish"] for r in runs)

    # one run opened: every document, posted with SL's reference, failed with the reason
    code, out, _ = run("history", "show", first["run_id"], "--save-log", str(tmp_path / "full.log"),
                       "--save-errors", str(tmp_path / "errors.txt"))
    assert code == 0
    posted = [line for line in out.splitlines() if line.startswith("  posted   ")]
    assert len(posted) == report["counts"]["posted"] and all(" as " in line for line in posted)
    (failed,) = [line for line in out.splitlines() if line.startswith("  failed   ")]
    assert f"invoice {refused}" in failed and "period 12-2026 is closed" in failed
    assert "period 12-2026 is closed" in (tmp_path / "errors.txt").read_text()
    log = (tmp_path / "full.log").read_text()
    assert "export started" in log and f"FAILED invoice {refused}" in log
    detail = json.loads(run("history", "show", sync["run_id"], "--json")[1])["run"]
    (paid,) = [d for d in detail["documents"] if d["state"] == "posted"]
    assert paid["reference"] == number and Decimal(paid["amount"]) == balance

    # filters
    assert [r["run_id"] for r in history_json("--outcome", "partial")] == [first["run_id"]]
    assert len(history_json("--outcome", "partial,failed")) == 2
    assert history_json("--profile", "someone-else") == []
    assert len(history_json("--since", "today")) == 4
    assert history_json("--since", (TODAY + timedelta(days=1)).isoformat()) == []
    assert history_json("--until", (TODAY - timedelta(days=1)).isoformat()) == []
    assert history_json("--scheduled") == []
    code, out, _ = run("history")
    assert code == 0 and "PARTIAL" in out and format_totals(
        by_currency((c, Decimal(a)) for c, a in first["totals"]["posted"].items())) in out


def test_an_interrupted_run_offers_finish_and_the_finish_shows_up(env, manage_sandbox):
    killed = run_cli(env, [*EXPORT, "--batch-number", "HK-I", "--json"], {"MOBIUS_TUI_CRASH_AT": "before-batch"})
    assert killed.returncode == -signal.SIGKILL
    (run_,) = History().runs()
    assert run_.needs_finish and run_.outcome == "unfinished" and run_.counts["posted"] > 0
    code, out, _ = run("history", "show", run_.run_id)
    assert code == 0 and f"mobius-tui finish {run_.run_id} --profile demo" in out
    code, out, _ = run("history", "--outcome", "unfinished")
    assert "finish needed: mobius-tui finish" in out
    code, _, _ = run("finish", run_.run_id, "--profile", "demo")
    assert code == 0
    finish, export = History().runs()
    assert (finish.kind, finish.of_run, finish.outcome) == ("finish", run_.run_id, "success")
    assert export.outcome == "success" and not export.needs_finish and finish.manage_batch_id == export.manage_batch_id
    shown = History().run(finish.run_id)
    assert len(shown.documents) == run_.counts["documents"]  # a finish shows the documents of its run


def test_bad_input_is_a_usage_error(env):
    for argv, words in ((("--since", "last tuesday"), "is not a date"), (("--outcome", "fine"), "Unknown outcome"),
                        (("--limit", "0"), "--limit 0")):
        code, _, err = run("history", *argv)
        assert code == 64 and words in err, err
    code, _, err = run("history", "show")
    assert code == 64 and "Name the run" in err
    code, _, err = run("history", "show", "20260101-000000-abcdef")
    assert code == 4 and "no run journal yet" in err
    code, out, _ = run("history")
    assert code == 0 and "No runs yet" in out
    with pytest.raises(HistoryError):
        HistoryFilter(outcomes=("fine",))


def test_a_journal_from_before_run_notes_reads_as_interactive(app_dirs):
    from mobius_tui.service.journal import Journal, JournalDocument
    from mobius_tui.service.reports import DocumentState

    with Journal() as journal:  # written the way older versions wrote it: no run_notes table
        doc = JournalDocument("invoice:1", "invoice 1", Decimal("10.00"), (1,), DocumentState.POSTED, "AR 1/1", "",
                              '{"currency": "USD"}')
        run_id = journal.start_run("export", "books", [doc], profile="books", batch_identifier="OLD-I")
        journal.finish_run(run_id, "success")
    (run_,) = History().runs()
    assert (run_.origin, run_.outcome, run_.totals["posted"]) == ("interactive", "success", {"USD": Decimal("10.00")})
    assert History().runs(HistoryFilter(origin="scheduled")) == [] and History().last_scheduled("books") is None
    assert History().run(run_id).documents[0].reference == "AR 1/1"
