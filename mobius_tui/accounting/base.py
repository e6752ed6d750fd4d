"""The accounting-package protocol: the one seam every package adapter implements.

An adapter sees ``documents`` only, never Manage's wire format. The service layer drives it:

    async with adapter:                       # connect / disconnect (checks the login)
        ref = await adapter.reference()       # once per run, never per document
        problems = adapter.check(plan, ref)   # pure; every problem at once
        already = await adapter.existing(plan.documents)
        async for result in adapter.post(plan, documents, ref):   # one result per document, as it happens
            ...
        # or, overlapped: the duplicate check in parts, each part posted while later ones are read
        async for cleared, found in adapter.existing_in_parts(plan.documents): ...
        async for result in adapter.post_stream(plan, documents_as_cleared, ref): ...
        statuses = await adapter.payments_since(day)

Screens and the command line build their login forms and flags from :attr:`AccountingPackage.settings`,
and read :attr:`AccountingPackage.capabilities`; nothing outside the adapter is written per package.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterable, AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from mobius_tui.documents.model import Document, DocumentKind, Origin, Plan


class FieldKind(StrEnum):
    TEXT = "text"
    PASSWORD = "password"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    URL = "url"


@dataclass(frozen=True)
class SettingField:
    """One connection setting a package declares (a login field, a CLI flag, a profile key)."""

    name: str  # profile key and CLI flag (``--pkg-<name>``), snake_case
    label: str
    help: str = ""
    kind: FieldKind = FieldKind.TEXT
    secret: bool = False  # kept in the keyring / environment, never in the profile file
    required: bool = True
    default: str | int | bool | None = None
    choices: tuple[str, ...] = ()  # for CHOICE; may be filled at run time (see ``choices_for``)


@dataclass(frozen=True)
class Capabilities:
    document_kinds: frozenset[DocumentKind]
    creates_customers: bool = True
    creates_vendors: bool = True  # company vendors; members are never created
    creates_items: bool = False
    multi_currency: bool = False
    inventory: bool = True  # False: adjustments and transfers go as journal entries (or are refused)
    expenses_as_journal: bool = True  # can post expenses without "expense as bill"
    payments: bool = True  # can report invoice payments for payment sync


class Severity(StrEnum):
    ERROR = "error"  # blocks the run
    NOTICE = "notice"  # the run will do something the user should know (e.g. create a customer)


@dataclass(frozen=True)
class Problem:
    """Something wrong (or noteworthy) about a document, in the user's terms.

    ``cause`` groups problems for the summary ("GL account 4100 missing in the package — 12 invoices"):
    problems with the same cause share the same ``cause`` text and ``fix``.
    """

    cause: str
    fix: str
    document: Origin | None = None
    detail: str = ""  # document-specific part, e.g. the line or level concerned
    severity: Severity = Severity.ERROR

    @property
    def blocking(self) -> bool:
        return self.severity == Severity.ERROR

    def message(self) -> str:
        where = f"{self.document.label()}: " if self.document else ""
        extra = f" ({self.detail})" if self.detail else ""
        return f"{where}{self.cause}{extra}. {self.fix}"


class PostStatus(StrEnum):
    POSTED = "posted"
    FAILED = "failed"
    SKIPPED = "skipped"  # not attempted (e.g. its batch could not be created)
    # Written to a file the user imports into the package by hand (``reference`` names the file):
    # not in the books until then. The service keeps the run unfinished and settles it with
    # ``existing()`` once the user has imported the file (``finish``).
    WRITTEN = "written"


@dataclass(frozen=True)
class PostResult:
    document_key: str
    status: PostStatus
    reference: str = ""  # the package's own reference: batch / voucher / entry number
    error: str = ""  # readable reason when not posted

    @property
    def posted(self) -> bool:
        return self.status == PostStatus.POSTED


@dataclass(frozen=True)
class PaymentStatus:
    """What the package says about one invoice's payments."""

    document_number: str  # as the package knows it (may carry a prefix the package added)
    total: Decimal
    paid: Decimal
    balance: Decimal
    date_paid_in_full: date | None = None
    last_payment_date: date | None = None
    currency: str = ""

    @property
    def fully_paid(self) -> bool:
        return self.balance == 0 and self.paid > 0


@dataclass
class PackageError(Exception):
    """A package-level failure (login refused, server unreachable, setup missing)."""

    message: str
    fix: str = ""

    def __str__(self) -> str:
        return f"{self.message} {self.fix}".strip()


@dataclass
class Existing:
    """Documents already in the package: document key → the package's reference."""

    found: dict[str, str] = field(default_factory=dict)

    def __contains__(self, key: object) -> bool:
        return key in self.found


