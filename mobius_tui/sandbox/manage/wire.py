"""Dataset records rendered as Manage wire models (mobius_tui.manage.models).

Everything the sandbox sends is built here as a model and serialised with ``to_wire``, so the
field names cannot drift from the reference.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal
from functools import lru_cache

from mobius_tui.manage import models as m
from mobius_tui.sandbox.dataset import (
    BillingTerm,
    Company,
    Currency,
    Dataset,
    Expense,
    Invoice,
    Item,
    Location,
    Member,
    Procurement,
    TaxCode,
    Warehouse,
)

LEVEL_NAMES = ("One", "Two", "Three", "Four", "Five", "Six")
# UnpostedInvoice & co. name their six tax triplets after the US levels.
LEVEL_PREFIXES = ("state", "county", "city", "country", "composite", "levelSix")


def iso(d: date | datetime | None) -> str | None:
    if d is None:
        return None
    if isinstance(d, datetime):
        return d.strftime("%Y-%m-%dT%H:%M:%SZ")
    return _iso_date(d)


@lru_cache(maxsize=4096)  # documents share a few hundred dates (not datetimes: equal across zones)
def _iso_date(d: date) -> str:
    return datetime.combine(d, time(0), tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_datetime(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=timezone.utc)


# Reference models are built once per referenced record and shared by every document that
# embeds them (an export of 10,000 invoices embeds ~100,000 of them). Never mutate one.
_shared = lru_cache(maxsize=8192)


@_shared
def company_ref(c: Company) -> m.CompanyReference:
    return m.CompanyReference(id=c.id, identifier=c.identifier, name=c.name)


@_shared
def member_ref(mb: Member) -> m.MemberReference:
    return m.MemberReference(id=mb.id, identifier=mb.identifier, name=mb.name)


def currency_ref(ds: Dataset, code: str) -> m.CurrencyReference:
    return _currency_ref(ds.currency(code))


@_shared
def _currency_ref(cur: Currency) -> m.CurrencyReference:
    return m.CurrencyReference(
        id=cur.id, symbol=cur.symbol, currencyCode=cur.code, decimalSeparator=".", numberOfDecimals=2,
        thousandsSeparator=",", negativeParenthesesFlag=False, displaySymbolFlag=True,
        currencyIdentifier=cur.code, displayIdFlag=False, rightAlign=False, name=cur.name,
    )


@_shared
def tax_code_ref(tc: TaxCode) -> m.TaxCodeReference:
    return m.TaxCodeReference(id=tc.id, name=tc.identifier)


def terms_ref(ds: Dataset, terms_id: int) -> m.BillingTermsReference:
    return _terms_ref(ds.term(terms_id))


@_shared
def _terms_ref(t: BillingTerm) -> m.BillingTermsReference:
    return m.BillingTermsReference(id=t.id, name=t.name)


@_shared
def item_ref(item: Item) -> m.IvItemReference:
    return m.IvItemReference(id=item.id, identifier=item.identifier, serializedFlag=item.serialized)


@_shared
def warehouse_ref(w: Warehouse) -> m.WarehouseReference:
    return m.WarehouseReference(id=w.id, name=w.name, lockedFlag=False)


def location_ref(ds: Dataset, location_id: int) -> m.SystemLocationReference:
    return _location_ref(ds.location(location_id))


@_shared
def _location_ref(loc: Location) -> m.SystemLocationReference:
    return m.SystemLocationReference(id=loc.id, name=loc.name)


@_shared
def site_ref(c: Company) -> m.SiteReference:
    return m.SiteReference(id=c.site_id, name=c.site_name)


@_shared
def company_type_ref(c: Company) -> m.CompanyTypeReference:
    return m.CompanyTypeReference(id=2 if c.is_vendor else 1, name="Vendor" if c.is_vendor else "Client")


@_shared
def uom_ref(name: str) -> m.UnitOfMeasureReference:
    return m.UnitOfMeasureReference(id=1, name=name)


def _tax_triplets(tc: TaxCode, amounts: dict[int, Decimal]) -> dict[str, object]:
    out: dict[str, object] = {}
    for lvl in tc.levels:
        prefix = LEVEL_PREFIXES[lvl.level - 1]
        out[f"{prefix}TaxFlag"] = not tc.exempt
        out[f"{prefix}TaxXref"] = lvl.tax_code_xref
        out[f"{prefix}TaxAmount"] = amounts.get(lvl.level, Decimal(0))
    return out


# --- unposted records ------------------------------------------------------------------


def unposted_invoice(ds: Dataset, inv: Invoice) -> m.UnpostedInvoice:
    c = ds.company(inv.company_id)
    tc = ds.tax_code(inv.tax_code_id)
    kinds = {ln.kind for ln in inv.lines}
    return m.UnpostedInvoice(
        id=inv.unposted_id, billingLogId=inv.id, locationId=inv.location_id,
        location=m.OwnerLevelReference(id=inv.location_id, name=ds.location(inv.location_id).name),
        departmentId=inv.department_id,
        department=m.SystemDepartmentReference(id=inv.department_id, identifier=ds.department(inv.department_id).identifier,
                                               name=ds.department(inv.department_id).name),
        company=company_ref(c), accountNumber=c.account_number, billToCompany=company_ref(c), billToSite=site_ref(c),
        shipToCompany=company_ref(c), shipToSite=site_ref(c), invoiceNumber=inv.number, invoiceDate=iso(inv.date),
        invoiceType=inv.type, description=inv.description, billingTerms=terms_ref(ds, inv.terms_id),
        dueDays=str(ds.term(inv.terms_id).due_days), dueDate=iso(inv.due_date), currency=currency_ref(ds, inv.currency),
        subTotal=inv.subtotal, total=inv.total, hasTime="service" in kinds or "progress" in kinds,
        hasExpenses="expense" in kinds, hasProducts="product" in kinds, invoiceTaxableFlag=not tc.exempt,
        taxCode=tax_code_ref(tc), avalaraTaxFlag=False, itemTaxableFlag=any(ln.taxable for ln in inv.lines),
        salesTaxAmount=inv.tax_total, createdBy=inv.closed_by, dateClosed=iso(inv.date),
        **_tax_triplets(tc, {t.level.level: t.amount for t in inv.taxes}),
    )


def unposted_expense(ds: Dataset, e: Expense) -> m.UnpostedExpense:
    mb = ds.member(e.member_id)
    c = ds.company(e.company_id)
    tc = ds.tax_code(e.tax_code_id)
    return m.UnpostedExpense(
        id=e.id, locationId=e.location_id, departmentId=e.department_id, company=company_ref(c),
        accountNumber=e.account, creditAccount=e.offset_account, expenseDetailId=e.detail_id,
        expenseType=m.ExpenseTypeReference(id=1 + [t for t in ("Airfare", "Hotel", "Meals", "Mileage", "Parking",
                                                                "Conference")].index(e.expense_type),
                                           name=e.expense_type),
        classification=e.classification, glType=e.gl_type, member=member_ref(mb), dateExpense=iso(e.date),
        chargeCode=m.ChargeCodeReference(id=1, name="Client expenses") if e.billable else None,
        chargeDescription=e.description, inPolicy=True,
        paymentMethod=m.PaymentMethodReference(id=2 if e.payment_method != "Cash" else 1, name=e.payment_method),
        currency=currency_ref(ds, e.currency), total=e.amount,
        billableAmount=e.amount if e.billable else Decimal(0), nonBillableAmount=Decimal(0) if e.billable else e.amount,
        taxCode=tax_code_ref(tc), avalaraTaxFlag=False, itemTaxableFlag=True, salesTaxAmount=e.tax_amount,
        dateClosed=iso(e.date), **_tax_triplets(tc, {1: e.tax_amount}),
    )


def unposted_procurement(ds: Dataset, p: Procurement) -> m.UnpostedProcurement:
    fields: dict[str, object] = dict(
        id=p.id, description=p.description, unpostedProductId=p.unposted_product_id, locationId=p.location_id,
        departmentId=p.department_id, procurementType=p.type, purchaseDate=iso(p.date),
        currency=currency_ref(ds, p.currency), total=p.total, dateClosed=iso(p.date),
    )
    if p.type == "Purchase":
        vendor = ds.company(p.vendor_company_id or 0)
        tc = ds.tax_code(p.tax_code_id or 0)
        fields.update(
            purchaseOrder=m.PurchaseOrderReference(id=p.id, name=p.po_number), billingTerms=terms_ref(ds, p.terms_id or 1),
            taxCode=tax_code_ref(tc), avalaraTaxFlag=False, itemTaxableFlag=True, purchaseOrderTaxableFlag=not tc.exempt,
            taxTotal=p.tax_total, vendor=company_ref(vendor), vendorAccountNumber=f"ACCT-{vendor.id}",
            vendorInvoiceNumber=p.vendor_invoice_number, vendorInvoiceDate=iso(p.vendor_invoice_date),
            taxFreightFlag=bool(p.freight), freightTaxTotal=Decimal(0), freightCost=p.freight,
            trackingNumber=f"1Z{p.id:010d}",
            **_tax_triplets(tc, {t.level.level: t.amount for t in p.taxes}),
        )
    return m.UnpostedProcurement(**fields)


def taxable_levels(tc: TaxCode, amounts: dict[int, Decimal], parent_id: int) -> list[m.UnpostedInvoiceTaxableLevel]:
    return [
        m.UnpostedInvoiceTaxableLevel(id=parent_id * 10 + lvl.level, taxLevel=lvl.level, taxCodeXref=lvl.tax_code_xref,
                                      taxAmount=amounts.get(lvl.level, Decimal(0)))
        for lvl in tc.levels
        if not tc.exempt
    ]


# --- reference data --------------------------------------------------------------------


def company(ds: Dataset, c: Company) -> m.Company:
    return m.Company(
        id=c.id, identifier=c.identifier, name=c.name, status=m.CompanyStatusReference(id=1, name="Active"),
        city=c.city, state=c.state, country=m.CountryReference(id=1 if c.country == "Canada" else 2, name=c.country),
        accountNumber=c.account_number, vendorIdentifier=c.vendor_identifier, taxIdentifier=c.tax_identifier,
        taxCode=tax_code_ref(ds.tax_code(c.tax_code_id)), billingTerms=terms_ref(ds, c.terms_id),
        currency=currency_ref(ds, c.currency), deletedFlag=False, isVendorFlag=c.is_vendor,
        types=[company_type_ref(c)], site=site_ref(c),
        info={"lastUpdated": "2025-03-01T12:00:00Z", "updatedBy": "jtremblay"},
    )


def member(ds: Dataset, mb: Member) -> m.Member:
    """A full member record, as Manage sends one: the accounting fields and every other field a
    member always carries (contact defaults, time and expense setup, screen formats)."""
    employee = mb.license_class == "F"
    email = f"{mb.identifier}@example.com"
    department = ds.department(mb.department_id)
    dept_ref = m.SystemDepartmentReference(id=department.id, identifier=department.identifier, name=department.name)
    loc_ref = location_ref(ds, mb.location_id)
    approver = m.MemberReference(id=1, identifier=ds.member(1).identifier, name=ds.member(1).name)
    return m.Member(
        id=mb.id, identifier=mb.identifier, firstName=mb.first_name, lastName=mb.last_name,
        title="Technician" if employee else "API integration", licenseClass=mb.license_class,
        disableOnlineFlag=not employee, enableMobileFlag=employee,
        type=m.MemberTypeReference(id=1 if employee else 2, name="Employee" if employee else "API"),
        employeeIdentifer=f"E{mb.id:04d}" if employee else None, vendorNumber=mb.vendor_number,
        timeZone=m.TimeZoneSetupReference(id=1, name="Eastern"), country=m.CountryReference(id=1, name="Canada"),
        enableMobileGpsFlag=False, inactiveFlag=False, partnerPortalFlag=False, toastNotificationFlag=employee,
        officeEmail=email, officePhone=f"416555{mb.id:04d}", defaultEmail="Office", primaryEmail=email,
        defaultPhone="Office",
        securityRole=m.SecurityRoleReference(id=2 if mb.accounting_role else 9,
                                             name="Finance" if mb.accounting_role else "Technician"),
        adminFlag=False, structureLevel=m.StructureReference(id=1, name="Corporate"),
        securityLocation=loc_ref, defaultLocation=loc_ref, defaultDepartment=dept_ref,
        restrictLocationFlag=False, restrictDepartmentFlag=False,
        workRole=m.WorkRoleReference(id=1, name="Engineer" if employee else "Administrator"),
        workType=m.WorkTypeReference(id=1, name="Regular"), timeApprover=approver, expenseApprover=approver,
        billableForecast=Decimal("75.00") if employee else Decimal("0.00"),
        dailyCapacity=Decimal("8.00") if employee else Decimal("0.00"),
        hourlyCost=Decimal("45.00") if employee else Decimal("0.00"),
        hourlyRate=Decimal("150.00") if employee else Decimal("0.00"),
        includeInUtilizationReportingFlag=employee, requireExpenseEntryFlag=False, requireTimeSheetEntryFlag=employee,
        requireStartAndEndTimeOnTimeEntryFlag=False, allowInCellEntryOnTimeSheet=False,
        enterTimeAgainstCompanyFlag=True, allowExpensesEnteredAgainstCompaniesFlag=True,
        timeReminderEmailFlag=False, daysTolerance=0, minimumHours=Decimal("0.00"),
        hireDate=datetime(2015 + mb.id % 8, 1 + mb.id % 12, 1, tzinfo=timezone.utc),
        serviceDefaultLocation=loc_ref, serviceDefaultDepartment=dept_ref,
        restrictServiceDefaultLocationFlag=False, restrictServiceDefaultDepartmentFlag=False,
        projectDefaultLocation=loc_ref, projectDefaultDepartment=dept_ref,
        restrictProjectDefaultLocationFlag=False, restrictProjectDefaultDepartmentFlag=False,
        scheduleDefaultLocation=loc_ref, scheduleDefaultDepartment=dept_ref, scheduleCapacity=Decimal("8.00"),
        restrictScheduleFlag=False, hideMemberInDispatchPortalFlag=not employee, salesDefaultLocation=loc_ref,
        restrictDefaultSalesTerritoryFlag=False, restrictDefaultWarehouseFlag=False,
        restrictDefaultWarehouseBinFlag=False, calendarSyncIntegrationFlag=False, enableLdapAuthenticationFlag=False,
        companyActivityTabFormat="SummaryList", invoiceTimeTabFormat="SummaryList",
        invoiceScreenDefaultTabFormat="ShowInvoicingTab", invoicingDisplayOptions="RemainOnInvoicingScreen",
        agreementInvoicingDisplayOptions="RemainOnInvoicingScreen", timebasedOneTimePasswordActivated=False,
        autoStartStopwatch=False, autoPopupQuickNotesWithStopwatch=False, globalSearchDefaultTicketFilter="OpenRecords",
        useBrowserLanguageFlag=False,
        info={"lastUpdated": "2025-03-01T12:00:00Z", "updatedBy": "jtremblay"},
    )


def gl_accounts(ds: Dataset) -> list[m.GLAccount]:
    out = []
    for n, a in enumerate(ds.accounts, start=1):
        segs = a.segments
        out.append(m.GLAccount(
            id=n, glType=a.gl_type, mappedType=m.MappedTypeReference(id=n, name=a.description),
            mappedRecord=m.MappedRecordReference(id=n, name=a.description),
            segment1=segs[0], segment2=segs[1] if len(segs) > 1 else None,
        ))
    for item in ds.items:  # product mappings carry the COGS, inventory and GL product id
        n = len(out) + 1
        rev = ds.account(item.revenue_account).segments
        cogs = ds.account(item.cogs_account).segments
        out.append(m.GLAccount(
            id=n, glType="RP", mappedType=m.MappedTypeReference(id=n, name="Product"),
            mappedRecord=m.MappedRecordReference(id=item.id, name=item.identifier), segment1=rev[0], segment2=rev[1],
            cogs1=cogs[0], cogs2=cogs[1], inventory=item.inventory_account, productId=item.gl_item_id,
            salesCode=item.identifier[:4],
        ))
    return out


def tax_code(tc: TaxCode) -> m.TaxCode:
    fields: dict[str, object] = dict(
        id=tc.id, identifier=tc.identifier, description=tc.description, invoiceCaption=tc.identifier,
        country=m.CountryReference(id=1 if tc.country == "Canada" else 2, name=tc.country),
        effectiveDate=datetime(2020, 1, 1, tzinfo=timezone.utc), defaultFlag=tc.id == 1, displayOnInvoiceFlag=True,
        canadaCalculateGSTFlag=tc.piggyback,
    )
    for lvl in tc.levels:
        name = "level" + LEVEL_NAMES[lvl.level - 1]
        fields.update({
            f"{name}Rate": lvl.rate, f"{name}RateType": "Percent", f"{name}Caption": lvl.caption,
            f"{name}TaxCodeXref": lvl.tax_code_xref, f"{name}AgencyXref": lvl.agency_xref,
            f"{name}ServicesFlag": True, f"{name}ExpensesFlag": True, f"{name}ProductsFlag": True,
        })
    return m.TaxCode(**fields)


def tax_code_levels(tc: TaxCode) -> list[m.TaxCodeLevel]:
    return [
        m.TaxCodeLevel(id=tc.id * 10 + lvl.level, taxLevel=lvl.level, taxRate=lvl.rate, rateType="Percent",
                       caption=lvl.caption, taxCodeXref=lvl.tax_code_xref, agencyXref=lvl.agency_xref,
                       taxServicesFlag=True, taxExpensesFlag=True, taxProductsFlag=True)
        for lvl in tc.levels
    ]


def catalog_item(ds: Dataset, item: Item) -> m.CatalogItem:
    pt = ds.product_type(item.product_type_id)
    return m.CatalogItem(
        id=item.id, identifier=item.identifier, description=item.description, inactiveFlag=False,
        subcategory=m.ProductSubCategoryReference(id=item.product_type_id, name=pt.name),
        type=m.ProductTypeReference(id=pt.id, name=pt.name), productClass=item.product_class,
        serializedFlag=item.serialized, unitOfMeasure=uom_ref(item.uom),
        price=item.price, cost=item.cost, taxableFlag=item.taxable, customerDescription=item.description,
        integrationXRef=item.gl_item_id,
    )


def warehouse(ds: Dataset, w: Warehouse) -> m.Warehouse:
    return m.Warehouse(
        id=w.id, name=w.name, location=location_ref(ds, w.location_id),
        department=m.SystemDepartmentReference(id=1, identifier="MS", name="Managed Services"),
        locationXref=w.location_xref, locationDefaultFlag=True, overallDefaultFlag=w.id == 1, inactiveFlag=False,
        lockedFlag=False, currency=currency_ref(ds, "CAD"),
    )
