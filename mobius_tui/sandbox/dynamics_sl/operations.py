"""What a user would do inside SL after a run, so payment sync can be exercised end to end:
release a batch (08.400 / 03.400 / 01.400 / 10.400) and enter customer payments applied to
invoices (full or partial), which release turns into ARAdjust rows and lower document balances.

These write what SL's release leaves behind (Rlsed, Status, balances, applications); they do not
reproduce GL posting, tax lines or customer history.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from mobius_tui.accounting.dynamics_sl.codes import calendar_period
from mobius_tui.accounting.dynamics_sl.sql import Session, next_number, to_decimal

_DETAIL = {"AR": [("ARDoc", "BatNbr"), ("ARTran", "BatNbr")], "AP": [("APDoc", "BatNbr"), ("APTran", "BatNbr")],
           "GL": [("GLTran", "BatNbr")], "IN": [("INTran", "BatNbr")]}


class ReleaseError(Exception):
    pass


def _now(when: datetime | None) -> datetime:
    return (when or datetime.now()).replace(second=0, microsecond=0)


def batch_balance_problems(s: Session, module: str, number: str) -> list[str]:
    """The release checks SL runs on a batch's totals (messages 12123 / 6019)."""
    batch = s.one("SELECT * FROM Batch WHERE Module = ? AND BatNbr = ?", module, number)
    if batch is None:
        return [f"{module} batch {number} not found"]
    out = []
    if int(batch["rlsed"]) == 1:
        out.append(f"{module} batch {number} is already released")
    if module == "AR":
        docs = to_decimal(s.scalar("SELECT SUM(CuryOrigDocAmt) FROM ARDoc WHERE BatNbr = ?", number))
        if docs != to_decimal(batch["curycrtot"]):
            out.append(f"batch total {to_decimal(batch['curycrtot'])} differs from its documents {docs}")
    elif module == "AP":
        docs = to_decimal(s.scalar("SELECT SUM(CuryOrigDocAmt) FROM APDoc WHERE BatNbr = ?", number))
        if docs != to_decimal(batch["curycrtot"]):
            out.append(f"batch total {to_decimal(batch['curycrtot'])} differs from its documents {docs}")
    elif module == "GL":
        dr = to_decimal(s.scalar("SELECT SUM(DrAmt) FROM GLTran WHERE Module = 'GL' AND BatNbr = ?", number))
        cr = to_decimal(s.scalar("SELECT SUM(CrAmt) FROM GLTran WHERE Module = 'GL' AND BatNbr = ?", number))
        if dr != cr or dr != to_decimal(batch["crtot"]):
            out.append(f"batch does not balance: debits {dr}, credits {cr}, batch total {to_decimal(batch['crtot'])}")
    return out


def release_batch(s: Session, module: str, number: str, when: datetime | None = None) -> None:
    """Release an unreleased batch, as SL's release screen would when its checks pass."""
    problems = batch_balance_problems(s, module, number)
    if problems:
        raise ReleaseError("; ".join(problems))
    now = _now(when)
    s.execute("UPDATE Batch SET Rlsed = 1, Status = 'U', LUpd_DateTime = ?, LUpd_Prog = ? "
              "WHERE Module = ? AND BatNbr = ?", now, f"{module[:2]}400", module, number)
    for table, column in _DETAIL[module]:
        extra = " AND Module = 'GL'" if table == "GLTran" else ""
        s.execute(f"UPDATE {table} SET Rlsed = 1, LUpd_DateTime = ? WHERE {column} = ?{extra}", now, number)
    s.commit()


