"""No Sage sign-in secret (client secret, any access or refresh token the sandbox ever issued, old or
rotated) in any file the product wrote (profiles, journal, logs, error lists, locks) nor in anything it
printed, across an authorisation, a killed run, its finish, a run whose token expired, and a payment sync."""

from __future__ import annotations

import signal

from mobius_tui.sandbox.sage_cloud import create_sandbox

from .e2e import PROFILE, cloud_env
from .test_cli_e2e import EXPORT, ExpireMidRun


def every_file(*roots):
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def test_no_token_or_client_secret_in_files_or_output(manage_sandbox, app_dirs, file_keyring):
    faults = ExpireMidRun()
    with create_sandbox(manage_sandbox.store.dataset, faults=faults) as sage:
        faults.oauth = sage.oauth
        cloud = cloud_env(manage_sandbox, sage)
        victim = manage_sandbox.store.unposted_invoices()[0].number
        sage.business.refusals[victim] = ("base", f"refused for {sage.secrets['client_secret']}")  # quoted back
        outputs = []
        killed = cloud.run([*EXPORT, "--batch-number", "SEC-1", "--json"], {"MOBIUS_TUI_CRASH_AT": "after-post:3"})
        assert killed.returncode == -signal.SIGKILL
        for args in (["finish", "--all", "--profile", PROFILE, "--json"],
                     [*EXPORT, "--batch-number", "SEC-2"],
                     ["sync-payments", "--profile", PROFILE, "--start", "past-week"],
                     ["profiles", "show", PROFILE, "--json"]):
            done = cloud.run(args)
            outputs += [done.stdout, done.stderr]
        outputs += [killed.stdout, killed.stderr]
        assert sage.oauth.refreshes >= 1  # rotated tokens are among those searched for
        secrets = [sage.secrets["client_secret"], *sage.oauth.access_tokens, *sage.oauth.refresh_tokens]
    assert len(secrets) >= 5
    files = every_file(*app_dirs)
    names = {p.name for p in files}
    assert "profiles.json" in names and "journal.sqlite" in names and any(n.endswith(".log") for n in names)
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"{secret[:4]}… found in {path}"
    assert any("refused for ***" in text for text in outputs)
    for text in outputs:
        for secret in secrets:
            assert secret not in text
