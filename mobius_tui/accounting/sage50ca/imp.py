"""Sage 50's Import Transactions file (.IMP), for an office without the SDK: the documents the format
can carry, and the reason for each one it cannot (reference/sage50ca.md §4.1).

The format carries customers, vendors, sales invoices and purchase invoices, in the home currency,
with taxes by tax name and amount; it has no GL account, no tax code, no description and no "invoice
received" flag, and it cannot create products. So a document can go into the file only when every line
is a product Sage 50 already holds whose own account (where Sage posts the line) is the one Manage posts
it to, and it is in the home currency; general journal entries, expense bills without products,
inventory moves and foreign-currency documents cannot.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from mobius_tui.accounting.base import Problem, Severity
from mobius_tui.accounting.sage50ca.accounts import account_digits, account_id, account_number
from mobius_tui.accounting.sage50ca.check import check as check_plan
from mobius_tui.accounting.sage50ca.reference import Sage50Reference
from mobius_tui.accounting.sage50ca.requests import purchase_number
from mobius_tui.documents.model import (
    CustomerRecord,
    Document,
    DocumentKind,
    Plan,
    PurchaseDocument,
    SalesDocument,
    VendorRecord,
)

VERSION = "12001"  # what every public generator writes; 2025's KB says 32101 [UNCONFIRMED which newer releases need]
COUNTRY_CANADA = "1"
NAME_MAX, NUMBER_MAX = 52, 20
ENCODING = "cp1252"  # Sage 50 is a Windows program reading ANSI text [UNCONFIRMED: no source names the encoding]
_ASSET_CLASSES = range(1, 10)  # a tax tracked in an asset account is refundable (an input tax credit)


@dataclass
class ImportFile:
    text: str
    carried: list[Document] = field(default_factory=list)
    not_carried: list[tuple[Document, str]] = field(default_factory=list)  # document, why


def _q(value: str) -> str:
    return '"' + value.replace('"', "'") + '"'


def _n(value: Decimal, places: int) -> str:
    return str(value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def _party_line(name: str) -> str:
    """The 13-field customer / vendor line; an existing one is matched by name."""
    return ",".join([_q(name[:NAME_MAX]), "0", *(['""'] * 11)])


def why_not(doc: Document, ref: Sage50Reference, delimiter: str = ":") -> str:
    """Why ``doc`` cannot go into an Import Transactions file ("" when it can)."""
    cause, detail = _reason(doc, ref, delimiter)
    return f"{cause} ({detail})" if detail else cause


def _reason(doc: Document, ref: Sage50Reference, delimiter: str) -> tuple[str, str]:
    """(why, the document's own part of it) when ``doc`` cannot go into the file; ("", "") when it can.

    Sage posts a detail line to the product's own accounts, so the product must exist (the format
    cannot create one) and its account must be the one Manage posts the line to."""
    if not isinstance(doc, (SalesDocument, PurchaseDocument)):
        return "the Import Transactions format has no general journal or inventory journal", ""
    if (doc.currency or ref.home_currency) != ref.home_currency:
        return "the Import Transactions format takes the home currency only", doc.currency
    if not doc.lines:
        return "the document has no lines", ""
    party = doc.customer.name if isinstance(doc, SalesDocument) else doc.vendor.name
    for line in doc.lines:
        if _freight(doc, line) and line.amount:
            return ("Sage 50 posts the file's freight to its linked freight account, not to Manage's freight "
                    "account", f"{line.amount} freight")
        if _freight(doc, line):
            continue
        if line.item is None or not line.item.code:
            return "a line without a product has no GL account in the Import Transactions format", \
                line.description[:40]
        code = line.item.code.upper()
        item = ref.items.get(code)
        if item is None:
            return "the product is not in Sage 50, and the Import Transactions format cannot create products", code
        if isinstance(doc, SalesDocument):
            wanted, role = item.revenue_account, "revenue"
        else:
            wanted, role = (item.expense_account, "expense") if item.service else (item.asset_account, "asset")
        digits = account_digits(line.account, delimiter)
        if digits.isdigit() and wanted and account_id(digits) != wanted:
            return ("Sage 50 would post the line to the product's own account, not to Manage's account",
                    f"{code}: Manage {digits}, Sage 50 {role} {account_number(wanted, ref.account_length)}")
    for text in (party, *(line.item.code for line in doc.lines if line.item)):
        try:
            text.encode(ENCODING)
        except UnicodeEncodeError:
            return f"a name has characters the Import Transactions file ({ENCODING} text) cannot hold", text
    return "", ""


def _freight(doc: Document, line) -> bool:
    """A purchase's freight line goes to the file's Freight field."""
    return isinstance(doc, PurchaseDocument) and line.gl_type == "PF" and (line.item is None or not line.item.code)


def _detail(doc: SalesDocument | PurchaseDocument) -> list:
    return [line for line in doc.lines if not _freight(doc, line)]


def _line_taxes(doc: SalesDocument | PurchaseDocument, ref: Sage50Reference, sign: int) -> list[list[str]]:
    """Per line, the tax groups (name, included, refundable, rate, amount): each level's amount spread
    over the taxable lines by amount, the last line taking the rounding, so the file adds up to Manage's.
    A credit memo's taxes are negative, like its lines."""
    lines = _detail(doc)
    taxable = [i for i, line in enumerate(lines) if line.taxable or isinstance(doc, PurchaseDocument)]
    base = sum((lines[i].amount for i in taxable), Decimal(0))
    groups: list[list[str]] = [[] for _ in lines]
    for level in doc.taxes:
        if not level.amount:
            continue
        tax = ref.taxes.get(level.agency_xref)
        account = ref.accounts.get(tax.purchase_account) if tax and isinstance(doc, PurchaseDocument) else None
        refundable = "1" if account is not None and account.account_class in _ASSET_CLASSES else "0"
        left = level.amount
        for n, i in enumerate(taxable):
            share = left if n == len(taxable) - 1 else \
                (level.amount * lines[i].amount / base).quantize(Decimal("0.01"), ROUND_HALF_UP) if base else Decimal(0)
            left -= share
            groups[i] += [_q(level.agency_xref[:20]), "0", refundable, _n(level.rate * 100, 2), _n(sign * share, 2)]
    return groups


