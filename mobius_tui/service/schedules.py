"""Schedules: a new batch and/or a payment sync, run by the machine's own scheduler.

A schedule is kept in ``schedules.json`` beside the profiles and installed as a systemd user timer
+ service where systemd runs, as a crontab line otherwise. Either one only starts
``mobius-tui schedule run NAME --json``: nothing here loops or sleeps waiting for the next run.
The units and the crontab line name the schedule and its profile, never a secret; secrets come
from the keyring, or from an environment file the user points to, which must be private (0600).

A scheduled run never prompts: its export posts exactly as ``export --yes`` does. Another run
holding the books' lock, or an unfinished run in the way, ends it at once (exit code 5) with an
alert: it never waits. Its batch number follows the naming convention (date + initials + kind)
with a run counter (``-1``, ``-2`` …) whenever an earlier run took the number, so two runs on one
day never clash.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from mobius_tui import paths
from mobius_tui.service import config_file
from mobius_tui.service.events import Emit, Level, LogLine

KINDS = ("invoices", "expenses", "procurement")
THRU = ("yesterday", "end-of-last-month", "today")
STARTS = ("last-successful-run", "past-week", "past-two-weeks", "past-month")
UNIT_PREFIX = "mobius-tui-"
CRON_MARK = "# mobius-tui schedule "
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
# Passed on to the scheduled process so it finds the same profiles and journal as the one that installed it.
_CARRIED_ENV = (paths.CONFIG_DIR_ENV, paths.DATA_DIR_ENV)


class ScheduleError(ValueError):
    """A schedule that cannot be made or run; the message says what and how to fix it.
    ``usage``: the user typed something malformed (exit 64) rather than the setup being wrong (exit 4)."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


# --- when -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class When:
    """Every ``minutes`` (a divisor of an hour, or whole hours dividing a day), or daily at ``at`` (HH:MM)."""

    minutes: int = 0
    at: str = ""

    def describe(self) -> str:
        if self.at:
            return f"daily at {self.at}"
        return f"every {self.minutes // 60}h" if self.minutes % 60 == 0 else f"every {self.minutes}m"

    def on_calendar(self) -> str:
        """systemd's OnCalendar= expression."""
        if self.at:
            return f"*-*-* {self.at}:00"
        if self.minutes < 60:
            return f"*-*-* *:00/{self.minutes}:00"
        return f"*-*-* 00/{self.minutes // 60}:00:00"

    def cron(self) -> str:
        """The five time fields of a crontab line."""
        if self.at:
            hour, minute = self.at.split(":")
            return f"{int(minute)} {int(hour)} * * *"
        if self.minutes < 60:
            return f"*/{self.minutes} * * * *"
        hours = self.minutes // 60
        return "0 0 * * *" if hours == 24 else f"0 */{hours} * * *"


def parse_every(text: str) -> When:
    """``15m``, ``1h``, ``6h`` …: minutes dividing an hour or hours dividing a day, so every
    scheduler (systemd or cron) starts the runs at the same times."""
    match = re.fullmatch(r"\s*(\d+)\s*(m|min|h|d)\s*", (text or "").lower())
    if not match:
        raise ScheduleError(f"--every {text!r} is not an interval: write minutes or hours, e.g. 15m, 30m, 1h or 6h.",
                            usage=True)
    n, unit = int(match.group(1)), match.group(2)
    minutes = n * {"m": 1, "min": 1, "h": 60, "d": 1440}[unit]
    if minutes < 5:
        raise ScheduleError(f"--every {text!r} is too often: the shortest interval is 5m.", usage=True)
    if minutes < 60 and 60 % minutes == 0 or minutes >= 60 and minutes % 60 == 0 and 24 % (minutes // 60) == 0:
        return When(minutes=minutes)
    raise ScheduleError(
        f"--every {text!r} does not divide an hour or a day evenly, so the runs would drift: choose 5m, 10m, 15m, "
        "20m, 30m, 1h, 2h, 3h, 4h, 6h, 8h, 12h or 24h (or --at HH:MM for once a day).", usage=True)


def parse_at(text: str) -> When:
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text or "")
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ScheduleError(f"--at {text!r} is not a time of day: write HH:MM on a 24-hour clock, e.g. 02:00.",
                            usage=True)
    return When(at=f"{int(match.group(1)):02d}:{match.group(2)}")


