"""What the use cases hand back to the screens and the command line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from mobius_tui.documents.model import ZERO, Document, DocumentKind, Plan, RecordKind
from mobius_tui.service.events import Outcome
from mobius_tui.service.problems import ProblemGroup


@dataclass(frozen=True)
class LocationChoice:
    id: int
    name: str
    unposted: int  # records waiting at this location


@dataclass(frozen=True)
class UnpostedRow:
    """One line of the Invoices / Expenses / Inventory tabs."""

    kind: RecordKind
    id: str  # what goes into includedXxxIds (procurement: unpostedProductId)
    number: str  # invoice number, expense reference, PO / packing slip
    date: date | None
    party: str  # customer, member or vendor name
    description: str
    amount: Decimal
    location_id: int | None
    currency: str = ""
    detail: str = ""  # invoice type, expense classification, procurement type


@dataclass
class Unposted:
    invoices: list[UnpostedRow] = field(default_factory=list)
    expenses: list[UnpostedRow] = field(default_factory=list)
    procurement: list[UnpostedRow] = field(default_factory=list)

    def rows(self, kind: RecordKind) -> list[UnpostedRow]:
        return {RecordKind.INVOICE: self.invoices, RecordKind.EXPENSE: self.expenses, RecordKind.PROCUREMENT: self.procurement}[kind]


@dataclass(frozen=True)
class PlanLine:
    account: str
    amount: Decimal  # signed: debit positive
    description: str = ""


def batch_amount(doc: Document) -> Decimal:
    """What a document adds to a batch total: its total, negative for a credit memo. The one
    definition of a batch's total: screens, the command line, JSON and saved reports all sum these."""
    return -doc.total if doc.kind == DocumentKind.CREDIT_MEMO else doc.total


def document_label(doc: Document) -> str:
    """How every message names a document: its Manage record by what it is ("invoice INV10001",
    "credit memo CM1002"), with the number the Run New Batch tables show."""
    if doc.kind == DocumentKind.CREDIT_MEMO:
        return f"credit memo {doc.origin.number}"
    return doc.origin.label()


@dataclass(frozen=True)
class PlannedDocument:
    """A document as a dry run shows it: what, for whom, which accounts, which taxes."""

    key: str
    label: str
    kind: str
    number: str
    date: date
    party: str
    total: Decimal  # signed as in a batch total (``batch_amount``): a credit memo's is negative
    lines: tuple[PlanLine, ...]
    taxes: tuple[tuple[str, Decimal], ...]  # (tax code xref, amount)
    gl_entry_ids: tuple[int, ...]
    currency: str = ""  # ISO code; "" = the company's home currency

    @classmethod
    def of(cls, doc: Document, home_currency: str = "") -> PlannedDocument:
        party = getattr(doc, "customer", None) or getattr(doc, "vendor", None)
        taxes = tuple((t.tax_code_xref, t.amount) for t in getattr(doc, "taxes", []) or [])
        return cls(
            key=doc.key,
            label=document_label(doc),
            kind=doc.kind.value,
            number=doc.number,
            date=doc.date,
            party=getattr(party, "account", "") if party else "",
            total=batch_amount(doc),
            lines=tuple(PlanLine(p.account, p.amount, p.description) for p in doc.postings()),
            taxes=taxes,
            gl_entry_ids=doc.origin.gl_entry_ids,
            currency=doc.currency or home_currency,
        )


ByCurrency = dict[str, Decimal]  # ISO code ("" = home currency) → amount; currencies are never added together


@dataclass
class PlanSummary:
    documents: list[PlannedDocument] = field(default_factory=list)
    accounts: dict[str, ByCurrency] = field(default_factory=dict)  # account → net (debit positive)
    taxes: dict[str, ByCurrency] = field(default_factory=dict)  # tax code xref → amount
    totals: dict[str, ByCurrency] = field(default_factory=dict)  # document kind → sum of totals
    customers: list[str] = field(default_factory=list)
    vendors: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, plan: Plan, home_currency: str = "") -> PlanSummary:
        """``home_currency``: the books' own currency, named for documents without a currency of their own."""
        out = cls(
            customers=[c.account for c in plan.customers],
            vendors=[v.account for v in plan.vendors],
            items=[i.code for i in plan.items],
        )
        for doc in plan.documents:
            planned = PlannedDocument.of(doc, home_currency)
            out.documents.append(planned)
            currency = planned.currency
            _add(out.totals.setdefault(planned.kind, {}), currency, planned.total)
            for line in planned.lines:
                _add(out.accounts.setdefault(line.account, {}), currency, line.amount)
            for code, amount in planned.taxes:
                _add(out.taxes.setdefault(code, {}), currency, amount)
        return out

    def grand_totals(self) -> ByCurrency:
        """Currency → the sum of every document's total in it."""
        out: ByCurrency = {}
        for by_currency in self.totals.values():
            for currency, amount in by_currency.items():
                _add(out, currency, amount)
        return out


