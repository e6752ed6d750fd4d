"""Sage 50 Canadian Edition: the package adapter (see accounting/base.py for the protocol)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

from mobius_tui.accounting.base import (
    AccountingPackage,
    Capabilities,
    Existing,
    PackageError,
    PaymentStatus,
    PostResult,
    PostStatus,
    Problem,
)
from mobius_tui.accounting.sage50ca.bridge_client import Bridge, default_bridge_path
from mobius_tui.accounting.sage50ca import imp
from mobius_tui.accounting.sage50ca.check import check as check_plan
from mobius_tui.accounting.sage50ca.database import Database, open_database
from mobius_tui.accounting.sage50ca.ledger import find_existing, read_payments
from mobius_tui.accounting.sage50ca.post import Poster, master_error
from mobius_tui.accounting.sage50ca.reference import Sage50Reference, load_reference
from mobius_tui.accounting.sage50ca.settings import SETTINGS, Sage50Settings
from mobius_tui.documents.model import Document, DocumentKind, Plan

_T = TypeVar("_T")


class Sage50(AccountingPackage):
    name = "sage50ca"
    label = "Sage 50 Canadian Edition"
    settings = SETTINGS
    capabilities = Capabilities(
        document_kinds=frozenset(DocumentKind),
        creates_customers=True,
        creates_vendors=True,
        creates_items=True,
        multi_currency=True,
        inventory=False,  # no SDK journal: value as a general journal entry, quantities on a worksheet
        expenses_as_journal=True,  # general journal entries through the SDK
        payments=True,
    )

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self._settings: Sage50Settings | None = None
        self._db: Database | None = None

    @classmethod
    def books_identity(cls, values: Mapping[str, Any]) -> str:
        # The company file names the books; Windows paths ignore case.
        return f"company_file={str(values.get('company_file', '')).strip().lower()}"

    @property
    def db(self) -> Database:
        return _connected(self._db)

    @property
    def setup(self) -> Sage50Settings:
        return _connected(self._settings)

    async def connect(self) -> None:
        settings = Sage50Settings.from_values(self.values)
        self._settings = settings
        bridge = self.bridge_path()
        if settings.write_mode == "sdk" and not bridge.exists():
            raise PackageError(f"The Sage 50 SDK bridge is not built: {bridge} does not exist.",
                               "Build Sage50Bridge.exe on this PC (README, 'Sage 50 Canada') and enter its path on "
                               "the Sage 50 login.")
        self._db = await asyncio.to_thread(open_database, settings)

    async def close(self) -> None:
        if self._db is not None:
            db, self._db = self._db, None
            await asyncio.to_thread(db.close)

    async def reference(self) -> Sage50Reference:
        return await asyncio.to_thread(load_reference, self.db)

    def check(self, plan: Plan, reference: Sage50Reference) -> list[Problem]:
        s = self._settings or Sage50Settings.from_values(self.values)
        if s.write_mode == "imp":
            return imp.check(plan, reference, s.account_delimiter, s.vendor_invoice_module)
        return check_plan(plan, reference, s.account_delimiter, s.vendor_invoice_module)

    async def existing(self, documents: Sequence[Document]) -> Existing:
        found = await asyncio.to_thread(find_existing, self.db, documents, self.setup.vendor_invoice_module)
        return Existing(found)

    def bridge_path(self) -> Path:
        return Path(self.setup.bridge_path) if self.setup.bridge_path else default_bridge_path()

    def _folder(self, chosen: str) -> Path:
        return Path(chosen) if chosen else Path(platformdirs.user_data_dir("mobius-tui")) / "sage50"

    def import_steps(self, path: str) -> str:
        return f"Import {path} in Sage 50 (File > Import/Export > Import Transactions; Sage offers a backup first)"

    async def post(self, plan: Plan, documents: Sequence[Document],
                   reference: Sage50Reference) -> AsyncIterator[PostResult]:
        s = self.setup
        if s.write_mode == "imp":
            results, path = await asyncio.to_thread(self._write_import_file, plan, documents, reference)
            for result in results:
                yield result
            if path is not None:  # resumed after the last result: the journal holds them all
                await asyncio.to_thread(imp.publish, path)
            return
        worksheets = self._folder(s.worksheet_folder)
        poster = Poster(self.db, Bridge(self.bridge_path(), float(s.bridge_timeout)), s, reference, worksheets)
        try:
            try:
                await asyncio.to_thread(poster.open)
            except PackageError as exc:  # nothing was sent: every document certainly not posted
                for doc in documents:
                    yield PostResult(doc.key, PostStatus.SKIPPED, error=str(exc))
                return
            failed = await asyncio.to_thread(poster.masters, plan, documents)
            for doc in documents:
                result = await asyncio.to_thread(poster.post, doc, master_error(doc, failed))
                if result is not None:
                    yield result
        finally:
            await asyncio.to_thread(poster.close)

    def _write_import_file(self, plan: Plan, documents: Sequence[Document],
                           reference: Sage50Reference) -> tuple[list[PostResult], Path | None]:
        """Import-file mode: one new .IMP file with every document the format carries (WRITTEN, not in the
        books until the accountant imports it); the others FAILED with the reason, never written. The
        file keeps a ``.part`` name until :func:`imp.publish` (see :func:`imp.save`)."""
        s = self.setup
        made = imp.import_file(documents, plan.customers, plan.vendors, reference, s.vendor_invoice_module,
                               s.account_delimiter)
        results = [PostResult(doc.key, PostStatus.FAILED, error=f"not written to the import file: {why}")
                   for doc, why in made.not_carried]
        if not made.carried:
            return results, None
        try:
            path = imp.save(self._folder(s.import_folder), made.text)
        except OSError as exc:
            error = f"the import file could not be written ({exc}); check the import file folder on the Sage 50 login"
            return results + [PostResult(doc.key, PostStatus.FAILED, error=error) for doc in made.carried], None
        return results + [PostResult(doc.key, PostStatus.WRITTEN, str(path)) for doc in made.carried], path

    async def payments_since(self, since: date) -> list[PaymentStatus]:
        return await asyncio.to_thread(read_payments, self.db, since)


def _connected(value: _T | None) -> _T:
    """What ``connect()`` opened; before it (or after ``close()``), the one message for it."""
    if value is None:
        raise PackageError("Not connected to Sage 50.", "Log in first.")
    return value
