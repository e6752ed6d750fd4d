"""A whole export of a few hundred invoices to Sage 300 through the service: the requests it makes
(at most one write per document besides the master records and batches; reads per page of documents,
never per document), and a rerun whose duplicate check finds documents in every part of its reads
while the first ones already post: those are skipped, the others posted once.

Manage sandbox and Sage 300 sandbox, both over real HTTP, driven through the service session.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pytest

from mobius_tui.accounting.sage300 import Sage300
from mobius_tui.sandbox.faults import Faults
from mobius_tui.sandbox.manage.harness import running_manage_sandbox
from mobius_tui.sandbox.sage300 import create_sandbox
from mobius_tui.service import doc_codec, pipeline
from mobius_tui.service.events import Outcome
from mobius_tui.service.journal import Journal
from mobius_tui.service.options import ExportOptions
from mobius_tui.service.profiles import Profile, save_profile
from mobius_tui.service.reports import DocumentState
from mobius_tui.service.secrets import Secrets
from mobius_tui.service.session import Session

TODAY = date(2025, 6, 30)
INVOICES = 240
FILTER_CHUNK = 40  # document numbers per $filter read (the adapter's)


class Stopped(BaseException):
    """The process dies here (nothing after it runs)."""


@dataclass
class Counting(Faults):
    """No faults: every request's method and path, in order."""

    seen: list[tuple[str, str]] = field(default_factory=list)

    def _take(self, method: str, path: str) -> str | None:
        with self._lock:
            self.seen.append((method, path))
        return super()._take(method, path)


def _ar_numbers(sage) -> list[str]:  # noqa: ANN001
    store = sage.books.store
    return [e["DocumentNumber"] for key, _ in store.scan("ARInvoiceBatches") for e in store.children("ARInvoiceBatches", key)]


async def test_export_requests_scale_with_pages_and_a_rerun_skips_what_sage_holds(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MOBIUS_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("MOBIUS_TUI_DATA_DIR", str(tmp_path / "data"))
    for name in ("MOBIUS_TUI_CRASH_AT", "MOBIUS_TUI_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    faults = Counting()
    with running_manage_sandbox(size=INVOICES, seed=11, history=False) as manage, \
            create_sandbox(manage.store.dataset, today=lambda: TODAY, faults=faults) as sage:
        creds = manage.credentials
        secret = {f.name for f in Sage300.settings if f.secret}
        profile = Profile(name="sage", site=manage.url, company_id=creds.company_id, client_id=creds.client_id,
                          public_key=creds.public_key, package=Sage300.name, initials="JD",
                          package_values={k: v for k, v in sage.settings.items() if k not in secret})
        save_profile(profile, Sage300)
        secrets = Secrets({"private_key": creds.private_key, **{k: sage.settings[k] for k in secret}})
        customers_before = sage.books.store.count("ARCustomers")
        async with await Session.open(profile, secrets) as session:
            before = len(faults.seen)
            report = await session.run_export(ExportOptions(thru_date=TODAY, batch_number="REQ-I"), lambda e: None)
            run = faults.seen[before:]
            assert report.outcome == Outcome.SUCCESS, report.summary
            n = report.counts["posted"]
            assert n == report.counts["documents"] >= INVOICES * 0.9

            writes = [(m, p) for m, p in run if m != "GET"]
            reads = [(m, p) for m, p in run if m == "GET"]
            masters = sage.books.store.count("ARCustomers") - customers_before
            batches = sum(1 for m, p in writes if m == "POST" and p.endswith("Batches"))
            assert batches == 1  # one A/R batch for the run, however the documents arrived
            assert len(writes) == n + masters + batches
            # Reads go by pages of documents (a $filter per FILTER_CHUNK numbers) and by the setup's
            # pages, never by document.
            assert len([p for _, p in reads if p.endswith("ARPostedDocuments")]) == math.ceil(n / FILTER_CHUNK)
            assert len(reads) <= 2 * math.ceil(n / FILTER_CHUNK) + 30, Counter(p.rsplit("/", 1)[-1] for _, p in reads)
            numbers = _ar_numbers(sage)
            assert len(numbers) == len(set(numbers)) == n

            # Every other invoice leaves Sage 300 (deleted from its batch there); rerunning the Manage
            # batch must find the rest in every part of its reads and post only the missing ones.
            store = sage.books.store
            with store._lock:  # arranging the company, as a Sage 300 user deleting entries would
                store._db.execute("DELETE FROM children WHERE entity = 'ARInvoiceBatches' AND seq % 2 = 0")
            kept = set(_ar_numbers(sage))
            assert 0 < len(kept) < n
            again = await session.rerun("REQ-I", lambda e: None)

            # A run stopped as soon as its journal holds the documents (the process killed before
            # any later part of the duplicate check answered) is finished from the journal: what the
            # check had not cleared was never sent, so it is not counted as posted, although Sage 300
            # holds every one of them from before.
            async def stopped(*args, **kwargs) -> None:  # noqa: ANN002, ANN003
                raise Stopped

            with monkeypatch.context() as patched, pytest.raises(Stopped):
                patched.setattr(pipeline, "post", stopped)
                await session.rerun("REQ-I", lambda e: None)
            with Journal() as journal:
                [killed] = journal.unfinished()
                at_kill = Counter(d.state for d in journal.documents(killed.run_id))
                # Not yet cleared, they are stored by their currency only (encoded whole once cleared).
                unchecked = journal.documents(killed.run_id, (DocumentState.NOT_POSTED,))
                assert unchecked and all(doc_codec.currency_of(d.body) for d in unchecked)
            assert at_kill[DocumentState.DUPLICATE] >= 1 and at_kill[DocumentState.NOT_POSTED] >= n - FILTER_CHUNK
            assert at_kill[DocumentState.DUPLICATE] + at_kill[DocumentState.NOT_POSTED] == n
            finished = await session.finish(killed.run_id, lambda e: None)
            assert not finished.unfinished and finished.counts["posted"] == 0

        assert again.outcome == Outcome.SUCCESS, again.summary
        assert again.counts["posted"] == n - len(kept) and again.counts["duplicate"] == len(kept)
        numbers = _ar_numbers(sage)
        assert len(numbers) == len(set(numbers)) == n
        with Journal() as journal:
            states = [d.state for d in journal.documents(again.run_id)]
            posted = journal.documents(again.run_id, (DocumentState.POSTED,))
        assert Counter(states) == {DocumentState.POSTED: n - len(kept), DocumentState.DUPLICATE: len(kept)}
        # Every document handed to the package was stored whole first, those of the later parts too.
        assert [doc_codec.loads(d.body).key for d in posted] == [d.key for d in posted]
