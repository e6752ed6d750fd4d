"""Fill a sandbox company from the shared dataset's accounting seed, mapped the way seed 001 says:
customers by Manage account number, vendors by vendor xref and member vendor number, GL accounts by
number, a tax group per Manage tax code keyed by its first level's tax code xref with each level's
agency xref as an authority (none for a tax-exempt code), terms by terms xref, IC items by catalog
identifier and IC locations by warehouse location xref.

The dataset leaves out its ``missing_mappings`` unless asked, so a run against a seeded company meets
exactly the problems the mapping check must report.
"""

from __future__ import annotations

from collections import defaultdict

from mobius_tui.sandbox.dataset import AccountingSeed, Dataset
from mobius_tui.sandbox.sage300.store import Store, key_text

_BALANCE_SHEET = {"asset", "liability"}
_DEBIT = {"asset", "expense", "cogs"}
TAX_TYPES = ("Sales", "Purchase")


def tax_groups(seed: AccountingSeed) -> dict[str, list[str]]:
    """Group key → authorities in slot order.

    Two Manage tax codes whose first levels share a xref (GST for British Columbia and PEI) land in
    one group holding both codes' authorities, as a Sage user mapping them that way would set it up.
    """
    by_code: dict[str, list] = defaultdict(list)
    for tax in seed.taxes:
        by_code[tax.tax_code].append(tax)
    groups: dict[str, list[str]] = {}
    for levels in by_code.values():
        levels.sort(key=lambda t: t.level)
        authorities = groups.setdefault(levels[0].tax_code_xref, [])
        for level in levels:
            if level.rate and level.agency_xref not in authorities:
                authorities.append(level.agency_xref)
    return groups


def seed_company(store: Store, dataset: Dataset, include_missing: bool = False) -> None:
    seed = dataset.accounting_seed(include_missing=include_missing)
    groups = tax_groups(seed)
    first_xref = {}
    for tax in seed.taxes:
        if tax.level == 1:
            first_xref[tax.tax_code] = tax.tax_code_xref
    with store.transaction():
        for account in seed.accounts:
            unformatted = account.number.replace("-", "")
            store.put("GLAccounts", unformatted, {
                "UnformattedAccount": unformatted, "AccountNumber": account.number,
                "Description": account.description,
                "AccountType": "BalanceSheet" if account.account_class in _BALANCE_SHEET else "IncomeStatement",
                "NormalBalanceDRCR": "Debit" if account.account_class in _DEBIT else "Credit",
                "Status": "Active", "StructureCode": "ACCDIV", "PostToAccount": "Detail"})
        for term in seed.terms:
            common = {"TermsCode": term.terms_xref, "Description": term.name, "UsePaymentSchedule": "No",
                      "CalculationBaseForDiscountwithTax": "Excluded", "NumberOfPayments": 1}
            due = {"TermsCode": term.terms_xref, "PaymentNumber": 1, "DiscountPercent": 0, "DiscountNumberOfDays": 0,
                   "DiscountDayOfMonth": 0, "DueNumberOfDays": term.due_days, "DueDayOfMonth": 0}
            store.put("ARTerms", term.terms_xref, {
                **common, "DiscountType": "DaysFromInvoiceDate", "DueDateType": "DaysFromInvoiceDate",
                "TotalPercentDue": 100, "TermsPaymentSchedules": [{**due, "PercentDue": 100}]})
            store.put("APTerms", term.terms_xref, {
                **common, "MethodOfCalcForDiscountDate": "DaysFromInvoiceDate",
                "MethodOfCalcForDueDate": "DaysFromInvoiceDate", "TotalPercentageDue": 100,
                "TermsPaymentSchedule": [{**due, "PaymentNumber": 20, "PercentageDue": 100}]})
        authorities = {t.agency_xref: t for t in seed.taxes if t.rate}
        for key, tax in authorities.items():
            store.put("TXTaxAuthorities", key, {
                "TaxAuthorityKey": key, "Description": tax.caption, "TaxReportingCurrency": "CAD",
                "TaxBase": "SellingPrice", "TaxType": "Sales",
                "TaxClasses": [{"Class": 1, "ClassType": "Customers", "TransactionType": "Sales", "Exempt": False,
                                "Description": "Taxable"}]
                + [{"Class": n, "ClassType": "Items", "TransactionType": kind, "Exempt": n == 2,
                    "Description": "Exempt" if n == 2 else "Taxable"} for kind in TAX_TYPES for n in (1, 2)]})
            for kind in TAX_TYPES:
                store.put("TXTaxRates", key_text((key, kind, 1)), {
                    "TaxAuthority": key, "TransactionType": kind, "BuyerClass": 1, "ItemRate1": tax.rate * 100,
                    "ItemRate2": 0})
        for group, members in groups.items():
            for kind in TAX_TYPES:
                body = {"TaxGroupKey": group, "TransactionType": kind, "Description": f"{group} ({kind.lower()})",
                        "TaxReportingCurrency": "CAD", "TaxCalculationMethod": "CalculateTaxByDetail"}
                for slot in range(1, 6):
                    body[f"TaxAuthority{slot}"] = members[slot - 1] if slot <= len(members) else ""
                    body[f"Taxable{slot}"] = "Yes" if slot <= len(members) else "No"
                store.put("TXTaxGroups", key_text((group, kind)), body)
        for customer in seed.customers:
            store.put("ARCustomers", customer.account_number, {
                "CustomerNumber": customer.account_number, "GroupCode": "RTL", "CustomerName": customer.name,
                "ShortName": customer.name[:10], "Status": "Active", "OnHold": "No", "AccountSet": customer.currency,
                "CurrencyCode": customer.currency, "Terms": customer.terms_xref,
                "TaxGroup": first_xref.get(customer.tax_code, ""), "TaxClassCode1": 1,
                "BalanceDueInCustomerCurrency": 0})
        for vendor in seed.vendors:
            store.put("APVendors", vendor.vendor_number, {
                "VendorNumber": vendor.vendor_number, "GroupCode": "EMP" if vendor.source == "member" else "TRADE",
                "VendorName": vendor.name, "ShortName": vendor.name[:10], "Status": "Active", "OnHold": "NotOnHold",
                "CurrencyCode": vendor.currency, "Terms": vendor.terms_xref})
        for item in seed.items:
            store.put("ICItems", item.identifier, {
                "ItemNumber": item.identifier, "UnformattedItemNumber": item.identifier.replace("-", ""),
                "Description": item.description, "Category": item.type_xref[:6].upper(),
                "AccountSetCode": "INV" if item.inventory_account else "NONINV",
                "StockItem": item.inventory_account is not None, "Status": "Active",
                "StockingUnitOfMeasure": "Each", "QuantityOnHand": 0})
        for location in seed.locations:
            store.put("ICLocations", location.location_xref, {
                "LocationKey": location.location_xref, "Name": location.name, "LocationType": "Physical",
                "Status": "Active"})


def seed_company_profile(books, company: str) -> None:
    """The company's options (Common Services > Company Profile): its home currency."""
    with books.store.transaction():
        books.store.put("CSCompanyProfile", company, {
            "CompanyID": company, "Name": company, "HomeCurrency": books.settings.home_currency,
            "Multicurrency": True})
