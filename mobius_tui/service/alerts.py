"""Alerts: tell someone when an unattended run needs a person.

Per profile, by e-mail (SMTP: host, port, STARTTLS, user) and/or a webhook (a JSON POST; the
``text`` field is what chat tools' incoming webhooks show). Sent when a run ends failed or
partial, when its check fails, when it must be finished, when a payment sync fails or when a
run cannot start; on success only when asked. The message says what happened, the counts and
totals per currency, the first errors grouped by cause with their fixes, and the command that
shows the rest; the e-mail carries the full error list as an attachment.

Secrets: the SMTP password and the webhook URL (chat webhooks carry their token in the URL)
come from the keyring (``profiles set-secret PROFILE smtp_password|webhook_url``) or from
:data:`SMTP_PASSWORD_ENV` / :data:`WEBHOOK_URL_ENV`; the settings file holds neither.

Sending never raises: each channel reports a :class:`Delivery`, so a broken mail server never
fails or hides the run's own result.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from mobius_tui import paths
from mobius_tui.service import config_file
from mobius_tui.service.events import Outcome, jsonable
from mobius_tui.service.reports import ByCurrency, RunReport, SyncReport
from mobius_tui.service.secrets import get_secret, redact
from mobius_tui.service.wording import format_totals, label_list

SMTP_PASSWORD, WEBHOOK_URL = "smtp_password", "webhook_url"
SMTP_PASSWORD_ENV, WEBHOOK_URL_ENV = "MOBIUS_SMTP_PASSWORD", "MOBIUS_ALERT_WEBHOOK_URL"
FIRST_GROUPS = 5  # error groups quoted in the message; the attachment and the history have them all
TIMEOUT = 20.0


class AlertSettingsError(ValueError):
    """Alert settings that cannot work; the message says which field and what to do."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    starttls: bool = True  # port 465 means TLS from the first byte instead
    user: str = ""  # empty: no login
    sender: str = ""
    to: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlertSettings:
    profile: str
    smtp: SmtpSettings | None = None
    webhook: bool = False  # the URL itself is a secret
    on_success: bool = False

    def problems(self) -> list[str]:
        out: list[str] = []
        if self.smtp is None and not self.webhook:
            out.append(f"Profile {self.profile!r} has no alert channel: give --smtp-host (with --mail-to) or --webhook.")
        if self.smtp is not None:
            if not self.smtp.host.strip():
                out.append("The SMTP host is empty: give --smtp-host, e.g. smtp.example.com.")
            if not 0 < self.smtp.port < 65536:
                out.append(f"SMTP port {self.smtp.port} is not a port: give --smtp-port 587 (STARTTLS) or 465 (TLS).")
            if not self.smtp.to:
                out.append("Nobody to e-mail: give --mail-to with one or more addresses, comma-separated.")
            bad = [a for a in (*self.smtp.to, self.smtp.sender) if a and "@" not in a]
            if bad:
                out.append(f"{bad[0]!r} is not an e-mail address: write it as name@example.com.")
        return out

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if self.smtp is not None:
            data["smtp"]["to"] = list(self.smtp.to)
        return data


# --- settings file ------------------------------------------------------------------------------


def settings_file() -> Path:
    return paths.config_dir() / "alerts.json"


def _read() -> dict[str, dict[str, Any]]:
    return config_file.read_entries(settings_file(), "profiles", AlertSettingsError, "The alert settings file")


def _write(profiles: dict[str, dict[str, Any]]) -> Path:
    return config_file.write_entries(settings_file(), "profiles", profiles)


def load_settings(profile: str) -> AlertSettings | None:
    raw = _read().get(profile)
    if raw is None:
        return None
    smtp = raw.get("smtp")
    return AlertSettings(
        profile=profile,
        smtp=SmtpSettings(**{**smtp, "to": tuple(smtp.get("to") or ())}) if smtp else None,
        webhook=bool(raw.get("webhook")),
        on_success=bool(raw.get("on_success")),
    )


