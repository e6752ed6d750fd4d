"""Schedules, end to end: installed into a temporary systemd-user-like unit folder and a temporary
crontab (the systemctl and crontab commands are stand-in scripts; nothing on the machine changes),
then run the way the scheduler runs them, against the Manage sandbox and a sandbox SL company."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
from datetime import date
from types import SimpleNamespace

import pytest

from mobius_tui import cli
from mobius_tui.accounting.dynamics_sl import DynamicsSL
from mobius_tui.service import alerts as al
from mobius_tui.service.history import History
from mobius_tui.service.lock import RunLock, target_key
from mobius_tui.service.schedules import ScheduleError, When, parse_at, parse_every, thru_date
from tests.headless import run
from tests.service.harness import ROOT, run_cli
from tests.unattended.receivers import smtp_server, webhook_receiver

TODAY = date.today()


@pytest.fixture(autouse=True)
def environ_restored():
    """``schedule run`` loads its environment file into the process, as the scheduled process would."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def scheduler(tmp_path, monkeypatch):
    """A unit folder, a systemctl that only notes its calls, a crontab kept in a file."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls, cron_file = tmp_path / "systemctl-calls.txt", tmp_path / "crontab.txt"
    systemctl = bin_dir / "systemctl"
    systemctl.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n[ -z "$SYSTEMCTL_FAILS" ] || {{ echo "Failed to connect to bus" >&2; exit 1; }}\n')
    crontab = bin_dir / "crontab"
    crontab.write_text(
        "#!/bin/sh\n"
        f'case "$1" in\n'
        f'  -l) if [ -f {cron_file} ]; then cat {cron_file}; else echo "no crontab for $(id -un)" >&2; exit 1; fi ;;\n'
        f"  -) cat > {cron_file} ;;\n"
        '  *) echo "usage: crontab [-l | -]" >&2; exit 1 ;;\n'
        "esac\n")
    for script in (systemctl, crontab):
        script.chmod(0o755)
    units = tmp_path / "systemd-user"
    monkeypatch.setenv("MOBIUS_TUI_SYSTEMD_UNIT_DIR", str(units))
    monkeypatch.setenv("MOBIUS_TUI_SYSTEMCTL", f"{systemctl} --user")
    monkeypatch.setenv("MOBIUS_TUI_CRONTAB", str(crontab))
    return SimpleNamespace(units=units, calls=calls, cron_file=cron_file)


@pytest.fixture
def env(manage_sandbox, new_env, tmp_path):
    """A profile whose secrets are only in an environment file (0600), as on a server without a keyring
    (in place of the shared ``env``, which puts them in this process's environment)."""
    env = new_env(manage_sandbox)
    path = tmp_path / "mobius.env"
    path.write_text("# secrets for scheduled runs\n" + "".join(f"{k}={v}\n" for k, v in env.env_vars().items()))
    path.chmod(0o600)
    env.env_file = path
    return env


def unit_exec(service_text: str) -> tuple[list[str], dict[str, str]]:
    """ExecStart= and Environment= of a service unit, read the way systemd reads them."""
    command = next(line.split("=", 1)[1] for line in service_text.splitlines() if line.startswith("ExecStart="))
    environ = dict(shlex.split(line.split("=", 1)[1])[0].split("=", 1)
                   for line in service_text.splitlines() if line.startswith("Environment="))
    return shlex.split(command), environ


def test_systemd_timer_installed_and_run_as_the_unit_runs_it(env, scheduler, monkeypatch, manage_sandbox):
    monkeypatch.setenv("MOBIUS_TUI_SCHEDULER", "systemd")
    code, out, err = run("schedule", "add", "demo", "--export", "invoices", "--every", "1h", "--sync-payments",
                         "--start", "past-week", "--env-file", str(env.env_file))
    assert code == 0, out + err
    assert "missing" not in err  # every secret is in the environment file
    service = (scheduler.units / "mobius-tui-demo.service").read_text()
    timer = (scheduler.units / "mobius-tui-demo.timer").read_text()
    assert "OnCalendar=*-*-* 00/1:00:00" in timer and "Persistent=true" in timer
    assert "Description=Mobius TUI schedule demo (profile demo)" in service and "Type=oneshot" in service
    command, environ = unit_exec(service)
    assert command == [sys.executable, "-m", "mobius_tui", "schedule", "run", "demo", "--json"]
    assert set(environ) == {"MOBIUS_TUI_CONFIG_DIR", "MOBIUS_TUI_DATA_DIR"}
    assert not any(secret in service + timer for secret in env.secret_values() if secret)
    assert scheduler.calls.read_text().splitlines() == ["--user daemon-reload", "--user enable --now mobius-tui-demo.timer"]

    # what the timer starts: the unit's own command and environment, secrets only in the env file
    refused = manage_sandbox.store.unposted_invoices()[0].number
    env.refuse([refused], "period closed")
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/"), "PYTHONPATH": str(ROOT)}
    first = subprocess.run(command, env={**base, **environ}, capture_output=True, text=True, timeout=120)
    assert first.returncode == cli.EXIT_PARTIAL, first.stdout + first.stderr
    events = [json.loads(line) for line in first.stdout.splitlines()]
    number = f"{TODAY:%Y%m%d}JD-I"
    export = next(e for e in events if e["event"] == "report" and e.get("action") == "export")
    assert export["batch_identifier"] == number and export["outcome"] == "partial"
    assert any(e["event"] == "report" and e.get("action") == "sync-payments" for e in events)
    assert not any(s in first.stdout + first.stderr for s in env.secret_values() if s)
    # a second run on the same day: the run counter keeps the batch numbers apart
    env.allow()
    second = subprocess.run(command, env={**base, **environ}, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stdout + second.stderr
    assert manage_sandbox.store.batch_by_identifier(f"{number}-1") is not None
    runs = History().runs()
    assert [(r.kind, r.origin, r.schedule) for r in runs] == [("payment sync", "scheduled", "demo"),
                                                               ("new batch", "scheduled", "demo")] * 2
    assert History().last_scheduled("demo").outcome == "success"

    code, out, _ = run("schedule", "list")
    assert code == 0 and "demo: profile demo, export invoices through yesterday then sync payments since past-week, " \
                         "every 1h  last run" in out
    code, out, _ = run("schedule", "remove", "demo")
    assert code == 0 and not list(scheduler.units.iterdir())
    assert scheduler.calls.read_text().splitlines()[-2:] == ["--user disable --now mobius-tui-demo.timer",
                                                             "--user daemon-reload"]


def test_crontab_line_installed_run_and_removed(env, scheduler, monkeypatch, manage_sandbox):
    monkeypatch.setenv("MOBIUS_TUI_SCHEDULER", "cron")
    scheduler.cron_file.write_text("MAILTO=ops@example.com\n15 3 * * * /usr/bin/backup\n")
    code, out, err = run("schedule", "add", "demo", "--name", "nightly", "--export", "invoices", "--at", "02:00",
                         "--thru", "end-of-last-month", "--env-file", str(env.env_file))
    assert code == 0, out + err
    lines = scheduler.cron_file.read_text().splitlines()
    assert lines[:2] == ["MAILTO=ops@example.com", "15 3 * * * /usr/bin/backup"]
    (line,) = lines[2:]
    assert line.startswith("0 2 * * * MOBIUS_TUI_CONFIG_DIR=") and line.endswith(" # mobius-tui schedule nightly")
    assert f"{shlex.quote(sys.executable)} -m mobius_tui schedule run nightly --json >> " in line
    assert not any(secret in line for secret in env.secret_values() if secret)
    code, out, err = run("schedule", "run", "nightly")
    assert code == 0, out + err
    assert f"{TODAY:%Y%m%d}JD-I" in out
    (scheduled,) = History().runs()
    assert (scheduled.origin, scheduled.schedule, scheduled.outcome) == ("scheduled", "nightly", "success")
    assert scheduled.counts["posted"] > 0
    code, _, _ = run("schedule", "remove", "nightly")
    assert code == 0
    assert scheduler.cron_file.read_text().splitlines() == ["MAILTO=ops@example.com", "15 3 * * * /usr/bin/backup"]


def test_failed_scheduled_run_alerts_by_mail_and_webhook(env, scheduler, monkeypatch, manage_sandbox):
    monkeypatch.setenv("MOBIUS_TUI_SCHEDULER", "cron")
    with env.sl() as sl:  # the chart loses an account the invoices use: the check fails
        sl.execute("DELETE FROM vs_AcctSub WHERE Acct = '4100'")
        sl.execute("DELETE FROM Account WHERE Acct = '4100'")
        sl.commit()
    with smtp_server("alerts@example.com", "Smtp-Pw-31a") as box, webhook_receiver() as hook:
        with env.env_file.open("a") as f:
            f.write(f"{al.SMTP_PASSWORD_ENV}=Smtp-Pw-31a\n{al.WEBHOOK_URL_ENV}={hook.url}\n")
        assert run("alerts", "set", "demo", "--smtp-host", box.host, "--smtp-port", str(box.port), "--no-starttls",
                   "--smtp-user", "alerts@example.com", "--mail-to", "books@example.com", "--webhook")[0] == 0
        assert run("schedule", "add", "demo", "--export", "invoices", "--every", "15m",
                   "--env-file", str(env.env_file))[0] == 0
        code, out, err = run("schedule", "run", "demo", "--json")
        (mail,), (post,) = box.messages, hook.posts
    assert code == cli.EXIT_FAILED, out + err
    assert mail["Subject"].strip() == "Mobius TUI: new batch check failed on profile demo (scheduled demo)"
    body = mail.get_body(("plain",)).get_content()
    assert "GL account 4100 not in Dynamics SL" in body and "fix:" in body
    assert "See the rest: mobius-tui check --profile demo" in body
    (attachment,) = list(mail.iter_attachments())
    assert "GL account 4100" in attachment.get_content()
    assert post["json"]["what"] == "check failed" and post["json"]["origin"] == "scheduled demo"
    deliveries = [json.loads(line) for line in out.splitlines() if '"event": "alerts"' in line]
    assert [d["ok"] for d in deliveries[0]["deliveries"]] == [True, True]
    assert History().last_scheduled("demo").outcome == "failed"
    assert "Smtp-Pw-31a" not in out + err and "secret-token" not in out + err


def test_failing_alert_channel_never_hides_the_result(env, scheduler, monkeypatch, manage_sandbox):
    monkeypatch.setenv("MOBIUS_TUI_SCHEDULER", "cron")
    env.refuse([manage_sandbox.store.unposted_invoices()[0].number], "period closed")
    with webhook_receiver(status=500) as hook:
        with env.env_file.open("a") as f:
            f.write(f"{al.WEBHOOK_URL_ENV}={hook.url}\n")
        assert run("alerts", "set", "demo", "--webhook")[0] == 0
        assert run("schedule", "add", "demo", "--export", "invoices", "--every", "1h",
                   "--env-file", str(env.env_file))[0] == 0
        code, out, err = run("schedule", "run", "demo")
    assert code == cli.EXIT_PARTIAL and out.startswith("PARTIAL:"), out + err
    assert "alert NOT sent by webhook: the webhook at 127.0.0.1 answered 500" in err
    (run_,) = History().runs()
    assert "alert NOT sent by webhook" in open(run_.log_path).read()  # the run's log says so too


def test_lock_held_or_unfinished_run_exits_5_at_once_and_alerts(env, scheduler, monkeypatch):
    monkeypatch.setenv("MOBIUS_TUI_SCHEDULER", "cron")
    with webhook_receiver() as hook:
        with env.env_file.open("a") as f:
            f.write(f"{al.WEBHOOK_URL_ENV}={hook.url}\n")
        assert run("alerts", "set", "demo", "--webhook")[0] == 0
        assert run("schedule", "add", "demo", "--export", "invoices", "--sync-payments", "--every", "1h",
                   "--env-file", str(env.env_file))[0] == 0
        p = env.profile
        with RunLock(target_key(p.site, p.company_id, p.package, DynamicsSL.books_identity(p.package_values)), "export"):
            code, out, err = run("schedule", "run", "demo")
    assert code == cli.EXIT_LOCKED and "Another run is already working" in err
    (post,) = hook.posts  # the sync after it is not attempted
    assert post["json"]["what"] == "could not start" and "Another run is already working" in post["json"]["text"]
    (refused,) = History().runs()
    assert (refused.outcome, refused.origin, refused.kind) == ("failed", "scheduled", "new batch")
    assert "Another run is already working" in refused.summary


def test_bad_input(env, scheduler, monkeypatch):
    monkeypatch.setenv("MOBIUS_TUI_SCHEDULER", "systemd")
    for args, words in (
        (("--export", "invoices", "--every", "7m"), "does not divide an hour or a day"),
        (("--export", "invoices", "--every", "soon"), "is not an interval"),
        (("--export", "invoices", "--at", "25:00"), "is not a time of day"),
        (("--export", "invoices"), "Say when"),
        (("--export", "receipts", "--every", "1h"), "'receipts' is not a kind of record"),
        (("--every", "1h"), "The schedule does nothing"),
    ):
        code, _, err = run("schedule", "add", "demo", *args)
        assert code == 64 and words in err, (args, err)
    code, _, err = run("schedule", "add", "nobody", "--export", "invoices", "--every", "1h")
    assert code == cli.EXIT_CONFIG and "There is no profile named 'nobody'" in err
    assert run("schedule", "add", "demo", "--export", "invoices", "--every", "1h", "--env-file", str(env.env_file))[0] == 0
    env.env_file.chmod(0o644)  # opened up after the schedule was made: the run refuses it too
    code, _, err = run("schedule", "run", "demo")
    assert code == cli.EXIT_CONFIG and f"chmod 600 {env.env_file}" in err and "(mode 0644)" in err
    assert run("schedule", "remove", "demo")[0] == 0
    code, _, err = run("schedule", "add", "demo", "--export", "invoices", "--every", "1h", "--env-file", str(env.env_file))
    assert code == cli.EXIT_CONFIG and f"chmod 600 {env.env_file}" in err
    code, _, err = run("schedule", "run", "nosuch")
    assert code == cli.EXIT_CONFIG and "There is no schedule named 'nosuch'" in err
    # secrets only in this shell's environment: the schedule is made, with a warning naming each one
    for name, value in env.env_vars().items():
        monkeypatch.setenv(name, value)
    code, out, err = run("schedule", "add", "demo", "--name", "no-secrets", "--export", "invoices", "--every", "1h")
    assert code == 0 and "warning: The private key for profile 'demo' is missing" in err
    assert "put it in --env-file" in err and "MOBIUS_PRIVATE_KEY" in err
    assert run("schedule", "remove", "no-secrets")[0] == 0
    monkeypatch.setenv("SYSTEMCTL_FAILS", "1")
    code, _, err = run("schedule", "add", "demo", "--export", "invoices", "--every", "1h")
    assert code == cli.EXIT_CONFIG and "Failed to connect to bus" in err and "nothing was installed" in err
    assert not list(scheduler.units.iterdir()) and run("schedule", "list")[1].startswith("No schedules")


def test_when_and_thru():
    assert parse_every("15m") == When(minutes=15) and parse_every("6h").on_calendar() == "*-*-* 00/6:00:00"
    assert parse_every("30m").cron() == "*/30 * * * *" and parse_every("24h").cron() == "0 0 * * *"
    assert parse_at("2:05") == When(at="02:05") and parse_at("02:05").cron() == "5 2 * * *"
    assert parse_every("1h").describe() == "every 1h" and parse_at("02:00").on_calendar() == "*-*-* 02:00:00"
    for bad in ("0m", "45m", "5h", "1w", ""):
        with pytest.raises(ScheduleError):
            parse_every(bad)
    assert thru_date("end-of-last-month", date(2026, 3, 15)) == date(2026, 2, 28)
    assert thru_date("yesterday", date(2026, 3, 1)) == date(2026, 2, 28)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", thru_date("today", TODAY).isoformat())


def test_unfinished_run_in_the_way_exits_5(env, scheduler, monkeypatch):
    monkeypatch.setenv("MOBIUS_TUI_SCHEDULER", "cron")
    killed = run_cli(env, ["export", "--profile", "demo", "--invoices", "--yes", "--batch-number", "K-I"],
                     {"MOBIUS_TUI_CRASH_AT": "before-batch"})
    assert killed.returncode == -signal.SIGKILL
    assert run("schedule", "add", "demo", "--export", "invoices", "--every", "1h", "--env-file", str(env.env_file))[0] == 0
    code, _, err = run("schedule", "run", "demo")
    assert code == cli.EXIT_LOCKED and "did not finish" in err and "mobius-tui finish" in err
    refused, unfinished = History().runs()
    assert refused.origin == "scheduled" and refused.outcome == "failed" and unfinished.needs_finish
