"""SL's codes and number formats, and the pure rules that turn Manage values into them."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from mobius_tui.documents.model import DocumentKind

# Widths of the SL columns a Manage value lands in.
WIDTH = {"CustId": 15, "VendId": 15, "ARRefNbr": 10, "InvcNbr": 15, "InvtID": 30, "Acct": 10, "Sub": 24,
         "TaxId": 10, "TermsId": 2, "SiteId": 10, "CuryId": 4, "GLRefNbr": 10, "INRefNbr": 15, "PONbr": 10}

# Entry screens (Batch.EditScrnNbr) and journal types.
AR_SCREEN, AP_SCREEN, GL_SCREEN, IN_ADJ_SCREEN, IN_TRF_SCREEN = "08010", "03010", "01010", "10030", "10040"
GL_JOURNAL = "GJ"  # JrnlType/TranType of journal entries: UNCONFIRMED in the reference, 'GJ' assumed
FIRST_AR_LINE = -32767  # SL's own AR lines count up from near -32767

ACCOUNT_SEPARATORS = "-."


def split_account(account: str) -> tuple[str, str]:
    """Manage GL account -> (SL Account, SL Subaccount).

    The first segment is the SL account; the remaining segments, joined without separators as SL
    stores a flexkey, are the subaccount ('4100-10' -> ('4100', '10'); '6100-20-01' -> ('6100', '2001')).
    """
    text = account.strip()
    for sep in ACCOUNT_SEPARATORS[1:]:
        text = text.replace(sep, ACCOUNT_SEPARATORS[0])
    first, _, rest = text.partition(ACCOUNT_SEPARATORS[0])
    return first, rest.replace(ACCOUNT_SEPARATORS[0], "")


def line_ref(n: int) -> str:
    return f"{n:05d}"


def calendar_period(day: date, gl_setup: dict) -> str:
    """The fiscal period (YYYYPP) a date falls in, from GLSetup's fiscal calendar.

    GLSetup.FiscalPerEnd00.. hold each period's last day as MMDD. When they are blank, periods are
    calendar months. UNCONFIRMED: a fiscal year that does not start in January is named after the
    calendar year in which it ends (BegFiscalYr=0) or begins (BegFiscalYr=1).
    """
    count = int(gl_setup.get("nbrper") or 12)
    ends = [str(gl_setup.get(f"fiscalperend{n:02d}") or "").strip() for n in range(count)]
    if not all(len(e) == 4 and e.isdigit() for e in ends):
        return f"{day.year:04d}{day.month:02d}"
    mmdd = f"{day.month:02d}{day.day:02d}"
    wraps = any(ends[i] < ends[i - 1] for i in range(1, count))  # fiscal year crosses 31 December
    for number, end in enumerate(ends, start=1):
        start = ends[number - 2] if number > 1 else ends[-1]
        inside = (start < mmdd <= end) if start < end else (mmdd > start or mmdd <= end)
        if inside:
            year = day.year
            if wraps:
                after_wrap = mmdd <= ends[-1]  # in the part of the fiscal year after 31 December
                begins_prior = int(gl_setup.get("begfiscalyr") or 0) == 1
                if after_wrap and begins_prior:
                    year -= 1
                elif not after_wrap and not begins_prior:
                    year += 1
            return f"{year:04d}{number:02d}"
    return f"{day.year:04d}{day.month:02d}"


def module_of(kind: DocumentKind) -> str:
    return {DocumentKind.SALES_INVOICE: "AR", DocumentKind.CREDIT_MEMO: "AR", DocumentKind.AP_BILL: "AP",
            DocumentKind.ITEM_RECEIPT: "AP", DocumentKind.JOURNAL_ENTRY: "GL",
            DocumentKind.INVENTORY_ADJUSTMENT: "IN", DocumentKind.INVENTORY_TRANSFER: "IN"}[kind]


def is_terms_id(value: str) -> bool:
    """SL terms ids mapped from Manage must be an integer of at most two characters."""
    return 0 < len(value) <= WIDTH["TermsId"] and value.isdigit()


_QUANTUM = {places: Decimal(1).scaleb(-places) for places in range(9)}


def round_money(value: Decimal, places: int = 2) -> Decimal:
    quantum = _QUANTUM.get(places) or Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def settle_rounding(total: Decimal, parts: list[Decimal]) -> list[Decimal]:
    """``parts`` (amounts each converted to the base currency on its own) made to add up to ``total``
    (the whole converted at once): the difference goes onto the first non-zero part.

    This is SL's own rule. Its screens convert every amount field on its own (the total too, which
    is what OrigDocAmt, the customer's balance and payments in base currency go by), and its GL
    release pushes what the converted lines then miss onto the first line. Doing it here makes every
    document's base amounts add up as written, instead of leaving the cent to the release.
    """
    difference = total - sum(parts, Decimal(0))
    if difference:
        first = next((n for n, part in enumerate(parts) if part), 0 if parts else None)
        if first is not None:
            parts[first] += difference
    return parts


def percent(rate: Decimal) -> Decimal:
    """Manage's tax rate is a fraction (0.05); SL's is a percentage (5)."""
    return (rate * 100).normalize()
