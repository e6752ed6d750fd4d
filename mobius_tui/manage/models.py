"""Pydantic models of ConnectWise Manage's REST wire format (API version 2025.1).

Field names are the wire names exactly (camelCase, with the API's own quirks such as
``glTypeID`` on adjustments and ``aRPaymentAccount`` on payments). Every field is optional
because the server omits null and empty properties; unknown fields are kept, because new
fields appear between API versions. Money and quantities are ``Decimal``.

Serialise with :func:`to_wire_json` for bytes to send: the same names (``_info``) as the real
server and every amount as an exact JSON number. :func:`to_wire` gives the same object as
plain JSON values, for code that encodes with the standard ``json`` module.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from mobius_tui.wire.json import dumps


def wire_number(value: Decimal) -> int | float:
    """A Decimal field's value in the plain-JSON view (``to_wire``)."""
    # Only int and float there: integral values stay integers so ids and counts round-trip; a
    # float keeps about 16 significant digits, so exact bytes of larger amounts come from
    # to_wire_json, which never goes through here.
    return int(value) if value == value.to_integral_value() else float(value)


def _datetime_to_wire(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


# Named ``Decimal`` inside the models so the field blocks read like the reference.
WireDecimal = Annotated[Decimal, PlainSerializer(wire_number, when_used="json")]
WireDatetime = Annotated[datetime, PlainSerializer(_datetime_to_wire, when_used="json")]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


def to_wire(model: BaseModel) -> dict[str, Any]:
    """The JSON object the real API would send or accept for ``model``, as plain JSON values."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def wire_value(value: Any) -> Any:
    """A JSON-ready stand-in for a value the JSON encoder does not know: models, dates, times.
    Decimals are left to the encoder, which writes them exactly."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="python", by_alias=True, exclude_none=True)
    if isinstance(value, datetime):
        return _datetime_to_wire(value)
    if isinstance(value, date):
        return value.strftime("%Y-%m-%dT00:00:00Z")
    raise TypeError(f"{type(value).__name__} cannot be sent to Manage")


def to_wire_json(value: Any) -> bytes:
    """UTF-8 JSON of a model (or of plain values holding models, dates and Decimals) with the
    wire names and every amount exact: what the client sends."""
    return dumps(value, default=wire_value)


class GenericReference(WireModel):
    """A reference type the accounting flow never reads (market, calendar, SLA, ...)."""

    id: int | None = None
    name: str | None = None
    identifier: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class CompanyInfo(WireModel):
    CompanyName: str | None = None
    Codebase: str | None = None
    VersionCode: str | None = None
    VersionNumber: str | None = None
    CompanyID: str | None = None
    IsCloud: bool | None = None
    SiteUrl: str | None = None


class Token(WireModel):
    publicKey: str | None = None
    privateKey: str | None = None
    expiration: str | None = None


class ValidationError(WireModel):
    code: str | None = None
    message: str | None = None
    resource: str | None = None
    field: str | None = None
    details: str | None = None


class ErrorResponseMessage(WireModel):
    code: str | None = None
    message: str | None = None
    errors: list[ValidationError] | None = None


class Info(WireModel):
    version: str | None = None
    isCloud: bool | None = None
    serverTimeZone: str | None = None
    licenseBits: list[Any] | None = None
    cloudRegion: str | None = None
    maxWorkFlowRecordsAllowed: int | None = None


class Count(WireModel):
    count: int | None = None


class PatchOperation(WireModel):
    op: str | None = None
    path: str | None = None
    value: Any | None = None


class CustomFieldValue(WireModel):
    id: int | None = None
    caption: str | None = None
    type: str | None = None
    entryMethod: str | None = None
    numberOfDecimals: int | None = None
    value: Any | None = None
    connectWiseId: str | None = None


class AccountingPackage(WireModel):
    id: int | None = None
    identifier: str | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class CompanyReference(WireModel):
    id: int | None = None
    identifier: str | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class MemberReference(WireModel):
    id: int | None = None
    identifier: str | None = None
    name: str | None = None
    dailyCapacity: WireDecimal | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class CurrencyReference(WireModel):
    id: int | None = None
    symbol: str | None = None
    currencyCode: str | None = None
    decimalSeparator: str | None = None
    numberOfDecimals: int | None = None
    thousandsSeparator: str | None = None
    negativeParenthesesFlag: bool | None = None
    displaySymbolFlag: bool | None = None
    currencyIdentifier: str | None = None
    displayIdFlag: bool | None = None
    rightAlign: bool | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class TaxCodeReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class BillingTermsReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class SiteReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class IvItemReference(WireModel):
    id: int | None = None
    identifier: str | None = None
    serializedFlag: bool | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class WarehouseReference(WireModel):
    id: int | None = None
    name: str | None = None
    lockedFlag: bool | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class WarehouseBinReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class OwnerLevelReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class SystemDepartmentReference(WireModel):
    id: int | None = None
    identifier: str | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class SystemLocationReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class CompanyTypeReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class ContactReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class UnitOfMeasureReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class ProductSubCategoryReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class ShipmentMethodReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class PurchaseOrderReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class PurchaseOrderLineItemReference(WireModel):
    id: int | None = None
    identifier: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class ExpenseDetailReference(WireModel):
    id: int | None = None
    amount: WireDecimal | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class AdjustmentDetailReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class BatchReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class BillingStatusReference(WireModel):
    id: int | None = None
    name: str | None = None
    isClosed: bool | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class BillingUnitReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class TimeEntryReference(WireModel):
    id: int | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class ProductReference(WireModel):
    id: int | None = None
    description: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class ProjectReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class ProjectPhaseReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class ClassificationReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class MappedTypeReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class MappedRecordReference(WireModel):
    id: int | None = None
    name: str | None = None


class ExpenseTypeReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class ChargeCodeReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class PaymentMethodReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class AgreementReference(WireModel):
    id: int | None = None
    name: str | None = None
    type: str | None = None
    chargeFirmFlag: bool | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class TicketReference(WireModel):
    id: int | None = None
    summary: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class CountryReference(WireModel):
    id: int | None = None
    identifier: str | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class CompanyStatusReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class CurrencyCodeReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class ProductTypeReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class TaxCodeLevelReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class InvoiceTemplateDetailReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class SalesOrderReference(WireModel):
    id: int | None = None
    identifier: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class BillingSetupReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class ProductCategoryReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class CorporateStructureLevelReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class SecurityRoleReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class StructureReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class WorkRoleReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class WorkTypeReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class TimeZoneSetupReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class MemberTypeReference(WireModel):
    id: int | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class ExportAccountingBatchRequest(WireModel):
    batchIdentifier: str | None = None
    glInterfaceIdentifier: str | None = None
    thruDate: WireDatetime | None = None
    locationId: int | None = None
    summarizeInvoices: str | None = None
    exportInvoicesFlag: bool | None = None
    includedInvoiceIds: list[int] | None = None
    excludedInvoiceIds: list[int] | None = None
    exportExpensesFlag: bool | None = None
    includedExpenseIds: list[int] | None = None
    excludedExpenseIds: list[int] | None = None
    exportPaymentsFlag: bool | None = None
    includedPaymentIds: list[int] | None = None
    exportProductsFlag: bool | None = None
    includedProductIds: list[str] | None = None
    excludedProductIds: list[str] | None = None


class CreateAccountingBatchRequest(WireModel):
    id: int | None = None
    batchIdentifier: str | None = None
    glInterfaceIdentifier: str | None = None
    exportInvoicesFlag: bool | None = None
    exportExpensesFlag: bool | None = None
    exportProductsFlag: bool | None = None
    processedRecordIds: list[int] | None = None
    summarizeExpenses: bool | None = None


class UnpostedInvoice(WireModel):
    id: int | None = None
    billingLogId: int | None = None
    locationId: int | None = None
    location: OwnerLevelReference | None = None
    departmentId: int | None = None
    department: SystemDepartmentReference | None = None
    company: CompanyReference | None = None
    accountNumber: str | None = None
    billToCompany: CompanyReference | None = None
    billToSite: SiteReference | None = None
    shipToCompany: CompanyReference | None = None
    shipToSite: SiteReference | None = None
    invoiceNumber: str | None = None
    invoiceDate: str | None = None
    invoiceType: str | None = None
    description: str | None = None
    billingTerms: BillingTermsReference | None = None
    dueDays: str | None = None
    dueDate: str | None = None
    currency: CurrencyReference | None = None
    subTotal: WireDecimal | None = None
    total: WireDecimal | None = None
    hasTime: bool | None = None
    hasExpenses: bool | None = None
    hasProducts: bool | None = None
    invoiceTaxableFlag: bool | None = None
    taxCode: TaxCodeReference | None = None
    avalaraTaxFlag: bool | None = None
    itemTaxableFlag: bool | None = None
    salesTaxAmount: WireDecimal | None = None
    stateTaxFlag: bool | None = None
    stateTaxXref: str | None = None
    stateTaxAmount: WireDecimal | None = None
    countyTaxFlag: bool | None = None
    countyTaxXref: str | None = None
    countyTaxAmount: WireDecimal | None = None
    cityTaxFlag: bool | None = None
    cityTaxXref: str | None = None
    cityTaxAmount: WireDecimal | None = None
    countryTaxFlag: bool | None = None
    countryTaxXref: str | None = None
    countryTaxAmount: WireDecimal | None = None
    compositeTaxFlag: bool | None = None
    compositeTaxXref: str | None = None
    compositeTaxAmount: WireDecimal | None = None
    levelSixTaxFlag: bool | None = None
    levelSixTaxXref: str | None = None
    levelSixTaxAmount: WireDecimal | None = None
    createdBy: str | None = None
    dateClosed: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class UnpostedExpense(WireModel):
    id: int | None = None
    locationId: int | None = None
    departmentId: int | None = None
    company: CompanyReference | None = None
    accountNumber: str | None = None
    creditAccount: str | None = None
    expenseDetailId: int | None = None
    expenseType: ExpenseTypeReference | None = None
    classification: str | None = None
    glType: str | None = None
    member: MemberReference | None = None
    dateExpense: str | None = None
    chargeCode: ChargeCodeReference | None = None
    chargeDescription: str | None = None
    inPolicy: bool | None = None
    paymentMethod: PaymentMethodReference | None = None
    currency: CurrencyReference | None = None
    total: WireDecimal | None = None
    billableAmount: WireDecimal | None = None
    nonBillableAmount: WireDecimal | None = None
    agreement: AgreementReference | None = None
    agreementAmountCovered: WireDecimal | None = None
    ticket: TicketReference | None = None
    project: ProjectReference | None = None
    projectPhase: ProjectPhaseReference | None = None
    taxCode: TaxCodeReference | None = None
    avalaraTaxFlag: bool | None = None
    itemTaxableFlag: bool | None = None
    salesTaxAmount: WireDecimal | None = None
    stateTaxFlag: bool | None = None
    stateTaxXref: str | None = None
    stateTaxAmount: WireDecimal | None = None
    countyTaxFlag: bool | None = None
    countyTaxXref: str | None = None
    countyTaxAmount: WireDecimal | None = None
    cityTaxFlag: bool | None = None
    cityTaxXref: str | None = None
    cityTaxAmount: WireDecimal | None = None
    countryTaxFlag: bool | None = None
    countryTaxXref: str | None = None
    countryTaxAmount: WireDecimal | None = None
    compositeTaxFlag: bool | None = None
    compositeTaxXref: str | None = None
    compositeTaxAmount: WireDecimal | None = None
    levelSixTaxFlag: bool | None = None
    levelSixTaxXref: str | None = None
    levelSixTaxAmount: WireDecimal | None = None
    dateClosed: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class UnpostedProcurement(WireModel):
    id: int | None = None
    description: str | None = None
    unpostedProductId: str | None = None
    locationId: int | None = None
    departmentId: int | None = None
    procurementType: str | None = None
    purchaseOrder: PurchaseOrderReference | None = None
    purchaseDate: str | None = None
    trackingNumber: str | None = None
    billingTerms: BillingTermsReference | None = None
    currency: CurrencyReference | None = None
    total: WireDecimal | None = None
    taxCode: TaxCodeReference | None = None
    avalaraTaxFlag: bool | None = None
    itemTaxableFlag: bool | None = None
    purchaseOrderTaxableFlag: bool | None = None
    stateTaxFlag: bool | None = None
    stateTaxXref: str | None = None
    stateTaxAmount: WireDecimal | None = None
    countyTaxFlag: bool | None = None
    countyTaxXref: str | None = None
    countyTaxAmount: WireDecimal | None = None
    cityTaxFlag: bool | None = None
    cityTaxXref: str | None = None
    cityTaxAmount: WireDecimal | None = None
    countryTaxFlag: bool | None = None
    countryTaxXref: str | None = None
    countryTaxAmount: WireDecimal | None = None
    compositeTaxFlag: bool | None = None
    compositeTaxXref: str | None = None
    compositeTaxAmount: WireDecimal | None = None
    levelSixTaxFlag: bool | None = None
    levelSixTaxXref: str | None = None
    levelSixTaxAmount: WireDecimal | None = None
    taxTotal: WireDecimal | None = None
    customer: CompanyReference | None = None
    vendor: CompanyReference | None = None
    vendorAccountNumber: str | None = None
    vendorInvoiceNumber: str | None = None
    vendorInvoiceDate: str | None = None
    taxFreightFlag: bool | None = None
    freightTaxTotal: WireDecimal | None = None
    freightCost: WireDecimal | None = None
    dateClosed: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class UnpostedPayments(WireModel):
    id: int | None = None
    type: str | None = None
    source: str | None = None
    invoice: InvoiceReference | None = None
    amount: WireDecimal | None = None
    paymentDate: str | None = None
    appliedBy: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")
    wisePayPayment: WisePayPayment | None = None
    paymentSyncStatus: str | None = None
    paymentSyncDate: str | None = None
    paymentAccount: str | None = None
    aRPaymentAccount: str | None = None


class UnpostedInvoiceTaxableLevel(WireModel):
    id: int | None = None
    taxLevel: int | None = None
    taxCodeXref: str | None = None
    taxAmount: WireDecimal | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


# --- GLExport conventions --------------------------------------------------------------
# The sandbox produces and documents/ consumes GLExport with these rules (the reference's
# sign convention, made exact where the real API leaves it open):
#
# * transactions: the header ``total`` is the document total, positive for INVOICE and
#   negative for CREDIT MEMO; every ``detail`` line (revenue, discount, tax lines with
#   glTypeId "ST") carries the opposite sign, so ``total + sum(detail.total) == 0``.
#   Per-level taxes are also summarised in ``taxLevels``. Inventory lines carry ``cost``,
#   ``costAccountNumber`` and ``inventoryAccountNumber`` (the COGS entry, outside the balance).
#   ``glEntryIds`` lists the header entry ids; each detail line has its own ``id``.
# * expenses (journal form): ``total`` is the debit to ``accountNumber``; ``offset.total`` is
#   its negative, credited to ``offset.accountNumber``. Entry ids: ``id`` and ``offset.id``.
# * expenseBills: header ``total`` positive (owed to the member on ``apAccountNumber``);
#   ``detail`` totals negative; ``total + sum(detail.total) == 0``. Entry ids: ``detail[].id``.
# * purchaseTransactions: header ``total`` positive (AP); ``purchaseDetail`` (items, freight
#   with glTypeId "PF") and ``purchaseDetailTax`` totals negative; they sum to zero with the
#   header. Entry ids: ``purchaseDetail[].id`` and ``purchaseDetailTax[].id``.
# * adjustmentTransactions: ``id`` is the record's ``unpostedProductId``; each detail's
#   ``total`` (signed like its ``quantity``) moves value between ``inventoryAccountNumber``
#   and the header ``accountNumber``. Entry id: the UnpostedProcurement ``id``.
# * inventoryTransfers: ``id`` is the record's ``unpostedProductId``; ``total`` positive moves
#   value from ``transferFromLocationXref`` to ``transferToLocationXref``; ``offset.total`` is
#   its negative. Entry id: the UnpostedProcurement ``id``.


class GLExport(WireModel):
    exportSettings: Any | None = None
    vendors: list[GLExportVendor] | None = None
    customers: list[GLExportCustomer] | None = None
    transactions: list[GLExportTransaction] | None = None
    expenses: list[GLExportExpense] | None = None
    expenseBills: list[GLExportExpenseBill] | None = None
    purchaseTransactions: list[GLExportPurchaseTransaction] | None = None
    adjustmentTransactions: list[GLExportAdjustmentTransaction] | None = None
    inventoryTransfers: list[GLExportInventoryTransfer] | None = None


class GLExportCustomer(WireModel):
    company: CompanyReference | None = None
    companyType: CompanyTypeReference | None = None
    contact: ContactReference | None = None
    site: SiteReference | None = None
    accountNumber: str | None = None
    billingTerms: BillingTermsReference | None = None
    billingTermsXref: str | None = None
    dueDays: int | None = None
    taxable: bool | None = None
    taxCode: TaxCodeReference | None = None
    currency: CurrencyReference | None = None
    stateTaxXref: str | None = None
    countyTaxXref: str | None = None
    cityTaxXref: str | None = None
    countryTaxXref: str | None = None
    compositeTaxXref: str | None = None
    stateTaxRate: WireDecimal | None = None
    countyTaxRate: WireDecimal | None = None
    cityTaxRate: WireDecimal | None = None
    countryTaxRate: WireDecimal | None = None
    compositeTaxRate: WireDecimal | None = None
    taxGroupRate: WireDecimal | None = None
    taxAgencyXref: str | None = None
    stateTaxAgencyXref: str | None = None
    countyTaxAgencyXref: str | None = None
    cityTaxAgencyXref: str | None = None
    countryTaxAgencyXref: str | None = None
    compositeTaxAgencyXref: str | None = None
    taxLevels: list[GLExportCustomerTaxLevel] | None = None


class GLExportCustomerTaxLevel(WireModel):
    taxRate: WireDecimal | None = None
    taxCodeXref: str | None = None
    agencyXref: str | None = None
    taxLevel: int | None = None


class GLExportVendor(WireModel):
    member: MemberReference | None = None
    vendor: CompanyReference | None = None
    vendorNumber: str | None = None
    company: CompanyReference | None = None
    contact: ContactReference | None = None
    accountNumber: str | None = None
    billingTerms: BillingTermsReference | None = None
    dueDays: int | None = None
    site: SiteReference | None = None
    taxCode: TaxCodeReference | None = None


class GLExportTransaction(WireModel):
    id: int | None = None
    glClass: str | None = None
    glTypeId: str | None = None
    documentDate: str | None = None
    documentNumber: str | None = None
    documentType: str | None = None
    memo: str | None = None
    description: str | None = None
    attention: str | None = None
    salesTerritory: str | None = None
    company: CompanyReference | None = None
    companyType: CompanyTypeReference | None = None
    companyAccountNumber: str | None = None
    site: SiteReference | None = None
    billingTerms: BillingTermsReference | None = None
    billingTermsXref: str | None = None
    dueDays: int | None = None
    dueDate: str | None = None
    emailDeliveryFlag: bool | None = None
    printDeliveryFlag: bool | None = None
    agreementPrePaymentFlag: bool | None = None
    accountNumber: str | None = None
    billingType: str | None = None
    glEntryIds: str | None = None
    purchaseOrder: PurchaseOrderReference | None = None
    project: ProjectReference | None = None
    currency: CurrencyReference | None = None
    total: WireDecimal | None = None
    salesRepId: str | None = None
    salesRepName: str | None = None
    taxable: bool | None = None
    taxableTotal: WireDecimal | None = None
    taxCode: TaxCodeReference | None = None
    taxGroupRate: WireDecimal | None = None
    piggyBackFlag: bool | None = None
    taxAccountNumber: str | None = None
    salesTax: WireDecimal | None = None
    stateTax: WireDecimal | None = None
    countyTax: WireDecimal | None = None
    cityTax: WireDecimal | None = None
    taxableAmount1: WireDecimal | None = None
    taxableAmount2: WireDecimal | None = None
    taxableAmount3: WireDecimal | None = None
    taxableAmount4: WireDecimal | None = None
    taxableAmount5: WireDecimal | None = None
    taxAgencyXref: str | None = None
    stateTaxXref: str | None = None
    countyTaxXref: str | None = None
    taxId: str | None = None
    taxDpAppliedFlag: bool | None = None
    useAvalaraFlag: bool | None = None
    sendAvalaraTaxFlag: bool | None = None
    shipToCompany: CompanyReference | None = None
    shipToCompanyAccountNumber: str | None = None
    shipToCompanyType: CompanyTypeReference | None = None
    shipToTaxId: str | None = None
    shipSite: SiteReference | None = None
    shipContact: str | None = None
    detail: list[GLExportTransactionDetail] | None = None
    taxLevels: list[GLExportTransactionTaxLevel] | None = None


class GLExportTransactionTaxLevel(WireModel):
    taxAmount: WireDecimal | None = None
    taxableAmount: WireDecimal | None = None
    taxCodeXref: str | None = None
    taxLevel: int | None = None


class GLExportTransactionDetail(WireModel):
    id: int | None = None
    documentDate: str | None = None
    documentType: str | None = None
    accountNumber: str | None = None
    glClass: str | None = None
    glTypeId: str | None = None
    glItemId: str | None = None
    invoiceSummaryOption: str | None = None
    cost: WireDecimal | None = None
    salesCode: str | None = None
    memo: str | None = None
    description: str | None = None
    quantity: WireDecimal | None = None
    total: WireDecimal | None = None
    currency: CurrencyReference | None = None
    timeEntry: TimeEntryReference | None = None
    costAccountNumber: str | None = None
    inventoryAccountNumber: str | None = None
    productAccountNumber: str | None = None
    taxCode: TaxCodeReference | None = None
    taxCodeXref: str | None = None
    taxAgencyXref: str | None = None
    taxNote: str | None = None
    taxRate: WireDecimal | None = None
    taxRatePercent: WireDecimal | None = None
    taxableFlag: bool | None = None
    taxable2Flag: bool | None = None
    taxable3Flag: bool | None = None
    taxable4Flag: bool | None = None
    taxable5Flag: bool | None = None
    item: IvItemReference | None = None
    product: ProductReference | None = None
    itemTaxableFlag: bool | None = None
    itemPrice: WireDecimal | None = None
    itemCost: WireDecimal | None = None
    itemDescription: str | None = None
    salesDescription: str | None = None
    unitOfMeasure: UnitOfMeasureReference | None = None
    subCategory: ProductSubCategoryReference | None = None
    serializedFlag: bool | None = None
    serialNumbers: str | None = None
    warehouseSite: SiteReference | None = None
    warehouseBin: WarehouseBinReference | None = None
    shipmentMethod: ShipmentMethodReference | None = None
    dropShippedFlag: bool | None = None
    itemTypeXref: str | None = None
    inventoryXref: str | None = None
    cogsXref: str | None = None
    uomScheduleXref: str | None = None
    priceLevelXref: str | None = None
    locationXref: str | None = None
    taxLevels: list[GLExportTransactionDetailTaxLevel] | None = None


class GLExportTransactionDetailTaxLevel(WireModel):
    taxableFlag: bool | None = None
    taxLevel: int | None = None


class GLExportExpense(WireModel):
    id: int | None = None
    documentDate: str | None = None
    documentType: str | None = None
    apAccountNumber: str | None = None
    apClass: str | None = None
    accountNumber: str | None = None
    glClass: str | None = None
    glTypeId: str | None = None
    memo: str | None = None
    description: str | None = None
    periodStartDate: str | None = None
    periodEndDate: str | None = None
    member: MemberReference | None = None
    vendorNumber: str | None = None
    company: CompanyReference | None = None
    companyAccountNumber: str | None = None
    project: ProjectReference | None = None
    currency: CurrencyReference | None = None
    total: WireDecimal | None = None
    offset: GLExportExpenseOffset | None = None


class GLExportExpenseOffset(WireModel):
    id: int | None = None
    documentDate: str | None = None
    documentType: str | None = None
    accountNumber: str | None = None
    glTypeId: str | None = None
    glClass: str | None = None
    member: MemberReference | None = None
    memo: str | None = None
    description: str | None = None
    total: WireDecimal | None = None


class GLExportExpenseBill(WireModel):
    id: int | None = None
    documentDate: str | None = None
    documentType: str | None = None
    documentNumber: str | None = None
    memo: str | None = None
    glClass: str | None = None
    apAccountNumber: str | None = None
    member: MemberReference | None = None
    vendorNumber: str | None = None
    currency: CurrencyReference | None = None
    total: WireDecimal | None = None
    detail: list[GLExportExpenseBillDetail] | None = None


class GLExportExpenseBillDetail(WireModel):
    id: list[int] | None = None
    documentDate: str | None = None
    glTypeId: str | None = None
    memo: str | None = None
    company: CompanyReference | None = None
    accountNumber: str | None = None
    expenseClass: ClassificationReference | None = None
    currency: CurrencyReference | None = None
    total: WireDecimal | None = None
    billable: bool | None = None
    reimbursable: bool | None = None
    companyAdvance: bool | None = None


class GLExportPurchaseTransaction(WireModel):
    id: str | None = None
    documentDate: str | None = None
    documentNumber: str | None = None
    description: str | None = None
    memo: str | None = None
    apAccountNumber: str | None = None
    purchaseDate: str | None = None
    company: CompanyReference | None = None
    companyType: CompanyTypeReference | None = None
    contact: ContactReference | None = None
    site: SiteReference | None = None
    purchaseClass: str | None = None
    freightAmount: WireDecimal | None = None
    freightPackingSlip: str | None = None
    packingSlip: str | None = None
    dropshipFlag: bool | None = None
    currency: CurrencyReference | None = None
    total: WireDecimal | None = None
    billingTerms: BillingTermsReference | None = None
    billingTermsXref: str | None = None
    dueDays: int | None = None
    vendorNumber: str | None = None
    vendorAccountNumber: str | None = None
    vendorInvoiceDate: str | None = None
    vendorInvoiceNumber: str | None = None
    taxAgencyXref: str | None = None
    stateTaxXref: str | None = None
    countyTaxXref: str | None = None
    cityTaxXref: str | None = None
    shipToCompany: CompanyReference | None = None
    shipToCompanyAccountNumber: str | None = None
    shipToCompanyType: CompanyTypeReference | None = None
    shipToContact: ContactReference | None = None
    shipToSite: SiteReference | None = None
    shipToTaxGroup: str | None = None
    taxCode: TaxCodeReference | None = None
    taxGroupRate: WireDecimal | None = None
    useAvalaraTaxFlag: bool | None = None
    purchaseHeaderTaxGroup: str | None = None
    purchaseHeaderTaxableFlag: bool | None = None
    purchaseHeaderFreightTaxableFlag: bool | None = None
    taxLevels: list[GLExportPurchaseTransactionTaxLevel] | None = None
    purchaseDetail: list[GLExportPurchaseTransactionDetail] | None = None
    purchaseDetailTax: list[GLExportPurchaseTransactionDetailTax] | None = None


class GLExportPurchaseTransactionTaxLevel(WireModel):
    taxCodeXref: str | None = None
    taxLevel: int | None = None


class GLExportPurchaseTransactionDetail(WireModel):
    id: int | None = None
    documentDate: str | None = None
    glClass: str | None = None
    glTypeId: str | None = None
    glItemId: str | None = None
    salesCode: str | None = None
    description: str | None = None
    cost: WireDecimal | None = None
    memo: str | None = None
    taxNote: str | None = None
    vendorNumber: str | None = None
    accountNumber: str | None = None
    costAccountNumber: str | None = None
    inventoryAccountNumber: str | None = None
    vendorAccountNumber: str | None = None
    item: IvItemReference | None = None
    itemDescription: str | None = None
    salesDescription: str | None = None
    taxable: bool | None = None
    itemPrice: WireDecimal | None = None
    itemCost: WireDecimal | None = None
    unitOfMeasure: UnitOfMeasureReference | None = None
    quantity: WireDecimal | None = None
    total: WireDecimal | None = None
    currency: CurrencyReference | None = None
    serializedFlag: bool | None = None
    serialNumbers: str | None = None
    dropShippedFlag: bool | None = None
    lineNumber: int | None = None
    warehouseBin: WarehouseBinReference | None = None
    warehouseSite: SiteReference | None = None
    subCategory: ProductSubCategoryReference | None = None
    shipmentMethod: ShipmentMethodReference | None = None
    itemTypeXref: str | None = None
    inventoryXref: str | None = None
    cogsXref: str | None = None
    uomScheduleXref: str | None = None
    priceLevelXref: str | None = None
    locationXref: str | None = None
    taxCode: TaxCodeReference | None = None
    purchaseHeaderTaxGroup: str | None = None
    taxCodeXref: str | None = None
    taxRate: WireDecimal | None = None
    taxAgencyXref: str | None = None


class GLExportPurchaseTransactionDetailTax(WireModel):
    id: int | None = None
    documentDate: str | None = None
    accountNumber: str | None = None
    glClass: str | None = None
    cost: WireDecimal | None = None
    salesCode: str | None = None
    glTypeId: str | None = None
    glItemId: str | None = None
    memo: str | None = None
    vendorNumber: str | None = None
    vendorAccountNumber: str | None = None
    costAccountNumber: str | None = None
    inventoryAccountNumber: str | None = None
    itemTypeXref: str | None = None
    inventoryXref: str | None = None
    cogsXref: str | None = None
    uomScheduleXref: str | None = None
    priceLevelXref: str | None = None
    locationXref: str | None = None
    item: IvItemReference | None = None
    taxableFlag: bool | None = None
    salesDescription: str | None = None
    itemDescription: str | None = None
    itemPrice: WireDecimal | None = None
    itemCost: WireDecimal | None = None
    unitOfMeasure: UnitOfMeasureReference | None = None
    quantity: WireDecimal | None = None
    total: WireDecimal | None = None
    currency: CurrencyReference | None = None
    serializedFlag: bool | None = None
    serialNumbers: str | None = None
    dropShippedFlag: bool | None = None
    lineNumber: int | None = None
    warehouseSite: SiteReference | None = None
    warehouseBin: WarehouseBinReference | None = None
    shipmentMethod: ShipmentMethodReference | None = None
    subCategory: ProductSubCategoryReference | None = None
    taxCode: TaxCodeReference | None = None
    taxRate: WireDecimal | None = None
    taxRatePercent: WireDecimal | None = None
    taxAgencyXref: str | None = None
    taxNote: str | None = None
    purchaseHeaderTaxGroup: str | None = None


class GLExportAdjustmentTransaction(WireModel):
    id: str | None = None
    documentType: str | None = None
    documentDate: str | None = None
    glTypeID: str | None = None
    accountNumber: str | None = None
    memo: str | None = None
    glClass: str | None = None
    adjustmentDescription: str | None = None
    adjustmentDetail: list[GLExportAdjustmentTransactionDetail] | None = None


class GLExportAdjustmentTransactionDetail(WireModel):
    glClass: str | None = None
    description: str | None = None
    memo: str | None = None
    item: IvItemReference | None = None
    quantity: int | None = None
    total: WireDecimal | None = None
    cost: WireDecimal | None = None
    costAccountNumber: str | None = None
    inventoryAccountNumber: str | None = None
    accountNumber: str | None = None
    productAccountNumber: str | None = None


class GLExportInventoryTransfer(WireModel):
    id: str | None = None
    documentType: str | None = None
    documentDate: str | None = None
    accountNumber: str | None = None
    glClass: str | None = None
    glTypeId: str | None = None
    description: str | None = None
    salesCode: str | None = None
    memo: str | None = None
    costAccountNumber: str | None = None
    inventoryAccountNumber: str | None = None
    transferId: int | None = None
    item: IvItemReference | None = None
    glItemId: str | None = None
    salesDescription: str | None = None
    itemDescription: str | None = None
    currency: CurrencyReference | None = None
    itemPrice: WireDecimal | None = None
    taxable: bool | None = None
    unitOfMeasure: UnitOfMeasureReference | None = None
    quantity: WireDecimal | None = None
    cost: WireDecimal | None = None
    total: WireDecimal | None = None
    subCategory: ProductSubCategoryReference | None = None
    serializedFlag: bool | None = None
    serialNumbers: str | None = None
    bin: WarehouseBinReference | None = None
    warehouse: WarehouseReference | None = None
    transferFromBin: WarehouseBinReference | None = None
    transferFromLocationXref: str | None = None
    transferToBin: WarehouseBinReference | None = None
    transferToLocationXref: str | None = None
    locationXref: str | None = None
    priceLevelXref: str | None = None
    uomScheduleXref: str | None = None
    itemTypeXref: str | None = None
    inventoryXref: str | None = None
    cogsXref: str | None = None
    taxNote: str | None = None
    offset: GLExportInventoryTransferOffset | None = None


class GLExportInventoryTransferOffset(WireModel):
    id: int | None = None
    documentType: str | None = None
    documentDate: str | None = None
    accountNumber: str | None = None
    glClass: str | None = None
    total: WireDecimal | None = None
    memo: str | None = None
    description: str | None = None
    glTypeId: str | None = None


class AccountingBatch(WireModel):
    id: int | None = None
    batchIdentifier: str | None = None
    exportInvoicesFlag: bool | None = None
    exportExpensesFlag: bool | None = None
    exportProductsFlag: bool | None = None
    closedFlag: bool | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class BatchEntry(WireModel):
    id: int | None = None
    accountType: str | None = None
    name: str | None = None
    accountNumber: str | None = None
    debit: WireDecimal | None = None
    credit: WireDecimal | None = None
    cost: WireDecimal | None = None
    item: str | None = None
    salesCode: str | None = None
    costOfGoodsSoldAccountNumber: str | None = None
    invoice: InvoiceReference | None = None
    purchaseOrder: PurchaseOrderReference | None = None
    lineItem: PurchaseOrderLineItemReference | None = None
    transfer: str | None = None
    expense: ExpenseDetailReference | None = None
    adjustmentDetail: AdjustmentDetailReference | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class AccountingPackageSetup(WireModel):
    id: int | None = None
    accountingPackage: AccountingPackageReference | None = None
    directTransferFlag: bool | None = None
    includeInvoicesFlag: bool | None = None
    invoiceFormat: str | None = None
    includeExpensesFlag: bool | None = None
    transferExpensesAsBillFlag: bool | None = None
    expenseFormat: str | None = None
    suppressMemoFlag: bool | None = None
    syncPaymentInfoFlag: bool | None = None
    syncWisePayPaymentInfoFlag: bool | None = None
    includeSalesTaxFlag: bool | None = None
    enableTaxGroupsFlag: bool | None = None
    zeroDollarTaxAmountsFlag: bool | None = None
    includeItemsFlag: bool | None = None
    inventorySOHFlag: bool | None = None
    sendComponentAmountFlag: bool | None = None
    sendUomFlag: bool | None = None
    includeCogsEntriesFlag: bool | None = None
    includeCogsDropShipFlag: bool | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class AccountingPackageReference(WireModel):
    id: int | None = None
    identifier: str | None = None
    name: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class GLAccount(WireModel):
    id: int | None = None
    glType: str | None = None
    mappedType: MappedTypeReference | None = None
    mappedRecord: MappedRecordReference | None = None
    segment1: str | None = None
    segment2: str | None = None
    segment3: str | None = None
    segment4: str | None = None
    segment5: str | None = None
    segment6: str | None = None
    segment7: str | None = None
    segment8: str | None = None
    segment9: str | None = None
    segment10: str | None = None
    cogs1: str | None = None
    cogs2: str | None = None
    cogs3: str | None = None
    cogs4: str | None = None
    cogs5: str | None = None
    cogs6: str | None = None
    cogs7: str | None = None
    cogs8: str | None = None
    cogs9: str | None = None
    cogs10: str | None = None
    productId: str | None = None
    inventory: str | None = None
    salesCode: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class GLPath(WireModel):
    id: int | None = None
    location: SystemLocationReference | None = None
    path: str | None = None
    sqlServerName: str | None = None
    databaseName: str | None = None
    lastPaymentSync: WireDatetime | None = None
    lastPaymentSyncBy: MemberReference | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class GLEntry(WireModel):
    id: int | None = None
    type: str | None = None
    amount: WireDecimal | None = None
    description: str | None = None
    segment1: str | None = None
    segment2: str | None = None
    segment3: str | None = None
    segment4: str | None = None
    segment5: str | None = None
    segment6: str | None = None
    segment7: str | None = None
    segment8: str | None = None
    segment9: str | None = None
    segment10: str | None = None
    productId: str | None = None
    cost: WireDecimal | None = None
    salesCode: str | None = None
    inventory: str | None = None
    cogs1: str | None = None
    cogs2: str | None = None
    cogs3: str | None = None
    cogs4: str | None = None
    cogs5: str | None = None
    cogs6: str | None = None
    cogs7: str | None = None
    cogs8: str | None = None
    cogs9: str | None = None
    cogs10: str | None = None
    isBatched: bool | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class Invoice(WireModel):
    id: int | None = None
    invoiceNumber: str | None = None
    type: str | None = None
    status: BillingStatusReference | None = None
    company: CompanyReference | None = None
    billToCompany: CompanyReference | None = None
    shipToCompany: CompanyReference | None = None
    accountNumber: str | None = None
    applyToType: str | None = None
    applyToId: int | None = None
    attention: str | None = None
    shipToAttention: str | None = None
    billingSite: SiteReference | None = None
    billingSiteAddressLine1: str | None = None
    billingSiteAddressLine2: str | None = None
    billingSiteCity: str | None = None
    billingSiteState: str | None = None
    billingSiteZip: str | None = None
    billingSiteCountry: str | None = None
    shippingSite: SiteReference | None = None
    shippingSiteAddressLine1: str | None = None
    shippingSiteAddressLine2: str | None = None
    shippingSiteCity: str | None = None
    shippingSiteState: str | None = None
    shippingSiteZip: str | None = None
    shippingSiteCountry: str | None = None
    billingTerms: BillingTermsReference | None = None
    reference: str | None = None
    customerPO: str | None = None
    templateSetupId: int | None = None
    invoiceTemplate: InvoiceTemplateDetailReference | None = None
    emailTemplateId: int | None = None
    addToBatchEmailList: bool | None = None
    date: WireDatetime | None = None
    restrictDownpaymentFlag: bool | None = None
    locationId: int | None = None
    location: SystemLocationReference | None = None
    departmentId: int | None = None
    department: BillingUnitReference | None = None
    territoryId: int | None = None
    territory: SystemLocationReference | None = None
    topComment: str | None = None
    bottomComment: str | None = None
    taxableFlag: bool | None = None
    taxCode: TaxCodeReference | None = None
    internalNotes: str | None = None
    downpaymentPreviouslyTaxedFlag: bool | None = None
    serviceTotal: WireDecimal | None = None
    overrideDownPaymentAmountFlag: bool | None = None
    currency: CurrencyReference | None = None
    dueDate: WireDatetime | None = None
    expenseTotal: WireDecimal | None = None
    productTotal: WireDecimal | None = None
    previousProgressApplied: WireDecimal | None = None
    serviceAdjustmentAmount: WireDecimal | None = None
    agreementAmount: WireDecimal | None = None
    downpaymentApplied: WireDecimal | None = None
    subtotal: WireDecimal | None = None
    total: WireDecimal | None = None
    remainingDownpayment: WireDecimal | None = None
    salesTax: WireDecimal | None = None
    adjustmentReason: str | None = None
    adjustedBy: str | None = None
    closedBy: str | None = None
    payments: WireDecimal | None = None
    credits: WireDecimal | None = None
    balance: WireDecimal | None = None
    specialInvoiceFlag: bool | None = None
    billingSetupReference: BillingSetupReference | None = None
    ticket: TicketReference | None = None
    project: ProjectReference | None = None
    phase: ProjectPhaseReference | None = None
    salesOrder: SalesOrderReference | None = None
    agreement: AgreementReference | None = None
    glBatch: BatchReference | None = None
    unbatchedBatch: BatchReference | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")
    customFields: list[CustomFieldValue] | None = None


class InvoiceReference(WireModel):
    id: int | None = None
    identifier: str | None = None
    billingType: str | None = None
    applyToType: str | None = None
    invoiceDate: str | None = None
    chargeFirmFlag: bool | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class InvoicePayment(WireModel):
    id: int | None = None
    type: str | None = None
    source: str | None = None
    invoice: InvoiceReference | None = None
    credit: InvoiceReference | None = None
    amount: WireDecimal | None = None
    balance: WireDecimal | None = None
    invoiceBalance: WireDecimal | None = None
    invoiceTotal: WireDecimal | None = None
    paymentDate: WireDatetime | None = None
    appliedBy: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")
    wisePayPayment: WisePayPayment | None = None
    paymentSyncStatus: str | None = None
    glBatchID: str | None = None
    paymentSyncDate: WireDatetime | None = None
    paymentAccount: str | None = None
    aRPaymentAccount: str | None = None


class WisePayPayment(WireModel):
    paymentDateUtc: str | None = None
    wisePayReference: str | None = None
    batchPayment: WisePayBatchPayment | None = None
    feeInvoice: WisePayFeeInvoice | None = None


class WisePayBatchPayment(WireModel):
    amount: WireDecimal | None = None
    wisePayHref: str | None = None


class WisePayFeeInvoice(WireModel):
    id: int | None = None
    invoiceNumber: str | None = None
    amount: WireDecimal | None = None
    invoiceHref: str | None = None


class Company(WireModel):
    id: int | None = None
    identifier: str | None = None
    name: str | None = None
    status: CompanyStatusReference | None = None
    addressLine1: str | None = None
    addressLine2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: CountryReference | None = None
    phoneNumber: str | None = None
    faxNumber: str | None = None
    website: str | None = None
    territory: SystemLocationReference | None = None
    market: GenericReference | None = None
    accountNumber: str | None = None
    defaultContact: ContactReference | None = None
    dateAcquired: WireDatetime | None = None
    sicCode: GenericReference | None = None
    parentCompany: CompanyReference | None = None
    annualRevenue: WireDecimal | None = None
    numberOfEmployees: int | None = None
    yearEstablished: int | None = None
    revenueYear: int | None = None
    ownershipType: GenericReference | None = None
    timeZoneSetup: GenericReference | None = None
    leadSource: str | None = None
    leadFlag: bool | None = None
    unsubscribeFlag: bool | None = None
    calendar: GenericReference | None = None
    userDefinedField1: str | None = None
    userDefinedField2: str | None = None
    userDefinedField3: str | None = None
    userDefinedField4: str | None = None
    userDefinedField5: str | None = None
    userDefinedField6: str | None = None
    userDefinedField7: str | None = None
    userDefinedField8: str | None = None
    userDefinedField9: str | None = None
    userDefinedField10: str | None = None
    vendorIdentifier: str | None = None
    taxIdentifier: str | None = None
    taxCode: TaxCodeReference | None = None
    billingTerms: BillingTermsReference | None = None
    invoiceTemplate: GenericReference | None = None
    pricingSchedule: GenericReference | None = None
    companyEntityType: GenericReference | None = None
    billToCompany: CompanyReference | None = None
    billingSite: SiteReference | None = None
    billingContact: ContactReference | None = None
    invoiceDeliveryMethod: GenericReference | None = None
    invoiceToEmailAddress: str | None = None
    invoiceCCEmailAddress: str | None = None
    deletedFlag: bool | None = None
    dateDeleted: WireDatetime | None = None
    deletedBy: str | None = None
    mobileGuid: str | None = None
    facebookUrl: str | None = None
    twitterUrl: str | None = None
    linkedInUrl: str | None = None
    currency: CurrencyReference | None = None
    territoryManager: MemberReference | None = None
    resellerIdentifier: str | None = None
    isVendorFlag: bool | None = None
    types: list[CompanyTypeReference] | None = None
    site: SiteReference | None = None
    integratorTags: list[str] | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")
    customFields: list[CustomFieldValue] | None = None


class Member(WireModel):
    """A full member record. The accounting flow reads ``identifier``, ``vendorNumber`` and
    ``inactiveFlag``; the rest is what Manage sends with every member (the OpenAPI schema marks
    ``defaultEmail``, ``defaultPhone``, ``hireDate`` and the five screen formats required)."""

    id: int | None = None
    identifier: str | None = None
    firstName: str | None = None
    middleInitial: str | None = None
    lastName: str | None = None
    title: str | None = None
    licenseClass: str | None = None
    disableOnlineFlag: bool | None = None
    enableMobileFlag: bool | None = None
    type: MemberTypeReference | None = None
    employeeIdentifer: str | None = None
    vendorNumber: str | None = None
    timeZone: TimeZoneSetupReference | None = None
    country: CountryReference | None = None
    enableMobileGpsFlag: bool | None = None
    inactiveDate: WireDatetime | None = None
    inactiveFlag: bool | None = None
    partnerPortalFlag: bool | None = None
    toastNotificationFlag: bool | None = None
    officeEmail: str | None = None
    officePhone: str | None = None
    officeExtension: str | None = None
    mobileEmail: str | None = None
    mobilePhone: str | None = None
    homeEmail: str | None = None
    homePhone: str | None = None
    defaultEmail: str | None = None  # Office, Mobile or Home
    primaryEmail: str | None = None
    defaultPhone: str | None = None  # Office, Mobile or Home
    securityRole: SecurityRoleReference | None = None
    adminFlag: bool | None = None
    structureLevel: StructureReference | None = None
    securityLocation: SystemLocationReference | None = None
    defaultLocation: SystemLocationReference | None = None
    defaultDepartment: SystemDepartmentReference | None = None
    reportsTo: MemberReference | None = None
    restrictLocationFlag: bool | None = None
    restrictDepartmentFlag: bool | None = None
    workRole: WorkRoleReference | None = None
    workType: WorkTypeReference | None = None
    timeApprover: MemberReference | None = None
    expenseApprover: MemberReference | None = None
    billableForecast: WireDecimal | None = None
    dailyCapacity: WireDecimal | None = None
    hourlyCost: WireDecimal | None = None
    hourlyRate: WireDecimal | None = None
    includeInUtilizationReportingFlag: bool | None = None
    requireExpenseEntryFlag: bool | None = None
    requireTimeSheetEntryFlag: bool | None = None
    requireStartAndEndTimeOnTimeEntryFlag: bool | None = None
    allowInCellEntryOnTimeSheet: bool | None = None
    enterTimeAgainstCompanyFlag: bool | None = None
    allowExpensesEnteredAgainstCompaniesFlag: bool | None = None
    timeReminderEmailFlag: bool | None = None
    daysTolerance: int | None = None
    minimumHours: WireDecimal | None = None
    hireDate: WireDatetime | None = None
    serviceDefaultLocation: SystemLocationReference | None = None
    serviceDefaultDepartment: SystemDepartmentReference | None = None
    restrictServiceDefaultLocationFlag: bool | None = None
    restrictServiceDefaultDepartmentFlag: bool | None = None
    projectDefaultLocation: SystemLocationReference | None = None
    projectDefaultDepartment: SystemDepartmentReference | None = None
    restrictProjectDefaultLocationFlag: bool | None = None
    restrictProjectDefaultDepartmentFlag: bool | None = None
    scheduleDefaultLocation: SystemLocationReference | None = None
    scheduleDefaultDepartment: SystemDepartmentReference | None = None
    scheduleCapacity: WireDecimal | None = None
    restrictScheduleFlag: bool | None = None
    hideMemberInDispatchPortalFlag: bool | None = None
    salesDefaultLocation: SystemLocationReference | None = None
    restrictDefaultSalesTerritoryFlag: bool | None = None
    restrictDefaultWarehouseFlag: bool | None = None
    restrictDefaultWarehouseBinFlag: bool | None = None
    calendarSyncIntegrationFlag: bool | None = None
    enableLdapAuthenticationFlag: bool | None = None
    companyActivityTabFormat: str | None = None  # SummaryList or DetailList
    invoiceTimeTabFormat: str | None = None  # SummaryList or DetailList
    invoiceScreenDefaultTabFormat: str | None = None  # ShowInvoicingTab or ShowAgreementInvoicingTab
    invoicingDisplayOptions: str | None = None  # RemainOnInvoicingScreen or ShowRecentInvoices
    agreementInvoicingDisplayOptions: str | None = None  # RemainOnInvoicingScreen or ShowRecentInvoices
    timebasedOneTimePasswordActivated: bool | None = None
    autoStartStopwatch: bool | None = None
    autoPopupQuickNotesWithStopwatch: bool | None = None
    globalSearchDefaultTicketFilter: str | None = None  # OpenRecords, ClosedRecords or AllRecords
    useBrowserLanguageFlag: bool | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class BillingTerm(WireModel):
    id: int | None = None
    name: str | None = None
    defaultFlag: bool | None = None
    dueDays: int | None = None
    termsXref: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class TaxCode(WireModel):
    id: int | None = None
    identifier: str | None = None
    description: str | None = None
    invoiceCaption: str | None = None
    country: CountryReference | None = None
    effectiveDate: WireDatetime | None = None
    defaultFlag: bool | None = None
    displayOnInvoiceFlag: bool | None = None
    canadaCalculateGSTFlag: bool | None = None
    cancelDate: WireDatetime | None = None
    levelOneRate: WireDecimal | None = None
    levelOneRateType: str | None = None
    levelOneTaxableMax: WireDecimal | None = None
    levelOneCaption: str | None = None
    levelOneTaxCodeXref: str | None = None
    levelOneAgencyXref: str | None = None
    levelOneServicesFlag: bool | None = None
    levelOneExpensesFlag: bool | None = None
    levelOneProductsFlag: bool | None = None
    levelOneApplySingleUnitFlag: bool | None = None
    levelOneApplySingleUnitMin: WireDecimal | None = None
    levelOneApplySingleUnitMax: WireDecimal | None = None
    levelTwoRate: WireDecimal | None = None
    levelTwoRateType: str | None = None
    levelTwoTaxableMax: WireDecimal | None = None
    levelTwoCaption: str | None = None
    levelTwoTaxCodeXref: str | None = None
    levelTwoAgencyXref: str | None = None
    levelTwoServicesFlag: bool | None = None
    levelTwoExpensesFlag: bool | None = None
    levelTwoProductsFlag: bool | None = None
    levelTwoApplySingleUnitFlag: bool | None = None
    levelTwoApplySingleUnitMin: WireDecimal | None = None
    levelTwoApplySingleUnitMax: WireDecimal | None = None
    levelThreeRate: WireDecimal | None = None
    levelThreeRateType: str | None = None
    levelThreeTaxableMax: WireDecimal | None = None
    levelThreeCaption: str | None = None
    levelThreeTaxCodeXref: str | None = None
    levelThreeAgencyXref: str | None = None
    levelThreeServicesFlag: bool | None = None
    levelThreeExpensesFlag: bool | None = None
    levelThreeProductsFlag: bool | None = None
    levelThreeApplySingleUnitFlag: bool | None = None
    levelThreeApplySingleUnitMin: WireDecimal | None = None
    levelThreeApplySingleUnitMax: WireDecimal | None = None
    levelFourRate: WireDecimal | None = None
    levelFourRateType: str | None = None
    levelFourTaxableMax: WireDecimal | None = None
    levelFourCaption: str | None = None
    levelFourTaxCodeXref: str | None = None
    levelFourAgencyXref: str | None = None
    levelFourServicesFlag: bool | None = None
    levelFourExpensesFlag: bool | None = None
    levelFourProductsFlag: bool | None = None
    levelFourApplySingleUnitFlag: bool | None = None
    levelFourApplySingleUnitMin: WireDecimal | None = None
    levelFourApplySingleUnitMax: WireDecimal | None = None
    levelFiveRate: WireDecimal | None = None
    levelFiveRateType: str | None = None
    levelFiveTaxableMax: WireDecimal | None = None
    levelFiveCaption: str | None = None
    levelFiveTaxCodeXref: str | None = None
    levelFiveAgencyXref: str | None = None
    levelFiveServicesFlag: bool | None = None
    levelFiveExpensesFlag: bool | None = None
    levelFiveProductsFlag: bool | None = None
    levelFiveApplySingleUnitFlag: bool | None = None
    levelFiveApplySingleUnitMin: WireDecimal | None = None
    levelFiveApplySingleUnitMax: WireDecimal | None = None
    levelSixRate: WireDecimal | None = None
    levelSixRateType: str | None = None
    levelSixTaxableMax: WireDecimal | None = None
    levelSixCaption: str | None = None
    levelSixTaxCodeXref: str | None = None
    levelSixAgencyXref: str | None = None
    levelSixServicesFlag: bool | None = None
    levelSixExpensesFlag: bool | None = None
    levelSixProductsFlag: bool | None = None
    levelSixApplySingleUnitFlag: bool | None = None
    levelSixApplySingleUnitMin: WireDecimal | None = None
    levelSixApplySingleUnitMax: WireDecimal | None = None
    workRoleIds: list[int] | None = None
    addAllWorkRoles: bool | None = None
    removeAllWorkRoles: bool | None = None
    expenseTypeIds: list[int] | None = None
    addAllExpenseTypes: bool | None = None
    removeAllExpenseTypes: bool | None = None
    productTypeIds: list[int] | None = None
    addAllProductTypes: bool | None = None
    removeAllProductTypes: bool | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class TaxCodeLevel(WireModel):
    id: int | None = None
    taxLevel: int | None = None
    taxRate: WireDecimal | None = None
    rateType: str | None = None
    taxableMax: WireDecimal | None = None
    caption: str | None = None
    taxCodeXref: str | None = None
    agencyXref: str | None = None
    taxServicesFlag: bool | None = None
    taxExpensesFlag: bool | None = None
    taxProductsFlag: bool | None = None
    singleUnitFlag: bool | None = None
    singleUnitMinimum: WireDecimal | None = None
    singleUnitMaximum: WireDecimal | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class TaxCodeXRef(WireModel):
    id: int | None = None
    description: str | None = None
    defaultFlag: bool | None = None
    levelOne: str | None = None
    levelTwo: str | None = None
    levelThree: str | None = None
    levelFour: str | None = None
    levelFive: str | None = None
    levelSix: str | None = None
    taxCode: TaxCodeReference | None = None
    taxableLevels: list[int] | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class CatalogItem(WireModel):
    id: int | None = None
    identifier: str | None = None
    description: str | None = None
    inactiveFlag: bool | None = None
    subcategory: ProductSubCategoryReference | None = None
    type: ProductTypeReference | None = None
    productClass: str | None = None
    serializedFlag: bool | None = None
    serializedCostFlag: bool | None = None
    phaseProductFlag: bool | None = None
    unitOfMeasure: UnitOfMeasureReference | None = None
    minStockLevel: int | None = None
    price: WireDecimal | None = None
    cost: WireDecimal | None = None
    priceAttribute: str | None = None
    taxableFlag: bool | None = None
    dropShipFlag: bool | None = None
    specialOrderFlag: bool | None = None
    customerDescription: str | None = None
    manufacturer: GenericReference | None = None
    manufacturerPartNumber: str | None = None
    vendor: CompanyReference | None = None
    vendorSku: str | None = None
    notes: str | None = None
    integrationXRef: str | None = None
    sla: GenericReference | None = None
    entityType: GenericReference | None = None
    recurringFlag: bool | None = None
    recurringRevenue: WireDecimal | None = None
    recurringCost: WireDecimal | None = None
    recurringOneTimeFlag: bool | None = None
    recurringBillCycle: GenericReference | None = None
    recurringCycleType: str | None = None
    calculatedPriceFlag: bool | None = None
    calculatedCostFlag: bool | None = None
    category: ProductCategoryReference | None = None
    calculatedPrice: WireDecimal | None = None
    calculatedCost: WireDecimal | None = None
    billableOption: str | None = None
    connectWiseID: str | None = None
    agreementType: GenericReference | None = None
    markupPercentage: WireDecimal | None = None
    markupFlag: bool | None = None
    autoUpdateUnitCostFlag: bool | None = None
    autoUpdateUnitPriceFlag: bool | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")
    customFields: list[CustomFieldValue] | None = None


class ProductType(WireModel):
    id: int | None = None
    name: str | None = None
    inactiveFlag: bool | None = None
    typeXref: str | None = None
    defaultFlag: bool | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class Warehouse(WireModel):
    id: int | None = None
    name: str | None = None
    company: CompanyReference | None = None
    location: SystemLocationReference | None = None
    contact: ContactReference | None = None
    department: SystemDepartmentReference | None = None
    manager: MemberReference | None = None
    site: SiteReference | None = None
    locationXref: str | None = None
    locationDefaultFlag: bool | None = None
    overallDefaultFlag: bool | None = None
    inactiveFlag: bool | None = None
    lockedFlag: bool | None = None
    currency: CurrencyReference | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class Location(WireModel):
    id: int | None = None
    ownerLevelId: int | None = None
    structureLevel: CorporateStructureLevelReference | None = None
    name: str | None = None
    manager: MemberReference | None = None
    reportsTo: SystemLocationReference | None = None
    salesRep: str | None = None
    timeZoneSetup: GenericReference | None = None
    calendar: GenericReference | None = None
    overrideAddressLine1: str | None = None
    overrideAddressLine2: str | None = None
    overrideCity: str | None = None
    overrideState: str | None = None
    overrideZip: str | None = None
    overrideCountry: CountryReference | None = None
    overridePhoneNumber: str | None = None
    overrideFaxNumber: str | None = None
    owaUrl: str | None = None
    payrollXref: str | None = None
    locationFlag: bool | None = None
    clientFlag: bool | None = None
    workRoleIds: list[int] | None = None
    departmentIds: list[int] | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")


class FinanceCurrency(WireModel):
    id: int | None = None
    currencyIdentifier: str | None = None
    name: str | None = None
    symbol: str | None = None
    displayIdFlag: bool | None = None
    displaySymbolFlag: bool | None = None
    currencyCode: CurrencyCodeReference | None = None
    thousandsSeparator: str | None = None
    decimalSeparator: str | None = None
    negativeParenthesesFlag: bool | None = None
    rightAlign: bool | None = None
    numberOfDecimals: int | None = None
    reportFormat: str | None = None
    info: dict[str, str] | None = Field(default=None, alias="_info")