def _add(totals: ByCurrency, currency: str, amount: Decimal) -> None:
    totals[currency] = totals.get(currency, ZERO) + amount


def by_currency(amounts: Iterable[tuple[str, Decimal]]) -> ByCurrency:
    """Sum ``(currency, amount)`` pairs per currency; no pairs is ``{}`` (not a zero in some currency)."""
    out: ByCurrency = {}
    for currency, amount in amounts:
        _add(out, currency, amount)
    return out


class DocumentState(StrEnum):
    PLANNED = "planned"  # recorded before posting; no result yet
    POSTED = "posted"
    FAILED = "failed"
    SKIPPED = "skipped"  # not attempted by the package
    DUPLICATE = "duplicate"  # already in the package; not posted (rerun / duplicate guard)
    NOT_POSTED = "not_posted"  # resolved after a crash: the package does not have it
    WRITTEN = "written"  # written to a file for import into the package; settled by finish once imported


@dataclass(frozen=True)
class DocumentResult:
    key: str
    label: str
    state: DocumentState
    amount: Decimal  # ``batch_amount``: a credit memo's is negative
    reference: str = ""
    error: str = ""
    currency: str = ""  # ISO code; "" = the company's home currency


def named_currency(result: DocumentResult, home_currency: str) -> DocumentResult:
    """``result`` with the books' own currency named where it has no currency of its own."""
    return replace(result, currency=home_currency) if home_currency and not result.currency else result


@dataclass
class RunReport:
    run_id: str
    action: str  # "export", "dry-run", "rerun", "check", "finish"
    outcome: Outcome
    summary: str
    batch_identifier: str = ""
    manage_batch_id: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    totals: dict[str, ByCurrency] = field(default_factory=dict)  # "documents" / a state → currency → sum
    problems: list[ProblemGroup] = field(default_factory=list)
    plan: PlanSummary | None = None
    results: list[DocumentResult] = field(default_factory=list)
    unfinished: bool = False  # posted, but the Manage batch is not recorded yet: ``finish`` it
    # The batch number Manage would not take (already used, or a foreign batch holds it): ask for another.
    refused_batch_number: str = ""
    log_path: Path | None = None
    errors_path: Path | None = None
    log_lines: list[str] = field(default_factory=list)
    error_lines: list[str] = field(default_factory=list)

    @property
    def posted(self) -> list[DocumentResult]:
        return [r for r in self.results if r.state == DocumentState.POSTED]

    @property
    def failed(self) -> list[DocumentResult]:
        return [r for r in self.results if r.state in (DocumentState.FAILED, DocumentState.SKIPPED)]

    @property
    def not_posted(self) -> list[DocumentResult]:
        """Found missing from the package after an interrupted posting: their Manage records stay
        unposted, so the next run posts them."""
        return [r for r in self.results if r.state == DocumentState.NOT_POSTED]

    @property
    def duplicates(self) -> list[DocumentResult]:
        return [r for r in self.results if r.state == DocumentState.DUPLICATE]

    @property
    def written(self) -> list[DocumentResult]:
        """Written to an import file (``reference``) and not yet found in the package."""
        return [r for r in self.results if r.state == DocumentState.WRITTEN]

    @property
    def awaiting_import(self) -> bool:
        """The run waits for the user to import its file into the package, then ``finish`` it."""
        return self.unfinished and bool(self.written)

    @property
    def blocking_problems(self) -> list[ProblemGroup]:
        return [g for g in self.problems if g.blocking]

    def save_full_log(self, path: Path) -> Path:
        return _write_lines(path, self.log_lines)

    def save_errors(self, path: Path) -> Path:
        return _write_lines(path, self.error_lines)

    def to_json(self) -> dict[str, Any]:
        from mobius_tui.service.events import jsonable

        return jsonable(
            {
                "run_id": self.run_id,
                "action": self.action,
                "outcome": self.outcome,
                "summary": self.summary,
                "batch_identifier": self.batch_identifier,
                "manage_batch_id": self.manage_batch_id,
                "counts": self.counts,
                "totals": self.totals,
                "problems": [g.to_json() for g in self.problems],
                "posted": [r.key for r in self.posted],
                "failed": [{"key": r.key, "error": r.error} for r in self.failed],
                "not_posted": [{"key": r.key, "label": r.label, "error": r.error} for r in self.not_posted],
                "duplicates": [{"key": r.key, "reference": r.reference} for r in self.duplicates],
                "written": [{"key": r.key, "label": r.label, "file": r.reference} for r in self.written],
                "unfinished": self.unfinished,
                "log_path": str(self.log_path) if self.log_path else None,
                "errors_path": str(self.errors_path) if self.errors_path else None,
            }
        )