def apply_payment(s: Session, customer: str, invoice: str, amount: Decimal, on: date,
                  when: datetime | None = None, payment_number: str = "") -> str:
    """Enter and release a customer payment of ``amount`` applied to a released invoice.

    Returns the payment's reference number. Partial payments leave the invoice open; the last one
    closes it (OpenDoc 0, PerClosed set).
    """
    now = _now(when)
    doc = s.one("SELECT * FROM ARDoc WHERE CustId = ? AND DocType IN ('IN', 'DM') AND RefNbr = ?", customer, invoice)
    if doc is None:
        raise ReleaseError(f"invoice {invoice} of customer {customer} not found")
    if int(doc["rlsed"]) != 1:
        raise ReleaseError(f"invoice {invoice} is not released: a payment cannot be applied to it (SL 12306)")
    balance = to_decimal(doc["curydocbal"])
    if amount <= 0 or amount > balance:
        raise ReleaseError(f"payment {amount} must be positive and at most the open balance {balance}")
    gl = s.one("SELECT * FROM GLSetup WHERE SetupId = 'GL'") or {}
    period = calendar_period(on, gl)
    batch = next_number(s, "ARSetup", "AR", "LastBatNbr",
                        [("SELECT COUNT(*) FROM Batch WHERE Module = ? AND BatNbr = ?", ("AR",))])
    number = payment_number or f"PMT{batch}"
    audit = {"Crtd_DateTime": now, "Crtd_Prog": "08030", "Crtd_User": "SYSADMIN", "LUpd_DateTime": now,
             "LUpd_Prog": "08030", "LUpd_User": "SYSADMIN"}
    rate = Decimal(str(doc["curyrate"] or 1))
    base_amount = (amount * rate).quantize(Decimal("0.01")) if doc["curymultdiv"] == "M" else (amount / rate).quantize(
        Decimal("0.01"))
    currency = {"CuryId": doc["curyid"], "CuryMultDiv": doc["curymultdiv"], "CuryRate": rate,
                "CuryEffDate": on}
    s.insert("Batch", {"Module": "AR", "BatNbr": batch, "CpnyID": doc["cpnyid"], "Status": "U", "Rlsed": 1,
                       "EditScrnNbr": "08030", "JrnlType": "AR", "BatType": "N", "PerPost": period, "PerEnt": period,
                       "CrTot": base_amount, "CtrlTot": base_amount, "CuryCrTot": amount, "CuryCtrlTot": amount,
                       "BaseCuryID": gl.get("basecuryid") or "", "LedgerID": gl.get("ledgerid") or "",
                       "Descr": f"Payment {number}", "DateEnt": now, **currency, **audit})
    s.insert("RefNbr", {"RefNbr": number, "DocType": "PA", **audit})
    s.insert("ARDoc", {"CustId": customer, "DocType": "PA", "RefNbr": number, "BatNbr": batch, "CpnyID": doc["cpnyid"],
                       "DocDate": on, "OrigDocAmt": base_amount, "CuryOrigDocAmt": amount, "DocClass": "N",
                       "OpenDoc": 0, "Rlsed": 1, "PerPost": period, "PerEnt": period, "PerClosed": period,
                       "BankAcct": doc["bankacct"], "BankSub": doc["banksub"], **currency, **audit})
    s.insert("ARAdjust", {"CustId": customer, "AdjdDocType": doc["doctype"], "AdjdRefNbr": invoice,
                          "AdjgDocType": "PA", "AdjgRefNbr": number, "AdjAmt": base_amount, "CuryAdjdAmt": amount,
                          "CuryAdjgAmt": amount, "AdjgDocDate": on, "DateAppl": on, "PerAppl": period,
                          "AdjgPerPost": period, "AdjBatNbr": batch, "CuryAdjdRate": rate,
                          "CuryAdjdMultDiv": doc["curymultdiv"], "CuryAdjdCuryId": doc["curyid"], **audit})
    left = balance - amount
    base_left = max(to_decimal(doc["docbal"]) - base_amount, Decimal(0)) if left else Decimal(0)
    s.update("ARDoc", {"CuryDocBal": left, "DocBal": base_left, "OpenDoc": 1 if left else 0,
                       "PerClosed": "" if left else max(period, doc["perpost"]), "LUpd_DateTime": now,
                       "LUpd_Prog": "08030"},
             {"CustId": customer, "DocType": doc["doctype"], "RefNbr": invoice, "BatNbr": doc["batnbr"]})
    s.commit()
    return number


def refuse_documents(s: Session, numbers: list[str], reason: str, table: str = "ARDoc", column: str = "RefNbr") -> None:
    """Make the database itself refuse to insert rows of ``table`` whose ``column`` is one of
    ``numbers`` (a trigger raising ``reason``), the way a locked period or a customised SL database
    refuses a document. :func:`allow_documents` removes the refusal."""
    allow_documents(s, table)
    if not numbers:
        return
    values = ", ".join("'" + n.replace("'", "''") + "'" for n in numbers)
    name = f"mobius_refuse_{table.lower()}"
    text = reason.replace("'", "''")
    if s.dialect.name == "sqlite":
        s.execute(f"CREATE TRIGGER {name} BEFORE INSERT ON {table} WHEN NEW.{column} IN ({values}) "
                  f"BEGIN SELECT RAISE(ABORT, '{text}'); END")
    else:
        s.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                  f"IF NEW.{column.lower()} IN ({values}) THEN RAISE EXCEPTION '{text}'; END IF; "
                  "RETURN NEW; END $$")
        s.execute(f"CREATE TRIGGER {name} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")
    s.commit()


def allow_documents(s: Session, table: str = "ARDoc") -> None:
    name = f"mobius_refuse_{table.lower()}"
    if s.dialect.name == "sqlite":
        s.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        s.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        s.execute(f"DROP FUNCTION IF EXISTS {name}()")
    s.commit()