def thru_date(choice: str, today: date) -> date:
    if choice == "yesterday":
        return today - timedelta(days=1)
    if choice == "end-of-last-month":
        return today.replace(day=1) - timedelta(days=1)
    if choice == "today":
        return today
    raise ScheduleError(f"--thru {choice!r}: choose {', '.join(THRU)}.", usage=True)


# --- the schedule and its file ---------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    name: str
    profile: str
    when: When
    export: tuple[str, ...] = ()  # of KINDS
    thru: str = "yesterday"
    sync_payments: bool = False
    start: str = "last-successful-run"
    env_file: str = ""  # KEY=VALUE lines holding secrets, 0600
    installed_as: str = ""  # "systemd" or "cron"

    def problems(self) -> list[str]:
        out = []
        if not _NAME.match(self.name):
            out.append(f"Schedule name {self.name!r}: use letters, digits, - and _ (at most 64).")
        if not self.export and not self.sync_payments:
            out.append("The schedule does nothing: give --export invoices,expenses,procurement and/or --sync-payments.")
        wrong = [k for k in self.export if k not in KINDS]
        if wrong:
            out.append(f"--export {wrong[0]!r} is not a kind of record: choose from {', '.join(KINDS)}.")
        if self.thru not in THRU:
            out.append(f"--thru {self.thru!r}: choose {', '.join(THRU)}.")
        if self.start not in STARTS:
            out.append(f"--start {self.start!r}: choose {', '.join(STARTS)}.")
        return out

    def describe(self) -> str:
        parts = []
        if self.export:
            parts.append(f"export {','.join(self.export)} through {self.thru}")
        if self.sync_payments:
            parts.append(f"sync payments since {self.start}")
        return f"{self.name}: profile {self.profile}, {' then '.join(parts)}, {self.when.describe()}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["export"] = list(self.export)
        return data


def schedules_file() -> Path:
    return paths.config_dir() / "schedules.json"


def _read() -> dict[str, dict[str, Any]]:
    return config_file.read_entries(schedules_file(), "schedules", ScheduleError, "The schedules file")


def _write(schedules: dict[str, dict[str, Any]]) -> None:
    config_file.write_entries(schedules_file(), "schedules", schedules)


def _from_dict(name: str, raw: dict[str, Any]) -> Schedule:
    when = raw.get("when") or {}
    return Schedule(name=name, profile=raw["profile"], when=When(int(when.get("minutes") or 0), when.get("at") or ""),
                    export=tuple(raw.get("export") or ()), thru=raw.get("thru", "yesterday"),
                    sync_payments=bool(raw.get("sync_payments")), start=raw.get("start", "last-successful-run"),
                    env_file=raw.get("env_file", ""), installed_as=raw.get("installed_as", ""))


def list_schedules() -> list[Schedule]:
    return [_from_dict(name, raw) for name, raw in sorted(_read().items())]


def load_schedule(name: str) -> Schedule:
    found = _read()
    if name not in found:
        known = ", ".join(sorted(found)) or "none yet"
        raise ScheduleError(f"There is no schedule named {name!r} (schedules: {known}). See 'mobius-tui schedule list'.")
    return _from_dict(name, found[name])


def free_name(profile: str) -> str:
    taken = set(_read())
    base = re.sub(r"[^A-Za-z0-9_-]", "-", profile).strip("-")[:56] or "schedule"
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# --- the environment file ------------------------------------------------------------------------


