import json
import os
import socket
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from mobius_tui.service.journal import Journal, JournalDocument
from mobius_tui.service.lock import LockHeld, RunLock, pid_alive, target_key
from mobius_tui.service.reports import DocumentState


def docs(n):
    return [JournalDocument(f"sales_invoice:{i}", f"invoice {i}", Decimal("10.50"), (i, 100 + i), DocumentState.PLANNED)
            for i in range(n)]


def test_journal_records_run_results_batch_and_finish(tmp_path):
    path = tmp_path / "j.sqlite"
    with Journal(path) as journal:
        run_id = journal.start_run("export", "t", docs(3), batch_identifier="B-I", flags={"invoices": True})
        journal.record_result(run_id, "sales_invoice:0", DocumentState.POSTED, "R1")
        journal.record_result(run_id, "sales_invoice:1", DocumentState.FAILED, error="no")
        assert [r.run_id for r in journal.unfinished("t")] == [run_id]
        assert journal.unfinished("other") == []
        assert journal.batch_identifier_in_use("B-I") == run_id
    # another connection (another process after a crash) sees every committed result
    with Journal(path) as journal:
        summary = journal.summary(run_id)
        assert (summary.posted, summary.failed, summary.unresolved) == (1, 1, 1)
        journal.record_batch(run_id, 42)
        journal.finish_run(run_id, "partial")
        run = journal.run(run_id)
        assert run.manage_batch_id == 42 and run.outcome == "partial" and run.flags == {"invoices": True}
        assert journal.unfinished() == []
        assert journal.batch_identifier_in_use("B-I") is None
        assert [d.gl_entry_ids for d in journal.documents(run_id)][0] == (0, 100)
        with pytest.raises(KeyError):
            journal.record_result(run_id, "nope", DocumentState.POSTED)
        with pytest.raises(KeyError, match="no run"):
            journal.run("missing")


def test_last_payment_sync_is_per_user_machine_site_company(tmp_path):
    with Journal(tmp_path / "j.sqlite") as journal:
        journal.set_last_payment_sync("ann", "pc1", "Site.example", "ACME", date(2024, 1, 2))
        assert journal.last_payment_sync("ann", "pc1", "site.example", "acme") == date(2024, 1, 2)
        assert journal.last_payment_sync("bob", "pc1", "site.example", "acme") is None
        assert journal.last_payment_sync("ann", "pc2", "site.example", "acme") is None
        assert journal.last_payment_sync("ann", "pc1", "other", "acme") is None
        journal.set_last_payment_sync("ann", "pc1", "site.example", "acme", date(2024, 2, 1))
        assert journal.last_payment_sync("ann", "pc1", "site.example", "acme") == date(2024, 2, 1)


def test_second_lock_refused_naming_the_holder(tmp_path):
    target = target_key("Site", "Co", "pkg", {"db": "x"})
    with RunLock(target, "export", tmp_path):
        with pytest.raises(LockHeld) as info:
            RunLock(target, "rerun", tmp_path).acquire()
        message = str(info.value)
        assert f"process {os.getpid()}" in message and socket.gethostname() in message and "export" in message
        # another target is independent
        with RunLock(target_key("Site", "Co", "pkg", {"db": "y"}), "", tmp_path):
            pass
    with RunLock(target, "again", tmp_path):
        pass


def test_lock_of_a_dead_process_is_recovered(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    assert not pid_alive(pid)
    lock = RunLock("t", "export", tmp_path)
    lock.path.parent.mkdir(parents=True, exist_ok=True)
    lock.path.write_text(json.dumps({"pid": pid, "host": socket.gethostname(), "user": "x", "started": "s"}))
    with lock:
        assert lock.holder().pid == os.getpid()
    assert not lock.path.exists()


def test_lock_from_another_machine_is_never_taken_over(tmp_path):
    lock = RunLock("t", "export", tmp_path)
    lock.path.parent.mkdir(parents=True, exist_ok=True)
    lock.path.write_text(json.dumps({"pid": 1, "host": "elsewhere", "user": "x", "started": "s"}))
    with pytest.raises(LockHeld, match="elsewhere"):
        lock.acquire()