@dataclass(frozen=True)
class BatchSummary:
    """A Manage accounting batch, for the Rerun screen and ``batches list``."""

    id: int
    batch_identifier: str
    invoices: bool
    expenses: bool
    procurement: bool
    closed: bool = False


@dataclass(frozen=True)
class RunSummary:
    """A journal run, e.g. one that did not finish."""

    run_id: str
    action: str
    batch_identifier: str
    started: datetime
    posted: int
    unresolved: int  # documents whose result was never recorded
    failed: int
    finished: datetime | None = None
    outcome: str = ""
    manage_batch_id: int | None = None
    profile: str = ""
    not_posted: int = 0  # found missing from the package after an interrupted posting
    written: int = 0  # written to an import file, not yet found in the package


@dataclass(frozen=True)
class BatchRun:
    """A batch as this computer's journal knows it: its latest run and what that run posted."""

    run: RunSummary
    posted_totals: ByCurrency  # currency → sum of ``batch_amount`` of the posted documents


def report_header(*, company: str, profile: str, package: str, batch: str, thru: date | None = None,
                  location: str = "", when: datetime | None = None) -> list[str]:
    """The lines that open a saved error list or log: which books, which batch, which selection, when."""
    when = when or datetime.now()
    selection = ", ".join(filter(None, [location, f"through {thru}" if thru else ""]))
    return [
        f"Mobius TUI · company {company} (profile {profile}) → {package}",
        f"Batch {batch}" + (f" · {selection}" if selection else ""),
        f"Saved {when:%Y-%m-%d %H:%M:%S}",
        "",
    ]


class StartChoice(StrEnum):
    LAST_SUCCESSFUL_RUN = "last-successful-run"
    PAST_WEEK = "past-week"
    PAST_TWO_WEEKS = "past-two-weeks"
    PAST_MONTH = "past-month"
    CUSTOM = "custom"


class PaymentAction(StrEnum):
    CREATED = "created"  # the invoice had no payment; one was added
    UPDATED = "updated"  # its payment now carries the package's total and date
    UNCHANGED = "unchanged"
    UNKNOWN = "unknown"  # no Manage invoice with that number
    CONFLICT = "conflict"  # Manage holds a payment the package does not know of; left alone
    FAILED = "failed"


@dataclass(frozen=True)
class PaymentResult:
    package_number: str
    manage_number: str
    action: PaymentAction
    amount: Decimal = ZERO
    paid_on: date | None = None
    message: str = ""
    currency: str = ""  # ISO code; "" = the company's home currency


@dataclass
class SyncReport:
    run_id: str
    outcome: Outcome
    summary: str
    since: date
    results: list[PaymentResult] = field(default_factory=list)
    advanced_last_success: bool = False
    log_lines: list[str] = field(default_factory=list)
    error_lines: list[str] = field(default_factory=list)
    log_path: Path | None = None
    errors_path: Path | None = None
    totals: dict[str, ByCurrency] = field(default_factory=dict)  # "paid": currency → payments set in Manage

    def count(self, action: PaymentAction) -> int:
        return sum(1 for r in self.results if r.action == action)

    @property
    def unknown(self) -> list[PaymentResult]:
        return [r for r in self.results if r.action == PaymentAction.UNKNOWN]

    @property
    def conflicts(self) -> list[PaymentResult]:
        return [r for r in self.results if r.action == PaymentAction.CONFLICT]

    def save_full_log(self, path: Path) -> Path:
        return _write_lines(path, self.log_lines)

    def save_errors(self, path: Path) -> Path:
        return _write_lines(path, self.error_lines)


def _write_lines(path: Path, lines: list[str]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    return path
