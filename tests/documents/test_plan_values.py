"""Number rules and wire-value readers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mobius_tui.documents.model import ItemType
from mobius_tui.documents.numbers import (
    PurchaseNumberSource,
    expense_number,
    parse_entry_ids,
    procurement_number,
    purchase_number,
    sales_number,
)
from mobius_tui.documents.values import item_type, money, parse_date, quantity, signed_like, unit_price


@pytest.mark.parametrize(
    ("number", "strip", "add", "expected"),
    [
        ("1001", "", "", "1001"),
        ("CW1001", "CW", "", "1001"),
        ("CW", "CW", "", "CW"),  # never strips a number down to nothing
        ("1001", "", "INV", "INV1001"),
        ("INV1001", "", "INV", "INV1001"),  # not added twice
        ("CW1001", "CW", "S-", "S-1001"),
    ],
)
def test_sales_number(number, strip, add, expected):
    assert sales_number(number, strip, add) == expected


def test_purchase_and_expense_numbers():
    assert purchase_number("PO-1", "V-9", PurchaseNumberSource.PO_NUMBER) == "PO-1"
    assert purchase_number("PO-1", "V-9", PurchaseNumberSource.VENDOR_INVOICE_NUMBER) == "V-9"
    assert purchase_number("PO-1", "", PurchaseNumberSource.VENDOR_INVOICE_NUMBER) == ""
    assert purchase_number("PO-1", "V-9", PurchaseNumberSource.PO_NUMBER, "PO-1") == "PO-1"
    assert purchase_number("PO-1", "V-9", PurchaseNumberSource.PO_NUMBER, "SLIP-4") == "PO-1-SLIP-4"
    assert purchase_number("PO-1", "V-9", PurchaseNumberSource.VENDOR_INVOICE_NUMBER, "SLIP-4") == "V-9"
    assert expense_number(6001) == "E6001"
    assert expense_number(None) == ""


@pytest.mark.parametrize(
    ("product_id", "expected"),
    [("12-adjustment", "ADJ12"), ("7-transfer", "TRF7"), ("3-Adjustment", "ADJ3"), ("9-x-transfer", "TRF9"),
     ("3-Test123-purchase", "3-Test123-purchase"), (" odd ", "odd")],
)
def test_procurement_number(product_id, expected):
    assert procurement_number(product_id) == expected


def test_parse_entry_ids():
    assert parse_entry_ids("1010,1011, 1012,") == (1010, 1011, 1012)
    assert parse_entry_ids("") == () and parse_entry_ids(None) == ()
    with pytest.raises(ValueError, match="'x1' is not a GL entry id"):
        parse_entry_ids("1,x1")


@pytest.mark.parametrize(
    "text", ["2025-04-25T00:00:00Z", "2025-04-25T00:00:00", "2025-04-25", "2025-04-25T00:00:00.000Z"]
)
def test_parse_date_keeps_the_calendar_day(text):
    assert parse_date(text) == date(2025, 4, 25)


def test_parse_date_rejects_garbage():
    assert parse_date("25/04/2025") is None and parse_date("") is None and parse_date(None) is None


def test_money_and_quantity_remove_float_noise():
    assert money(Decimal("10.004999999")) == Decimal("10.00")
    assert money(Decimal("10.005")) == Decimal("10.01")  # half-up
    assert money(None) is None
    assert quantity(Decimal("0.30000000000000004")) == Decimal("0.3")
    assert str(quantity(Decimal("2.000000"))) == "2"
    assert quantity(None) == Decimal(1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Inventory Part", ItemType.INVENTORY_PART), ("InventoryPart", ItemType.INVENTORY_PART),
     ("non-inventory part", ItemType.NON_INVENTORY_PART), ("OtherCharge", ItemType.OTHER_CHARGE),
     ("Service", ItemType.SERVICE), ("Bundle", "Bundle"), (None, "")],
)
def test_item_type_spellings(raw, expected):
    assert item_type(raw) == expected


def test_unit_price_prefers_the_listed_price_when_it_fits():
    assert unit_price(Decimal("450.00"), Decimal(3), Decimal(150)) == Decimal(150)
    assert unit_price(Decimal("100.00"), Decimal(3), Decimal(40)) == Decimal("33.3333")
    assert unit_price(Decimal("12.00"), Decimal(0), None) == Decimal("12.00")
    assert signed_like(Decimal(-2), Decimal("5")) == Decimal(2)
    assert signed_like(Decimal(2), Decimal("-5")) == Decimal(-2)
