"""Secret scrubbing: the one helper every printed, logged or emitted text goes through."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from mobius_tui.service import events as ev
from mobius_tui.service.runlog import RunLog
from mobius_tui.service.secrets import Secrets, redact, redact_data


def test_redact_hides_every_value_and_a_longer_secret_whole():
    assert redact("key abc123 and abc", ["abc", "abc123", ""]) == "key *** and ***"
    assert redact("nothing here", []) == "nothing here"


class Pair(NamedTuple):
    name: str
    amount: Decimal


def test_redact_data_reaches_strings_inside_events_lists_dicts_and_tuples():
    event = ev.CheckFailed([{"cause": "login pw=hunter2", "documents": ["hunter2", 3], "hunter2": Pair("hunter2", Decimal("1.10"))}])
    clean = redact_data(event, ["hunter2"])
    assert clean.problems == [{"cause": "login pw=***", "documents": ["***", 3], "***": Pair("***", Decimal("1.10"))}]
    assert event.problems[0]["cause"] == "login pw=hunter2"  # the original is left as it was
    line = redact_data(ev.LogLine("hunter2", ev.Level.ERROR), ["hunter2"])
    assert line == ev.LogLine("***", ev.Level.ERROR) and line.level is ev.Level.ERROR  # enums stay enums
    finished = ev.Finished(ev.Outcome.SUCCESS, "ok", {"posted": 1}, {"posted": {"CAD": Decimal("5.00")}})
    assert redact_data(finished, ["hunter2"]) == finished
    assert redact_data(finished, []) is finished


def test_run_log_emits_scrubbed_events(tmp_path):
    seen = []
    secrets = Secrets({"private_key": "pk-77x", "sl_password": "pw-42y"})
    log = RunLog(seen.append, tmp_path / "run.log", redact=secrets.values_for_redaction())
    log(ev.DocumentFailed("k", "invoice 1", "refused: PWD=pw-42y;"))
    log(ev.CheckFailed([{"headline": "key pk-77x rejected", "fix": "retype pw-42y", "documents": ["invoice 1"]}]))
    log(ev.Started("r1", "export", "as pk-77x"))
    log.close()
    assert seen[0] == ev.DocumentFailed("k", "invoice 1", "refused: PWD=***;")
    assert seen[1].problems == [{"headline": "key *** rejected", "fix": "retype ***", "documents": ["invoice 1"]}]
    assert seen[2].description == "as ***"
    written = (tmp_path / "run.log").read_text() + "\n".join(log.lines + log.errors)
    assert "pk-77x" not in written and "pw-42y" not in written and "PWD=***;" in written


def test_session_error_text_scrubs_its_secrets():
    from types import SimpleNamespace

    from mobius_tui.service.session import Session

    session = Session.__new__(Session)
    session._ctx = SimpleNamespace(redact=Secrets({"sql_password": "pw-42y"}).values_for_redaction())
    assert session.error_text(RuntimeError("login failed: PWD=pw-42y;")) == "login failed: PWD=***;"
    assert session.error_text(RuntimeError()) == "RuntimeError"
