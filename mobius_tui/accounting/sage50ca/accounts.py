"""Account numbers as Sage 50 holds them.

Manage exports a multi-segment account with a delimiter between segments (a colon by default, a hyphen
when Manage's export was changed to it, as the guide's setup chapter says). Sage 50 accounts are
numeric only, as many digits as the company's "Number of digits in account number" setting
(``tCompOth.nActNumLen``), and the database keys them by the 8-digit form (``tAccount.lId``: the
number padded with zeros on the right, e.g. 1060 → 10600000).
"""

from __future__ import annotations

DELIMITERS = (":", "-")


def account_digits(value: str, delimiter: str) -> str:
    """The Manage account with its segment delimiter removed (what Sage 50 should hold)."""
    return value.strip().replace(delimiter, "")


def account_problem(value: str, delimiter: str, length: int) -> str:
    """Why ``value`` cannot name a Sage 50 account ("" when it can)."""
    text = value.strip()
    if not text:
        return "no GL account"
    other = next((d for d in DELIMITERS if d != delimiter and d in text), "")
    if other:
        return (f"GL account {text} is delimited with '{other}' but the Sage 50 login expects '{delimiter}' "
                "between segments")
    digits = account_digits(text, delimiter)
    if not digits.isdigit() or not digits.isascii():
        return f"GL account {text} is not numeric (Sage 50 accounts hold digits only)"
    if len(digits) != length:
        return f"GL account {text} has {len(digits)} digits; the Sage 50 company uses {length}-digit accounts"
    return ""


def account_id(digits: str) -> int:
    """``tAccount.lId`` of an account number (8 digits, zero-padded on the right)."""
    return int(digits.ljust(8, "0")[:8])


def account_number(lid: int, length: int) -> str:
    """The number a person reads in Sage 50 for ``tAccount.lId``."""
    return str(lid).zfill(8)[:length]
