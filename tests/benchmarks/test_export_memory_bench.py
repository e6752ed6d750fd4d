"""Benchmark: peak memory of the command line exporting ~11,000 invoices (~54,000 GLExport lines).

Run on demand: ``.venv/bin/pytest tests/benchmarks/test_export_memory_bench.py -s -p no:randomly``
(``BENCH_INVOICES`` to change the size). Target: under 300 MB peak RSS, dry run and real run.

The Manage sandbox runs in a child process; the export runs as the real CLI in another child
process (``mobius-tui export``, Dynamics SL on SQLite through ODBC in that process, as in
production) whose peak resident set size is what is printed. ``BENCH_CLIENT_ROOT`` runs the CLI
from another checkout of the project (to measure a baseline with the same harness).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from multiprocessing.connection import Connection
from types import SimpleNamespace

import pytest

from mobius_tui.sandbox.dataset import generate
from mobius_tui.sandbox.manage import DEMO
from tests.dynamics_sl.fixtures import pg_server, sl_templates  # noqa: F401 - fixtures
from tests.service.harness import app_dirs, make_env, run_cli  # noqa: F401 - fixtures

pytestmark = pytest.mark.timeout(3600)

INVOICES = int(os.environ.get("BENCH_INVOICES", "11000"))
SEED = 7
_CLI_WITH_PEAK = (
    "import os, resource, sys, threading, time, traceback\n"
    "root = os.environ.get('BENCH_CLIENT_ROOT')\n"
    "sys.path.insert(0, root) if root else None\n"
    "main_thread = threading.main_thread().ident\n"
    "top = [0, '']\n"
    "def sample():\n"
    "    page = os.sysconf('SC_PAGE_SIZE')\n"
    "    while True:\n"
    "        with open('/proc/self/statm') as f:\n"
    "            rss = int(f.read().split()[1]) * page\n"
    "        if rss > top[0]:\n"
    "            frames = traceback.extract_stack(sys._current_frames()[main_thread])\n"
    "            top[:] = rss, ' < '.join(f'{f.name} ({os.path.basename(f.filename)}:{f.lineno})'\n"
    "                                     for f in reversed(frames) if 'mobius_tui' in f.filename)[:600]\n"
    "        time.sleep(0.01)\n"
    "threading.Thread(target=sample, daemon=True).start()\n"
    "from mobius_tui.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print(f'PEAK_RSS_MB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}', file=sys.stderr)\n"
    "print(f'PEAK_AT={top[1]}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _serve(pipe: Connection) -> None:
    from mobius_tui.sandbox.manage.harness import running_manage_sandbox

    with running_manage_sandbox(size=INVOICES, seed=SEED, history=False) as sb:
        pipe.send(sb.url)
        pipe.recv()


def _peak(stderr: str) -> tuple[int, str]:
    """The child's peak RSS, and where its main thread was when a 10 ms sampler saw the highest RSS."""
    found = dict(line.split("=", 1) for line in stderr.splitlines() if line.startswith(("PEAK_RSS_MB=", "PEAK_AT=")))
    return int(found["PEAK_RSS_MB"]), found.get("PEAK_AT", "")


async def test_export_peak_memory(tmp_path, sl_templates) -> None:  # noqa: F811
    dataset = generate(SEED, INVOICES)
    lines = sum(len(i.lines) for i in dataset.invoices)
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(theirs,), daemon=True)
    server.start()
    try:
        url = ours.recv()
        env = make_env(SimpleNamespace(url=url, credentials=DEMO, store=SimpleNamespace(dataset=dataset)),
                       tmp_path, sl_templates)
        base = ["export", "--profile", "demo", "--invoices", "--yes", "--batch-number", "MEM-I"]
        figures = []
        for label, extra in (("dry run", ["--dry-run"]), ("real run", [])):
            started = time.perf_counter()
            done = run_cli(env, base + extra, script=_CLI_WITH_PEAK, timeout=3000)
            wall = time.perf_counter() - started
            assert done.returncode == 0, done.stderr[-2000:]
            figures.append((label, *_peak(done.stderr), wall))
        posted = env.count("SELECT COUNT(*) FROM ARDoc WHERE DocType IN ('IN', 'CM')")
    finally:
        ours.send("done")
        server.join(10)
        if server.is_alive():
            server.kill()
    print(f"\nexport memory, {len(dataset.invoices)} invoices, {lines} invoice lines, load {os.getloadavg()[0]:.2f}:")
    for label, peak, where, wall in figures:
        print(f"  {label}: peak RSS {peak} MB (target < 300 MB), wall {wall:.1f} s")
        print(f"    highest sampled RSS in: {where or '(not sampled)'}")
    assert posted > 0.9 * len(dataset.invoices)
