"""Microsoft Dynamics SL: the package adapter (see accounting/base.py for the protocol)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

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
from mobius_tui.accounting.dynamics_sl.check import check as check_plan
from mobius_tui.accounting.dynamics_sl.check import vendor_currencies
from mobius_tui.accounting.dynamics_sl.dialect import BY_DRIVER
from mobius_tui.accounting.dynamics_sl.existing import find_existing
from mobius_tui.accounting.dynamics_sl.payments import read_payments
from mobius_tui.accounting.dynamics_sl.groups import ConnectionLost, Unit
from mobius_tui.accounting.dynamics_sl.items import items_of, new_items
from mobius_tui.accounting.dynamics_sl.post import Poster
from mobius_tui.accounting.dynamics_sl.reference import SLReference, load_reference, missing_schema
from mobius_tui.accounting.dynamics_sl.settings import (
    DRIVER_PACKAGES,
    DRIVERS,
    SETTINGS,
    SLSettings,
    redacted,
    server_identity,
)
from mobius_tui.accounting.dynamics_sl.sql import Session
from mobius_tui.documents.model import Document, DocumentKind, Plan, PurchaseDocument, SalesDocument


def _pyodbc():
    try:
        import pyodbc
    except ImportError as exc:  # pragma: no cover - pyodbc is a declared dependency of the odbc extra
        raise PackageError("pyodbc is not installed.", "Install mobius-tui with the 'odbc' extra "
                           "(pip install 'mobius-tui[odbc]') and the unixodbc package.") from exc
    return pyodbc


def _open(settings: SLSettings, database: str) -> Any:
    pyodbc = _pyodbc()
    driver = DRIVERS[settings.driver]
    if driver not in pyodbc.drivers():
        raise PackageError(f"The ODBC driver '{driver}' is not installed.",
                           f"Install the {DRIVER_PACKAGES[settings.driver]} package, or choose another driver.")
    conn_str = settings.connection_string(database)
    if settings.driver == "sqlite" and not (Path(settings.server) / f"{database}.db").exists():
        raise PackageError(f"Database '{database}' not found in {settings.server}.",
                           "Check the database server folder and the database name.")
    try:
        conn = pyodbc.connect(conn_str, autocommit=False, timeout=30)
    except pyodbc.Error as exc:
        detail = redacted(str(exc.args[1] if len(exc.args) > 1 else exc))
        raise PackageError(f"Could not open Dynamics SL database '{database}' on '{settings.server}': {detail}",
                           "Check the database server, the SQL Server authentication and login, and that the "
                           "server accepts remote connections.") from exc
    return conn


def _find_company(settings: SLSettings) -> tuple[str, list[str]]:
    """The company's application database name, read from the system database's Company table.

    Also checks that the SL user exists there (UserRec, RecType 'U'). SL keeps user passwords
    in its own encrypted form, which cannot be verified from SQL: UNCONFIRMED how to do it, so the
    SL password is kept for the profile but not checked.
    """
    conn = _open(settings, settings.system_database)
    try:
        s = Session(conn, BY_DRIVER[settings.driver])
        companies = s.rows("SELECT CpnyID, DatabaseName FROM Company")
        known = [r["cpnyid"] for r in companies]
        match = next((r for r in companies if r["cpnyid"].upper() == settings.company_id.upper()), None)
        if match is None:
            raise PackageError(f"Company '{settings.company_id}' not found in the SL system database "
                               f"'{settings.system_database}'.",
                               f"Choose one of: {', '.join(known) or '(none)'}.")
        if s.has_table("UserRec") and s.scalar("SELECT COUNT(*) FROM UserRec WHERE RecType = 'U' AND UserId = ?",
                                               settings.sl_user) == 0:
            raise PackageError(f"SL user '{settings.sl_user}' not found in the system database.",
                               "Enter an SL user name set up on SL's User Maintenance screen.")
        return match["databasename"], known
    finally:
        conn.close()


def _few(names: Sequence[str], limit: int = 6) -> str:
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def not_an_sl_database(settings: SLSettings, database: str, missing: Sequence[str]) -> PackageError:
    """``missing``: table names and Table.Column names, as ``missing_schema`` gives them."""
    tables = [m for m in missing if "." not in m]
    columns = [m for m in missing if "." in m]
    parts = [f"{noun}{'s' if len(names) > 1 else ''} {_few(names)}"
             for noun, names in (("table", tables), ("column", columns)) if names]
    return PackageError(
        f"Database '{database}' (company '{settings.company_id}' in the SL system database "
        f"'{settings.system_database}') is not a Dynamics SL company database: it has no {' and no '.join(parts)}.",
        "Check the company id in the Dynamics SL login, and the database name SL's Company Maintenance "
        "gives that company; if the database is right, complete its SL setup (or restore it) before exporting.")


def open_company(values: Mapping[str, Any]) -> Session:
    """A session on the company's application database (synchronous; for tools and the sandbox)."""
    settings = SLSettings.from_values(values)
    database, _ = _find_company(settings)
    return Session(_open(settings, database), BY_DRIVER[settings.driver])