def _transaction(doc: SalesDocument | PurchaseDocument, ref: Sage50Reference, vendor_invoice_module: bool,
                 sign: int) -> list[str]:
    taxes = _line_taxes(doc, ref, sign)
    lines = _detail(doc)
    freight = sum((line.amount for line in doc.lines if _freight(doc, line)), Decimal(0))
    date = f"{doc.date:%m-%d-%Y}"
    total = _n(sign * doc.total, 2)
    if isinstance(doc, SalesDocument):
        tag, party = "SalInvoice", doc.customer.name
        options = [str(len(lines)), '""', _q(doc.number[:NUMBER_MAX]), _q(date), "0", '""', total, "0.00"]
    else:
        tag, party = "PurInvoice", doc.vendor.name
        order = doc.po_number if doc.kind == DocumentKind.ITEM_RECEIPT and vendor_invoice_module else ""
        number = purchase_number(doc, vendor_invoice_module)
        options = [str(len(lines)), _q(order[:NUMBER_MAX]), _q(number[:NUMBER_MAX]), _q(date), '""', total,
                   "0", "0", "0", _n(freight, 2)]
    out = [f"<{tag}>", _party_line(party), ",".join(options)]
    for line, groups in zip(lines, taxes):
        assert line.item is not None
        fields = [_q(line.item.code.upper()[:NAME_MAX]), _n(sign * line.quantity, 4), _n(line.unit_price, 4),
                  _n(sign * line.amount, 2)]
        out.append(",".join(fields + groups))
    out.append(f"</{tag}>")
    return out


