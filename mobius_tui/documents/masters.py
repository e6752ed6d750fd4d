"""Master records a package may need to create — customers, vendors, items — and the item
reference every document line carries."""

from __future__ import annotations

from collections.abc import Iterable

from mobius_tui.documents.model import (
    CustomerRecord,
    Document,
    InventoryAdjustment,
    InventoryTransfer,
    ItemRecord,
    ItemRef,
    PurchaseDocument,
    SalesDocument,
    VendorRecord,
)
from mobius_tui.documents.taxes import customer_tax_levels
from mobius_tui.documents.values import first, item_type, text
from mobius_tui.manage.models import CurrencyReference, GLExportCustomer, GLExportVendor


def currency_code(ref: CurrencyReference | None, home: str) -> str:
    """ISO code of ``ref``; ``""`` for the company's home currency."""
    code = first(ref.currencyCode, ref.currencyIdentifier) if ref else ""
    return "" if home and code.upper() == home.upper() else code


def customer_record(c: GLExportCustomer, home_currency: str = "") -> CustomerRecord | None:
    """``None`` without an account number: there is nothing to create, an invoice that needs the
    customer reports it on its own, and a record no document needs must not block the run."""
    account = text(c.accountNumber)
    if not account:
        return None
    name = first(c.company.name, c.company.identifier) if c.company else ""
    return CustomerRecord(
        account=account,
        name=name or account,
        terms=first(c.billingTermsXref, c.billingTerms.name if c.billingTerms else None),
        due_days=c.dueDays,
        tax_code=first(c.taxCode.name if c.taxCode else None),
        currency=currency_code(c.currency, home_currency),
        taxable=c.taxable if c.taxable is not None else True,
        tax_levels=customer_tax_levels(c),
    )


def vendor_record(v: GLExportVendor) -> VendorRecord | None:
    """A vendor company (keyed by its vendor xref) or a member (keyed by its vendor number, flagged
    so it is never created); ``None`` without that key, as for customers."""
    is_member = v.member is not None and v.vendor is None
    ref = v.member if is_member else (v.vendor or v.company)
    name = first(ref.name, ref.identifier) if ref else ""
    account = text(v.vendorNumber)  # accountNumber is the company's own number, not a vendor key
    if not account:
        return None
    return VendorRecord(
        account=account,
        name=name or account,
        is_member=is_member,
        terms=first(v.billingTerms.name if v.billingTerms else None),
        due_days=v.dueDays,
        tax_code=first(v.taxCode.name if v.taxCode else None),
    )


def item_ref(
    *,
    code: str,
    type_xref: str | None,
    description: str = "",
    cost_account: str | None = "",
    inventory_account: str | None = "",
    location: str | None = "",
    uom: str | None = "",
    serials: str | None = "",
) -> ItemRef | None:
    if not code:
        return None
    return ItemRef(
        code=code,
        item_type=item_type(type_xref),
        description=description,
        cost_account=text(cost_account),
        inventory_account=text(inventory_account),
        location_xref=text(location),
        unit_of_measure=text(uom),
        serial_numbers=text(serials),
    )


def items_of(documents: Iterable[Document]) -> list[ItemRecord]:
    """Every item the plan's documents use, once, with the accounts the lines give it."""
    found: dict[str, dict[str, object]] = {}

    def see(ref: ItemRef, revenue_account: str = "") -> None:
        entry = found.setdefault(ref.code, {"code": ref.code})
        for name, value in (
            ("description", ref.description),
            ("item_type", ref.item_type),
            ("cost_account", ref.cost_account),
            ("inventory_account", ref.inventory_account),
            ("revenue_account", revenue_account),
        ):
            if value and not entry.get(name):
                entry[name] = value

    for doc in documents:
        if isinstance(doc, SalesDocument):
            for line in doc.lines:
                if line.item:
                    see(line.item, line.account)
        elif isinstance(doc, PurchaseDocument):
            for line in doc.lines:
                if line.item:
                    see(line.item)
        elif isinstance(doc, InventoryAdjustment | InventoryTransfer):
            for move in doc.lines:
                see(move.item)
    return [
        ItemRecord(
            code=str(e["code"]),
            description=str(e.get("description", "")),
            item_type=e.get("item_type", ""),  # type: ignore[arg-type]
            cost_account=str(e.get("cost_account", "")),
            inventory_account=str(e.get("inventory_account", "")),
            revenue_account=str(e.get("revenue_account", "")),
        )
        for e in found.values()
    ]
