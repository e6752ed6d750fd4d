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


def test_journal_reads_by_state_clears_documents_and_reads_currencies_as_the_codec_does(tmp_path):
    from mobius_tui.service import doc_codec

    bodies = ["", json.dumps({"currency": "CAD"}), json.dumps({"home_currency": "USD"}),
              json.dumps({"currency": "", "home_currency": "EUR"}), json.dumps({"currency": None, "home_currency": "GBP"}),
              json.dumps({"currency": 5}), json.dumps({"$dc": "SalesInvoice", "currency": "JPY", "home_currency": "USD"})]
    documents = [JournalDocument(f"k{i}", f"doc {i}", Decimal(1), (i,), DocumentState.NOT_POSTED, error="unchecked", body=b)
                 for i, b in enumerate(bodies)]
    with Journal(tmp_path / "j.sqlite") as journal:
        run_id = journal.start_run("export", "t", documents)
        assert journal.currencies(run_id, doc_codec.HOME) == {f"k{i}": doc_codec.currency_of(b) for i, b in enumerate(bodies)}
        journal.record_results(run_id, [("k1", DocumentState.PLANNED, "", ""),
                                        ("k2", DocumentState.DUPLICATE, "AR batch 3 / k2", "")],
                               {"k1": '{"currency": "AUD"}'})
        planned = journal.documents(run_id, (DocumentState.PLANNED,))
        assert [(d.key, d.body, d.error) for d in planned] == [("k1", '{"currency": "AUD"}', "")]
        (duplicate,) = journal.documents(run_id, (DocumentState.DUPLICATE,), bodies=False)
        assert (duplicate.key, duplicate.reference, duplicate.body) == ("k2", "AR batch 3 / k2", "")
        assert journal.documents(run_id, (DocumentState.DUPLICATE,))[0].body == bodies[2]  # "" kept the stored body
        assert [d.key for d in journal.documents(run_id, (DocumentState.PLANNED, DocumentState.NOT_POSTED))] == \
            ["k0", "k1", "k3", "k4", "k5", "k6"]
        with pytest.raises(KeyError):
            journal.record_results(run_id, [("nope", DocumentState.PLANNED, "", "")], {"nope": "{}"})
        assert journal.documents(run_id, (DocumentState.PLANNED,))[0].key == "k1"  # the failed transaction left nothing


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


@pytest.mark.parametrize("content", ["", '{"pid": 12', "not json", '{"host": "x"}'])
def test_lock_file_that_cannot_be_read_is_held_not_stale(tmp_path, content):
    """A lock file is only ever linked into place complete: an empty or partial one is not a
    writer at work to be swept away, so it is never taken over."""
    lock = RunLock("t", "export", tmp_path)
    lock.path.parent.mkdir(parents=True, exist_ok=True)
    lock.path.write_text(content)
    with pytest.raises(LockHeld, match="cannot be read") as info:
        lock.acquire()
    assert str(lock.path) in str(info.value)
    assert lock.path.read_text() == content  # left as it was
    lock.path.unlink()  # deleting it by hand, as the message says, frees the books
    with lock:
        assert lock.holder().pid == os.getpid()


def test_lock_is_complete_the_moment_it_exists_and_leaves_no_temporary_files(tmp_path):
    lock = RunLock("t", "export", tmp_path)
    with lock:
        data = json.loads(lock.path.read_text())
        assert (data["pid"], data["target"], data["action"]) == (os.getpid(), "t", "export")
        assert [p.name for p in tmp_path.iterdir()] == [lock.path.name]
        with pytest.raises(LockHeld):
            RunLock("t", "rerun", tmp_path).acquire()
        assert [p.name for p in tmp_path.iterdir()] == [lock.path.name]
    assert list(tmp_path.iterdir()) == []


def test_release_leaves_a_lock_taken_by_another_run(tmp_path):
    """The lock was deleted by hand while its run went on and another run took it: the first
    run's release must not free the second run's books."""
    first = RunLock("t", "export", tmp_path)
    first.acquire()
    first.path.unlink()
    second = RunLock("t", "rerun", tmp_path)
    second.acquire()
    first.release()
    assert second.holder().action == "rerun"
    second.release()
    assert not second.path.exists()


_RACE = """
import sys
from pathlib import Path
from mobius_tui.service.lock import LockHeld, RunLock
lock = RunLock("t", "race", Path(sys.argv[1]))
sys.stdin.readline()  # every process starts racing at once, when the test says go
try:
    lock.acquire()
except LockHeld:
    print("refused", flush=True)
else:
    print("took", flush=True)
sys.stdin.read()  # alive (and holding, if it won) until the test closes stdin
lock.release()
"""


def test_racing_live_processes_exactly_one_takes_the_lock(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", _RACE, str(tmp_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True) for _ in range(6)]
    try:
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outcomes = sorted(proc.stdout.readline().strip() for proc in procs)
    finally:
        for proc in procs:
            proc.stdin.close()
    assert [proc.wait() for proc in procs] == [0] * 6
    assert outcomes == ["refused"] * 5 + ["took"]
    assert list(tmp_path.iterdir()) == []  # released, and no temporary file left behind
