"""The books of one Sage Accounting business, in memory, and the rules the v3.1 API applies to writes.

Records are kept as the API shows them with ``attributes=all`` (field names from the fact sheet).
Writes that break a rule raise :class:`RecordInvalid` with the ``$source`` the real API names, so
the HTTP layer answers 422 with the error array. Every method takes the business lock: the server
thread and a test's thread both touch the books.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

ZERO = Decimal("0")
CENT = Decimal("0.01")
# The 2022 spec's limits; purchase invoice and other payment references are taken to be the same 25
# (UNCONFIRMED).
REFERENCE_MAX = {"contact": 10, "sales_invoice": 25, "sales_credit_note": 25, "purchase_invoice": 25,
                 "other_payment": 25}
# Which contact type each artefact's contact must have.
CONTACT_TYPE = {"sales_invoice": "CUSTOMER", "sales_credit_note": "CUSTOMER", "purchase_invoice": "VENDOR"}


class RecordInvalid(Exception):
    def __init__(self, source: str, message: str) -> None:
        super().__init__(message)
        self.source = source
        self.message = message


class NotFound(Exception):
    pass


def new_id() -> str:
    return uuid.uuid4().hex


def stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _money(value: Any, source: str) -> Decimal:
    try:
        out = Decimal(str(value))
    except Exception:
        raise RecordInvalid(source, f"{value!r} is not a number") from None
    if not out.is_finite():
        raise RecordInvalid(source, f"{value!r} is not a number")
    return out


def _day(value: Any, source: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RecordInvalid(source, f"{value!r} is not a date (YYYY-MM-DD)") from None


@dataclass
class Business:
    id: str
    name: str
    country: str = "CA"
    subscription_active: bool = True
    collections: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    financial_settings: dict[str, Any] = field(default_factory=dict)
    invoice_settings: dict[str, Any] = field(default_factory=dict)
    # reference → ($source, message): the API refuses a sales invoice / credit note with this reference
    refusals: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Whether a payment or allocation bumps the invoice's updated_at: unconfirmed for the real API, so
    # off by default, which only the payment-centric read of the sheet gets right.
    payments_touch_invoices: bool = False
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def table(self, name: str) -> dict[str, dict[str, Any]]:
        return self.collections.setdefault(name, {})

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "displayed_as": self.name, "$path": f"/businesses/{self.id}", "name": self.name,
                "country": {"id": self.country}, "is_demo": False,
                "subscriptions": [{"active": self.subscription_active,
                                   "status": "ACTIVE" if self.subscription_active else "EXPIRED"}]}

    def add(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            record.setdefault("id", new_id())
            record.setdefault("$path", f"/{collection}/{record['id']}")
            now = stamp(self.clock())
            record.setdefault("created_at", now)
            record["updated_at"] = now
            self.table(collection)[record["id"]] = record
            return record

    def get(self, collection: str, key: str) -> dict[str, Any]:
        with self.lock:
            record = self.table(collection).get(key)
            if record is None:
                raise NotFound(f"{collection}/{key}")
            return record

    def touch(self, record: dict[str, Any]) -> None:
        record["updated_at"] = stamp(self.clock())

    def update_invoice_settings(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            for key in ("sales_invoice_number_prefix", "sales_credit_note_number_prefix"):
                if key in body:
                    if len(str(body[key] or "")) > 6:
                        raise RecordInvalid(key, "is too long (maximum is 6 characters)")
                    self.invoice_settings[key] = str(body[key] or "")
            return self.invoice_settings

    # --- contacts -------------------------------------------------------------------------

    def create_contact(self, body: dict[str, Any]) -> dict[str, Any]:
        if not str(body.get("name") or "").strip():
            raise RecordInvalid("name", "can't be blank")
        types = body.get("contact_type_ids") or []
        if not types or any(t not in ("CUSTOMER", "VENDOR") for t in types):
            raise RecordInvalid("contact_type_ids", "must be CUSTOMER and/or VENDOR")
        reference = str(body.get("reference") or "")
        if len(reference) > REFERENCE_MAX["contact"]:
            raise RecordInvalid("reference", f"is too long (maximum is {REFERENCE_MAX['contact']} characters)")
        with self.lock:
            if reference and any(c.get("reference") == reference for c in self.table("contacts").values()):
                raise RecordInvalid("reference", "has already been taken")
            currency = body.get("currency_id") or self.financial_settings["base_currency"]["id"]
            return self.add("contacts", {
                "displayed_as": f"{body['name']} ({reference})" if reference else body["name"],
                "name": body["name"], "reference": reference or None,
                "contact_types": [{"id": t, "displayed_as": t.title()} for t in types],
                "currency": {"id": currency}, "email": body.get("email"), "balance": ZERO,
                "credit_days": body.get("credit_days"), "system": False, "deleted_at": None,
                "tax_number": body.get("tax_number"),
            })

    def update_contact(self, key: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            record = self.get("contacts", key)
            if "reference" in body:
                reference = str(body.get("reference") or "")
                if len(reference) > REFERENCE_MAX["contact"]:
                    raise RecordInvalid("reference", "is too long (maximum is 10 characters)")
                if reference and any(c.get("reference") == reference and c["id"] != key
                                     for c in self.table("contacts").values()):
                    raise RecordInvalid("reference", "has already been taken")
                record["reference"] = reference or None
            if "name" in body:
                record["name"] = body["name"]
            ref = record.get("reference")
            record["displayed_as"] = f"{record['name']} ({ref})" if ref else record["name"]
            self.touch(record)
            return record

    # --- sales artefacts ------------------------------------------------------------------

    def create_artefact(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        """A sales invoice, sales credit note or purchase invoice; Sage numbers sales artefacts, the
        reference is ours, and a purchase invoice carries the vendor's number in ``vendor_reference``."""
        lines_key = "credit_note_lines" if kind == "sales_credit_note" else "invoice_lines"
        with self.lock:
            contact_id = body.get("contact_id")
            if not contact_id or contact_id not in self.table("contacts"):
                raise RecordInvalid("contact", "can't be blank" if not contact_id else "is not a known contact")
            wanted_type = CONTACT_TYPE[kind]
            if all(t["id"] != wanted_type for t in self.table("contacts")[contact_id].get("contact_types") or []):
                raise RecordInvalid("contact", "is not a supplier" if wanted_type == "VENDOR" else "is not a customer")
            if kind == "purchase_invoice":
                if not body.get("due_date"):
                    raise RecordInvalid("due_date", "can't be blank")
                if len(str(body.get("vendor_reference") or "")) > REFERENCE_MAX[kind]:
                    raise RecordInvalid("vendor_reference", f"is too long (maximum is {REFERENCE_MAX[kind]} characters)")
            day = _day(body.get("date"), "date")
            lockdown = self.financial_settings.get("year_end_lockdown_date")
            if lockdown and day <= date.fromisoformat(lockdown):
                raise RecordInvalid("date", f"must be after the year end lockdown date {lockdown}")
            reference = str(body.get("reference") or "")
            if len(reference) > REFERENCE_MAX[kind]:
                raise RecordInvalid("reference", f"is too long (maximum is {REFERENCE_MAX[kind]} characters)")
            if reference in self.refusals:
                source, message = self.refusals[reference]
                raise RecordInvalid(source, message)
            if len(str(body.get("notes") or "")) > 2000:
                raise RecordInvalid("notes", "is too long (maximum is 2000 characters)")
            base = self.financial_settings["base_currency"]["id"]
            currency = body.get("currency_id") or self.table("contacts")[contact_id]["currency"]["id"]
            if currency != base and not self.financial_settings.get("multi_currency_enabled"):
                raise RecordInvalid("currency", "multi-currency is not enabled for this business")
            raw_lines = body.get(lines_key)
            if not isinstance(raw_lines, list) or not raw_lines:
                raise RecordInvalid(lines_key, "can't be blank")
            lines = [self._line(kind, lines_key, i, raw) for i, raw in enumerate(raw_lines)]
            net = sum((ln["net_amount"] for ln in lines), ZERO)
            tax = sum((ln["tax_amount"] for ln in lines), ZERO)
            total = net + tax
            if kind == "purchase_invoice":
                return self.add("purchase_invoices", self._artefact(body, contact_id, day, currency, lines_key, lines, {
                    "displayed_as": body.get("vendor_reference") or reference,
                    "vendor_reference": body.get("vendor_reference"), "reference": reference or None,
                    "due_date": _day(body["due_date"], "due_date").isoformat()}))
            if kind == "sales_invoice":
                number_key, prefix_key, next_key = "invoice_number", "sales_invoice_number_prefix", "next_invoice_number"
            else:
                number_key, prefix_key = "credit_note_number", "sales_credit_note_number_prefix"
                next_key = ("next_credit_note_number" if self.invoice_settings.get("separate_invoice_credit_note_numbering")
                            else "next_invoice_number")
            number = int(self.invoice_settings[next_key])
            self.invoice_settings[next_key] = number + 1
            prefix = self.invoice_settings.get(prefix_key) or ""
            due = body.get("due_date") or date.fromordinal(day.toordinal() + int(
                self.table("contacts")[contact_id].get("credit_days") or self.invoice_settings["customer_credit_days"])
            ).isoformat()
            record = {
                "displayed_as": f"{prefix}{number}", number_key: f"{prefix}{number}",
                f"{number_key}_prefix" if kind == "sales_invoice" else "credit_note_number_prefix": prefix,
                "reference": reference or None, "contact": {"id": contact_id,
                                                            "displayed_as": self.table("contacts")[contact_id]["displayed_as"]},
                "date": day.isoformat(), "due_date": due, "currency": {"id": currency},
                "exchange_rate": body.get("exchange_rate") or Decimal("1"),
                "net_amount": net, "tax_amount": tax, "total_amount": total,
                "outstanding_amount": total, "total_paid": ZERO, "last_paid": None,
                "payments_allocations_total_amount": ZERO, "payments_allocations_total_discount": ZERO,
                "payments_allocations": [], "status": {"id": "UNPAID", "displayed_as": "Unpaid"},
                "notes": body.get("notes"), "editable": True, "deleted_at": None, "void_reason": None,
                "sent": False, lines_key: lines, "tax_address_region": body.get("tax_address_region_id"),
            }
            return self.add(kind + "s", record)

    def _artefact(self, body: dict[str, Any], contact_id: str, day: date, currency: str, lines_key: str,
                  lines: list[dict[str, Any]], fields: dict[str, Any]) -> dict[str, Any]:
        net = sum((ln["net_amount"] for ln in lines), ZERO)
        tax = sum((ln["tax_amount"] for ln in lines), ZERO)
        return {
            "contact": {"id": contact_id, "displayed_as": self.table("contacts")[contact_id]["displayed_as"]},
            "date": day.isoformat(), "currency": {"id": currency},
            "exchange_rate": body.get("exchange_rate") or Decimal("1"),
            "net_amount": net, "tax_amount": tax, "total_amount": net + tax,
            "outstanding_amount": net + tax, "total_paid": ZERO, "last_paid": None,
            "payments_allocations_total_amount": ZERO, "payments_allocations_total_discount": ZERO,
            "payments_allocations": [], "status": {"id": "UNPAID", "displayed_as": "Unpaid"},
            "notes": body.get("notes"), "editable": True, "deleted_at": None, "void_reason": None,
            lines_key: lines, **fields,
        }

    def _line(self, kind: str, lines_key: str, index: int, raw: Any) -> dict[str, Any]:
        where = f"{lines_key}.{index}"
        if not isinstance(raw, dict):
            raise RecordInvalid(where, "must be an object")
        if not str(raw.get("description") or "").strip():
            raise RecordInvalid(f"{lines_key}.description", "can't be blank")
        account = raw.get("ledger_account_id")
        if not account or account not in self.table("ledger_accounts"):
            raise RecordInvalid(f"{lines_key}.ledger_account_id", "can't be blank" if not account
                                else f"{account} is not a ledger account of this business")
        if raw.get("unit_price") is None:
            raise RecordInvalid(f"{lines_key}.unit_price", "can't be blank")
        unit_price = _money(raw["unit_price"], f"{lines_key}.unit_price")
        quantity = _money(raw.get("quantity", 1), f"{lines_key}.quantity")
        net = _money(raw["net_amount"], f"{lines_key}.net_amount") if raw.get("net_amount") is not None \
            else (quantity * unit_price).quantize(CENT)
        rate_id = raw.get("tax_rate_id")
        rate = self.table("tax_rates").get(rate_id) if rate_id else None
        if rate_id and rate is None:
            raise RecordInvalid(f"{lines_key}.tax_rate_id", f"{rate_id} is not a tax rate of this business")
        if raw.get("tax_amount") is None:
            if rate is not None and Decimal(str(rate["percentage"])) != 0:
                raise RecordInvalid(f"{lines_key}.tax_amount", "can't be blank")
            tax = ZERO
        else:
            tax = _money(raw["tax_amount"], f"{lines_key}.tax_amount")
        for ref_key, collection in (("product_id", "products"), ("service_id", "services")):
            if raw.get(ref_key) and raw[ref_key] not in self.table(collection):
                raise RecordInvalid(f"{lines_key}.{ref_key}", f"{raw[ref_key]} is not known")
        return {
            "id": new_id(), "displayed_as": raw["description"], "description": raw["description"],
            "ledger_account": {"id": account}, "tax_rate": {"id": rate_id} if rate_id else None,
            "quantity": quantity, "unit_price": unit_price, "net_amount": net, "tax_amount": tax,
            "total_amount": net + tax,
            "product": {"id": raw["product_id"]} if raw.get("product_id") else None,
            "service": {"id": raw["service_id"]} if raw.get("service_id") else None,
        }

    def void(self, collection: str, key: str, reason: str) -> dict[str, Any]:
        with self.lock:
            record = self.get(collection, key)
            if not reason and record["status"]["id"] != "DRAFT":
                raise RecordInvalid("void_reason", "can't be blank")
            record["status"] = {"id": "VOID", "displayed_as": "Void"}
            record["void_reason"] = reason
            self.touch(record)
            return record

    # --- payments and allocations -----------------------------------------------------------

    def _apply(self, artefact_id: str, amount: Decimal, day: date, entry: dict[str, Any]) -> None:
        for collection in ("sales_invoices", "sales_credit_notes"):
            record = self.table(collection).get(artefact_id)
            if record is not None:
                break
        else:
            raise RecordInvalid("allocated_artefacts.artefact_id", f"{artefact_id} is not an open artefact")
        if amount > record["outstanding_amount"]:
            raise RecordInvalid("allocated_artefacts.amount", "is more than the outstanding amount")
        record["outstanding_amount"] -= amount
        record["total_paid"] += amount
        record["payments_allocations_total_amount"] += amount
        record["last_paid"] = max(record["last_paid"] or day.isoformat(), day.isoformat())
        record["payments_allocations"].append({"date": day.isoformat(), "amount": amount, "discount": ZERO, **entry})
        record["status"] = ({"id": "PAID", "displayed_as": "Paid"} if record["outstanding_amount"] == 0
                            else {"id": "PART_PAID", "displayed_as": "Part Paid"})
        if self.payments_touch_invoices:
            self.touch(record)

    def create_other_payment(self, body: dict[str, Any]) -> dict[str, Any]:
        """Money out of a bank account straight to ledger accounts (no invoice, no allocation)."""
        with self.lock:
            for required in ("transaction_type_id", "date", "total_amount", "bank_account_id"):
                if body.get(required) in (None, ""):
                    raise RecordInvalid(required, "can't be blank")
            if body["transaction_type_id"] not in ("OTHER_PAYMENT", "OTHER_RECEIPT"):
                raise RecordInvalid("transaction_type_id", "must be OTHER_PAYMENT or OTHER_RECEIPT")
            bank = self.table("bank_accounts").get(body["bank_account_id"])
            if bank is None:
                raise RecordInvalid("bank_account_id", "is not a bank account of this business")
            day = _day(body["date"], "date")
            lockdown = self.financial_settings.get("year_end_lockdown_date")
            if lockdown and day <= date.fromisoformat(lockdown):
                raise RecordInvalid("date", f"must be after the year end lockdown date {lockdown}")
            reference = str(body.get("reference") or "")
            if len(reference) > REFERENCE_MAX["other_payment"]:
                raise RecordInvalid("reference", f"is too long (maximum is {REFERENCE_MAX['other_payment']} characters)")
            if reference in self.refusals:
                source, message = self.refusals[reference]
                raise RecordInvalid(source, message)
            contact_id = body.get("contact_id")
            if contact_id and contact_id not in self.table("contacts"):
                raise RecordInvalid("contact_id", "is not a known contact")
            raw_lines = body.get("payment_lines")
            if not isinstance(raw_lines, list) or not raw_lines:
                raise RecordInvalid("payment_lines", "can't be blank")
            lines = []
            for raw in raw_lines:
                account = raw.get("ledger_account_id") if isinstance(raw, dict) else None
                if not account or account not in self.table("ledger_accounts"):
                    raise RecordInvalid("payment_lines.ledger_account_id", "can't be blank" if not account
                                        else f"{account} is not a ledger account of this business")
                if raw.get("total_amount") is None:
                    raise RecordInvalid("payment_lines.total_amount", "can't be blank")
                total = _money(raw["total_amount"], "payment_lines.total_amount")
                tax = _money(raw.get("tax_amount") or 0, "payment_lines.tax_amount")
                rate_id = raw.get("tax_rate_id")
                if rate_id and rate_id not in self.table("tax_rates"):
                    raise RecordInvalid("payment_lines.tax_rate_id", f"{rate_id} is not a tax rate of this business")
                lines.append({"id": new_id(), "displayed_as": raw.get("details") or "", "details": raw.get("details"),
                              "ledger_account": {"id": account}, "tax_rate": {"id": rate_id} if rate_id else None,
                              "net_amount": total - tax, "tax_amount": tax, "total_amount": total})
            total = _money(body["total_amount"], "total_amount")
            if sum((ln["total_amount"] for ln in lines), ZERO) != total:
                raise RecordInvalid("total_amount", "must equal the total of the payment lines")
            return self.add("other_payments", {
                "displayed_as": reference or "Other Payment", "transaction_type": {"id": body["transaction_type_id"]},
                "date": day.isoformat(), "reference": reference or None, "bank_account": {"id": bank["id"]},
                "contact": {"id": contact_id} if contact_id else None, "currency": bank.get("currency"),
                "net_amount": sum((ln["net_amount"] for ln in lines), ZERO),
                "tax_amount": sum((ln["tax_amount"] for ln in lines), ZERO), "total_amount": total,
                "payment_lines": lines, "editable": True, "deleted_at": None,
            })

    def delete_payment(self, key: str) -> None:
        """A receipt deleted in Sage: its allocations come off the invoices, the record is kept for
        ``deleted_since`` with ``deleted_at`` set."""
        with self.lock:
            record = self.get("contact_payments", key)
            if record.get("deleted_at"):
                raise NotFound(f"contact_payments/{key}")
            for allocated in record["allocated_artefacts"]:
                self._unapply(allocated["artefact"]["id"], key)
            record["deleted_at"] = stamp(self.clock())
            self.touch(record)

    def _unapply(self, artefact_id: str, payment_id: str) -> None:
        for collection in ("sales_invoices", "sales_credit_notes"):
            record = self.table(collection).get(artefact_id)
            if record is not None:
                break
        else:
            return
        gone = [e for e in record["payments_allocations"] if (e.get("contact_payment") or {}).get("id") == payment_id]
        amount = sum((e["amount"] for e in gone), ZERO)
        record["payments_allocations"] = [e for e in record["payments_allocations"] if e not in gone]
        record["outstanding_amount"] += amount
        record["total_paid"] -= amount
        record["payments_allocations_total_amount"] -= amount
        record["last_paid"] = max((e["date"] for e in record["payments_allocations"]), default=None)
        record["status"] = ({"id": "UNPAID", "displayed_as": "Unpaid"} if record["total_paid"] == 0
                            else {"id": "PART_PAID", "displayed_as": "Part Paid"})
        if self.payments_touch_invoices:
            self.touch(record)

    def create_payment(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            for required in ("transaction_type_id", "contact_id", "bank_account_id", "date", "total_amount"):
                if body.get(required) in (None, ""):
                    raise RecordInvalid(required, "can't be blank")
            if body["bank_account_id"] not in self.table("bank_accounts"):
                raise RecordInvalid("bank_account_id", "is not a bank account of this business")
            day = _day(body["date"], "date")
            total = _money(body["total_amount"], "total_amount")
            allocated = body.get("allocated_artefacts") or []
            if sum((_money(a.get("amount"), "allocated_artefacts.amount") for a in allocated), ZERO) > total:
                raise RecordInvalid("allocated_artefacts", "allocate more than the payment")
            record = self.add("contact_payments", {
                "displayed_as": body.get("reference") or "Receipt", "transaction_type": {"id": body["transaction_type_id"]},
                "contact": {"id": body["contact_id"]}, "bank_account": {"id": body["bank_account_id"]},
                "date": day.isoformat(), "total_amount": total, "reference": body.get("reference"),
                "currency": {"id": body.get("currency_id") or self.financial_settings["base_currency"]["id"]},
                "allocated_artefacts": [], "editable": True, "deleted_at": None,
            })
            for a in allocated:
                amount = _money(a["amount"], "allocated_artefacts.amount")
                self._apply(a["artefact_id"], amount, day, {"type": "Customer Receipt",
                                                            "contact_payment": {"id": record["id"]}})
                record["allocated_artefacts"].append({"id": new_id(), "artefact": {
                    "id": a["artefact_id"], "$path": f"/sales_invoices/{a['artefact_id']}"}, "amount": amount,
                    "discount": ZERO})
            return record

    def create_allocation(self, body: dict[str, Any]) -> dict[str, Any]:
        """A credit note (negative amount) set against invoices (positive): no cash moves."""
        with self.lock:
            day = _day(body.get("date"), "date")
            allocated = body.get("allocated_artefacts") or []
            amounts = [(a["artefact_id"], _money(a["amount"], "allocated_artefacts.amount")) for a in allocated]
            if len(amounts) < 2 or sum((a for _, a in amounts), ZERO) != 0:
                raise RecordInvalid("allocated_artefacts", "must balance to zero")
            record = self.add("contact_allocations", {
                "displayed_as": "Allocation", "transaction_type": {"id": body.get("transaction_type_id")},
                "contact": {"id": body.get("contact_id")}, "date": day.isoformat(), "allocated_artefacts": [],
                "deleted_at": None})
            for artefact_id, amount in amounts:
                self._apply(artefact_id, abs(amount), day, {"type": "Allocation",
                                                            "contact_allocation": {"id": record["id"]}})
                record["allocated_artefacts"].append({"id": new_id(), "artefact": {"id": artefact_id},
                                                      "amount": amount})
            return record