def check_env_file(path: str | Path) -> Path:
    """The file, if it is a regular file of this user that nobody else can read or write."""
    p = Path(path).expanduser()
    if not p.is_absolute():
        p = p.resolve()
    try:
        st = p.stat()
    except OSError:
        raise ScheduleError(f"The environment file {p} does not exist: create it with KEY=VALUE lines "
                            f"(e.g. MOBIUS_PRIVATE_KEY=...), then 'chmod 600 {p}'.") from None
    if not stat.S_ISREG(st.st_mode):
        raise ScheduleError(f"The environment file {p} is not a regular file.")
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise ScheduleError(f"The environment file {p} belongs to another user: it must be yours (chown it).")
    if st.st_mode & 0o077:
        raise ScheduleError(f"The environment file {p} can be read by others (mode {stat.S_IMODE(st.st_mode):04o}): "
                            f"it holds secrets, so run 'chmod 600 {p}'.")
    return p


def read_env_file(path: str | Path) -> dict[str, str]:
    """KEY=VALUE lines (the format systemd's EnvironmentFile= reads); # comments and blank lines skipped."""
    p = check_env_file(path)
    out: dict[str, str] = {}
    for number, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[7:].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise ScheduleError(f"{p}, line {number}: not KEY=VALUE. Write one variable per line, e.g. "
                                "MOBIUS_PRIVATE_KEY=...")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        out[key] = value
    return out


# --- installing --------------------------------------------------------------------------------------


def run_command(schedule: Schedule) -> list[str]:
    """What the scheduler starts: this Python with this program, headless, JSON output."""
    return [sys.executable, "-m", "mobius_tui", "schedule", "run", schedule.name, "--json"]


def _carried_env() -> dict[str, str]:
    return {k: os.environ[k] for k in _CARRIED_ENV if os.environ.get(k)}


class Installer:
    kind = ""

    def install(self, schedule: Schedule) -> str: ...  # returns where
    def remove(self, name: str) -> bool: ...
    def is_installed(self, name: str) -> bool: ...


