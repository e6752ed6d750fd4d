"""Import-file mode end to end, through the command line, the Manage sandbox and a Sage 50 sandbox company:
the run writes an .IMP file and waits (exit 5); the stand-in of Sage's Import Transactions imports it into
the company tables; ``finish`` then records exactly the imported documents in one Manage batch; importing
the file again changes nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from mobius_tui.accounting.sage50ca import Sage50
from mobius_tui.accounting.sage50ca.requests import purchase_number
from mobius_tui.documents.model import PurchaseDocument, SalesDocument
from mobius_tui.sandbox.sage50ca.operations import import_transactions
from mobius_tui.service import doc_codec
from mobius_tui.service.journal import Journal
from mobius_tui.service.profiles import save_profile
from mobius_tui.service.reports import DocumentState

from tests.service.harness import app_dirs  # noqa: F401 - every test gets its own config and data folders

from .e2e_env import S50Env, batched
from .test_imp import sections

# Invoices and procurement, less the one receipt whose vendor has no xref in Manage (the dataset's
# deliberate mapping error, which blocks any run): what the file cannot carry is refused per document.
RUN = ["export", "--profile", "demo", "--invoices", "--inventory", "--exclude-product", "100401-PO20011-purchase",
       "--yes", "--json"]


@pytest.fixture
def imp_env(env: S50Env, tmp_path: Path) -> S50Env:
    """The Sage 50 profile in import-file mode, with no bridge at all: the mode needs none."""
    values = {**env.profile.package_values, "write_mode": "imp", "import_folder": str(tmp_path / "imports"),
              "bridge_path": str(tmp_path / "no-such-bridge.exe")}
    env.profile = replace(env.profile, package_values=values)
    save_profile(env.profile, Sage50)
    env.folder = tmp_path / "imports"  # type: ignore[attr-defined]
    return env


def report_of(done) -> dict:
    return json.loads(done.stdout.splitlines()[-1])


def books(env: S50Env) -> dict[str, list]:
    """What the company holds: journal entries, and the sales and purchase invoices by number."""
    with env.company.connect() as conn:
        return {table: sorted(tuple(str(v) for v in row) for row in conn.execute(sql).fetchall())
                for table, sql in (("tjourent", "SELECT lId, sSource, nModule FROM tjourent"),
                                   ("tcustr", "SELECT sSource, lCusId FROM tcustr"),
                                   ("tventr", "SELECT sSource, lVenId FROM tventr"),
                                   ("tjentact", "SELECT lJEntId, nLineNum, lAcctId, dAmount FROM tjentact"))}


def number_of(doc) -> str:
    return purchase_number(doc, False) if isinstance(doc, PurchaseDocument) else doc.number


async def test_written_imported_finished_and_a_second_import_changes_nothing(imp_env, manage_sandbox) -> None:
    env = imp_env
    before = books(env)
    done = env.cli([*RUN, "--batch-number", "S50-IMP"])
    assert done.returncode == 5, done.stdout + done.stderr
    report = report_of(done)
    assert report["outcome"] == "awaiting_import" and report["exit_code"] == 5
    (path,) = {w["file"] for w in report["written"]}
    assert Path(path).parent == env.folder and list(env.folder.iterdir()) == [Path(path)]
    assert "File > Import/Export > Import Transactions" in report["summary"] and "finish" in report["summary"]
    # What the format cannot carry is refused per document, with the reason; nothing is in the books yet.
    assert report["failed"] and all(f["error"].startswith("not written to the import file: ") for f in report["failed"])
    assert len(report["written"]) + len(report["failed"]) == report["counts"]["documents"]
    assert books(env) == before and manage_sandbox.store.batch_by_identifier("S50-IMP") is None

    with Journal() as journal:
        (run,) = journal.unfinished()
        written = [doc_codec.loads(d.body) for d in journal.documents(run.run_id) if d.state == DocumentState.WRITTEN]
    # The file holds exactly the written documents, each with Manage's total.
    text = Path(path).read_bytes().decode("cp1252")
    transactions = [(tag, rows) for tag, rows in sections(text) if tag in ("SalInvoice", "PurInvoice")]
    assert sorted(rows[1][2] for _, rows in transactions) == sorted(number_of(d) for d in written)
    totals = {rows[1][2]: Decimal(rows[1][6] if tag == "SalInvoice" else rows[1][5]) for tag, rows in transactions}
    assert all(totals[number_of(d)] == d.total for d in written if isinstance(d, (SalesDocument, PurchaseDocument)))

    # Another run on these books waits for this one; finishing before the import changes nothing.
    blocked = env.cli([*RUN, "--batch-number", "S50-IMP2"])
    assert blocked.returncode == 5 and "import file not imported yet" in blocked.stdout + blocked.stderr
    early = env.cli(["finish", run.run_id, "--profile", "demo", "--json"])
    assert early.returncode == 5 and report_of(early)["outcome"] == "awaiting_import", early.stdout + early.stderr
    assert manage_sandbox.store.batch_by_identifier("S50-IMP") is None

    imported = import_transactions(env.company, Path(path))
    assert [line for line in imported if line.startswith("refused")] == []
    finished = env.cli(["finish", run.run_id, "--profile", "demo", "--json"])
    assert finished.returncode == 2, finished.stdout + finished.stderr  # partial: the uncarried stay unposted
    final = report_of(finished)
    assert sorted(final["posted"]) == sorted(d.key for d in written)
    batch = manage_sandbox.store.batch_by_identifier("S50-IMP")
    with Journal() as journal:
        ids = {i for d in journal.documents(run.run_id) if d.state == DocumentState.POSTED for i in d.gl_entry_ids}
        assert journal.unfinished() == []
    assert set(manage_sandbox.store.batched_entry_ids(batch.id)) == ids
    assert sorted(r[0] for r in books(env)["tventr"]) == sorted(number_of(d) for d in written
                                                               if isinstance(d, PurchaseDocument))

    # Sage refuses every used invoice number: a second import posts nothing, and nothing is batched twice.
    after = books(env)
    again = import_transactions(env.company, Path(path))
    refused = [line for line in again if line.startswith("refused") and "invoice" in line]
    assert len(refused) == len(written) and all("already been used" in line for line in refused)
    assert books(env) == after
    twice = env.cli(["finish", run.run_id, "--profile", "demo", "--json"])
    assert twice.returncode == 2 and f"Run {run.run_id} already finished" in twice.stdout
    assert [b.batchIdentifier for b in manage_sandbox.store.batches() if b.batchIdentifier.startswith("S50")] == \
        ["S50-IMP"]
    assert {batched(manage_sandbox)[i] for i in ids} == {batch.id}

    # A rerun of the batch finds every imported document in the books: no new file, nothing to import.
    rerun = env.cli(["rerun", "S50-IMP", "--profile", "demo", "--yes", "--json"])
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert len(report_of(rerun)["duplicates"]) == len(written) and report_of(rerun)["written"] == []
    assert list(env.folder.iterdir()) == [Path(path)]


async def test_an_import_that_left_documents_out_is_closed_with_import_done(imp_env, manage_sandbox) -> None:
    env = imp_env
    done = env.cli([*RUN, "--batch-number", "S50-IMPD"])
    assert done.returncode == 5, done.stdout + done.stderr
    (path,) = {w["file"] for w in report_of(done)["written"]}
    # The accountant imports only the first transaction (Sage refused, or they cut, the rest).
    text = Path(path).read_bytes().decode("cp1252")
    head, first = text.split("<PurInvoice>")[0], text.split("<PurInvoice>")[1].split("</PurInvoice>")[0]
    part = env.folder / "part.IMP"
    part.write_bytes(f"{head}<PurInvoice>{first}</PurInvoice>\r\n".encode("cp1252"))
    assert [line for line in import_transactions(env.company, part) if line.startswith("imported pur")]
    with Journal() as journal:
        (run,) = journal.unfinished()
    waiting = env.cli(["finish", run.run_id, "--profile", "demo", "--json"])
    assert waiting.returncode == 5 and len(report_of(waiting)["posted"]) == 1, waiting.stdout + waiting.stderr
    assert manage_sandbox.store.batch_by_identifier("S50-IMPD") is None
    closed = env.cli(["finish", run.run_id, "--profile", "demo", "--import-done", "--json"])
    assert closed.returncode == 2, closed.stdout + closed.stderr
    final = report_of(closed)
    assert len(final["posted"]) == 1 and final["not_posted"]
    assert all("not imported from" in n["error"] for n in final["not_posted"])
    with Journal() as journal:
        posted = [d for d in journal.documents(run.run_id) if d.state == DocumentState.POSTED]
    batch = manage_sandbox.store.batch_by_identifier("S50-IMPD")
    assert set(manage_sandbox.store.batched_entry_ids(batch.id)) == set(posted[0].gl_entry_ids)


def test_sales_invoice_and_credit_memo_import_with_their_taxes(plan, company) -> None:
    """The sandbox's Manage invoices all carry a line without a product, so the file's sales side is
    shown with two of them cut to their product lines (taxes kept, totals made to match), through the
    writer, the stand-in import and the adapter's duplicate guard."""
    from mobius_tui.accounting.sage50ca.database import open_database
    from mobius_tui.accounting.sage50ca.imp import import_file, why_not
    from mobius_tui.accounting.sage50ca.ledger import find_existing
    from mobius_tui.accounting.sage50ca.reference import load_reference
    from mobius_tui.accounting.sage50ca.settings import Sage50Settings
    from mobius_tui.documents.model import DocumentKind

    db = open_database(Sage50Settings.from_values(company.settings))
    try:
        ref = load_reference(db)
        cut = []
        for doc in plan.documents:
            if not isinstance(doc, SalesDocument) or doc.currency or not doc.taxes:
                continue
            lines = [ln for ln in doc.lines if ln.item and ln.item.code.upper() in ref.items]
            if not lines:
                continue
            total = sum((ln.amount for ln in lines), Decimal(0)) + sum((t.amount for t in doc.taxes), Decimal(0))
            made = replace(doc, lines=lines, document_total=total)  # a credit memo's is positive too
            if not why_not(made, ref, "-"):
                cut.append(made)
        invoice = next(d for d in cut if d.kind == DocumentKind.SALES_INVOICE)
        credit = replace(invoice, kind=DocumentKind.CREDIT_MEMO, number=f"CM-{invoice.number}")
        made = import_file([invoice, credit], plan.customers, plan.vendors, ref, delimiter="-")
        assert made.carried == [invoice, credit]
        path = company.sai_path.parent / "sales.IMP"
        path.write_bytes(made.text.encode("cp1252"))
        report = import_transactions(company, path)
        assert [line for line in report if "salinvoice" in line] == \
            [f"imported salinvoice {invoice.number}", f"imported salinvoice {credit.number}"]
        assert set(find_existing(db, [invoice, credit], False)) == {invoice.key, credit.key}
        with company.connect() as conn:
            amounts = dict(conn.execute("SELECT t.sSource, d.dAmount FROM tcustr t JOIN tcustrdt d "
                                        "ON d.lCusTrId = t.lId").fetchall())
        assert (Decimal(str(amounts[invoice.number])), Decimal(str(amounts[credit.number]))) == \
            (invoice.total, -invoice.total)
    finally:
        db.close()


async def test_killed_after_writing_the_file_then_imported_and_finished(imp_env, manage_sandbox) -> None:
    import signal

    env = imp_env
    killed = env.cli([*RUN, "--batch-number", "S50-IMPK"], {"MOBIUS_TUI_CRASH_AT": "before-batch"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    (path,) = list(env.folder.iterdir())  # named: the journal held every written document before
    assert path.suffix == ".IMP"
    with Journal() as journal:
        (run,) = journal.unfinished()
        written = {d.key for d in journal.documents(run.run_id) if d.state == DocumentState.WRITTEN}
    assert written and run.written == len(written)
    import_transactions(env.company, path)
    finished = env.cli(["finish", run.run_id, "--profile", "demo", "--json"])
    assert finished.returncode == 2, finished.stdout + finished.stderr
    assert set(report_of(finished)["posted"]) == written
    assert manage_sandbox.store.batch_by_identifier("S50-IMPK") is not None
