"""Customers, vendors (members flagged) and items seen on the documents' lines."""

from __future__ import annotations

from decimal import Decimal

from mobius_tui.documents.convert import PlanOptions, plan_from_glexport
from mobius_tui.documents.model import ItemType, TaxLevelAmount


def test_customers_with_tax_levels_from_either_form(export):
    plan = plan_from_glexport(export("invoices"), PlanOptions(home_currency="CAD"))
    acme, beta = plan.customers
    assert (acme.account, acme.name, acme.terms, acme.due_days, acme.tax_code, acme.currency, acme.taxable) == (
        "ACME01", "Acme Île-du-Prince Ltée", "30", 30, "PE", "", True
    )
    assert acme.tax_levels == (
        TaxLevelAmount(1, "PE", "GST", Decimal("0.05"), Decimal(0)),
        TaxLevelAmount(2, "PE", "PST", Decimal("0.1"), Decimal(0)),
    )
    # Beta has no taxLevels list, only the flat per-level fields.
    assert beta.tax_levels == (TaxLevelAmount(1, "ON", "HST", Decimal("0.13"), Decimal(0)),)


def test_vendors_members_are_flagged(export):
    plan = plan_from_glexport(export("invoices"))
    assert [(v.account, v.name, v.is_member, v.terms, v.due_days) for v in plan.vendors] == [
        ("EMP-JDOE", "Jane Doe", True, "", None),
        ("INGRAM", "Ingram Micro", False, "Net 30", 30),
    ]


def test_master_records_without_an_account_are_left_to_the_documents_that_need_them(export, raw):
    data = raw("invoices")
    del data["customers"][1]["accountNumber"]
    del data["vendors"][0]["vendorNumber"]
    data["customers"].append(data["customers"][0])  # listed twice: kept once
    plan = plan_from_glexport(export(data))
    assert [c.account for c in plan.customers] == ["ACME01"]
    assert [v.account for v in plan.vendors] == ["INGRAM"]
    # Beta's invoices still carry its account number, so nothing blocks; an invoice without one
    # is reported by itself (see test_plan_issues).
    assert plan.issues == []


def test_items_seen_on_lines_once_with_accounts_merged(export, raw):
    data = raw("invoices")
    purchases = raw("purchases")
    data["purchaseTransactions"] = purchases["purchaseTransactions"]
    plan = plan_from_glexport(export(data))
    items = {i.code: i for i in plan.items}
    assert sorted(items) == ["BACKUP-1Y", "LAPTOP-14", "PATCH10", "SETUP"]
    laptop = items["LAPTOP-14"]
    assert (laptop.item_type, laptop.cost_account, laptop.inventory_account, laptop.revenue_account) == (
        ItemType.INVENTORY_PART, "5000", "1300", "4200"
    )
    # PATCH10: revenue account from the invoice, cost account from the receipt
    patch = items["PATCH10"]
    assert (patch.item_type, patch.cost_account, patch.revenue_account) == (ItemType.OTHER_CHARGE, "5100", "4000")
