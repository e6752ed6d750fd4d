"""Tax levels of a GLExport document → :class:`TaxLevelAmount`.

Manage sends a document's tax twice: as detail lines (glTypeId ``ST`` on invoices,
``purchaseDetailTax`` on purchases) carrying the amount and the tax payable account, and as a
``taxLevels`` summary carrying the level's tax code xref and taxable amount. The detail lines
are what balances against the header total, so they give the amounts; the summary and the
customer's tax levels fill in what a detail line leaves out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from mobius_tui.documents.model import ZERO, TaxLevelAmount
from mobius_tui.documents.values import first, money, rate
from mobius_tui.manage.models import (
    GLExportCustomer,
    GLExportCustomerTaxLevel,
    GLExportPurchaseTransaction,
    GLExportPurchaseTransactionDetailTax,
    GLExportTransaction,
    GLExportTransactionDetail,
)

_LEVEL_IN_TEXT = re.compile(r"level\s*(\d)", re.IGNORECASE)
# GLExportCustomer's flat tax fields, level by level (levels one..five of the tax code).
_CUSTOMER_LEVEL_FIELDS = ("state", "county", "city", "country", "composite")


@dataclass(frozen=True)
class TaxLine:
    """One tax detail line, already signed as the document reads it (positive = tax charged)."""

    level: int
    amount: Decimal
    account: str
    tax_code_xref: str
    agency_xref: str
    rate: Decimal | None


def level_from_text(*texts: str | None) -> int | None:
    """``"Level 2 Sales Tax"`` → 2."""
    for t in texts:
        if t and (m := _LEVEL_IN_TEXT.search(t)):
            return int(m.group(1))
    return None


def customer_levels(customer: GLExportCustomer | None) -> dict[int, GLExportCustomerTaxLevel]:
    """The customer's tax levels by level number, from ``taxLevels`` or the flat xref fields."""
    if customer is None:
        return {}
    out: dict[int, GLExportCustomerTaxLevel] = {}
    for lvl in customer.taxLevels or []:
        if lvl.taxLevel is not None:
            out.setdefault(lvl.taxLevel, lvl)
    if out:
        return out
    for number, name in enumerate(_CUSTOMER_LEVEL_FIELDS, start=1):
        xref = first(getattr(customer, f"{name}TaxXref"))
        agency = first(getattr(customer, f"{name}TaxAgencyXref"))
        level_rate = getattr(customer, f"{name}TaxRate")
        if xref or agency or level_rate:
            out[number] = GLExportCustomerTaxLevel(
                taxRate=level_rate, taxCodeXref=xref, agencyXref=agency, taxLevel=number
            )
    return out


def customer_tax_levels(customer: GLExportCustomer) -> tuple[TaxLevelAmount, ...]:
    return tuple(
        TaxLevelAmount(
            level=number,
            tax_code_xref=first(lvl.taxCodeXref),
            agency_xref=first(lvl.agencyXref),
            rate=rate(lvl.taxRate),
            amount=ZERO,
        )
        for number, lvl in sorted(customer_levels(customer).items())
    )


def sales_tax_line(
    detail: GLExportTransactionDetail, position: int, tx: GLExportTransaction, amount: Decimal
) -> TaxLine:
    """An ``ST`` detail line of invoice ``tx`` (``position``: its index among the ST lines)."""
    return TaxLine(
        level=_sales_level(detail, position, tx),
        amount=amount,
        account=first(detail.accountNumber, tx.taxAccountNumber),
        tax_code_xref=first(detail.taxCodeXref),
        agency_xref=first(detail.taxAgencyXref),
        rate=_detail_rate(detail.taxRate, detail.taxRatePercent),
    )


def _sales_level(detail: GLExportTransactionDetail, position: int, tx: GLExportTransaction) -> int:
    marked = [lvl.taxLevel for lvl in detail.taxLevels or [] if lvl.taxLevel is not None]
    if len(marked) == 1:
        return marked[0]
    if (found := level_from_text(detail.description, detail.memo)) is not None:
        return found
    # UNCONFIRMED: without a level marker, ST lines are taken in the order of the header's levels.
    summary = sorted(lvl.taxLevel for lvl in tx.taxLevels or [] if lvl.taxLevel is not None)
    return summary[position] if position < len(summary) else position + 1