class AccountingPackage(abc.ABC):
    """Base class of every package adapter."""

    name: ClassVar[str]  # registry key, e.g. "dynamics_sl"
    label: ClassVar[str]  # what the user sees, e.g. "Microsoft Dynamics SL"
    settings: ClassVar[tuple[SettingField, ...]]
    capabilities: ClassVar[Capabilities]

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)

    @classmethod
    async def choices_for(cls, field_name: str, values: Mapping[str, Any]) -> tuple[str, ...]:
        """Choices that depend on other fields (e.g. the companies a server offers)."""
        return next((f.choices for f in cls.settings if f.name == field_name), ())

    @classmethod
    def env_var(cls, field: SettingField) -> str:
        """Environment variable that supplies a secret field where no keyring works; named per
        package, so two packages' fields of the same name never share one."""
        return f"MOBIUS_{cls.name.upper()}_{field.name.upper()}"

    @classmethod
    def books_identity(cls, values: Mapping[str, Any]) -> str:
        """What names the books a run writes to: the key of the overlap lock and of the journal.

        Every non-secret setting with its default filled in, so a profile that spells out a default
        names the same books; adapters narrow it to what truly names the books."""
        parts = (f"{f.name}={values.get(f.name, f.default)}" for f in cls.settings if not f.secret)
        return ",".join(parts)

    async def __aenter__(self) -> AccountingPackage:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @abc.abstractmethod
    async def connect(self) -> None:
        """Open the connection and check the login; raise PackageError with the fix."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def reference(self) -> Any:
        """Reference data needed to check a run, read once."""

    def home_currency(self, reference: Any) -> str:
        """ISO code of the books' own currency, from the reference data ("" when the package does not
        say): what an amount without a currency of its own is shown in."""
        for name in ("home_currency", "base_currency"):
            code = str(getattr(reference, name, "") or "").strip()
            if code:
                return code
        return ""

    @abc.abstractmethod
    def check(self, plan: Plan, reference: Any) -> list[Problem]:
        """Every problem with the plan against the reference (pure)."""

    @abc.abstractmethod
    async def existing(self, documents: Sequence[Document]) -> Existing:
        """Which of these documents the package already holds."""

    @abc.abstractmethod
    def post(self, plan: Plan, documents: Sequence[Document], reference: Any) -> AsyncIterator[PostResult]:
        """Post ``documents`` (a subset of ``plan.documents``), creating the master records of
        ``plan`` they need, and yield each document's result as it happens. Never raises for a
        single document's failure.

        A result states what the package certainly did: POSTED only when the package holds the
        document; FAILED only when it certainly does not (it refused it, or, asked after a failed
        send, it answered that it does not hold it); SKIPPED only when the document was certainly
        never sent (e.g. its batch could not be created, or no connection could be opened). When
        the outcome is unknown (sent, but the answer was lost and the package could not be asked),
        yield nothing for that document: the service asks ``existing()`` about it afterwards, and
        if that fails too the run stays unfinished until the package can answer. Never report such
        a document FAILED or SKIPPED: it would be left out of the Manage batch while the package
        may hold it.

        An adapter that writes an import file instead of posting (a mode the user chose at login)
        yields WRITTEN for each document it wrote, with the file as ``reference``, and FAILED with
        the reason for each the file cannot carry; :meth:`import_steps` tells the user what to do."""

    def import_steps(self, path: str) -> str:
        """How the user imports a file this adapter wrote (WRITTEN results) into the package: one
        sentence naming ``path`` and the package's own menu. Only adapters that write files need it."""
        return f"Import {path} into {self.label}"

    async def existing_in_parts(self, documents: Sequence[Document]) -> AsyncIterator[tuple[list[Document], Existing]]:
        """:meth:`existing` in parts, each as soon as it is known: (the documents the part settles,
        which of them the package holds). Every document is in exactly one part; together the parts
        read no more than :meth:`existing` does. By default one part, from :meth:`existing`."""
        yield list(documents), await self.existing(documents)

    async def post_stream(self, plan: Plan, documents: AsyncIterable[Document], reference: Any) -> AsyncIterator[PostResult]:
        """:meth:`post`, with ``documents`` arriving while it runs (the service hands each over once
        its duplicate check has cleared it), so posting starts before the last check answers. Each
        master record is still created once, before the first document that needs it. By default
        every document is awaited first, then :meth:`post` runs; a package that can start on the
        first ones overrides this."""
        collected = [doc async for doc in documents]
        async for result in self.post(plan, collected, reference):
            yield result

    @abc.abstractmethod
    async def payments_since(self, since: date) -> list[PaymentStatus]:
        """Payment status of invoices whose payments changed on or after ``since``."""
