"""Every mapping rule of the Dynamics SL check: a plan that breaks it, and the message it gets.

The reference is read once over ODBC from the seeded SQLite sandbox; rules about SL's own setup
change a copy of it (check() is pure over the reference).
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from mobius_tui.accounting.base import Severity
from mobius_tui.accounting.dynamics_sl.check import check
from mobius_tui.accounting.dynamics_sl.reference import load_reference
from mobius_tui.documents.model import ItemRef, ItemType, Line, MoveLine, TaxLevelAmount

from . import docs


@pytest.fixture(scope="module")
def base_ref(templates):
    company = templates("sqlite")
    with company.session() as s:
        return load_reference(s, company.settings["company_id"])


@pytest.fixture
def ref(base_ref):
    return copy.deepcopy(base_ref)


def messages(plan, ref, blocking=True) -> list[str]:
    return [p.message() for p in check(plan, ref) if p.blocking == blocking]


def one(plan, ref, blocking=True) -> str:
    found = messages(plan, ref, blocking)
    assert len(found) == 1, found
    return found[0]


def test_a_good_plan_has_no_problems(ref):
    plan = docs.plan(docs.invoice(), docs.invoice("CM1", credit=True), docs.receipt(), docs.expense_bill(),
                     docs.journal(), docs.adjustment(), docs.transfer())
    assert check(plan, ref) == []


def test_missing_account_is_never_created(ref):
    msg = one(docs.plan(docs.journal(account="6400-20")), ref)
    assert "GL account 6400 not in Dynamics SL" in msg and "never created" in msg and "6400-20" in msg


def test_missing_subaccount(ref):
    assert "Subaccount 99 not in Dynamics SL" in one(docs.plan(docs.journal(account="6200-99")), ref)


def test_account_without_subaccount_segment(ref):
    assert "GL account 6200 has no subaccount segment" in one(docs.plan(docs.journal(account="6200")), ref)


def test_account_subaccount_combination_is_validated(ref):
    msg = one(docs.plan(docs.journal(account="6200-10")), ref)  # 6200 and 10 exist, not together
    assert "Account 6200 with subaccount 10 is not a valid combination for company MOBIUS" in msg


def test_inactive_account(ref):
    ref.accounts["6200"] = False
    assert "GL account 6200 is inactive in Dynamics SL" in one(docs.plan(docs.journal()), ref)


def test_missing_customer_without_record_is_an_error(ref):
    msg = one(docs.plan(docs.invoice(customer="C00107")), ref)
    assert "Customer C00107 not in Dynamics SL" in msg and "Customer Maintenance" in msg


def test_missing_customer_with_record_will_be_created_with_default_class(ref):
    plan = docs.plan(docs.invoice(customer="C09999"), customers=[docs.new_customer()])
    assert messages(plan, ref) == []
    notice = one(plan, ref, blocking=False)
    assert "Customers missing in Dynamics SL will be created with class 'STD'" in notice and "C09999" in notice


def test_customer_creation_needs_a_default_class(ref):
    ref.ar_setup["dfltclass"] = ""
    plan = docs.plan(docs.invoice(customer="C09999"), customers=[docs.new_customer()])
    assert "No default customer class" in one(plan, ref)


def test_customer_without_account_number(ref):
    assert "Company has no Account number" in one(docs.plan(docs.invoice(customer="")), ref)


def test_inactive_customer(ref):
    ref.customers[docs.CUSTOMER]["status"] = "I"
    assert f"Customer {docs.CUSTOMER} is inactive" in one(docs.plan(docs.invoice()), ref)


def test_member_vendor_must_exist_and_is_never_created(ref):
    plan = docs.plan(docs.expense_bill(vendor="EMP099"), vendors=[docs.VendorRecord("EMP099", "X", is_member=True)])
    msg = one(plan, ref)
    assert "Member vendor EMP099 not in Dynamics SL" in msg and "Members are never created" in msg


def test_member_without_vendor_number(ref):
    assert "Member has no Vendor Nbr" in one(docs.plan(docs.expense_bill(vendor="")), ref)


def test_missing_company_vendor_with_record_will_be_created(ref):
    plan = docs.plan(docs.receipt(vendor="NEWVEND"), vendors=[docs.new_vendor()])
    assert messages(plan, ref) == []
    assert "Vendors missing in Dynamics SL will be created with class 'STD'" in one(plan, ref, blocking=False)


def test_missing_company_vendor_without_record(ref):
    assert "Vendor NOBODY not in Dynamics SL" in one(docs.plan(docs.receipt(vendor="NOBODY")), ref)


def test_tax_code_maps_to_a_tax_group(ref):
    assert "Tax group ZZ not in Dynamics SL" in one(docs.plan(docs.invoice(tax_code="ZZ")), ref)


def test_agency_xref_maps_to_a_tax_id(ref):
    inv = docs.invoice()
    inv.taxes[0] = replace(inv.taxes[0], agency_xref="CRA-XYZ")
    assert "Tax ID CRA-XYZ not in Dynamics SL" in one(docs.plan(inv), ref)


def test_tax_must_belong_to_the_group(ref):
    inv = docs.invoice(tax_code="BC")  # HST is not in the BC group
    assert "Tax ID CRA-HST is not in tax group BC" in one(docs.plan(inv), ref)


def test_manage_decimal_rate_against_sl_percentage(ref):
    inv = docs.invoice()
    inv.taxes[0] = replace(inv.taxes[0], rate=D("0.15"))
    msg = one(docs.plan(inv), ref)
    assert "Tax rate of CRA-HST differs: Manage 0.15 (= 15%), Dynamics SL 13%" in msg
    assert "0.05 in Manage = 5 in SL" in msg


def test_tax_payable_account_on_the_tax_record(ref):
    inv = docs.invoice()
    inv.taxes[0] = replace(inv.taxes[0], account="2210-00")
    assert "Tax payable account of CRA-HST differs: Manage 2210-00, Dynamics SL 2200-00" in one(docs.plan(inv), ref)


def test_purchase_taxes_use_the_purchasing_account(ref):
    rcpt = docs.receipt()
    rcpt.taxes[0] = replace(rcpt.taxes[0], account="2200-00")  # the sales account, not the purchase one
    assert "Manage 2200-00, Dynamics SL 1250-00" in one(docs.plan(rcpt), ref)


def test_agency_xref_wider_than_sl_tax_id(ref):
    inv = docs.invoice(tax_code="TX")
    inv.taxes[0] = TaxLevelAmount(1, "TX", "TX-COMPTROLLER", D("0.0825"), inv.taxes[0].amount, D(0), "2220-00")
    assert any("Agency xref 'TX-COMPTROLLER' is longer than an SL Tax ID" in m for m in messages(docs.plan(inv), ref))


def test_terms_xref_must_be_an_integer_of_two_characters(ref):
    msg = one(docs.plan(docs.invoice(terms="NET30")), ref)
    assert "Terms xref 'NET30' is not an integer of at most 2 characters" in msg and "Billing Terms" in msg


def test_terms_must_exist(ref):
    assert "Terms 45 not in Dynamics SL" in one(docs.plan(docs.invoice(terms="45")), ref)


def test_installment_terms_are_refused(ref):
    ref.terms["30"]["termstype"] = "M"
    assert "multiple-installment terms" in one(docs.plan(docs.invoice()), ref)


def test_items_missing_in_sl_are_created_with_a_notice_unless_their_type_cannot_be(ref):
    inv = docs.invoice(lines=[Line("4200-10", D("60"), "Legacy", item=ItemRef("LEGACY-KIT", ItemType.OTHER_CHARGE))],
                       taxes=[])
    assert messages(docs.plan(inv), ref) == []
    assert "Item LEGACY-KIT will be created as a non-stock item (Manage other charge)" in one(docs.plan(inv), ref,
                                                                                               blocking=False)
    odd = docs.invoice(lines=[Line("4200-10", D("60"), "Kit", item=ItemRef("KIT-9", "Bundle"))], taxes=[])
    assert "Product KIT-9 has type 'Bundle'" in one(docs.plan(odd), ref)
    long = docs.invoice(lines=[Line("4200-10", D("60"), "Long", item=ItemRef("X" * 31, ItemType.SERVICE))], taxes=[])
    assert "longer than an SL Inventory ID" in one(docs.plan(long), ref)
    # a new stock item's accounts must exist in SL
    part = ItemRef("NEW-PART", ItemType.INVENTORY_PART, inventory_account="1399-00", location_xref="1")
    sale = docs.invoice(lines=[Line("4200-10", D("60"), "Part", item=part)], taxes=[])
    assert "GL account 1399 not in Dynamics SL" in one(docs.plan(sale), ref)


def test_warehouse_location_xref_maps_to_a_site(ref):
    adj = docs.adjustment()
    adj.lines = [replace(adj.lines[0], item=replace(adj.lines[0].item, location_xref="9"))]
    assert "Site 9 not in Dynamics SL" in one(docs.plan(adj), ref)


def test_transfer_sites(ref):
    trf = docs.transfer()
    trf.lines = [MoveLine(docs.LAPTOP, D("1"), D("1212.50"), from_location="1", to_location="7")]
    assert "Site 7 not in Dynamics SL" in one(docs.plan(trf), ref)


def test_transfer_accounts_on_both_sides(ref):
    trf = docs.transfer()
    trf.lines = [replace(trf.lines[0], offset_account="1310-00")]
    assert check(docs.plan(trf), ref) == []
    trf.lines = [replace(trf.lines[0], offset_account="1390-00")]
    msg = one(docs.plan(trf), ref)
    assert "GL account 1390 not in Dynamics SL" in msg and "line 1 from inventory: 1390-00" in msg


def test_ar_auto_reference_numbering_must_be_off(ref):
    ref.ar_setup["autoref"] = 1
    msg = one(docs.plan(docs.invoice()), ref)
    assert "AR Auto Reference Numbering is on" in msg and "AR Setup" in msg


def test_document_dates_must_be_in_open_periods(ref):
    msg = one(docs.plan(docs.invoice(day=date(2025, 3, 31))), ref)
    assert "Document date is in a closed Accounts Receivable period" in msg and "period 03-2025" in msg


def test_currency_must_exist_and_have_a_rate(ref):
    assert "Currency EUR not in Dynamics SL" in one(docs.plan(docs.invoice(currency="EUR")), ref)
    ref.gl_setup["pernbr"] = ref.ar_setup["pernbr"] = "202401"
    old = docs.invoice(currency="USD", customer="C00106", taxes=[], day=date(2024, 12, 2), receivable="1210-00")
    assert "No USD to CAD rate in Dynamics SL on the document date" in one(docs.plan(old), ref)


def test_invoice_number_must_fit_the_sl_reference_number(ref):
    assert "does not fit an SL reference number (10 characters)" in one(docs.plan(docs.invoice("INV-2025-000001")),
                                                                        ref)


def test_vendor_invoice_number_must_fit_and_long_expense_numbers_use_the_expense_id(ref):
    msg = one(docs.plan(docs.receipt(vendor_invoice="VI-2025-000000001")), ref)
    assert "Invoice number 'VI-2025-000000001' does not fit SL's vendor invoice number (15 characters)" in msg
    assert check(docs.plan(docs.expense_bill("EXP-mchen-20250630")), ref) == []


def test_unbalanced_document(ref):
    inv = docs.invoice()
    inv.document_total += D("0.01")
    assert "Document does not balance (off by 0.01)" in one(docs.plan(inv), ref)


def test_problems_name_the_document_and_group_by_cause(ref):
    plan = docs.plan(docs.journal("E1", account="6400-20"), docs.journal("E2", account="6400-20"))
    problems = check(plan, ref)
    assert {p.cause for p in problems} == {"GL account 6400 not in Dynamics SL"}
    assert [p.document.number for p in problems] == ["E1", "E2"]
    assert all(p.severity == Severity.ERROR for p in problems)