def save_settings(settings: AlertSettings) -> Path:
    problems = settings.problems()
    if problems:
        raise AlertSettingsError(" ".join(problems))
    profiles = _read()
    data = settings.to_json()
    data.pop("profile")
    profiles[settings.profile] = data
    return _write(profiles)


def remove_settings(profile: str) -> bool:
    profiles = _read()
    if profile not in profiles:
        return False
    del profiles[profile]
    _write(profiles)
    return True


def alert_secrets(profile: str) -> dict[str, str]:
    """The SMTP password and webhook URL: environment first (a scheduled run states them), then the keyring."""
    out = {}
    for name, env in ((SMTP_PASSWORD, SMTP_PASSWORD_ENV), (WEBHOOK_URL, WEBHOOK_URL_ENV)):
        value = os.environ.get(env) or get_secret(profile, name)
        if value:
            out[name] = value
    return out


# --- the message ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorGroup:
    cause: str
    fix: str
    count: int
    examples: tuple[str, ...] = ()  # document labels


@dataclass
class Alert:
    profile: str
    kind: str  # "new batch", "rerun", "finish", "payment sync", "test"
    what: str  # "failed", "partial", "check failed", "finish needed", "could not start", "succeeded", "test"
    summary: str
    needed: bool  # False: sent only to those who asked for success messages too
    run_id: str = ""
    outcome: str = ""
    origin: str = ""  # "scheduled <name>" when a schedule ran it
    counts: dict[str, int] = field(default_factory=dict)
    totals: dict[str, ByCurrency] = field(default_factory=dict)
    groups: list[ErrorGroup] = field(default_factory=list)
    command: str = ""  # what shows the rest
    log_path: str = ""
    error_lines: list[str] = field(default_factory=list)

    @property
    def subject(self) -> str:
        where = f" ({self.origin})" if self.origin else ""
        return f"Mobius TUI: {self.kind} {self.what} on profile {self.profile}{where}"

    def text(self) -> str:
        lines = [self.subject, "", self.summary, ""]
        if self.run_id:
            lines.append(f"Run: {self.run_id} ({self.outcome or self.what})")
        if self.counts:
            lines.append("Documents: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in self.counts.items()))
        for key, amounts in self.totals.items():
            if amounts:
                lines.append(f"Total {key.replace('_', ' ')}: {format_totals(amounts)}")
        if self.groups:
            lines += ["", "First errors, by cause:"]
            for group in self.groups[:FIRST_GROUPS]:
                lines.append(f"  - {group.cause} ({group.count})")
                if group.fix:
                    lines.append(f"    fix: {group.fix}")
                if group.examples:
                    lines.append(f"    {label_list(list(group.examples), 3)}")
            more = len(self.groups) - FIRST_GROUPS
            if more > 0:
                lines.append(f"  ... and {more} more causes")
        if self.command:
            lines += ["", f"See the rest: {self.command}"]
        if self.log_path:
            lines.append(f"Full log on the machine that ran it: {self.log_path}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return jsonable({
            "text": self.text(), "subject": self.subject, "profile": self.profile, "kind": self.kind,
            "what": self.what, "summary": self.summary, "run_id": self.run_id or None, "outcome": self.outcome or None,
            "origin": self.origin or None, "counts": self.counts, "totals": self.totals,
            "errors": [asdict(g) | {"examples": list(g.examples)} for g in self.groups[:FIRST_GROUPS]],
            "more_error_causes": max(0, len(self.groups) - FIRST_GROUPS), "command": self.command or None,
        })


_KINDS = {"export": "new batch", "rerun": "rerun", "finish": "finish", "sync-payments": "payment sync",
          "check": "check"}


def _by_cause(items: Sequence[tuple[str, str]], fix: str) -> list[ErrorGroup]:
    """(label, reason) pairs grouped by reason, the most frequent first."""
    grouped: dict[str, list[str]] = {}
    for label, reason in items:
        grouped.setdefault(reason or "no reason given", []).append(label)
    ordered = sorted(grouped.items(), key=lambda kv: -len(kv[1]))
    return [ErrorGroup(reason, fix, len(labels), tuple(labels[:3])) for reason, labels in ordered]