def _run(command: Sequence[str], what: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(list(command), input=stdin, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ScheduleError(f"{what} failed: {shlex.join(command)} could not run ({exc}).") from None
    return done


@dataclass
class SystemdInstaller(Installer):
    """A timer + service pair in the user's systemd unit folder, enabled with ``systemctl --user``."""

    unit_dir: Path
    systemctl: list[str] = field(default_factory=lambda: ["systemctl", "--user"])
    kind = "systemd"

    def unit_names(self, name: str) -> tuple[str, str]:
        return f"{UNIT_PREFIX}{name}.service", f"{UNIT_PREFIX}{name}.timer"

    def service_text(self, schedule: Schedule) -> str:
        env = "".join(f"Environment={shlex.quote(f'{k}={v}')}\n" for k, v in _carried_env().items())
        return (
            "# Installed by 'mobius-tui schedule add'; remove with 'mobius-tui schedule remove "
            f"{schedule.name}'.\n"
            "[Unit]\n"
            f"Description=Mobius TUI schedule {schedule.name} (profile {schedule.profile})\n"
            "After=network-online.target\n\n"
            "[Service]\n"
            "Type=oneshot\n"
            f"{env}"
            # A run that is not a success leaves the unit failed (systemctl --user --failed shows it);
            # the timer fires again all the same.
            f"ExecStart={shlex.join(run_command(schedule))}\n"
        )

    def timer_text(self, schedule: Schedule) -> str:
        return (
            "[Unit]\n"
            f"Description=Mobius TUI schedule {schedule.name} (profile {schedule.profile}), {schedule.when.describe()}\n\n"
            "[Timer]\n"
            f"OnCalendar={schedule.when.on_calendar()}\n"
            "Persistent=true\n\n"
            "[Install]\n"
            "WantedBy=timers.target\n"
        )

    def install(self, schedule: Schedule) -> str:
        self.unit_dir.mkdir(parents=True, exist_ok=True)
        service, timer = self.unit_names(schedule.name)
        (self.unit_dir / service).write_text(self.service_text(schedule), encoding="utf-8")
        (self.unit_dir / timer).write_text(self.timer_text(schedule), encoding="utf-8")
        for args, what in ((["daemon-reload"], "Reloading systemd"), (["enable", "--now", timer], f"Enabling {timer}")):
            done = _run([*self.systemctl, *args], what)
            if done.returncode != 0:
                (self.unit_dir / service).unlink(missing_ok=True)
                (self.unit_dir / timer).unlink(missing_ok=True)
                raise ScheduleError(f"{what} failed ({(done.stderr or done.stdout).strip()}); nothing was installed. "
                                    "Is a systemd user session running (loginctl enable-linger for runs while "
                                    "logged out)?")
        return f"systemd user timer {self.unit_dir / timer}"

    def remove(self, name: str) -> bool:
        service, timer = self.unit_names(name)
        found = (self.unit_dir / timer).exists()
        if found:
            _run([*self.systemctl, "disable", "--now", timer], f"Disabling {timer}")
        for unit in (service, timer):
            (self.unit_dir / unit).unlink(missing_ok=True)
        _run([*self.systemctl, "daemon-reload"], "Reloading systemd")
        return found

    def is_installed(self, name: str) -> bool:
        return (self.unit_dir / self.unit_names(name)[1]).exists()


@dataclass
class CronInstaller(Installer):
    """One line in the user's crontab, marked with a comment naming the schedule."""

    crontab: list[str] = field(default_factory=lambda: ["crontab"])
    kind = "cron"

    def line(self, schedule: Schedule) -> str:
        env = " ".join(shlex.quote(f"{k}={v}") for k, v in _carried_env().items())
        out = paths.logs_dir() / f"schedule-{schedule.name}.jsonl"
        command = shlex.join(run_command(schedule)) + f" >> {shlex.quote(str(out))} 2>&1"
        return f"{schedule.when.cron()} {env + ' ' if env else ''}{command} {CRON_MARK}{schedule.name}"

    def _lines(self) -> list[str]:
        done = _run([*self.crontab, "-l"], "Reading the crontab")
        if done.returncode != 0:
            if "no crontab" in (done.stderr or "").lower():
                return []
            raise ScheduleError(f"Reading the crontab failed ({done.stderr.strip()}).")
        return done.stdout.splitlines()

    def _save(self, lines: list[str]) -> None:
        done = _run([*self.crontab, "-"], "Writing the crontab", stdin="\n".join(lines) + "\n")
        if done.returncode != 0:
            raise ScheduleError(f"Writing the crontab failed ({(done.stderr or done.stdout).strip()}); it was left as it was.")

    def install(self, schedule: Schedule) -> str:
        paths.ensure_private_dir(paths.logs_dir())
        lines = [line for line in self._lines() if not line.endswith(f"{CRON_MARK}{schedule.name}")]
        self._save([*lines, self.line(schedule)])
        return "crontab line"

    def remove(self, name: str) -> bool:
        lines = self._lines()
        kept = [line for line in lines if not line.endswith(f"{CRON_MARK}{name}")]
        if len(kept) != len(lines):
            self._save(kept)
        return len(kept) != len(lines)

    def is_installed(self, name: str) -> bool:
        return any(line.endswith(f"{CRON_MARK}{name}") for line in self._lines())


def installer(kind: str = "") -> Installer:
    """systemd where it runs, cron otherwise. Overridable for tests and unusual machines:
    MOBIUS_TUI_SCHEDULER (systemd|cron), MOBIUS_TUI_SYSTEMD_UNIT_DIR, MOBIUS_TUI_SYSTEMCTL and
    MOBIUS_TUI_CRONTAB (commands, split like a shell would)."""
    kind = kind or os.environ.get("MOBIUS_TUI_SCHEDULER", "")
    if not kind:
        kind = "systemd" if Path("/run/systemd/system").is_dir() and shutil.which("systemctl") else "cron"
    if kind == "systemd":
        unit_dir = os.environ.get("MOBIUS_TUI_SYSTEMD_UNIT_DIR") or str(
            Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "systemd" / "user")
        return SystemdInstaller(Path(unit_dir), shlex.split(os.environ.get("MOBIUS_TUI_SYSTEMCTL") or "systemctl --user"))
    if kind == "cron":
        return CronInstaller(shlex.split(os.environ.get("MOBIUS_TUI_CRONTAB") or "crontab"))
    raise ScheduleError(f"MOBIUS_TUI_SCHEDULER={kind!r}: choose systemd or cron.")


def add_schedule(schedule: Schedule, chosen: Installer | None = None) -> tuple[Schedule, str]:
    """Check, install, then record; a schedule that cannot be installed is not recorded."""
    from mobius_tui.service.profiles import load_profile

    problems = schedule.problems()
    if problems:
        raise ScheduleError(" ".join(problems), usage=True)
    load_profile(schedule.profile)  # ProfileError names the profiles there are
    if schedule.name in _read():
        raise ScheduleError(f"A schedule named {schedule.name!r} exists already: remove it first or choose --name.",
                            usage=True)
    if schedule.env_file:
        schedule = replace(schedule, env_file=str(check_env_file(schedule.env_file)))
        read_env_file(schedule.env_file)  # malformed lines refused now, not at 2 a.m.
    chosen = chosen or installer()
    schedule = replace(schedule, installed_as=chosen.kind)
    where = chosen.install(schedule)
    found = _read()
    found[schedule.name] = {k: v for k, v in schedule.to_json().items() if k != "name"}
    _write(found)
    return schedule, where


def missing_secrets(schedule: Schedule) -> list[str]:
    """The secrets a scheduled run of ``schedule`` would lack: it sees only the keyring and the
    environment file, not the environment of the shell that adds the schedule."""
    from mobius_tui.service import secrets as sec
    from mobius_tui.service.packages import find
    from mobius_tui.service.profiles import load_profile

    profile = load_profile(schedule.profile)
    package_cls = find(profile.package)
    from_file = read_env_file(schedule.env_file) if schedule.env_file else {}
    values = {name: from_file.get(env) or sec.get_secret(profile.name, name) or ""
              for name, env in sec.secret_env_vars(profile, package_cls).items()}
    return [f"{line} The scheduled run will not see this shell's environment: put it in --env-file."
            for line in sec.missing_secrets(profile, package_cls, sec.Secrets(values))]


def remove_schedule(name: str) -> Schedule:
    schedule = load_schedule(name)
    installer(schedule.installed_as).remove(name)
    found = _read()
    found.pop(name, None)
    _write(found)
    return schedule


# --- running ------------------------------------------------------------------------------------


@dataclass
class ScheduledRun:
    """What ``schedule run`` did: the reports of its runs, and why it stopped early if it did."""

    schedule: Schedule
    reports: list[Any] = field(default_factory=list)  # RunReport / SyncReport
    refused: str = ""  # why it could not start or go on
    refused_kind: str = ""  # "locked" (the lock, an unfinished run: exit 5), "config" (exit 4), "error" (exit 1)
    deliveries: list[Any] = field(default_factory=list)  # alerts.Delivery


async def run_schedule(schedule: Schedule, emit: Emit, *, today: date | None = None,
                       on_secrets=None) -> ScheduledRun:  # noqa: ANN001 - (list[str]) -> None
    """Run ``schedule`` now, as the scheduler would: never prompts, never waits for a lock."""
    from mobius_tui.service import alerts
    from mobius_tui.service.errors import is_configuration_error, is_lock_error
    from mobius_tui.service.packages import find
    from mobius_tui.service.profiles import load_profile
    from mobius_tui.service.run_records import SCHEDULED, Origin
    from mobius_tui.service.secrets import load_secrets
    from mobius_tui.service.session import Session

    today = today or date.today()
    result = ScheduledRun(schedule)
    origin = f"scheduled {schedule.name}"
    settings = alerts.load_settings(schedule.profile)

    def alert(a: alerts.Alert, log_path: str = "") -> None:
        for delivery in alerts.send(a, settings):
            result.deliveries.append(delivery)
            line = f"alert {'sent' if delivery.ok else 'NOT sent'} by {delivery.channel}: {delivery.message}"
            emit(LogLine(line, Level.INFO if delivery.ok else Level.ERROR))
            if log_path:  # the run's own log keeps what became of its alert
                with open(log_path, "a", encoding="utf-8") as handle:
                    handle.write(line + "\n")

    hidden: list[str] = []
    try:
        if schedule.env_file:  # refused (and alerted, through whatever the keyring holds) if others can read it
            os.environ.update(read_env_file(schedule.env_file))
        profile = load_profile(schedule.profile)
        secrets = load_secrets(profile, find(profile.package))
        hidden = secrets.values_for_redaction()
        if on_secrets is not None:
            on_secrets(hidden)
        session = await Session.open(profile, secrets)
    except Exception as exc:
        from mobius_tui.service.secrets import redact

        result.refused = redact(str(exc).strip() or type(exc).__name__, hidden)
        result.refused_kind = "config" if is_configuration_error(exc) or isinstance(exc, ScheduleError) else "error"
        emit(LogLine(result.refused, Level.ERROR))
        alert(alerts.alert_for_refusal(schedule.profile, "export" if schedule.export else "sync-payments", str(exc),
                                       origin=origin, command=f"mobius-tui schedule run {schedule.name}"))
        return result
    session.origin = Origin(SCHEDULED, schedule.name)
    try:
        steps = (["export"] if schedule.export else []) + (["sync-payments"] if schedule.sync_payments else [])
        for action in steps:
            try:
                if action == "export":
                    report = await _scheduled_export(session, schedule, emit, today)
                    a = alerts.alert_for_run(report, schedule.profile, origin)
                else:
                    from mobius_tui.service.reports import StartChoice

                    report = await session.sync_payments(StartChoice(schedule.start), emit, today=today)
                    a = alerts.alert_for_sync(report, schedule.profile, origin)
            except Exception as exc:  # whatever stops it, someone hears of it
                message = session.error_text(exc)
                run_id = session.record_refusal(action, message)
                result.refused = message
                result.refused_kind = ("locked" if is_lock_error(exc) else
                                       "config" if is_configuration_error(exc) else "error")
                emit(LogLine(message, Level.ERROR))
                alert(alerts.alert_for_refusal(schedule.profile, action, message, run_id=run_id, origin=origin))
                break
            result.reports.append(report)
            alert(a, str(report.log_path or ""))
    finally:
        await session.close()
    return result


async def _scheduled_export(session, schedule: Schedule, emit: Emit, today: date):  # noqa: ANN001 - Session
    from mobius_tui.service.options import ExportOptions, suggest_batch_number

    options = ExportOptions(thru_date=thru_date(schedule.thru, today), invoices="invoices" in schedule.export,
                            expenses="expenses" in schedule.export, inventory="procurement" in schedule.export)
    # The run counter: the first run of the day takes the plain number, later ones -1, -2 … after
    # whatever Manage (or an unfinished run here) already holds.
    taken = {b.batch_identifier for b in await session.recent_batches(limit=1_000_000)}
    taken |= {r.batch_identifier for r in session.unfinished_runs()}
    options.batch_number = suggest_batch_number(options, session.profile.initials, today, taken)
    return await session.run_export(options, emit)