class DynamicsSL(AccountingPackage):
    name = "dynamics_sl"
    label = "Microsoft Dynamics SL"
    settings = SETTINGS
    capabilities = Capabilities(
        document_kinds=frozenset(DocumentKind),
        creates_customers=True,
        creates_vendors=True,
        creates_items=True,
        multi_currency=True,
        inventory=True,
        expenses_as_journal=True,
        payments=True,
    )

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self._settings: SLSettings | None = None
        self._session: Session | None = None
        self.database = ""

    @classmethod
    async def choices_for(cls, field_name: str, values: Mapping[str, Any]) -> tuple[str, ...]:
        if field_name != "company_id":
            return await super().choices_for(field_name, values)
        settings = SLSettings.from_values({**values, "company_id": values.get("company_id") or "?"})

        def companies() -> tuple[str, ...]:
            conn = _open(settings, settings.system_database)
            try:
                return tuple(r["cpnyid"] for r in Session(conn, BY_DRIVER[settings.driver]).rows(
                    "SELECT CpnyID FROM Company ORDER BY CpnyID"))
            finally:
                conn.close()

        return await asyncio.to_thread(companies)

    @classmethod
    def books_identity(cls, values: Mapping[str, Any]) -> str:
        # One company's application database: the same whichever driver, login or spelling of the
        # server reaches it.
        server = server_identity(str(values.get("driver") or "mssql18"), str(values.get("server", "")))
        system = str(values.get("system_database", "")).strip().lower()
        return f"server={server},system_database={system},company_id={str(values.get('company_id', '')).strip().upper()}"

    @property
    def session(self) -> Session:
        if self._session is None:
            raise PackageError("Not connected to Dynamics SL.", "Log in first.")
        return self._session

    async def connect(self) -> None:
        settings = SLSettings.from_values(self.values)

        def work() -> Session:
            database, _ = _find_company(settings)
            conn = _open(settings, database)
            session = Session(conn, BY_DRIVER[settings.driver])
            try:
                missing = missing_schema(session)
            finally:
                session.rollback()  # hold no locks between calls (SQLite readers block writers)
            if missing:
                conn.close()
                raise not_an_sl_database(settings, database, missing)
            self.database = database
            return session

        self._session = await asyncio.to_thread(work)
        self._settings = settings

    async def close(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await asyncio.to_thread(session.conn.close)

    async def reference(self) -> SLReference:
        company = self._settings.company_id if self._settings else ""

        def work() -> SLReference:
            try:
                return load_reference(self.session, company)
            except Exception as exc:
                missing = self._missing_since_login()
                if missing and self._settings is not None:
                    raise not_an_sl_database(self._settings, self.database, missing) from exc
                raise
            finally:
                self.session.rollback()

        return await asyncio.to_thread(work)

    def _missing_since_login(self) -> list[str]:
        """After a failed read: what the schema lacks now (a table dropped, another database restored
        over this one), or nothing when that cannot be told (the connection itself is gone)."""
        try:
            self.session.rollback()  # PostgreSQL reads nothing more in a transaction that failed
            self.session.forget_shapes()
            return missing_schema(self.session)
        except Exception:
            return []

    def check(self, plan: Plan, reference: SLReference) -> list[Problem]:
        return check_plan(plan, reference)

    async def existing(self, documents: Sequence[Document]) -> Existing:
        def work() -> dict[str, str]:
            try:
                return find_existing(self.session, documents)
            finally:
                self.session.rollback()

        return Existing(await asyncio.to_thread(work))

    async def post(self, plan: Plan, documents: Sequence[Document],
                   reference: SLReference) -> AsyncIterator[PostResult]:
        settings = self._settings
        poster = Poster(self.session, reference, settings.sl_user if settings else "")
        used_customers = {d.customer.account for d in documents if isinstance(d, SalesDocument)}
        used_vendors = {d.vendor.account for d in documents if isinstance(d, PurchaseDocument) and not d.employee}
        masters = [poster.customer_unit(rec) for rec in plan.customers
                   if rec.account in used_customers and rec.account not in reference.customers]
        masters += [poster.vendor_unit(rec, min(vendor_currencies(documents, rec.account, reference.base_currency)))
                    for rec in plan.vendors
                    if not rec.is_member and rec.account in used_vendors and rec.account not in reference.vendors]
        created_items = new_items(documents, plan, reference)
        masters += [poster.item_unit(new) for _, new in sorted(created_items.items()) if new.known_type]
        failed_masters: dict[str, str] = {}
        lost = ""
        try:
            while masters:
                results, used = await asyncio.to_thread(poster.post_units, masters[:poster.group_documents])
                for result in results:
                    if not result.posted:
                        failed_masters[result.document_key] = (
                            f"{result.document_key.replace(':', ' ')} could not be created: {result.error}")
                masters = masters[used:]
        except ConnectionLost as exc:
            lost = str(exc)
        units = []
        for doc in documents:
            master = ""
            if isinstance(doc, SalesDocument):
                master = failed_masters.get(f"customer:{doc.customer.account}", "")
            elif isinstance(doc, PurchaseDocument):
                master = failed_masters.get(f"vendor:{doc.vendor.account}", "")
            if failed_masters and not master:
                master = next((failed_masters[f"item:{code}"] for code in sorted(items_of(doc))
                               if f"item:{code}" in failed_masters), "")
            units.append(Unit(doc.key, error=master, document=doc) if master else poster.unit(doc))
        done = 0
        writing = False  # a group is being written in the worker thread: leave the connection alone
        try:
            while done < len(units) and not lost:
                try:
                    writing = True
                    front = units[done:done + poster.group_documents]
                    results, used = await asyncio.to_thread(poster.post_units, front)
                    writing = False
                except ConnectionLost as exc:
                    writing = False
                    lost = str(exc)
                    # The group in flight did not post, except units whose commit went out unanswered:
                    # they get no result, and the service asks existing() about them.
                    for unit in units[done:done + len(poster.in_flight)]:
                        if unit.key not in exc.unknown:
                            yield PostResult(unit.key, PostStatus.FAILED,
                                             error=f"Connection to Dynamics SL lost: {lost}")
                    done += len(poster.in_flight)
                    break
                for result in results:
                    yield result
                done += used
            for unit in units[done:]:
                yield PostResult(unit.key, PostStatus.SKIPPED, error=f"Connection to Dynamics SL lost: {lost}")
        finally:
            # Balance the batches of what posted, also when the caller stops early; not after a crash
            # or cancellation in the middle of a group, whose transaction must not be committed.
            if not lost and not writing:
                await asyncio.to_thread(poster.finish)

    async def payments_since(self, since: date) -> list[PaymentStatus]:
        def work() -> list[PaymentStatus]:
            try:
                places = {k: v for k, v in (
                    (r["curyid"], int(r["decpl"])) for r in self.session.rows("SELECT CuryId, DecPl FROM Currncy"))}
                return read_payments(self.session, since, places)
            finally:
                self.session.rollback()

        return await asyncio.to_thread(work)
