"""Counts and totals per document kind, on both sides of the conversion.

``plan_totals`` reads documents; ``glexport_totals`` reads the same records straight from the
GLExport headers. For what posted, the two must agree — the check that nothing was lost or
counted twice between Manage and the package (run summaries, tests).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from mobius_tui.documents.convert import PlanOptions, is_credit_memo, record_id
from mobius_tui.documents.model import ZERO, Document, DocumentKind, Origin, Plan, RecordKind
from mobius_tui.documents.numbers import parse_entry_ids
from mobius_tui.documents.values import money, text
from mobius_tui.manage.models import GLExport

KindTotals = dict[str, dict[str, Decimal | int]]


def _empty() -> KindTotals:
    return {kind.value: {"count": 0, "total": ZERO} for kind in DocumentKind}


def _add(out: KindTotals, kind: DocumentKind, amount: Decimal) -> None:
    out[kind.value]["count"] = int(out[kind.value]["count"]) + 1
    out[kind.value]["total"] = Decimal(out[kind.value]["total"]) + amount


def plan_totals(plan: Plan, documents: Iterable[Document] | None = None) -> KindTotals:
    """``{kind: {"count": n, "total": Σ document.total}}`` for every kind (zeros included), over
    ``documents`` (default: all of the plan's documents)."""
    out = _empty()
    for doc in plan.documents if documents is None else documents:
        _add(out, doc.kind, doc.total)
    return out


def glexport_totals(export: GLExport, origins: Iterable[Origin] | None = None) -> KindTotals:
    """The same figures as :func:`plan_totals`, read from the export's headers, for the records of
    ``origins`` (default: every record in the export). A record counts once per document it makes:
    the transfer lines of one Manage transfer make one document."""
    wanted = None if origins is None else {(o.record_kind, o.record_id) for o in origins}

    def chosen(kind: RecordKind, rid: str) -> bool:
        return wanted is None or (kind, rid) in wanted

    out = _empty()
    for tx in export.transactions or []:
        if chosen(RecordKind.INVOICE, record_id(tx)):
            credit = is_credit_memo(tx)
            total = money(tx.total) or ZERO
            _add(out, DocumentKind.CREDIT_MEMO if credit else DocumentKind.SALES_INVOICE, -total if credit else total)
    for e in export.expenses or []:
        if chosen(RecordKind.EXPENSE, record_id(e)):
            _add(out, DocumentKind.JOURNAL_ENTRY, abs(money(e.total) or ZERO))
    for bill in export.expenseBills or []:
        if chosen(RecordKind.EXPENSE, record_id(bill)):
            _add(out, DocumentKind.AP_BILL, money(bill.total) or ZERO)
    for p in export.purchaseTransactions or []:
        if chosen(RecordKind.PROCUREMENT, record_id(p)):
            _add(out, DocumentKind.ITEM_RECEIPT, money(p.total) or ZERO)
    for a in export.adjustmentTransactions or []:
        if chosen(RecordKind.PROCUREMENT, record_id(a)):
            moved = sum((abs(money(d.total) or ZERO) for d in a.adjustmentDetail or []), ZERO)
            _add(out, DocumentKind.INVENTORY_ADJUSTMENT, moved)
    transfers: dict[str, Decimal] = {}
    for t in export.inventoryTransfers or []:
        if chosen(RecordKind.PROCUREMENT, record_id(t)):
            transfers[record_id(t)] = transfers.get(record_id(t), ZERO) + (money(t.total) or ZERO)
    for moved in transfers.values():
        _add(out, DocumentKind.INVENTORY_TRANSFER, moved)
    return out


def glexport_entry_ids(export: GLExport, options: PlanOptions | None = None) -> set[int]:
    """Every GL entry id the export's records own (what a batch of all of them would process).

    Adjustment and transfer ids come from ``options.procurement_entry_ids``; records missing from
    that map contribute nothing (the plan reports them).
    """
    mapping = {k.lower(): v for k, v in (options or PlanOptions()).procurement_entry_ids.items()}
    ids: set[int] = set()
    for tx in export.transactions or []:
        try:
            ids.update(parse_entry_ids(tx.glEntryIds))
        except ValueError:
            pass
        ids.update(d.id for d in tx.detail or [] if d.id is not None)
    for e in export.expenses or []:
        ids.update(i for i in (e.id, e.offset.id if e.offset else None) if i is not None)
    for bill in export.expenseBills or []:
        ids.update(i for d in bill.detail or [] for i in d.id or [])
    for p in export.purchaseTransactions or []:
        ids.update(d.id for d in p.purchaseDetail or [] if d.id is not None)
        ids.update(t.id for t in p.purchaseDetailTax or [] if t.id is not None)
    for key in {text(a.id) for a in export.adjustmentTransactions or []} | {
        text(t.id) for t in export.inventoryTransfers or []
    }:
        found = mapping.get(key.lower())
        if found is not None:
            ids.update((found,) if isinstance(found, int) else found)
    return ids