def import_file(documents: Sequence[Document], customers: Iterable[CustomerRecord], vendors: Iterable[VendorRecord],
                ref: Sage50Reference, vendor_invoice_module: bool = False, delimiter: str = ":") -> ImportFile:
    """The .IMP text for ``documents`` (with the customers and vendors they need that Sage lacks), and
    the documents left out with the reason. Credit memos go as invoices with negative quantities."""
    result = ImportFile("")
    body: list[str] = []
    for doc in documents:
        reason = why_not(doc, ref, delimiter)
        if reason:
            result.not_carried.append((doc, reason))
            continue
        sign = -1 if doc.kind == DocumentKind.CREDIT_MEMO else 1
        body += _transaction(doc, ref, vendor_invoice_module, sign)  # type: ignore[arg-type]
        result.carried.append(doc)
    needed_customers = {d.customer.name for d in result.carried if isinstance(d, SalesDocument)}
    needed_vendors = {d.vendor.name for d in result.carried if isinstance(d, PurchaseDocument)}
    new_customers = sorted({c.name for c in customers if c.name in needed_customers and c.name not in ref.customers})
    new_vendors = sorted({v.name for v in vendors if v.name in needed_vendors and v.name not in ref.vendors
                          and not v.is_member})
    head = ["<Version>", f'"{VERSION}","{COUNTRY_CANADA}"', "</Version>"]
    for tag, names in (("customers", new_customers), ("vendors", new_vendors)):
        if names:
            head += [f"<{tag}>", *(_party_line(n) for n in names), f"</{tag}>"]
    result.text = "\r\n".join(head + body) + "\r\n"
    return result


def check(plan: Plan, ref: Sage50Reference, delimiter: str, vendor_invoice_module: bool) -> list[Problem]:
    """The check of a run in import-file mode: a notice per document the file cannot carry (it is
    not written, and stays unposted in Manage), and the full check of the documents it carries."""
    problems: list[Problem] = []
    carried: list[Document] = []
    for doc in plan.documents:
        cause, detail = _reason(doc, ref, delimiter)
        if not cause:
            carried.append(doc)
            continue
        problems.append(Problem(
            cause=f"Not written to the Import Transactions file: {cause}",
            fix="It stays unposted in Manage: post it from a PC with the Sage 50 SDK (write through 'sdk') or "
                "enter it in Sage 50 by hand.",
            document=doc.origin, detail=detail, severity=Severity.NOTICE))
    return problems + check_plan(replace(plan, documents=carried), ref, delimiter, vendor_invoice_module)


def save(folder: Path, text: str, now: datetime | None = None) -> Path:
    """Write ``text`` for a new import file in ``folder``, named by the time, and return that file's
    path. The text goes to ``<name>.part`` first: :func:`publish` gives it its name once the run
    journal holds every document written into it, so a file a person can import is never one whose
    documents the journal does not know. Never over an existing file; a failed write leaves nothing."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"sage50-import-{(now or datetime.now()):%Y%m%d-%H%M%S}"
    for n in range(1, 1000):
        path = folder / (f"{stem}.IMP" if n == 1 else f"{stem}-{n}.IMP")
        if path.exists():
            continue
        part = _part(path)
        try:
            f = part.open("x", encoding=ENCODING, newline="")
        except FileExistsError:
            continue
        try:
            with f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        return path
    raise FileExistsError(f"{folder} already holds 999 import files named {stem}")


def publish(path: Path) -> None:
    """Give the file :func:`save` wrote its name (never over another file)."""
    part = _part(path)
    try:
        os.link(part, path)  # fails if ``path`` exists, where a rename would replace it
        part.unlink()
    except OSError:
        if path.exists():
            raise
        os.rename(part, path)


def _part(path: Path) -> Path:
    return path.with_name(path.name + ".part")
