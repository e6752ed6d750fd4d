"""Run history over a quarter of hourly scheduled runs. Run on demand:

    .venv/bin/pytest tests/benchmarks/test_history_bench.py -s -o addopts=""

2,190 runs of 20 documents each plus one run of 10,000, written through the journal's own
``start_run`` with document bodies of about 1 KB (as stored documents are), then read back the way
``mobius-tui history``, ``history show`` and the main screen's last scheduled run read them.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal

from mobius_tui.service.history import History, HistoryFilter
from mobius_tui.service.journal import Journal, JournalDocument
from mobius_tui.service.reports import DocumentState
from mobius_tui.service.run_records import SCHEDULED, Origin, note


def timed(label: str, fn):  # noqa: ANN001, ANN202
    start = time.perf_counter()
    out = fn()
    print(f"{label}: {time.perf_counter() - start:.3f}s")
    return out


def documents(run: int, n: int) -> list[JournalDocument]:
    return [JournalDocument(f"invoice:{run}-{i}", f"invoice {run}-{i}", Decimal("123.45"), (i,),
                            DocumentState.POSTED if i % 10 else DocumentState.FAILED, f"AR {run}/{i}",
                            "" if i % 10 else "period closed",
                            json.dumps({"currency": "USD" if i % 3 else "", "lines": ["x" * 60] * 15}))
            for i in range(n)]


def test_a_quarter_of_hourly_runs(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MOBIUS_TUI_DATA_DIR", str(tmp_path))
    with Journal() as journal:
        def fill() -> str:
            for run in range(2_190):
                run_id = journal.start_run("export", "books", documents(run, 20), profile="books", run_id=f"r{run:05d}")
                journal.finish_run(run_id, "partial")
                note(journal, run_id, Origin(SCHEDULED, "hourly"))
            big = journal.start_run("export", "books", documents(99_999, 10_000), profile="books", run_id="big")
            journal.finish_run(big, "partial")
            return big

        big = timed("write 2,191 runs / 53,800 documents (synchronous journal writes)", fill)
    history = History()
    runs = timed("history (50 newest, with counts and totals per currency)", lambda: history.runs(limit=50))
    assert len(runs) == 50 and runs[0].totals["posted"]
    timed("history --limit 500", lambda: history.runs(limit=500))
    timed("history --outcome partial --profile books --since 2000-01-01 (500)", lambda: history.runs(
        HistoryFilter(outcomes=("partial",), profiles=("books",)), limit=500))
    detail = timed("history show (10,000 documents)", lambda: history.run(big))
    assert len(detail.documents) == 10_000
    timed("last scheduled run (main screen)", lambda: history.last_scheduled("books"))
