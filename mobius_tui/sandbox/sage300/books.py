"""One Sage 300 company's books in the sandbox: the rules the real views apply on insert, posting,
and the helpers tests use to post a batch and apply a customer receipt.

Rules reproduced (each answered with the code and status the Web API uses): records that must exist
(customer, vendor, GL account, terms, tax group of the right transaction type, tax authority in that
group, IC item and location), unique AR document numbers (409 ``RecordDuplicate``), unique AP document
numbers per vendor (409 ``FieldInvalid``), dates inside the fiscal calendar, balanced journal entries
and AP documents whose distributions plus tax equal the document total, no changes to posted batches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from mobius_tui.sandbox.sage300.errors import ApiError, bad_payload, business, invalid_field, not_found
from mobius_tui.sandbox.sage300.odata import Query
from mobius_tui.sandbox.sage300.schema import FRAMEWORK, BY_PATH, Collection, Entity
from mobius_tui.sandbox.sage300.store import Store, key_text

ZERO = Decimal("0")
_AR_TYPES = {"1": "Invoice", "2": "DebitNote", "3": "CreditNote", "Invoice": "Invoice", "DebitNote": "DebitNote",
             "CreditNote": "CreditNote"}
_AP_TYPES = _AR_TYPES
_ADJUSTMENT_TYPES = {"BothIncrease", "BothDecrease", "QuantityIncrease", "QuantityDecrease", "CostIncrease",
                     "CostDecrease"}
_TRANSFER_TYPES = {"Transfer", "TransitTransfer", "TransitReceipt"}
OPEN, READY, POSTED = "Open", "ReadyToPost", "Posted"


@dataclass
class BooksSettings:
    home_currency: str = "CAD"
    fiscal_years: tuple[int, int] = (2020, 2030)  # first and last open fiscal year
    today: Callable[[], date] = date.today


def wire_date(value: Any, what: str) -> str:
    """A request date ("2025-01-15" or "2025-01-15T00:00:00Z") in the form responses use."""
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00Z"
    try:
        parsed = datetime.fromisoformat(str(value).rstrip("Z")).date()
    except ValueError:
        raise invalid_field(f"{what} '{value}' is not a valid date.") from None
    return f"{parsed.isoformat()}T00:00:00Z"


def amount(value: Any, what: str) -> Decimal:
    if value is None or value == "":
        return ZERO
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise invalid_field(f"{what} '{value}' is not a number.") from None


def check_fields(body: dict[str, Any], allowed: frozenset[str], children: tuple[Collection, ...], type_name: str) -> None:
    """Refuse property names the entity does not have (the real server refuses them too)."""
    known = allowed | {c.name for c in children} | FRAMEWORK
    for name, value in body.items():
        if name not in known:
            raise ApiError(400, "InvalidPayload", f"The property '{name}' does not exist on type '{type_name}'.")
        child = next((c for c in children if c.name == name), None)
        if child is not None:
            if not isinstance(value, list):
                raise bad_payload(f"The property '{name}' must be a collection.")
            for entry in value:
                if not isinstance(entry, dict):
                    raise bad_payload(f"The entries of '{name}' must be objects.")
                check_fields(entry, child.fields, child.children, type_name)


def _clean(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in FRAMEWORK}


@dataclass
class Books:
    store: Store
    settings: BooksSettings = field(default_factory=BooksSettings)

    # --- reading -------------------------------------------------------------------

    def with_children(self, entity: Entity, key: str, body: dict[str, Any], select: tuple[str, ...] | None) -> dict:
        if entity.stored_child and (select is None or entity.stored_child in select):
            body = {**body, entity.stored_child: self.store.children(entity.name, key)}
        if select is not None:
            body = {k: body.get(k) for k in select}
        return body

    def collection(self, entity: Entity, query: Query) -> list[tuple[str, dict[str, Any]]]:
        """Every (key, body) the filter keeps, in key order; paging is the caller's."""
        rows = self.store.scan(entity.name)
        if query.filter is not None:
            rows = [(k, b) for k, b in rows if query.filter(b)]
        return rows

    def one(self, entity: Entity, key: str, select: tuple[str, ...] | None) -> dict[str, Any]:
        body = self.store.get(entity.name, key)
        if body is None:
            raise not_found(f"{entity.name}({key})")
        return self.with_children(entity, key, body, select)

    # --- look-ups used by the rules ------------------------------------------------------

    def _account(self, number: Any, what: str) -> str:
        text = str(number or "").strip()
        if not text:
            raise invalid_field(f"{what} is required.")
        unformatted = text.replace("-", "")
        body = self.store.lookup("GLAccounts", unformatted)
        if body is None or body.get("Status", "Active") != "Active":
            raise invalid_field(f"Account {text} does not exist.")
        return str(body.get("AccountNumber") or text)

    def _require(self, entity: str, key: str, message: str) -> dict[str, Any]:
        """The record (shared: read it, never change it), or the error ``message``."""
        body = self.store.lookup(entity, key)
        if body is None:
            raise invalid_field(message)
        return body

    def _fiscal(self, when: str, what: str) -> tuple[str, str]:
        day = date.fromisoformat(when[:10])
        first, last = self.settings.fiscal_years
        if not first <= day.year <= last:
            raise business(f"Cannot determine the fiscal period for {what} {day.isoformat()}. "
                           "Check that the fiscal calendar for that year exists.")
        return str(day.year), f"{day.month:02d}"

    def _tax(self, doc: dict[str, Any], default_group: str, transaction_type: str) -> None:
        group_key = doc.get("TaxGroup") or default_group
        if not group_key:
            return
        group = self._require("TXTaxGroups", key_text((group_key, transaction_type)),
                              f"Tax group {group_key} does not exist for {transaction_type.lower()} transactions.")
        doc["TaxGroup"] = group_key
        members = [group.get(f"TaxAuthority{i}") or "" for i in range(1, 6)]
        for i in range(1, 6):
            given = doc.get(f"TaxAuthority{i}")
            if given and given != members[i - 1]:
                raise invalid_field(f"Tax authority {given} is not authority {i} of tax group {group_key}.")
            if members[i - 1]:
                doc[f"TaxAuthority{i}"] = members[i - 1]
            elif doc.get(f"TaxAmount{i}"):
                raise invalid_field(f"Tax group {group_key} has no authority {i} for the tax amount given.")

    # --- inserts -------------------------------------------------------------------------

    def insert(self, entity: Entity, body: dict[str, Any]) -> dict[str, Any]:
        check_fields(body, entity.fields, entity.children, entity.qualified_type)
        handler = getattr(self, f"_insert_{entity.name}", None)
        with self.store.transaction():
            if handler is not None:
                return handler(entity, _clean(body))
            return self._insert_master(entity, _clean(body))

    def _insert_master(self, entity: Entity, body: dict[str, Any]) -> dict[str, Any]:
        keys = [body.get(k) for k in entity.keys]
        if any(k in (None, "") for k in keys):
            raise invalid_field(f"{', '.join(entity.keys)} is required.")
        key = key_text(keys)
        if self.store.exists(entity.name, key):
            raise ApiError(409, "RecordDuplicate", f"{entity.name} {key} already exists.")
        self.store.put(entity.name, key, body)
        return body

    def _insert_ARCustomers(self, entity: Entity, body: dict[str, Any]) -> dict[str, Any]:
        self._party_defaults(body, "ARTerms", "Sales")
        body.setdefault("Status", "Active")
        body.setdefault("OnHold", "No")
        body.setdefault("BalanceDueInCustomerCurrency", ZERO)
        return self._insert_master(entity, body)

    def _insert_APVendors(self, entity: Entity, body: dict[str, Any]) -> dict[str, Any]:
        self._party_defaults(body, "APTerms", "Purchase")
        body.setdefault("Status", "Active")
        body.setdefault("OnHold", "NotOnHold")
        return self._insert_master(entity, body)

    def _party_defaults(self, body: dict[str, Any], terms_entity: str, tax_type: str) -> None:
        body.setdefault("CurrencyCode", self.settings.home_currency)
        if body.get("Terms"):
            self._require(terms_entity, body["Terms"], f"Terms code {body['Terms']} does not exist.")
        if body.get("TaxGroup"):
            self._require("TXTaxGroups", key_text((body["TaxGroup"], tax_type)),
                          f"Tax group {body['TaxGroup']} does not exist.")

    def _insert_GLAccounts(self, entity: Entity, body: dict[str, Any]) -> dict[str, Any]:
        body.setdefault("AccountNumber", body.get("UnformattedAccount"))
        body.setdefault("Status", "Active")
        return self._insert_master(entity, body)

    # batches

    def _new_batch(self, entity: Entity, body: dict[str, Any], gl: bool = False) -> tuple[str, dict[str, Any]]:
        number = self.store.next_number(entity.name)
        batch = {k: v for k, v in body.items() if k != entity.stored_child}
        if gl:
            batch["BatchNumber"] = f"{number:06d}"
            batch.setdefault("Status", OPEN)
            batch["ReadyToPost"] = batch.get("ReadyToPost") or "No"
            batch.update(Debits=ZERO, Credits=ZERO, NumberOfEntries=0, NumberOfErrors=0)
        else:
            batch["BatchNumber"] = number
            status = batch.get("BatchStatus") or OPEN
            if status not in (OPEN, READY):
                raise invalid_field(f"Batch status {status} cannot be set on a new batch.")
            batch["BatchStatus"] = status
            batch["BatchDate"] = wire_date(batch.get("BatchDate") or self.settings.today(), "Batch date")
            batch.update(BatchType="Entered", NumberOfEntries=0, BatchTotal=ZERO, NumberOfErrors=0,
                         PostingSequenceNumber=0)
        key = str(batch["BatchNumber"])
        for seq, entry in enumerate(body.get(entity.stored_child) or [], start=1):
            self._add_entry(entity, key, batch, entry, seq)
        self.store.put(entity.name, key, batch)
        return key, batch

    def _insert_ARInvoiceBatches(self, entity: Entity, body: dict[str, Any]) -> dict[str, Any]:
        key, batch = self._new_batch(entity, body)
        return self.with_children(entity, key, batch, None)

    _insert_APInvoiceBatches = _insert_ARInvoiceBatches

    def _insert_GLJournalBatches(self, entity: Entity, body: dict[str, Any]) -> dict[str, Any]:
        key, batch = self._new_batch(entity, body, gl=True)
        return self.with_children(entity, key, batch, None)

    def patch(self, entity: Entity, key: str, body: dict[str, Any]) -> None:
        check_fields(body, entity.fields, entity.children, entity.qualified_type)
        with self.store.transaction():
            batch = self.store.get(entity.name, key)
            if batch is None:
                raise not_found(f"{entity.name}({key})")
            if not entity.stored_child:
                batch.update({k: v for k, v in _clean(body).items() if k not in entity.keys})
                self.store.put(entity.name, key, batch)
                return
            status_field = "Status" if entity.module == "GL" else "BatchStatus"
            if batch.get(status_field) == POSTED:
                raise business(f"Batch {key} is posted and can no longer be changed.")
            for name, value in _clean(body).items():
                if name in entity.keys or name == entity.stored_child:
                    continue
                if name == "BatchStatus" and value not in (OPEN, READY):
                    raise invalid_field(f"Batch status cannot be set to {value}.")
                batch[name] = value
            entries = body.get(entity.stored_child) or []
            seq = self.store.last_child(entity.name, key) if entries else 0
            for entry in entries:
                op = entry.get("UpdateOperation", "Unspecified")
                if op not in ("Insert", "Unspecified") or entry.get("EntryNumber"):
                    raise ApiError(400, "InvalidAction",
                                   "Only new entries (UpdateOperation Insert, no EntryNumber) can be added here.")
                seq += 1
                self._add_entry(entity, key, batch, entry, seq)
            self.store.put(entity.name, key, batch)

    def _add_entry(self, entity: Entity, key: str, batch: dict[str, Any], entry: dict[str, Any], seq: int) -> None:
        entry = _clean(entry)
        if entity.name == "ARInvoiceBatches":
            doc, total = self._ar_invoice(entry)
            batch["BatchTotal"] = batch.get("BatchTotal", ZERO) + total
        elif entity.name == "APInvoiceBatches":
            doc, total = self._ap_invoice(entry)
            batch["BatchTotal"] = batch.get("BatchTotal", ZERO) + total
        else:
            doc, total = self._journal(entry)
            batch["Debits"] = batch.get("Debits", ZERO) + total
            batch["Credits"] = batch.get("Credits", ZERO) + total
        entry["BatchNumber"] = batch["BatchNumber"]
        entry["EntryNumber"] = f"{seq:05d}" if entity.module == "GL" else seq
        batch["NumberOfEntries"] = seq
        self.store.add_child(entity.name, key, seq, entry, doc)

    def _ar_invoice(self, doc: dict[str, Any]) -> tuple[str, Decimal]:
        customer_no = doc.get("CustomerNumber") or ""
        customer = self._require("ARCustomers", customer_no, f"Customer number '{customer_no}' does not exist.")
        doc_type = _AR_TYPES.get(str(doc.get("DocumentType") or "Invoice"))
        if doc_type is None:
            raise invalid_field(f"Document type '{doc.get('DocumentType')}' is not valid.")
        doc["DocumentType"] = doc_type
        number = doc.get("DocumentNumber") or ""
        if number:
            if self.store.child_with_doc("ARInvoiceBatches", number) or self.store.find_doc("ARPostedDocuments", number):
                raise ApiError(409, "RecordDuplicate", f"Document number '{number}' already exists.")
        else:
            number = doc["DocumentNumber"] = f"IN{self.store.next_number('ARDocument'):07d}"
        self._document_defaults(doc, customer, f"customer {customer_no}", "AR")
        details = doc.get("InvoiceDetails") or []
        if not details:
            raise ApiError(409, "RecordInvalid", f"Document {number} has no detail lines.")
        before_tax = ZERO
        for n, line in enumerate(details, start=1):
            if not line.get("RevenueAccount") and not line.get("DistributionCode"):
                raise invalid_field(f"Detail {n} of document {number} needs a revenue account or distribution code.")
            if line.get("RevenueAccount"):
                line["RevenueAccount"] = self._account(line["RevenueAccount"], "Revenue account")
            for name, what in (("InventoryAccount", "Inventory account"), ("COGSAccount", "Cost of goods sold account")):
                if line.get(name):
                    line[name] = self._account(line[name], what)
            if amount(line.get("Cost"), "Cost") < 0:
                raise invalid_field(f"The cost of detail {n} of document {number} cannot be negative.")
            line["ExtendedAmountWithTIP"] = amount(line.get("ExtendedAmountWithTIP"), "Extended amount")
            line.setdefault("LineNumber", 20 * n)
            before_tax += line["ExtendedAmountWithTIP"]
        self._line_taxes(doc, details, customer, "Sales")
        tax = sum((amount(doc.get(f"TaxAmount{i}"), "Tax amount") for i in range(1, 6)), ZERO)
        doc.update(DocumentTotalBeforeTax=before_tax, TaxTotal=tax, DocumentTotalIncludingTax=before_tax + tax,
                   AmountDue=before_tax + tax)
        sign = -1 if doc_type == "CreditNote" else 1
        return number, sign * (before_tax + tax)

    def _line_taxes(self, doc: dict[str, Any], lines: list[dict[str, Any]], party: dict[str, Any],
                    transaction_type: str) -> None:
        """Each authority's base from the lines, as the view derives it: a line counts unless its tax
        class (1 when not given) is one the authority exempts. A tax amount the body leaves out is
        calculated from the rates; one it gives is kept."""
        for i in range(1, 6):
            authority = doc.get(f"TaxAuthority{i}") or ""
            if not authority:
                continue
            record = self.store.lookup("TXTaxAuthorities", authority) or {}
            classes = {int(c["Class"]): c for c in record.get("TaxClasses") or []
                       if c.get("ClassType") == "Items" and c.get("TransactionType") == transaction_type}
            rates = self.store.lookup("TXTaxRates", key_text((authority, transaction_type,
                                                              int(party.get(f"TaxClassCode{i}") or 1)))) or {}
            base = calculated = ZERO
            for line in lines:
                cls = int(line.get(f"TaxClass{i}") or 1)
                if classes and cls not in classes:
                    raise invalid_field(f"Tax class {cls} is not an item class of tax authority {authority}.")
                line[f"TaxClass{i}"] = cls
                if classes.get(cls, {}).get("Exempt"):
                    continue
                value = line["ExtendedAmountWithTIP"]
                base += value
                calculated += value * amount(rates.get(f"ItemRate{cls}"), "Tax rate") / 100
            doc[f"TaxBase{i}"] = base
            if doc.get(f"TaxAmount{i}") in (None, ""):
                doc[f"TaxAmount{i}"] = calculated.quantize(Decimal("0.01"), ROUND_HALF_UP)

    def _document_defaults(self, doc: dict[str, Any], party: dict[str, Any], who: str, module: str) -> None:
        """Dates in the fiscal calendar, and terms, currency and tax group from the customer or vendor."""
        doc["DocumentDate"] = wire_date(doc.get("DocumentDate") or self.settings.today(), "Document date")
        doc["FiscalYear"], doc["FiscalPeriod"] = self._fiscal(doc["DocumentDate"], "Document Date")
        if doc.get("DueDate"):
            doc["DueDate"] = wire_date(doc["DueDate"], "Due date")
        terms = doc.get("Terms") or party.get("Terms") or ""
        if terms:
            self._require(f"{module}Terms", terms, f"Terms code {terms} does not exist.")
            doc["Terms"] = terms
        own = party.get("CurrencyCode") or self.settings.home_currency
        currency = doc.get("CurrencyCode") or own
        if currency != own:
            raise invalid_field(f"Currency {currency} is not the currency of {who}.")
        doc["CurrencyCode"] = currency
        self._tax(doc, party.get("TaxGroup") or "", "Sales" if module == "AR" else "Purchase")

    def _ap_invoice(self, doc: dict[str, Any]) -> tuple[str, Decimal]:
        vendor_no = doc.get("VendorNumber") or ""
        vendor = self._require("APVendors", vendor_no, f"Vendor number '{vendor_no}' does not exist.")
        doc_type = _AP_TYPES.get(str(doc.get("DocumentType") or "Invoice"))
        if doc_type is None:
            raise invalid_field(f"Document type '{doc.get('DocumentType')}' is not valid.")
        doc["DocumentType"] = doc_type
        number = doc.get("DocumentNumber") or ""
        if not number:
            raise invalid_field("Document number is required for vendor invoices.")
        doc_key = key_text((vendor_no, number))
        if self.store.child_with_doc("APInvoiceBatches", doc_key) or self.store.exists("APPostedDocuments", doc_key):
            raise invalid_field(f"Document number '{number}' for vendor {vendor_no} already exists.")
        self._document_defaults(doc, vendor, f"vendor {vendor_no}", "AP")
        details = doc.get("InvoiceDetails") or []
        if not details:
            raise ApiError(409, "RecordInvalid", f"Document {number} has no distributions.")
        distributed = ZERO
        for n, line in enumerate(details, start=1):
            if not line.get("GLAccount") and not line.get("DistributionCode"):
                raise invalid_field(f"Distribution {n} of document {number} needs a G/L account or distribution code.")
            if line.get("GLAccount"):
                line["GLAccount"] = self._account(line["GLAccount"], "G/L account")
            line["DistributedAmount"] = amount(line.get("DistributedAmount"), "Distributed amount")
            line.setdefault("LineNumber", 20 * n)
            distributed += line["DistributedAmount"]
        tax = sum((amount(doc.get(f"TaxAmount{i}"), "Tax amount") for i in range(1, 6)), ZERO)
        total = distributed + tax
        control = doc.get("DocumentTotalIncludingTax")
        if control not in (None, "") and amount(control, "Document total") != total:
            raise business(f"Document {number} is out of balance: the undistributed amount is "
                           f"{amount(control, 'Document total') - total}.")
        doc.update(DocumentTotalBeforeTaxes=distributed, TaxTotal=tax, DocumentTotalIncludingTax=total,
                   DistributedTotalIncludingTax=total, UndistributedAmount=ZERO, AmountDue=total)
        return doc_key, total

    def _journal(self, header: dict[str, Any]) -> tuple[str, Decimal]:
        header.setdefault("SourceLedger", "GL")
        header.setdefault("SourceType", "JE")
        header["DocumentDate"] = wire_date(header.get("DocumentDate") or self.settings.today(), "Document date")
        header["FiscalYear"], header["FiscalPeriod"] = self._fiscal(header["DocumentDate"], "Document Date")
        details = header.get("JournalDetails") or []
        if not details:
            raise ApiError(409, "RecordInvalid", "A journal entry needs detail lines.")
        debits = credits = ZERO
        for n, line in enumerate(details, start=1):
            line["AccountNumber"] = self._account(line.get("AccountNumber"), "Account number")
            value = amount(line.get("Amount"), "Amount")
            line["Amount"] = value
            line.setdefault("TransactionNumber", f"{20 * n:010d}")
            debits += max(value, ZERO)
            credits += max(-value, ZERO)
        if debits != credits:
            raise business(f"The entry is out of balance by {debits - credits}.")
        header.update(Debits=debits, Credits=credits, OutOfBalanceBy=ZERO)
        return str(header.get("DocumentNumber") or ""), debits

    # IC (insert only: they cannot be changed through the API)

    def _ic_line(self, line: dict[str, Any], *locations: str) -> None:
        item = line.get("ItemNumber") or ""
        self._require("ICItems", item, f"Item number {item} does not exist.")
        for name in locations:
            loc = line.get(name) or ""
            self._require("ICLocations", loc, f"Location {loc} does not exist.")

    def _insert_ICAdjustments(self, entity: Entity, body: dict[str, Any]) -> dict[str, Any]:
        body["AdjustmentDate"] = wire_date(body.get("AdjustmentDate") or self.settings.today(), "Adjustment date")
        body["FiscalYear"], body["FiscalPeriod"] = self._fiscal(body["AdjustmentDate"], "Adjustment Date")
        details = body.get("AdjustmentDetails") or []
        if not details:
            raise ApiError(409, "RecordInvalid", "An adjustment needs detail lines.")
        for n, line in enumerate(details, start=1):
            self._ic_line(line, "Location")
            if line.get("TransactionType") not in _ADJUSTMENT_TYPES:
                raise invalid_field(f"Adjustment type '{line.get('TransactionType')}' is not valid.")
            if line.get("AdjustmentWriteOffAccount"):
                line["AdjustmentWriteOffAccount"] = self._account(line["AdjustmentWriteOffAccount"],
                                                                  "Adjustment write-off account")
            if amount(line.get("Quantity"), "Quantity") < 0 or amount(line.get("CostAdjustment"), "Cost") < 0:
                raise invalid_field("Quantity and cost adjustment are positive; the adjustment type gives the direction.")
            line["LineNumber"] = n * 20
        return self._ic_record(entity, body, "AdjustmentNumber", "AD")

    def _insert_ICTransfers(self, entity: Entity, body: dict[str, Any]) -> dict[str, Any]:
        body["DocumentDate"] = wire_date(body.get("DocumentDate") or self.settings.today(), "Transfer date")
        body["FiscalYear"], body["FiscalPeriod"] = self._fiscal(body["DocumentDate"], "Transfer Date")
        body.setdefault("DocumentType", "Transfer")
        if body["DocumentType"] not in _TRANSFER_TYPES:
            raise invalid_field(f"Transfer type '{body['DocumentType']}' is not valid.")
        details = body.get("TransferDetails") or []
        if not details:
            raise ApiError(409, "RecordInvalid", "A transfer needs detail lines.")
        for n, line in enumerate(details, start=1):
            self._ic_line(line, "FromLocation", "ToLocation")
            if line["FromLocation"] == line["ToLocation"]:
                raise invalid_field("The from and to locations of a transfer must differ.")
            line["LineNumber"] = n * 20
        return self._ic_record(entity, body, "TransferNumber", "TF")

    def _ic_record(self, entity: Entity, body: dict[str, Any], number_field: str, prefix: str) -> dict[str, Any]:
        seq = self.store.next_number(entity.name)
        body.update({"SequenceNumber": seq, number_field: f"{prefix}{seq:06d}", "RecordStatus": "Entered"})
        self.store.put(entity.name, str(seq), body, str(body.get("Reference") or ""))
        return body

    # --- posting and receipts (process endpoints and test helpers) --------------------------

    def post_batches(self, module: str, first: int | None, last: int | None, on: date | None = None) -> list[int]:
        """Post the ready-to-post AR or AP invoice batches in ``first..last`` (all when None)."""
        entity = BY_PATH[(module, f"{module}InvoiceBatches")]
        posted: list[int] = []
        with self.store.transaction():
            for key, batch in self.store.scan(entity.name):
                number = int(key)
                if batch.get("BatchStatus") != READY:
                    continue
                if first is not None and not (first <= number <= (last if last is not None else first)):
                    continue
                sequence = self.store.next_number(f"{module}PostingSequence")
                when = wire_date(on or self.settings.today(), "Posting date")
                for entry in self.store.children(entity.name, key):
                    self._post_document(module, entry, sequence, when)
                batch.update(BatchStatus=POSTED, PostingSequenceNumber=sequence)
                self.store.put(entity.name, key, batch)
                posted.append(number)
        return posted

    def _post_document(self, module: str, entry: dict[str, Any], sequence: int, when: str) -> None:
        total = entry["DocumentTotalIncludingTax"]
        if entry["DocumentType"] == "CreditNote":
            total = -total
        common = {"DocumentNumber": entry["DocumentNumber"], "DocumentType": entry["DocumentType"],
                  "BatchNumber": entry["BatchNumber"], "EntryNumber": entry["EntryNumber"],
                  "DocumentDate": entry["DocumentDate"], "DueDate": entry.get("DueDate"),
                  "CurrencyCode": entry.get("CurrencyCode"), "PostingSequenceNumber": sequence,
                  "PONumber": entry.get("PONumber", ""), "FullyPaid": "No"}
        if module == "AR":
            body = {"CustomerNumber": entry["CustomerNumber"], **common, "TransactionType": "InvoiceSummaryPosted",
                    "CustomerCurrencyInvoiceAmount": total, "CustomerCurrencyAmountDue": total,
                    "FunctionalCurrencyAmountDue": total, "DatePaid": None, "LastActivityDate": when,
                    "TaxGroup": entry.get("TaxGroup", ""), "OrderNumber": entry.get("OrderNumber", "")}
            self.store.put("ARPostedDocuments", key_text((entry["CustomerNumber"], entry["DocumentNumber"])), body,
                           entry["DocumentNumber"])
        else:
            body = {"VendorNumber": entry["VendorNumber"], **common, "OriginalDocumentAmount": total,
                    "CurrentBalanceInVendorCurrency": total}
            self.store.put("APPostedDocuments", key_text((entry["VendorNumber"], entry["DocumentNumber"])), body,
                           entry["DocumentNumber"])

    def mark_ready(self, module: str, number: int | str) -> None:
        entity = BY_PATH[(module, f"{module}InvoiceBatches" if module != "GL" else "GLJournalBatches")]
        body = {"ReadyToPost": "Yes"} if module == "GL" else {"BatchStatus": READY}
        self.patch(entity, str(number), body)

    def post_journal_batch(self, number: str) -> None:
        with self.store.transaction():
            batch = self.store.get("GLJournalBatches", number)
            if batch is None:
                raise not_found(f"GLJournalBatches({number})")
            batch.update(Status=POSTED, ReadyToPost="Yes")
            self.store.put("GLJournalBatches", number, batch)

    def apply_receipt(self, customer: str, document_number: str, paid: Decimal, on: date,
                      bank: str = "BANK1") -> dict[str, Any]:
        """Record a posted customer receipt applied to one posted invoice; returns the updated document."""
        key = key_text((customer, document_number))
        with self.store.transaction():
            doc = self.store.get("ARPostedDocuments", key)
            if doc is None:
                raise not_found(f"Posted document {document_number} of customer {customer}")
            due = doc["CustomerCurrencyAmountDue"]
            if paid <= 0 or paid > due:
                raise business(f"A receipt of {paid} cannot be applied to {document_number} (amount due {due}).")
            number = f"RC{self.store.next_number('ARReceipt'):06d}"
            when = wire_date(on, "Receipt date")
            self.store.put("ARPostedReceipts", key_text((bank, customer, number)), {
                "BankCode": bank, "CustomerNumber": customer, "CheckReceiptNumber": number, "ReceiptDate": when,
                "CustomerReceiptAmount": paid, "BankReceiptAmount": paid, "DocumentNumber": number,
                "PaymentCode": "CHECK", "PostingDate": when})
            doc["CustomerCurrencyAmountDue"] = due - paid
            doc["FunctionalCurrencyAmountDue"] = due - paid
            doc["LastActivityDate"] = when
            if doc["CustomerCurrencyAmountDue"] == 0:
                doc.update(FullyPaid="Yes", DatePaid=when)
            self.store.put("ARPostedDocuments", key, doc, document_number)
            return doc
