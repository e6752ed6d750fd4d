"""Benchmark: a whole export run of ~1,000 invoices to Sage 300 with 20 ms injected latency,
concurrency 4, end to end (export, plan, check, duplicate guard, post, journal, Manage batch).

Run on demand: ``.venv/bin/pytest tests/benchmarks/test_export_latency_bench.py -s -p no:randomly``.
Target: ``limit/wall`` >= 0.90, where the limit is N·t/c (N documents posted, t the latency, c the
concurrency): with one write per document the limit is the floor of the posting alone, so the ratio
says how much the rest of the run adds. Also printed: the Sage 300 requests of the run (at most one
write per document plus a few reads per page of documents).

Both sandboxes run in child processes (real servers are their own processes); latency is injected
into Sage 300 only. The figures include the client's CPU on a shared machine: the load is printed.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from datetime import date
from multiprocessing.connection import Connection

import pytest

from tests.benchmarks.latency_floor import measure_floor

from mobius_tui.accounting.sage300 import Sage300
from mobius_tui.sandbox.dataset import generate
from mobius_tui.sandbox.manage import DEMO
from mobius_tui.service.events import BatchRecorded, DocumentPosted, Outcome
from mobius_tui.service.options import ExportOptions
from mobius_tui.service.profiles import Profile, save_profile
from mobius_tui.service.secrets import Secrets
from mobius_tui.service.session import Session

pytestmark = pytest.mark.timeout(3600)

INVOICES = int(os.environ.get("BENCH_INVOICES", "1000"))
SEED = 11
LATENCY_MS = 20
CONCURRENCY = 4
TODAY = date(2025, 6, 30)


def _manage(pipe: Connection) -> None:
    from mobius_tui.sandbox.manage.harness import running_manage_sandbox

    with running_manage_sandbox(size=INVOICES, seed=SEED, history=False) as sb:
        pipe.send(sb.url)
        pipe.recv()


def _sage(pipe: Connection) -> None:
    from mobius_tui.sandbox.sage300 import create_sandbox

    with create_sandbox(generate(SEED, INVOICES), today=lambda: TODAY) as sb:
        sb.faults.latency_ms = LATENCY_MS
        pipe.send(sb.settings)
        while pipe.recv() != "done":  # requests so far, and the sandbox's CPU seconds (it competes for the cores)
            pipe.send((sb.faults.requests_seen, sum(os.times()[:2])))


def _start(target) -> tuple[Connection, multiprocessing.Process]:  # noqa: ANN001
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=target, args=(theirs,), daemon=True)
    process.start()
    return ours, process


async def test_export_1000_invoices_to_sage300_with_latency(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MOBIUS_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("MOBIUS_TUI_DATA_DIR", str(tmp_path / "data"))
    (manage_pipe, manage), (sage_pipe, sage) = _start(_manage), _start(_sage)
    try:
        url, settings = manage_pipe.recv(), sage_pipe.recv()
        secret = {f.name for f in Sage300.settings if f.secret}
        profile = Profile(name="bench", site=url, company_id=DEMO.company_id, client_id=DEMO.client_id,
                          public_key=DEMO.public_key, package=Sage300.name, initials="JD",
                          package_values={k: v for k, v in settings.items() if k not in secret}
                          | {"concurrency": CONCURRENCY})
        save_profile(profile, Sage300)
        secrets = Secrets({"private_key": DEMO.private_key, **{k: settings[k] for k in secret}})
        async with await Session.open(profile, secrets) as session:
            sage_pipe.send("count")
            before, sage_cpu = sage_pipe.recv()
            cpu = time.process_time()
            started = time.perf_counter()
            phases: dict[str, float] = {}
            marks: dict[str, float] = {}

            def seen(event) -> None:  # noqa: ANN001 - when each phase started, from the run's own events
                at = time.perf_counter() - started
                phase = getattr(event, "phase", None)
                if phase and phase not in phases:
                    phases[phase] = at
                if phase == "duplicates" and event.done == event.total:
                    marks["duplicate check answered"] = at
                if phase in ("export", "plan", "check") and event.done == event.total:
                    marks.setdefault(f"{phase} done", at)
                if isinstance(event, DocumentPosted):
                    marks.setdefault("first document posted", at)
                    marks["last document posted"] = at
                if isinstance(event, BatchRecorded):
                    marks["Manage batch recorded"] = at

            report = await session.run_export(ExportOptions(thru_date=date(2030, 1, 1), batch_number="LAT-I"), seen)
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu
            sage_pipe.send("count")
            requests, sage_cpu_after = sage_pipe.recv()
            requests -= before
    finally:
        for pipe in (manage_pipe, sage_pipe):
            pipe.send("done")
        for process in (manage, sage):
            process.join(10)
            if process.is_alive():
                process.kill()
    floor = await asyncio.to_thread(measure_floor, LATENCY_MS, CONCURRENCY)  # right after the run, same load
    posted = report.counts.get("posted", 0)
    limit = posted * LATENCY_MS / 1000 / CONCURRENCY
    print(f"\nexport to Sage 300, {posted} documents posted, latency {LATENCY_MS} ms, concurrency {CONCURRENCY}, "
          f"load {os.getloadavg()[0]:.2f}: wall {wall:.2f} s, limit N*t/c {limit:.2f} s, limit/wall "
          f"{limit / wall:.2f}; {requests} Sage 300 requests ({requests - posted} besides one per document)")
    print("  phases started at: " + ", ".join(f"{name} {at:.2f} s" for name, at in phases.items()))
    print("  " + ", ".join(f"{name} at {at:.2f} s" for name, at in sorted(marks.items(), key=lambda m: m[1])))
    first, last = marks.get("first document posted", 0.0), marks.get("last document posted", 0.0)
    posting = (posted - 1) * LATENCY_MS / 1000 / CONCURRENCY / (last - first) if last > first else 0.0
    print(f"  phases: first post {first:.2f} s after the start, posting {last - first:.2f} s "
          f"(ratio {posting:.2f} of its own N*t/c), after the last post {wall - last:.2f} s; "
          f"CPU: this process {cpu:.2f} s, the Sage 300 sandbox {sage_cpu_after - sage_cpu:.2f} s")
    print(f"  {floor.line()}")
    print(f"  end to end limit/wall {limit / wall:.3f} (target 0.90) = {limit / wall / floor.ratio:.3f} of the floor; "
          f"posting phase {posting:.3f} = {posting / floor.ratio:.3f} of the floor")
    assert report.outcome == Outcome.SUCCESS, report.summary
    assert posted > 0.9 * INVOICES
