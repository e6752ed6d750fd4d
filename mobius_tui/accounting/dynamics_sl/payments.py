"""Invoice payments as SL knows them, for payment sync.

An invoice's payments are whatever release has taken off its balance: paid = original amount -
open balance (document currency), and the applications (ARAdjust) give the payment dates. An
invoice counts as changed when its row was updated, or an application to it dated, on or after
the day asked for. Unreleased documents carry no payments.
"""

from __future__ import annotations

from datetime import date, datetime

from mobius_tui.accounting.base import PaymentStatus
from mobius_tui.accounting.dynamics_sl.sql import Session, to_decimal

PAYMENTS_SQL = (
    "SELECT d.CustId, d.DocType, d.RefNbr, d.CuryOrigDocAmt, d.CuryDocBal, d.CuryId, "
    "(SELECT MAX(a.AdjgDocDate) FROM ARAdjust a WHERE a.CustId = d.CustId AND a.AdjdDocType = d.DocType "
    "AND a.AdjdRefNbr = d.RefNbr) AS LastPaid "
    "FROM ARDoc d WHERE d.Rlsed = 1 AND d.DocType IN ('IN', 'DM') AND (d.LUpd_DateTime >= ? OR EXISTS "
    "(SELECT 1 FROM ARAdjust b WHERE b.CustId = d.CustId AND b.AdjdDocType = d.DocType AND b.AdjdRefNbr = d.RefNbr "
    "AND (b.DateAppl >= ? OR b.AdjgDocDate >= ?))) ORDER BY d.RefNbr"
)


def _day(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value[:19])
    day = value.date() if isinstance(value, datetime) else value
    return None if day.year <= 1900 else day


def read_payments(s: Session, since: date, places: dict[str, int] | None = None) -> list[PaymentStatus]:
    start = datetime(since.year, since.month, since.day)
    out = []
    for r in s.rows(PAYMENTS_SQL, start, start, start):
        currency = r["curyid"] or ""
        decimals = (places or {}).get(currency, 2)
        total = to_decimal(r["curyorigdocamt"], decimals)
        balance = to_decimal(r["curydocbal"], decimals)
        paid = total - balance
        last = _day(r["lastpaid"])
        out.append(PaymentStatus(
            document_number=r["refnbr"], total=total, paid=paid, balance=balance,
            date_paid_in_full=last if balance == 0 and paid > 0 else None, last_payment_date=last,
            currency=currency,
        ))
    return out
