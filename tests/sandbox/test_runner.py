from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import httpx

from mobius_tui.sandbox.runner import start_sandboxes


def test_start_sandboxes_serves_manage() -> None:
    with start_sandboxes(size=10, seed=2) as sb:
        info = sb.as_json()["manage"]
        assert info["url"] == sb.manage.url and info["company_id"] == "mobiusdemo"
        r = httpx.get(f"{sb.manage.api_url}/finance/accounting/unpostedinvoices/count",
                      auth=(f"{info['company_id']}+{info['public_key']}", info["private_key"]),
                      headers={"clientId": info["client_id"]})
        assert r.json() == {"count": 10}


def test_cli_prints_json_first_and_exits_zero_on_interrupt() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "mobius_tui.cli", "sandbox", "--json", "--size", "12"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ})
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        info = json.loads(line)
        manage = info["manage"]
        assert {"url", "api_url", "company_id", "public_key", "private_key", "client_id", "integrator_username",
                "integrator_password", "member_identifier"} <= set(manage)
        company = httpx.get(f"{manage['url']}/login/companyinfo/{manage['company_id']}").json()
        assert company["Codebase"] == "v4_6_release/"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
