"""Alerts, end to end: runs that fail for real (Manage sandbox + sandbox Dynamics SL), their
alert delivered to a real SMTP server and a real HTTP receiver on loopback."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from mobius_tui import cli
from mobius_tui.sandbox.dynamics_sl import refuse_documents
from mobius_tui.service import alerts as al
from mobius_tui.service.options import ExportOptions
from mobius_tui.service.reports import StartChoice
from mobius_tui.service.wording import format_totals
from tests.headless import run
from tests.service.test_rerun_payments_lock_e2e import TODAY, open_invoices, pay, release_ar
from tests.unattended.receivers import smtp_server, webhook_receiver

SMTP_PASSWORD = "Smtp-Pw-77d1e9"


def settings(box, *, webhook=False, user="alerts@example.com", on_success=False):
    smtp = al.SmtpSettings(box.host, box.port, starttls=False, user=user, sender="mobius@example.com",
                           to=("books@example.com", "it@example.com")) if box else None
    return al.AlertSettings("demo", smtp=smtp, webhook=webhook, on_success=on_success)


async def test_partial_run_alert_by_mail_and_webhook(env, manage_sandbox):
    refused = [i.number for i in manage_sandbox.store.unposted_invoices()[:3]]
    env.refuse(refused[:2], "period 12-2026 is closed")
    with env.sl() as s:  # a second cause: the invoice's lines are refused
        refuse_documents(s, refused[2:], "customer on credit hold", table="ARTran")
    async with await env.session() as session:
        report = await session.run_export(ExportOptions(TODAY, invoices=True, batch_number="AL-I"), env.emit)
    assert report.outcome.value == "partial"
    alert = al.alert_for_run(report, "demo", origin="scheduled demo-nightly")
    with smtp_server("alerts@example.com", SMTP_PASSWORD) as box, webhook_receiver() as hook:
        deliveries = al.send(alert, settings(box, webhook=True),
                             {al.SMTP_PASSWORD: SMTP_PASSWORD, al.WEBHOOK_URL: hook.url})
        assert [(d.channel, d.ok) for d in deliveries] == [("e-mail", True), ("webhook", True)], deliveries
        (mail,), (post,) = box.messages, hook.posts
    assert box.logins == [("alerts@example.com", True)]
    assert box.recipients == [["books@example.com", "it@example.com"]]
    assert mail["Subject"].strip() == "Mobius TUI: new batch partial on profile demo (scheduled demo-nightly)"
    body = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert report.summary in body and f"Run: {report.run_id} (partial)" in body
    assert f"Total posted: {format_totals(report.totals['posted'])}" in body
    assert " CAD" in body and " USD" in body  # totals per currency
    # grouped by cause, the most frequent first, each with its fix
    causes = [line for line in body.splitlines() if line.startswith("  - ")]
    assert len(causes) == 2 and "period 12-2026 is closed" in causes[0] and causes[0].endswith(" (2)")
    assert "customer on credit hold" in causes[1] and causes[1].endswith(" (1)")
    assert body.count("fix: Correct the cause") == 2
    assert f"See the rest: mobius-tui history show {report.run_id}" in body
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == f"errors-{report.run_id}.txt"
    listed = attachment.get_content()
    assert all(f"invoice {n}" in listed for n in refused) and listed.splitlines() == report.error_lines
    assert post["content_type"] == "application/json"
    data = post["json"]
    assert data["text"] == body and data["outcome"] == "partial" and data["run_id"] == report.run_id
    assert data["totals"]["posted"] == {c: str(a) for c, a in report.totals["posted"].items()}
    assert [e["cause"] for e in data["errors"]] == [g.cause for g in alert.groups]
    assert data["errors"][0]["count"] == 2 and len(data["errors"][0]["examples"]) == 2


async def test_check_failed_alert_names_the_causes_and_fixes(env, manage_sandbox):
    with env.sl() as sl:
        sl.execute("DELETE FROM vs_AcctSub WHERE Acct = '4100'")
        sl.execute("DELETE FROM Account WHERE Acct = '4100'")
        sl.commit()
    async with await env.session() as session:
        report = await session.run_export(ExportOptions(TODAY, invoices=True, batch_number="AL-I"), env.emit)
    alert = al.alert_for_run(report, "demo")
    assert alert.what == "check failed" and alert.needed and alert.command == "mobius-tui check --profile demo"
    (group,) = alert.groups
    assert group.cause.startswith("GL account 4100 not in Dynamics SL") and group.fix and group.examples
    with webhook_receiver() as hook:
        (delivery,) = al.send(alert, settings(None, webhook=True), {al.WEBHOOK_URL: hook.url})
    assert delivery.ok and hook.posts[0]["json"]["what"] == "check failed"


async def test_success_is_only_sent_when_asked(env):
    async with await env.session() as session:
        report = await session.run_export(ExportOptions(TODAY, invoices=True, batch_number="AL-I"), env.emit)
    alert = al.alert_for_run(report, "demo")
    assert alert.what == "succeeded" and not alert.needed
    with webhook_receiver() as hook:
        assert al.send(alert, settings(None, webhook=True), {al.WEBHOOK_URL: hook.url}) == []
        (sent,) = al.send(alert, settings(None, webhook=True, on_success=True), {al.WEBHOOK_URL: hook.url})
    assert sent.ok and len(hook.posts) == 1


def test_alerts_cli_set_show_test(env, monkeypatch):
    with smtp_server("alerts@example.com", SMTP_PASSWORD) as box:
        code, out, err = run("alerts", "set", "demo", "--smtp-host", box.host, "--smtp-port", str(box.port),
                             "--no-starttls", "--smtp-user", "alerts@example.com", "--mail-to", "books@example.com")
        assert code == 0, out + err
        saved = al.settings_file().read_text()
        assert SMTP_PASSWORD not in saved and "books@example.com" in saved
        monkeypatch.setenv(al.SMTP_PASSWORD_ENV, SMTP_PASSWORD)
        code, out, err = run("alerts", "test", "demo")
        assert code == 0 and "e-mail: sent, e-mailed to books@example.com" in out, out + err
        (mail,) = box.messages
        assert "test message" in mail.get_body(("plain",)).get_content()
        # a login the server refuses: a clear message, a non-zero exit, the password nowhere
        monkeypatch.setenv(al.SMTP_PASSWORD_ENV, "wrong-password-123")
        code, out, err = run("alerts", "test", "demo", "--json")
        assert code == cli.EXIT_CONFIG
        (delivery,) = json.loads(out)["deliveries"]
        assert not delivery["ok"] and "refused the login of alerts@example.com (535" in delivery["message"]
        assert "check the user and the smtp_password secret" in delivery["message"]
        assert "wrong-password-123" not in out + err and len(box.messages) == 1
    code, out, _ = run("alerts", "show", "demo")
    assert code == 0 and f"e-mail: {box.host}:{box.port}, login alerts@example.com" in out


def test_webhook_answering_500_is_a_clear_failure(env, monkeypatch):
    with webhook_receiver(status=500) as hook:
        monkeypatch.setenv(al.WEBHOOK_URL_ENV, hook.url)
        assert run("alerts", "set", "demo", "--webhook")[0] == 0
        code, out, err = run("alerts", "test", "demo")
    assert code == cli.EXIT_CONFIG and len(hook.posts) == 1
    assert "webhook: FAILED: the webhook at 127.0.0.1 answered 500: internal error" in out
    assert "secret-token-4f1c" not in out + err  # the URL is a secret


def test_bad_alert_settings(env):
    code, _, err = run("alerts", "set", "nobody", "--webhook")
    assert code == cli.EXIT_CONFIG and "There is no profile named 'nobody'" in err
    code, _, err = run("alerts", "set", "demo", "--smtp-host", "smtp.example.com")
    assert code == 64 and "Nobody to e-mail: give --mail-to" in err
    code, _, err = run("alerts", "set", "demo", "--smtp-host", "smtp.example.com", "--mail-to", "books")
    assert code == 64 and "'books' is not an e-mail address" in err
    code, _, err = run("alerts", "test", "demo")
    assert code == cli.EXIT_CONFIG and "has no alerts to test" in err
    with smtp_server() as box:  # nothing listens on the next port: unreachable, and said so
        pass
    unreachable = al.AlertSettings("demo", smtp=al.SmtpSettings(box.host, box.port, starttls=False, to=("a@b.c",)))
    (delivery,) = al.send(al.trial_alert("demo"), unreachable, {})
    assert not delivery.ok and "cannot be reached" in delivery.message
    with smtp_server() as box:  # a server without STARTTLS when STARTTLS is asked for
        starttls = al.AlertSettings("demo", smtp=al.SmtpSettings(box.host, box.port, to=("a@b.c",)))
        (delivery,) = al.send(al.trial_alert("demo"), starttls, {})
    assert not delivery.ok and "does not offer STARTTLS" in delivery.message and not box.messages


async def test_finish_needed_and_payment_sync_failed_are_alerted(env, manage_sandbox):
    # Manage stops answering when the batch is to be recorded: posted, but the run must be finished
    manage_sandbox.faults.only("POST", "/finance/accounting/batches").error_next = 50
    async with await env.session() as session:
        report = await session.run_export(ExportOptions(TODAY, invoices=True, batch_number="AL-I"), env.emit)
    manage_sandbox.faults.clear()
    assert report.unfinished, report.summary
    alert = al.alert_for_run(report, "demo")
    assert alert.what == "finish needed" and alert.command == f"mobius-tui finish {report.run_id} --profile demo"
    assert alert.groups[0].cause == "The Manage batch is not recorded yet"
    assert f"See the rest: mobius-tui finish {report.run_id} --profile demo" in alert.text()
    # a payment sync whose Manage updates are refused
    async with await env.session() as session:
        await session.finish(report.run_id, env.emit)
    release_ar(env, datetime.combine(TODAY - timedelta(days=60), datetime.min.time()))
    (customer, number, balance), *_ = open_invoices(env)
    pay(env, customer, number, balance, TODAY)
    manage_sandbox.faults.only(None, "/payments").error_next = 50
    async with await env.session() as session:
        sync = await session.sync_payments(StartChoice.PAST_WEEK, env.emit, today=TODAY)
    manage_sandbox.faults.clear()
    assert sync.outcome.value == "failed", sync.summary
    alert = al.alert_for_sync(sync, "demo")
    assert alert.what == "failed" and alert.kind == "payment sync" and alert.needed
    (group,) = alert.groups
    assert group.examples == (f"invoice {number}",) and "next sync" in group.fix
    with webhook_receiver() as hook:
        (sent,) = al.send(alert, settings(None, webhook=True), {al.WEBHOOK_URL: hook.url})
    assert sent.ok and hook.posts[0]["json"]["subject"] == "Mobius TUI: payment sync failed on profile demo"
