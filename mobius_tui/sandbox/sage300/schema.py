"""The entity sets the sandbox serves: module, key, verbs, child collections and field names.

Field names are the Web API's (PascalCase, historical misspellings kept). A body naming a field the
entity does not have is refused, as the real server refuses it, so a client that passes here sends
only names the real API knows. Framework fields every entity carries are accepted and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def _n(prefix: str, count: int = 5) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, count + 1))


FRAMEWORK = frozenset({"UpdateOperation", "Warnings", "ETag", "IsDeleted", "IsNewLine", "HasChanged", "DisplayIndex",
                       "@odata.context", "@odata.etag"})


@dataclass(frozen=True)
class Collection:
    """A detail collection returned inline with its parent (``Invoices``, ``InvoiceDetails``...)."""

    name: str
    fields: frozenset[str]
    children: tuple[Collection, ...] = ()


@dataclass(frozen=True)
class Entity:
    module: str
    name: str
    keys: tuple[str, ...]
    fields: frozenset[str]
    verbs: frozenset[str] = frozenset({"GET", "POST", "PATCH", "PUT", "DELETE"})
    numeric_key: bool = False
    children: tuple[Collection, ...] = ()
    # The child collection stored one row per entry (so one more entry costs one row, not a rewrite).
    stored_child: str = ""
    type_name: str = ""

    @property
    def all_fields(self) -> frozenset[str]:
        return self.fields | {c.name for c in self.children}

    def child(self, name: str) -> Collection:
        return next(c for c in self.children if c.name == name)

    @property
    def qualified_type(self) -> str:
        return f"Sage.CA.SBS.ERP.Sage300.{self.module}.WebApi.Models.{self.type_name or self.name}"


_READ_ONLY = frozenset({"GET"})
_INSERT_ONLY = frozenset({"GET", "POST"})

_ADDRESS = ("AddressLine1", "AddressLine2", "AddressLine3", "AddressLine4", "City", "StateProvince",
            "ZipPostalCode", "Country", "ContactName", "PhoneNumber", "FaxNumber", "Email", "WebSite")

_AR_DETAIL = Collection("InvoiceDetails", frozenset({
    "BatchNumber", "EntryNumber", "LineNumber", "ItemNumber", "DistributionCode", "RevenueAccount", "Description",
    "Quantity", "UnitOfMeasure", "Price", "Cost", "ExtendedAmountWithTIP", "ExtendedAmountWithoutTIP",
    "InventoryAccount", "COGSAccount", "Comments", "Discountable", "TaxTotal",
    *_n("TaxClass"), *_n("TaxIncluded"), *_n("TaxBase"), *_n("TaxRate"), *_n("TaxAmount"),
}))
_AR_INVOICE = Collection("Invoices", frozenset({
    "BatchNumber", "EntryNumber", "CustomerNumber", "DocumentType", "DocumentNumber", "TransactionType",
    "InvoiceType", "ApplytoDocument", "DocumentDate", "DueDate", "AsOfDate", "PostingDate", "Terms",
    "InvoiceDescription", "PONumber", "OrderNumber", "SpecialInstructions", "CurrencyCode", "RateType",
    "ExchangeRate", "RateOverridden", "RateDate", "Taxable", "TaxGroup", "TaxTotal", "DoNotCalculationTax",
    *_n("TaxAuthority"), *_n("TaxClass"), *_n("TaxBase"), *_n("TaxAmount"),
    "DocumentTotalBeforeTax", "DocumentTotalIncludingTax", "AmountDue", "FiscalYear", "FiscalPeriod",
    "ProcessCommand",
}), (_AR_DETAIL,))

_AP_DETAIL = Collection("InvoiceDetails", frozenset({
    "BatchNumber", "EntryNumber", "LineNumber", "DistributionCode", "GLAccount", "DistributedAmount",
    "DistributedAmountBeforeTaxes", "DistributionDescription", "Comment", "ManualTaxEntry", "GLDistributedAmount",
    "Quantity", "UnitOfMeasure", "ItemNumber", "Discountable",
    *_n("TaxClass"), *_n("BaseTax"), *_n("TaxInclusive"), *_n("TaxRate"), *_n("TaxAmount"),
}))
_AP_INVOICE = Collection("Invoices", frozenset({
    "BatchNumber", "EntryNumber", "VendorNumber", "DocumentNumber", "DocumentType", "TransactionType",
    "InvoiceDescription", "DocumentDate", "DueDate", "PostingDate", "AsOfDate", "Terms", "ApplytoDocument",
    "PONumber", "OrderNumber", "RemitToLocation", "AccountSet", "CurrencyCode", "RateType", "ExchangeRate",
    "RateOverridden", "RateDate", "TaxGroup", "TaxAmountControl", "TaxBaseControl",
    *_n("TaxAuthority"), *_n("TaxClass"), *_n("TaxBase"), *_n("TaxAmount"), *_n("TaxInclusive"),
    "DocumentTotalIncludingTax", "DocumentTotalBeforeTaxes", "DistributedTotalIncludingTax", "UndistributedAmount",
    "AmountDue", "TaxTotal", "FiscalYear", "FiscalPeriod",
}), (_AP_DETAIL,))

_BATCH = frozenset({"BatchNumber", "BatchDate", "Description", "BatchStatus", "BatchType", "SourceApplication",
                    "NumberOfEntries", "BatchTotal", "PostingSequenceNumber", "NumberOfErrors", "DefaultInvoiceType"})

_GL_DETAIL = Collection("JournalDetails", frozenset({
    "BatchNumber", "EntryNumber", "TransactionNumber", "AccountNumber", "Amount", "SourceCurrencyAmount",
    "SourceCurrency", "CurrencyRateTable", "CurrencyRateDate", "CurrencyRate", "Description", "Reference",
    "JournalDate", "Comment", "Quantity",
}))
_GL_HEADER = Collection("JournalHeaders", frozenset({
    "BatchNumber", "EntryNumber", "SourceLedger", "SourceType", "Description", "DocumentDate", "PostingDate",
    "FiscalYear", "FiscalPeriod", "AutoReversal", "Debits", "Credits", "OutOfBalanceBy", "TaxGroup",
    *_n("TaxAuthority"), "CustomerVendorNumber", "DocumentType", "DocumentNumber",
}), (_GL_DETAIL,))

_IC_ADJ_DETAIL = Collection("AdjustmentDetails", frozenset({
    "SequenceNumber", "LineNumber", "ItemNumber", "Location", "TransactionType", "Quantity", "UnitOfMeasure",
    "CostAdjustment", "Comments", "AverageCost", "AdjustmentWriteOffAccount",
}))
_IC_TRANSFER_DETAIL = Collection("TransferDetails", frozenset({
    "SequenceNumber", "LineNumber", "ItemNumber", "FromLocation", "ToLocation", "QuantityTransferred",
    "QuantityRequested", "UnitOfMeasure", "GoodsInTransitLocation", "DetailLineNumber", "Comments",
}))

# Terms: A/R and A/P name the same things differently (Sage's sample payloads): the due-date method,
# the total percentage, and the schedule (plural with PercentDue on A/R, singular with PercentageDue on A/P).
_TERMS_SCHEDULE = frozenset({"TermsCode", "PaymentNumber", "DiscountPercent", "DiscountNumberOfDays",
                             "DiscountDayOfMonth", "DueNumberOfDays", "DueDayOfMonth"})
_AR_TERMS_SCHEDULE = Collection("TermsPaymentSchedules", _TERMS_SCHEDULE | {"PercentDue"})
_AP_TERMS_SCHEDULE = Collection("TermsPaymentSchedule", _TERMS_SCHEDULE | {"PercentageDue"})

ENTITIES: tuple[Entity, ...] = (
    Entity("GL", "GLAccounts", ("UnformattedAccount",), frozenset({
        "UnformattedAccount", "AccountNumber", "Description", "AccountType", "NormalBalanceDRCR", "Status",
        "StructureCode", "AccountGroupCode", "PostToAccount", "ControlAccount", "QuantitiesAllowed",
        "Multicurrency"}), type_name="Account"),
    Entity("GL", "GLJournalBatches", ("BatchNumber",), frozenset({
        "BatchNumber", "Description", "Status", "SourceLedger", "JournalBatchType", "Debits", "Credits",
        "NumberOfEntries", "NumberOfErrors", "ReadyToPost", "LockBatchSwitch", "DateCreated"}),
        verbs=frozenset({"GET", "POST", "PATCH"}), children=(_GL_HEADER,), stored_child="JournalHeaders",
        type_name="JournalBatch"),
    Entity("AR", "ARCustomers", ("CustomerNumber",), frozenset({
        "CustomerNumber", "GroupCode", "ShortName", "CustomerName", "NationalAccount", "Status", "OnHold",
        "AccountSet", "BillingCycle", "InterestProfile", "CurrencyCode", "PrintStatements", "AccountType", "Terms",
        "TaxGroup", *_n("TaxClassCode"), *_n("TaxRegistrationNumber"), "RateType", "PaymentCode",
        "CreditLimitCustomerCurrency", "CustomerPriceList", *_ADDRESS,
        "BalanceDueInCustomerCurrency", "DateOfLastInvoice", "DateLastMaintained"}), type_name="Customer"),
    Entity("AR", "ARTerms", ("TermsCode",), frozenset({
        "TermsCode", "Description", "UsePaymentSchedule", "CalculationBaseForDiscountwithTax", "DiscountType",
        "DueDateType", "NumberOfPayments", "TotalPercentDue"}), children=(_AR_TERMS_SCHEDULE,), type_name="Terms"),
    Entity("AR", "ARInvoiceBatches", ("BatchNumber",), _BATCH | {"ProcessCommand"},
           verbs=frozenset({"GET", "POST", "PATCH"}), numeric_key=True, children=(_AR_INVOICE,),
           stored_child="Invoices", type_name="InvoiceBatch"),
    Entity("AR", "ARPostedDocuments", ("CustomerNumber", "DocumentNumber"), frozenset({
        "CustomerNumber", "DocumentNumber", "DocumentType", "TransactionType", "BatchNumber", "EntryNumber",
        "DocumentDate", "DueDate", "FullyPaid", "CustomerCurrencyAmountDue", "FunctionalCurrencyAmountDue",
        "CustomerCurrencyInvoiceAmount", "DatePaid", "LastActivityDate", "CurrencyCode", "PostingSequenceNumber",
        "OrderNumber", "PONumber", "TaxGroup"}), verbs=_READ_ONLY, type_name="PostedDocument"),
    Entity("AR", "ARPostedReceipts", ("BankCode", "CustomerNumber", "CheckReceiptNumber"), frozenset({
        "BankCode", "CustomerNumber", "CheckReceiptNumber", "ReceiptDate", "CustomerReceiptAmount",
        "BankReceiptAmount", "DocumentNumber", "PaymentCode", "BatchNumber", "EntryNumber", "PostingDate"}),
        verbs=_READ_ONLY, type_name="PostedReceipt"),
    Entity("AP", "APVendors", ("VendorNumber",), frozenset({
        "VendorNumber", "ShortName", "GroupCode", "OnHold", "VendorName", "Status", "CurrencyCode", "Terms",
        "TaxGroup", *_n("TaxClassCode"), "BusinessRegistrationNumber", "LegalName", "BankCode", "PaymentCode",
        "AccountSet", *_ADDRESS}), type_name="Vendor"),
    Entity("AP", "APTerms", ("TermsCode",), frozenset({
        "TermsCode", "Description", "UsePaymentSchedule", "CalculationBaseForDiscountwithTax",
        "MethodOfCalcForDiscountDate", "MethodOfCalcForDueDate", "NumberOfPayments", "TotalPercentageDue"}),
        children=(_AP_TERMS_SCHEDULE,), type_name="Terms"),
    Entity("AP", "APInvoiceBatches", ("BatchNumber",), _BATCH | {"ProcessCommandCode"},
           verbs=frozenset({"GET", "POST", "PATCH"}), numeric_key=True, children=(_AP_INVOICE,),
           stored_child="Invoices", type_name="InvoiceBatch"),
    Entity("AP", "APPostedDocuments", ("VendorNumber", "DocumentNumber"), frozenset({
        "VendorNumber", "DocumentNumber", "DocumentType", "BatchNumber", "EntryNumber", "DocumentDate", "DueDate",
        "FullyPaid", "CurrentBalanceInVendorCurrency", "OriginalDocumentAmount", "CurrencyCode",
        "PostingSequenceNumber", "PONumber"}), verbs=_READ_ONLY, type_name="PostedDocument"),
    Entity("TX", "TXTaxGroups", ("TaxGroupKey", "TransactionType"), frozenset({
        "TaxGroupKey", "TransactionType", "Description", "TaxReportingCurrency", *_n("TaxAuthority"), *_n("Taxable"),
        *_n("Surtax"), *_n("SurtaxOnAuthority"), "TaxCalculationMethod", "LastMaintained"}),
        verbs=_READ_ONLY, type_name="TaxGroup"),
    Entity("TX", "TXTaxAuthorities", ("TaxAuthorityKey",), frozenset({
        "TaxAuthorityKey", "Description", "TaxReportingCurrency", "TaxBase", "TaxType", "LastMaintained",
        "TaxClasses"}), verbs=_READ_ONLY, type_name="TaxAuthority"),
    Entity("TX", "TXTaxRates", ("TaxAuthority", "TransactionType", "BuyerClass"), frozenset({
        "TaxAuthority", "TransactionType", "BuyerClass", *_n("ItemRate", 10), "LastMaintained"}),
        verbs=_READ_ONLY, type_name="TaxRate"),
    Entity("IC", "ICItems", ("ItemNumber",), frozenset({
        "ItemNumber", "UnformattedItemNumber", "Description", "Category", "AccountSetCode", "StockItem",
        "KittingItem", "StockingUnitOfMeasure", "StructureCode", "Status", "DefaultPriceListCode",
        "QuantityOnHand", "QuantityAvailable"}), type_name="Item"),
    # The company's options: its home (functional) currency [UNCONFIRMED: key and field names].
    Entity("CS", "CSCompanyProfile", ("CompanyID",), frozenset({
        "CompanyID", "Name", "HomeCurrency", "Multicurrency"}), verbs=frozenset({"GET", "PATCH"}),
        type_name="CompanyProfile"),
    Entity("IC", "ICLocations", ("LocationKey",), frozenset({"LocationKey", "Name", "LocationType", "Status"}),
           type_name="Location"),
    Entity("IC", "ICAdjustments", ("SequenceNumber",), frozenset({
        "SequenceNumber", "AdjustmentNumber", "TransactionNumber", "Description", "AdjustmentDate", "Reference",
        "RecordStatus", "FiscalYear", "FiscalPeriod"}), verbs=_INSERT_ONLY, numeric_key=True,
        children=(_IC_ADJ_DETAIL,), type_name="Adjustment"),
    Entity("IC", "ICTransfers", ("SequenceNumber",), frozenset({
        "SequenceNumber", "TransferNumber", "Description", "DocumentDate", "Reference", "DocumentType",
        "RecordStatus", "AdditionalCost", "ProrationMethod", "FiscalYear", "FiscalPeriod"}), verbs=_INSERT_ONLY,
        numeric_key=True, children=(_IC_TRANSFER_DETAIL,), type_name="Transfer"),
)

BY_PATH: dict[tuple[str, str], Entity] = {(e.module, e.name): e for e in ENTITIES}
MODULES = frozenset(e.module for e in ENTITIES) | {"CS"}


@dataclass(frozen=True)
class Process:
    module: str
    name: str
    parameters: frozenset[str] = field(default_factory=frozenset)


PROCESSES: dict[tuple[str, str], Process] = {
    ("AR", "ARPostInvoices"): Process("AR", "ARPostInvoices",
                                      frozenset({"PostAllBatches", "PostBatchFrom", "PostBatchTo"})),
    ("AP", "APPostInvoices"): Process("AP", "APPostInvoices", frozenset({"ProcessAllBatches", "FromBatch", "ToBatch"})),
}
