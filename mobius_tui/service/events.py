"""Events a use case emits while it runs; the screens turn them into messages, the CLI into lines.

A use case takes an ``emit`` callable and calls it synchronously with one of these. Emitting never
blocks and never fails the run (a broken listener is the listener's problem).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    SUCCESS = "success"  # everything posted (or, for a dry run / check: nothing wrong)
    PARTIAL = "partial"  # some posted; the Manage batch holds exactly those
    FAILED = "failed"  # nothing posted


class Level(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Event:
    @property
    def type(self) -> str:
        return _NAMES[type(self)]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (Decimal as string so no cent is lost)."""
        return {"event": self.type, **jsonable(asdict(self))}


@dataclass(frozen=True)
class Started(Event):
    run_id: str
    action: str  # "export", "dry-run", "rerun", "sync-payments", "check", "finish"
    description: str = ""


@dataclass(frozen=True)
class Progress(Event):
    phase: str  # "export", "plan", "check", "duplicates", "post", "batch", "payments"
    done: int
    total: int


@dataclass(frozen=True)
class LogLine(Event):
    message: str
    level: Level = Level.INFO


@dataclass(frozen=True)
class DocumentPosted(Event):
    document_key: str
    label: str  # "invoice 10452"
    reference: str  # the package's reference
    amount: Decimal
    currency: str = ""  # ISO code; "" = the company's home currency


@dataclass(frozen=True)
class DocumentFailed(Event):
    document_key: str
    label: str
    reason: str


@dataclass(frozen=True)
class CheckFailed(Event):
    """Problems grouped by cause: ``problems`` is a list of dicts with cause, fix, count, documents."""

    problems: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class BatchRecorded(Event):
    batch_identifier: str
    manage_batch_id: int
    record_count: int


@dataclass(frozen=True)
class Finished(Event):
    """``counts``: "documents" and each state ("posted", "failed", ...) → how many. ``totals``: the
    same keys (a payment sync: "paid") → currency → amount, never added across currencies; the
    currency is the ISO code, "" the company's home currency, and nothing at all is ``{}``. In JSON:
    ``"totals": {"documents": {"": "1200.00", "USD": "6.00"}, "posted": {"": "1200.00"}}``."""

    outcome: Outcome
    summary: str
    counts: dict[str, int] = field(default_factory=dict)
    totals: dict[str, dict[str, Decimal]] = field(default_factory=dict)


_NAMES: dict[type, str] = {
    Started: "started",
    Progress: "progress",
    LogLine: "log",
    DocumentPosted: "document_posted",
    DocumentFailed: "document_failed",
    CheckFailed: "check_failed",
    BatchRecorded: "batch_recorded",
    Finished: "finished",
}

Emit = Callable[[Event], None]


def ignore(_event: Event) -> None:
    """An ``emit`` for callers that do not listen."""


def jsonable(value: Any) -> Any:
    """``value`` ready for ``json.dumps``: Decimal as string (no cent lost), enums as their value."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value
