"""A whole export run against Sage 300 whose answer to one document is lost: the service, not the
adapter, settles that document, and the Manage batch is only recorded once Sage 300 can say it holds it.

Manage sandbox and Sage 300 sandbox, both over real HTTP, driven through the service session.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import pytest

from mobius_tui.accounting.sage300 import Sage300
from mobius_tui.sandbox.faults import Faults
from mobius_tui.sandbox.sage300 import create_sandbox
from mobius_tui.service.events import Event, Outcome
from mobius_tui.service.journal import Journal
from mobius_tui.service.options import ExportOptions
from mobius_tui.service.profiles import Profile, save_profile
from mobius_tui.service.reports import DocumentState
from mobius_tui.service.secrets import Secrets
from mobius_tui.service.session import Session

TODAY = date(2025, 6, 30)  # the dataset is dated in the quarter before this day
BATCH = "20250630JD-I"


@dataclass
class AnswerLost(Faults):
    """The first write into an A/R batch is stored but its answer is lost; from then on every read of
    an A/R batch is dropped too (no look-up can tell), until ``answering`` is set again."""

    lost: str = ""
    answering: bool = True

    def _take(self, method: str, path: str) -> str | None:
        if "ARInvoiceBatches" in path:
            kind = None
            with self._lock:
                if method == "PATCH" and not self.lost:
                    self.lost, self.answering, kind = path, False, "drop_after_commit"
                elif method == "GET" and not self.answering:
                    kind = "drop"
                if kind:
                    self.injected.append((kind, method, path))
            if kind:
                return kind
        return super()._take(method, path)


@pytest.fixture
def app_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("MOBIUS_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("MOBIUS_TUI_DATA_DIR", str(tmp_path / "data"))
    for name in ("MOBIUS_TUI_CRASH_AT", "MOBIUS_TUI_PROFILE"):
        monkeypatch.delenv(name, raising=False)


async def test_a_document_whose_answer_is_lost_is_settled_by_looking_it_up(app_dirs, manage_sandbox) -> None:
    faults = AnswerLost()
    with create_sandbox(manage_sandbox.store.dataset, today=lambda: TODAY, faults=faults) as sage:
        creds = manage_sandbox.credentials
        secret = {f.name for f in Sage300.settings if f.secret}
        profile = Profile(
            name="sage", site=manage_sandbox.url, company_id=creds.company_id, client_id=creds.client_id,
            public_key=creds.public_key, package=Sage300.name, initials="JD",
            # One request at a time: the lost answer is the first document's, the others go through.
            package_values={k: v for k, v in sage.settings.items() if k not in secret} | {"concurrency": 1})
        save_profile(profile, Sage300)
        secrets = Secrets({"private_key": creds.private_key, **{k: sage.settings[k] for k in secret}})
        invoices = manage_sandbox.store.unposted_counts()["invoices"]
        events: list[Event] = []

        async with await Session.open(profile, secrets) as session:
            report = await session.run_export(ExportOptions(thru_date=TODAY, batch_number=BATCH), events.append)
            assert faults.lost and [k for k, *_ in faults.injected][:2] == ["drop_after_commit", "drop"]
            # Sage 300 may hold it and could not be asked: neither failed nor left out of a Manage batch.
            assert report.unfinished and report.manage_batch_id is None
            assert manage_sandbox.store.batch_by_identifier(BATCH) is None
            with Journal() as journal:
                states = Counter(d.state for d in journal.documents(report.run_id))
                assert states == {DocumentState.POSTED: invoices - 1, DocumentState.PLANNED: 1}
                assert [r.run_id for r in journal.unfinished()] == [report.run_id]

            faults.answering = True  # Sage 300 answers again: finishing the run looks the document up
            done = await session.finish(report.run_id, events.append)

        assert done.outcome == Outcome.SUCCESS and not done.unfinished, done.summary
        with Journal() as journal:
            documents = journal.documents(report.run_id)
            assert {d.state for d in documents} == {DocumentState.POSTED}
            entry_ids = {i for d in documents for i in d.gl_entry_ids}
        # Sage 300 holds every invoice once, and the Manage batch holds every one of them.
        numbers = [e["DocumentNumber"] for e in sage.books.store.children("ARInvoiceBatches", "1")]
        assert len(numbers) == len(set(numbers)) == invoices
        batch = manage_sandbox.store.batch_by_identifier(BATCH)
        assert batch is not None and manage_sandbox.store.batched_entry_ids(batch.id) == entry_ids
        assert manage_sandbox.store.unposted_counts()["invoices"] == 0