def alert_for_run(report: RunReport, profile: str, origin: str = "") -> Alert:
    kind = _KINDS.get(report.action, report.action)
    history = f"mobius-tui history show {report.run_id}"
    if report.awaiting_import:
        what, command = "import needed", f"mobius-tui finish {report.run_id} --profile {profile}"
    elif report.unfinished:
        what, command = "finish needed", f"mobius-tui finish {report.run_id} --profile {profile}"
    elif report.blocking_problems:
        what, command = "check failed", f"mobius-tui check --profile {profile}"
    elif report.outcome == Outcome.SUCCESS:
        what, command = "succeeded", history
    else:
        what, command = report.outcome.value, history
    if report.blocking_problems:
        groups = [ErrorGroup(g.headline(), g.fix, g.count, tuple(g.documents[:3])) for g in report.blocking_problems]
    else:
        fix = ("Correct the cause in the package or in Manage; the records stay unposted in Manage, so the next "
               "run posts them.")
        groups = _by_cause([(r.label, r.error) for r in report.failed], fix)
    if report.awaiting_import:
        files = ", ".join(dict.fromkeys(r.reference for r in report.written))
        groups.insert(0, ErrorGroup("Written to an import file, not in the books yet",
                                    f"Import {files} into the package, then run: {command}", len(report.written)))
    elif report.unfinished:
        groups.insert(0, ErrorGroup("The Manage batch is not recorded yet", f"Run: {command} (it never posts again).", 1))
    return Alert(
        profile=profile, kind=kind, what=what, summary=report.summary, needed=what != "succeeded",
        run_id=report.run_id, outcome=report.outcome.value, origin=origin, counts=dict(report.counts),
        totals=dict(report.totals), groups=groups, command=command,
        log_path=str(report.log_path or ""), error_lines=list(report.error_lines),
    )


def alert_for_sync(report: SyncReport, profile: str, origin: str = "") -> Alert:
    from mobius_tui.service.reports import PaymentAction

    failed = [r for r in report.results if r.action in (PaymentAction.FAILED, PaymentAction.CONFLICT)]
    what = "succeeded" if report.outcome == Outcome.SUCCESS else ("partly failed" if report.outcome == Outcome.PARTIAL
                                                                  else "failed")
    counts = {a.value: report.count(a) for a in PaymentAction if report.count(a)}
    fix = "Correct the invoice in Manage; the next sync starts from the last successful run and tries again."
    return Alert(
        profile=profile, kind="payment sync", what=what, summary=report.summary, needed=what != "succeeded",
        run_id=report.run_id, outcome=report.outcome.value, origin=origin, counts=counts, totals=dict(report.totals),
        groups=_by_cause([(f"invoice {r.manage_number or r.package_number}", r.message) for r in failed], fix),
        command=f"mobius-tui history show {report.run_id}", log_path=str(report.log_path or ""),
        error_lines=list(report.error_lines),
    )


def alert_for_refusal(profile: str, action: str, message: str, *, run_id: str = "", origin: str = "",
                      command: str = "") -> Alert:
    """A run that could not start: the lock held, an unfinished run in the way, a login refused."""
    return Alert(
        profile=profile, kind=_KINDS.get(action, action), what="could not start", summary=message, needed=True,
        run_id=run_id, outcome=Outcome.FAILED.value, origin=origin, groups=[ErrorGroup(message, "", 1)],
        command=command or f"mobius-tui history --profile {profile}", error_lines=[message],
    )


def trial_alert(profile: str) -> Alert:
    return Alert(profile=profile, kind="test", what="message", needed=True, outcome="test", command="",
                 summary=f"This is a test message from Mobius TUI on {socket.gethostname()}: alerts for profile "
                         f"{profile} reach you here.", error_lines=["(a test message has no errors)"])


# --- sending --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    channel: str  # "e-mail" or "webhook"
    ok: bool
    message: str  # where it went, or why not and what to do


