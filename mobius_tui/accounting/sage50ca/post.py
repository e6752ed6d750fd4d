"""Posting through the bridge: masters first, then one document at a time, each confirmed by reading it
back from the company database. ``Post()``'s own answer is never trusted alone, nothing is retried."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from mobius_tui.accounting.base import PackageError, PostResult, PostStatus
from mobius_tui.accounting.sage50ca.bridge_client import Bridge, BridgeLost
from mobius_tui.accounting.sage50ca.database import Database
from mobius_tui.accounting.sage50ca.ledger import find_entry
from mobius_tui.accounting.sage50ca.reference import Sage50Reference
from mobius_tui.accounting.sage50ca.requests import Requests, identity
from mobius_tui.accounting.sage50ca.settings import Sage50Settings
from mobius_tui.documents.model import (
    Document,
    InventoryAdjustment,
    InventoryTransfer,
    ItemRecord,
    ItemRef,
    Plan,
    PurchaseDocument,
    SalesDocument,
)

_OPEN_FAILURES = {
    "FAIL_USER_LOGON_FAILED": ("Sage 50 refused the user name or password.",
                               "Check the Sage user and password on the Sage 50 login."),
    "FAIL_PATH_NOT_EXIST": ("Sage 50 could not find the company file.", "Check the company file (.SAI) path."),
    "FAIL_ANOTHER_DATABASE_IS_OPEN": ("Another company is open in the Sage 50 SDK on this PC.",
                                      "Close it (or the program using it) and run again."),
    "FAIL_INVALID_SECURITY_DETAILS": ("Sage 50 refused Mobius TUI as a third-party application.",
                                      "Authorize it in Sage 50 (Setup > Settings > Company > Third Party) and give the "
                                      "user 'Read and write data' third-party rights."),
}


class Poster:
    def __init__(self, db: Database, bridge: Bridge, settings: Sage50Settings, ref: Sage50Reference,
                 worksheet_dir: Path) -> None:
        self.db = db
        self.bridge = bridge
        self.settings = settings
        self.ref = ref
        self.requests = Requests(ref, settings.account_delimiter, settings.vendor_invoice_module)
        self.worksheet_dir = worksheet_dir
        self.worksheet: Path | None = None
        self.opened = False
        self.created: set[str] = set()  # master keys already attempted this run

    def open(self) -> None:
        """Start the bridge and open the company (again after a restart)."""
        if self.opened and self.bridge.alive:
            return
        reply = self.bridge.call({"op": "open", "company": self.settings.company_file,
                                  "user": self.settings.sage_user, "password": self.settings.sage_password})
        if not reply.get("ok"):
            message, fix = _OPEN_FAILURES.get(str(reply.get("result")), (
                str(reply.get("error") or f"Sage 50 did not open the company: {reply.get('result')}."),
                "Check that Sage 50 and its Connection Manager run on this PC and the company opens in Sage 50."))
            raise PackageError(message, fix)
        self.opened = True

    # --- masters -----------------------------------------------------------------------

    def masters(self, plan: Plan, documents: Sequence[Document]) -> dict[str, str]:
        """Create the customers, vendors and items the documents need; master key → error for those
        that could not be created (their documents fail with it)."""
        failed: dict[str, str] = {}
        home = self.ref.home_currency
        customers = {c.name: c for c in plan.customers}
        vendors = {v.name: v for v in plan.vendors if not v.is_member}
        items = {r.code.upper(): r for r in plan.items}
        for doc in documents:
            if isinstance(doc, SalesDocument):
                name = doc.customer.name
                if name and name not in self.ref.customers and f"customer:{name}" not in self.created and name in customers:
                    currency = customers[name].currency or doc.currency or home
                    failed.update(self._create(f"customer:{name}", {"op": "customer", "name": name,
                                                                     "currency": currency},
                                               "SELECT lId FROM tcustomr WHERE sName = ?", name))
                    self.created.add(f"customer:{name}")
            elif isinstance(doc, PurchaseDocument) and not doc.employee:
                name = doc.vendor.name
                if name and name not in self.ref.vendors and f"vendor:{name}" not in self.created and name in vendors:
                    failed.update(self._create(f"vendor:{name}", {"op": "vendor", "name": name,
                                                                   "currency": doc.currency or home},
                                               "SELECT lId FROM tvendor WHERE sName = ?", name))
                    self.created.add(f"vendor:{name}")
            for line in getattr(doc, "lines", []):
                item: ItemRef | None = getattr(line, "item", None)
                if item is None or not item.code:
                    continue
                code = item.code.upper()
                if code in self.ref.items or f"item:{code}" in self.created:
                    continue
                record: ItemRecord | None = items.get(code)
                revenue = (record.revenue_account if record else "") or line.account
                price = line.unit_price if isinstance(doc, SalesDocument) else Decimal(0)
                failed.update(self._create(f"item:{code}", self.requests.item(code, item, record, revenue, price),
                                           "SELECT lId FROM tinvent WHERE sPartCode = ?", code))
                self.created.add(f"item:{code}")
        return failed

    def _create(self, key: str, request: dict, confirm: str, value: str) -> dict[str, str]:
        what = key.replace(":", " ", 1)
        try:
            self.open()
            reply = self.bridge.call(request)
        except BridgeLost as exc:
            reply = {"ok": False, "error": str(exc)}
        if self.db.rows(confirm, value):
            return {}
        return {key: f"{what} could not be created in Sage 50: {_reason(reply)}"}

    # --- documents ---------------------------------------------------------------------

    def post(self, doc: Document, master_error: str = "") -> PostResult | None:
        """The document's result, or None when its outcome is unknown (existing() settles it)."""
        if master_error:
            return PostResult(doc.key, PostStatus.FAILED, error=master_error)
        who = identity(doc, self.settings.vendor_invoice_module)
        request = self.requests.document(doc)
        lost = ""
        try:
            self.open()
        except (PackageError, BridgeLost) as exc:
            return PostResult(doc.key, PostStatus.SKIPPED, error=f"Sage 50 could not be opened: {exc}")
        try:
            reply = self.bridge.call(request)
        except BridgeLost as exc:
            lost, reply = str(exc), {}
        try:
            entry = find_entry(self.db, who)
        except Exception:
            return None
        if entry is not None:
            reference = f"J{entry}"
            if isinstance(doc, (InventoryAdjustment, InventoryTransfer)):
                reference += f"; quantities in {self._worksheet(doc)}"
            return PostResult(doc.key, PostStatus.POSTED, reference)
        if lost:
            return None  # the bridge may have committed as it stopped: existing() asks again afterwards
        return PostResult(doc.key, PostStatus.FAILED, error=_reason(reply))

    def _worksheet(self, doc: InventoryAdjustment | InventoryTransfer) -> Path:
        """Sage 50 has no journal for inventory moves: the quantities go to a worksheet to enter by hand."""
        if self.worksheet is None:
            self.worksheet_dir.mkdir(parents=True, exist_ok=True)
            self.worksheet = self.worksheet_dir / f"sage50-inventory-worksheet-{datetime.now():%Y%m%d-%H%M%S}.csv"
            with self.worksheet.open("w", newline="", encoding="utf-8") as f:
                csv.writer(f).writerow(["document", "date", "kind", "item", "quantity", "from location",
                                        "to location", "value", "description"])
        locations = self.ref.locations

        def place(xref: str) -> str:
            return locations[int(xref) - 1] if xref.isdigit() and 1 <= int(xref) <= len(locations) else xref

        with self.worksheet.open("a", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            kind = "adjustment" if isinstance(doc, InventoryAdjustment) else "transfer"
            for line in doc.lines:
                writer.writerow([doc.number, f"{doc.date:%Y-%m-%d}", kind, line.item.code.upper(), line.quantity,
                                 place(line.from_location or line.item.location_xref), place(line.to_location),
                                 line.value, line.description])
        return self.worksheet

    def close(self) -> None:
        self.bridge.close()


def _reason(reply: dict) -> str:
    text = str(reply.get("error") or "Sage 50 did not post it")
    alerts = [a for a in reply.get("alerts") or [] if a]
    return text + (f" (Sage 50 said: {'; '.join(alerts)})" if alerts else "")


def master_error(doc: Document, failed_masters: dict[str, str]) -> str:
    """Why a master record the document needs could not be created ("" when none failed)."""
    keys = []
    if isinstance(doc, SalesDocument):
        keys.append(f"customer:{doc.customer.name}")
    elif isinstance(doc, PurchaseDocument):
        keys.append(f"vendor:{doc.vendor.name}")
    keys += [f"item:{line.item.code.upper()}" for line in getattr(doc, "lines", [])
             if getattr(line, "item", None) is not None and line.item.code]
    return next((failed_masters[k] for k in keys if k in failed_masters), "")
