"""Sage 50 Canadian Edition: the package adapter (see accounting/base.py for the protocol)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

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
from mobius_tui.accounting.sage50ca.check import check as check_plan
from mobius_tui.accounting.sage50ca.database import Database, open_database
from mobius_tui.accounting.sage50ca.ledger import find_existing, read_payments
from mobius_tui.accounting.sage50ca.post import Poster, master_error
from mobius_tui.accounting.sage50ca.reference import Sage50Reference, load_reference
from mobius_tui.accounting.sage50ca.settings import SETTINGS, Sage50Settings
from mobius_tui.documents.model import Document, DocumentKind, Plan


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
        if self._db is None:
            raise PackageError("Not connected to Sage 50.", "Log in first.")
        return self._db

    @property
    def setup(self) -> Sage50Settings:
        if self._settings is None:
            raise PackageError("Not connected to Sage 50.", "Log in first.")
        return self._settings

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
        return check_plan(plan, reference, s.account_delimiter, s.vendor_invoice_module)

    async def existing(self, documents: Sequence[Document]) -> Existing:
        found = await asyncio.to_thread(find_existing, self.db, documents, self.setup.vendor_invoice_module)
        return Existing(found)

    def bridge_path(self) -> Path:
        return Path(self.setup.bridge_path) if self.setup.bridge_path else default_bridge_path()

    async def post(self, plan: Plan, documents: Sequence[Document],
                   reference: Sage50Reference) -> AsyncIterator[PostResult]:
        s = self.setup
        worksheets = Path(s.worksheet_folder) if s.worksheet_folder else \
            Path(platformdirs.user_data_dir("mobius-tui")) / "sage50"
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

    async def payments_since(self, since: date) -> list[PaymentStatus]:
        return await asyncio.to_thread(read_payments, self.db, since)