def send(alert: Alert, settings: AlertSettings | None, secrets: Mapping[str, str] | None = None) -> list[Delivery]:
    """Deliver ``alert`` on every channel of ``settings`` (none when it is not wanted); never raises."""
    if settings is None or not (alert.needed or settings.on_success):
        return []
    secrets = dict(alert_secrets(settings.profile) if secrets is None else secrets)
    hidden = [v for v in secrets.values() if v]
    out: list[Delivery] = []
    if settings.smtp is not None:
        out.append(_guarded("e-mail", lambda: _send_mail(alert, settings.smtp, secrets.get(SMTP_PASSWORD, "")), hidden))
    if settings.webhook:
        out.append(_guarded("webhook", lambda: _post_webhook(alert, secrets.get(WEBHOOK_URL, ""), settings.profile), hidden))
    return out


def _guarded(channel: str, deliver, hidden: list[str]) -> Delivery:  # noqa: ANN001 - () -> str
    try:
        return Delivery(channel, True, redact(deliver(), hidden))
    except _Refused as exc:
        return Delivery(channel, False, redact(str(exc), hidden))
    except Exception as exc:  # whatever a channel does, the run's result stands
        return Delivery(channel, False, redact(f"the {channel} alert could not be sent ({type(exc).__name__}: {exc})", hidden))


class _Refused(Exception):
    """A channel refused the alert; the text says why and what to do."""


def _send_mail(alert: Alert, smtp: SmtpSettings, password: str) -> str:
    message = EmailMessage()
    message["Subject"] = alert.subject
    message["From"] = smtp.sender or (smtp.user if "@" in smtp.user else f"mobius-tui@{socket.getfqdn()}")
    message["To"] = ", ".join(smtp.to)
    message.set_content(alert.text())
    if alert.error_lines:
        name = f"errors-{alert.run_id or 'alert'}.txt"
        message.add_attachment("\n".join(alert.error_lines) + "\n", filename=name)
    server = f"{smtp.host}:{smtp.port}"
    try:
        if smtp.port == 465:
            client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT)
    except OSError as exc:
        raise _Refused(f"the mail server {server} cannot be reached ({exc}); check --smtp-host and --smtp-port") from None
    with client:
        try:
            client.ehlo()
            if smtp.starttls and smtp.port != 465:
                if not client.has_extn("starttls"):
                    raise _Refused(f"the mail server {server} does not offer STARTTLS; use its TLS port, or "
                                   "--no-starttls only if the server is on this machine or a trusted network")
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if smtp.user:
                if not password:
                    raise _Refused(f"no SMTP password for {smtp.user}: 'mobius-tui profiles set-secret "
                                   f"{alert.profile} {SMTP_PASSWORD}' or set {SMTP_PASSWORD_ENV}")
                client.login(smtp.user, password)
            client.send_message(message)
        except smtplib.SMTPAuthenticationError as exc:
            raise _Refused(f"the mail server {server} refused the login of {smtp.user} ({exc.smtp_code} "
                           f"{_text(exc.smtp_error)}); check the user and the {SMTP_PASSWORD} secret") from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise _Refused(f"the mail server {server} refused the recipients {', '.join(exc.recipients)}; "
                           "check --mail-to") from None
        except smtplib.SMTPException as exc:
            raise _Refused(f"the mail server {server} refused the alert ({exc})") from None
    return f"e-mailed to {', '.join(smtp.to)} through {server}"


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _post_webhook(alert: Alert, url: str, profile: str) -> str:
    import httpx

    if not url:
        raise _Refused(f"no webhook URL: 'mobius-tui profiles set-secret {profile} {WEBHOOK_URL}' or set {WEBHOOK_URL_ENV}")
    host = httpx.URL(url).host or "the webhook"
    try:
        response = httpx.post(url, json=alert.to_json(), timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        raise _Refused(f"the webhook at {host} cannot be reached ({type(exc).__name__}); check the {WEBHOOK_URL} "
                       "secret and the network") from None
    if response.status_code >= 300:
        body = response.text.strip().replace("\n", " ")[:200]
        raise _Refused(f"the webhook at {host} answered {response.status_code}{': ' + body if body else ''}; "
                       "the alert was not delivered")
    return f"posted to the webhook at {host}"
