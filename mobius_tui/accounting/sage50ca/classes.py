"""Sage 50 account classes as the company database numbers them (``tAccount.nAcctClass``).

The codes are not documented publicly [UNCONFIRMED]: they are kept here, in one place, so they can be
corrected against a real company file's ``tAccount`` without touching the rules that use them.
"""

from __future__ import annotations

CLASS_NAMES: dict[int, str] = {
    0: "Unassigned",
    1: "Asset", 2: "Bank", 3: "Cash", 4: "Accounts Receivable", 5: "Inventory", 6: "Current Asset",
    7: "Capital Asset", 8: "Other Asset",
    10: "Liability", 11: "Accounts Payable", 12: "Credit Card Payable", 13: "Current Liability",
    14: "Long Term Liability",
    20: "Equity", 21: "Share Capital", 22: "Retained Earnings",
    30: "Revenue", 31: "Operating Revenue", 32: "Other Revenue",
    40: "Expense", 41: "Cost of Goods Sold", 42: "Operating Expense", 43: "Payroll Expense", 44: "Other Expense",
}
COGS = frozenset({41})
# Classes a service item's expense account may have: any expense class but Cost of Goods Sold.
EXPENSE = frozenset({40, 42, 43, 44})
INVENTORY = frozenset({5})


def class_name(code: int) -> str:
    return CLASS_NAMES.get(code, f"class {code}")