def _detail_rate(fraction: Decimal | None, percent: Decimal | None) -> Decimal | None:
    if fraction is not None:
        return rate(fraction)
    if percent is not None:
        return rate(percent / 100)
    return None


def sales_taxes(
    lines: Sequence[TaxLine], tx: GLExportTransaction, customer: GLExportCustomer | None
) -> list[TaxLevelAmount]:
    """One :class:`TaxLevelAmount` per level and account, in level order."""
    summary = {lvl.taxLevel: lvl for lvl in tx.taxLevels or [] if lvl.taxLevel is not None}
    known = customer_levels(customer)
    taxable_fields = [tx.taxableAmount1, tx.taxableAmount2, tx.taxableAmount3, tx.taxableAmount4, tx.taxableAmount5]
    piggyback = bool(tx.piggyBackFlag)

    def build(line: TaxLine, amount: Decimal) -> TaxLevelAmount:
        level_summary = summary.get(line.level)
        level_customer = known.get(line.level)
        taxable = level_summary.taxableAmount if level_summary and level_summary.taxableAmount is not None else None
        if taxable is None and 1 <= line.level <= len(taxable_fields):
            taxable = taxable_fields[line.level - 1]
        level_rate = line.rate
        if level_rate is None:
            level_rate = rate(level_customer.taxRate) if level_customer else ZERO
        return TaxLevelAmount(
            level=line.level,
            tax_code_xref=first(
                line.tax_code_xref,
                level_summary.taxCodeXref if level_summary else None,
                level_customer.taxCodeXref if level_customer else None,
            ),
            agency_xref=first(line.agency_xref, level_customer.agencyXref if level_customer else None),
            rate=level_rate,
            amount=amount,
            taxable_amount=abs(money(taxable) or ZERO),
            account=line.account,
            # PST on GST: the second level is charged on the amount including the first.
            piggyback=piggyback and line.level >= 2,
        )

    return _merge(lines, build)


def purchase_tax_line(
    detail: GLExportPurchaseTransactionDetailTax, position: int, purchase: GLExportPurchaseTransaction, amount: Decimal
) -> TaxLine:
    """A ``purchaseDetailTax`` line (``position``: its index among the lines of its GL type)."""
    level = level_from_text(detail.memo, detail.itemDescription, detail.salesDescription, detail.taxNote)
    if level is None:
        # UNCONFIRMED: purchase tax lines carry no level; the n-th line of a GL type (product tax,
        # freight tax) is taken as level n.
        level = position + 1
    summary = {lvl.taxLevel: lvl for lvl in purchase.taxLevels or [] if lvl.taxLevel is not None}
    level_summary = summary.get(level)
    return TaxLine(
        level=level,
        amount=amount,
        account=first(detail.accountNumber),
        tax_code_xref=first(
            level_summary.taxCodeXref if level_summary else None,
            detail.purchaseHeaderTaxGroup,
            purchase.purchaseHeaderTaxGroup,
        ),
        agency_xref=first(detail.taxAgencyXref, purchase.taxAgencyXref if level == 1 else None),
        rate=_detail_rate(detail.taxRate, detail.taxRatePercent),
    )


def purchase_taxes(lines: Sequence[TaxLine]) -> list[TaxLevelAmount]:
    def build(line: TaxLine, amount: Decimal) -> TaxLevelAmount:
        return TaxLevelAmount(
            level=line.level,
            tax_code_xref=line.tax_code_xref,
            agency_xref=line.agency_xref,
            rate=line.rate if line.rate is not None else ZERO,
            amount=amount,
            account=line.account,
        )

    return _merge(lines, build)


def _merge(lines: Sequence[TaxLine], build: Callable[[TaxLine, Decimal], TaxLevelAmount]) -> list[TaxLevelAmount]:
    """Lines of the same level, account, xref and agency add up (a detailed invoice may send
    one tax line per item)."""
    groups: dict[tuple[int, str, str, str], tuple[TaxLine, Decimal]] = {}
    for line in lines:
        key = (line.level, line.account, line.tax_code_xref, line.agency_xref)
        head, total = groups.get(key, (line, ZERO))
        groups[key] = (head, total + line.amount)
    ordered = sorted(groups.items(), key=lambda kv: kv[0][0])
    return [build(head, total) for _, (head, total) in ordered]
