"""ManageClient against the Manage sandbox over real HTTP on loopback."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

import pytest

from mobius_tui.manage import conditions as c
from mobius_tui.manage import (
    ApiKeyCredentials,
    AuthenticationFailed,
    ConfigurationError,
    ImpersonationCredentials,
    InvalidRequest,
    ManageClient,
    ManageSettings,
    NotFound,
    PermissionDenied,
    RetryPolicy,
    Unavailable,
)
from mobius_tui.manage.models import CreateAccountingBatchRequest, ExportAccountingBatchRequest
from mobius_tui.sandbox.manage.harness import running_manage_sandbox


class Waits(list):
    """Stands in for asyncio.sleep: records the waits the retry policy asks for."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def connect(sandbox, credentials=None, waits=None, **overrides) -> ManageClient:
    c = sandbox.credentials
    values = dict(
        site=sandbox.url,
        company_id=c.company_id,
        client_id=c.client_id,
        credentials=credentials or ApiKeyCredentials(c.public_key, c.private_key),
        retry=RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05),
    )
    return ManageClient(ManageSettings(**{**values, **overrides}), sleep=waits if waits is not None else Waits())


def impersonation(sandbox) -> ImpersonationCredentials:
    c = sandbox.credentials
    return ImpersonationCredentials(c.integrator_username, c.integrator_password, c.member_identifier)


async def test_api_keys_codebase_lookup_and_probe(manage_sandbox):
    async with connect(manage_sandbox) as manage:
        info = await manage.system_info()
        company = await manage.company_info()
    assert info.version and company.Codebase == "v4_6_release/"


async def test_member_impersonation_and_token_renewal(manage_sandbox):
    async with connect(manage_sandbox, impersonation(manage_sandbox)) as manage:
        first = await manage.unposted_invoices()
        manage_sandbox.store.expire_tokens()  # the server now refuses the token: renewed once
        second = await manage.unposted_invoices()
    assert len(first) == len(second) == manage_sandbox.store.unposted_counts()["invoices"]


async def test_wrong_integrator_password_and_unknown_member(manage_sandbox):
    c = manage_sandbox.credentials
    bad = ImpersonationCredentials(c.integrator_username, "wrong-password-SECRET", c.member_identifier)
    async with connect(manage_sandbox, bad) as manage:
        with pytest.raises(AuthenticationFailed) as info:
            await manage.system_info()
    assert "Integrator Login" in str(info.value) and "wrong-password-SECRET" not in str(info.value)
    nobody = ImpersonationCredentials(c.integrator_username, c.integrator_password, "no-such-member")
    async with connect(manage_sandbox, nobody) as manage:
        with pytest.raises(ConfigurationError, match="no member 'no-such-member'"):
            await manage.system_info()


async def test_wrong_key_is_authentication_failed_without_secrets(manage_sandbox, caplog):
    c = manage_sandbox.credentials
    with caplog.at_level(logging.DEBUG, logger="mobius_tui.manage"):
        async with connect(manage_sandbox, ApiKeyCredentials(c.public_key, "not-the-key-SECRET")) as manage:
            with pytest.raises(AuthenticationFailed) as info:
                await manage.system_info()
    assert info.value.status == 401 and "API Keys" in str(info.value)
    assert "not-the-key-SECRET" not in str(info.value) and "not-the-key-SECRET" not in caplog.text


async def test_member_without_the_accounting_role_gets_the_role_hint(manage_sandbox):
    c = manage_sandbox.credentials
    async with connect(manage_sandbox, ApiKeyCredentials(c.readonly_public_key, c.readonly_private_key)) as manage:
        assert (await manage.system_info()).version
        with pytest.raises(PermissionDenied) as info:
            await manage.unposted_invoices()
    assert info.value.status == 403
    assert "Security Roles" in str(info.value) and "Accounting Interface" in str(info.value)


async def test_unknown_company_is_a_configuration_error(manage_sandbox):
    async with connect(manage_sandbox, company_id="nosuchco") as manage:
        with pytest.raises(ConfigurationError, match="does not know the company id 'nosuchco'"):
            await manage.system_info()


async def test_not_found_and_invalid_request(manage_sandbox):
    async with connect(manage_sandbox) as manage:
        with pytest.raises(NotFound) as missing:
            await manage.batch(987654)
        assert missing.value.code == "NotFound"
        opening = (await manage.batches())[0]
        invoice = (await manage.unposted_invoices())[0]
        duplicate = CreateAccountingBatchRequest(
            batchIdentifier=opening.batchIdentifier, exportInvoicesFlag=True, processedRecordIds=[invoice.id]
        )
        with pytest.raises(InvalidRequest) as refused:
            await manage.create_batch(duplicate)
    assert refused.value.status == 400
    assert any(e.code == "ObjectExists" and e.field == "batchIdentifier" for e in refused.value.field_errors)


async def test_paging_across_2500_records_forward_only():
    with running_manage_sandbox(size=2502) as sandbox:
        async with connect(sandbox) as manage:
            invoices = await manage.unposted_invoices()
            pages = manage.requests_sent - 1  # the first request looked up the codebase
            locations = await manage.locations()
        ids = [i.id for i in invoices]
        assert len(ids) == len(set(ids)) == sandbox.store.unposted_counts()["invoices"] == 2500
        assert pages == 3
        assert all(isinstance(i.total, Decimal) for i in invoices)
        assert {loc.id for loc in locations} >= {i.locationId for i in invoices}


async def test_filters_and_chunked_id_lists(manage_sandbox):
    async with connect(manage_sandbox, max_url_length=420) as manage:
        everything = await manage.unposted_invoices()
        location = everything[0].locationId
        at_location = await manage.unposted_invoices(location_id=location)
        assert at_location and {i.locationId for i in at_location} == {location}
        dates = sorted(date.fromisoformat(i.invoiceDate[:10]) for i in everything)
        thru = dates[len(dates) // 2]
        early = await manage.unposted_invoices(thru_date=thru)
        assert {i.id for i in early} == {i.id for i in everything if date.fromisoformat(i.invoiceDate[:10]) <= thru}
        before = manage.requests_sent
        by_ids = await manage.unposted_invoices(ids=[i.id for i in everything])
        assert manage.requests_sent - before > 1  # the id list did not fit one short URL
        assert sorted(i.id for i in by_ids) == sorted(i.id for i in everything)
        numbers = [i.invoiceNumber for i in everything[:30]]
        found = await manage.invoices_by_number(numbers)
        assert sorted(i.invoiceNumber for i in found) == sorted(numbers)
        procurement = await manage.unposted_procurement()
        product_ids = [p.unpostedProductId for p in procurement[:5]]
        assert [p.unpostedProductId for p in await manage.unposted_procurement(product_ids=product_ids)] == product_ids


async def test_unposted_locations_and_reference_data(manage_sandbox):
    async with connect(manage_sandbox) as manage:
        locations = await manage.unposted_locations()
        invoices = await manage.unposted_invoices()
        expenses = await manage.unposted_expenses()
        assert {i.locationId for i in invoices} | {e.locationId for e in expenses} <= {loc.id for loc in locations}
        assert all(loc.name for loc in locations)
        companies = await manage.companies()
        named = await manage.companies(c.eq("name", companies[0].name) & c.eq("deletedFlag", False))
        assert [x.id for x in named] == [companies[0].id]
        assert await manage.companies(c.eq("name", 'Fox "and" \\ Co\' or name like "*')) == []
        tax_codes = await manage.tax_codes()
        assert await manage.tax_code_levels(tax_codes[0].id)
        for read in (
            manage.companies, manage.members, manage.gl_accounts, manage.billing_terms, manage.catalog_items,
            manage.product_types, manage.warehouses, manage.currencies, manage.accounting_package_setup,
        ):
            assert await read(), read.__name__


async def test_retries_after_429_and_5xx_then_success(manage_sandbox, caplog):
    waits = Waits()
    manage_sandbox.faults.retry_after = 3
    async with connect(manage_sandbox, waits=waits) as manage:
        await manage.company_info()
        manage_sandbox.faults.throttle_next = 1
        manage_sandbox.faults.error_next = 1
        manage_sandbox.faults.error_status = 502
        with caplog.at_level(logging.WARNING, logger="mobius_tui.manage"):
            info = await manage.system_info()
        manage_sandbox.faults.drop_next = 1
        assert await manage.currencies()
    assert info.version
    assert waits[0] == 3  # Retry-After honoured
    assert "HTTP 429" in caplog.text and "HTTP 502" in caplog.text
    assert [kind for kind, _, _ in manage_sandbox.faults.injected] == ["throttle", "error", "drop"]


async def test_gives_up_with_a_clear_error(manage_sandbox):
    async with connect(manage_sandbox) as manage:
        await manage.company_info()
        manage_sandbox.faults.error_next = 10
        manage_sandbox.faults.error_status = 503
        with pytest.raises(Unavailable) as info:
            await manage.system_info()
    assert "503" in str(info.value) and "after 4 attempts" in str(info.value)
    assert len(manage_sandbox.faults.injected) == 4


async def test_unreachable_site_is_unavailable(manage_sandbox):
    async with connect(manage_sandbox, site="http://127.0.0.1:9") as manage:
        with pytest.raises(Unavailable, match="could not be reached"):
            await manage.system_info()


async def test_batch_removes_exactly_its_records_then_export_and_delete(manage_sandbox):
    store = manage_sandbox.store
    async with connect(manage_sandbox) as manage:
        before = await manage.unposted_invoices()
        chosen = before[:3]
        export = await manage.export(
            ExportAccountingBatchRequest(exportInvoicesFlag=True, includedInvoiceIds=[i.id for i in chosen])
        )
        assert len(export.transactions) == 3
        processed = store.export_ids_for(export)
        batch, _ = await manage.create_batch(
            CreateAccountingBatchRequest(
                batchIdentifier="MOBIUS-TEST-1", exportInvoicesFlag=True, processedRecordIds=processed
            )
        )
        after = await manage.unposted_invoices()
        assert {i.id for i in before} - {i.id for i in after} == {i.id for i in chosen}
        assert len(after) == len(before) - 3

        assert (await manage.find_batch("MOBIUS-TEST-1")).id == batch.id
        assert await manage.find_batch("MOBIUS-NOPE") is None
        assert (await manage.batch(batch.id)).batchIdentifier == "MOBIUS-TEST-1"
        entries = await manage.batch_entries(batch.id)
        assert entries and sum(e.debit or 0 for e in entries) == sum(e.credit or 0 for e in entries)
        again = await manage.export_batch(batch.id, ExportAccountingBatchRequest(exportInvoicesFlag=True))
        assert sorted(t.documentNumber for t in again.transactions) == sorted(
            t.documentNumber for t in export.transactions
        )

        manage_sandbox.faults.only("DELETE", "/batches").drop_after_commit_next = 1
        await manage.delete_batch(batch.id)  # deleted, answer lost: the client looks and sees it gone
        assert manage_sandbox.faults.injected[-1][0] == "drop_after_commit"
        assert {i.id for i in await manage.unposted_invoices()} == {i.id for i in before}
        with pytest.raises(NotFound):
            await manage.batch(batch.id)


async def test_batch_post_with_dropped_answer_is_found_not_duplicated(manage_sandbox):
    store = manage_sandbox.store
    async with connect(manage_sandbox) as manage:
        invoice = (await manage.unposted_invoices())[0]
        export = await manage.export(
            ExportAccountingBatchRequest(exportInvoicesFlag=True, includedInvoiceIds=[invoice.id])
        )
        manage_sandbox.faults.only("POST", "/batches").drop_after_commit_next = 1
        batch, _ = await manage.create_batch(
            CreateAccountingBatchRequest(
                batchIdentifier="MOBIUS-DROP", exportInvoicesFlag=True, processedRecordIds=store.export_ids_for(export)
            )
        )
    assert batch.batchIdentifier == "MOBIUS-DROP"
    assert [b.batchIdentifier for b in store.batches()].count("MOBIUS-DROP") == 1
    assert manage_sandbox.faults.injected == [("drop_after_commit", "POST", "/v4_6_release/apis/3.0/finance/accounting/batches")]


async def test_payment_set_read_back_and_idempotent(manage_sandbox):
    store = manage_sandbox.store
    async with connect(manage_sandbox) as manage:
        unpaid = next(i for i in store.dataset.invoices if not store.payments_of(i.id))
        (invoice,) = await manage.invoices_by_number([unpaid.number])
        payment = await manage.set_invoice_payment(invoice.id, Decimal("100.10"), date(2025, 4, 2))
        assert payment.amount == Decimal("100.10") and payment.type == "P"
        await manage.set_invoice_payment(invoice.id, Decimal("100.10"), date(2025, 4, 2))
        raised = await manage.set_invoice_payment(invoice.id, Decimal("150.25"), date(2025, 4, 9))
        payments = await manage.invoice_payments(invoice.id)
        assert [(p.id, p.amount) for p in payments] == [(payment.id, Decimal("150.25"))]
        assert raised.paymentDate.date() == date(2025, 4, 9)
        reread = await manage.invoice(invoice.id)
        assert reread.payments == Decimal("150.25")
        assert reread.balance == reread.total - Decimal("150.25") - (reread.credits or 0)

        manage_sandbox.faults.only("POST", "/payments").drop_after_commit_next = 1
        other = next(i for i in store.dataset.invoices if not store.payments_of(i.id) and i.id != invoice.id)
        await manage.set_invoice_payment(other.id, Decimal("5"), date(2025, 4, 9))
        assert [p.amount for p in await manage.invoice_payments(other.id)] == [Decimal("5")]

        manage_sandbox.faults.only("DELETE", "/payments").drop_after_commit_next = 1
        assert await manage.set_invoice_payment(invoice.id, Decimal("0"), date(2025, 4, 9)) is None
        assert await manage.invoice_payments(invoice.id) == []
    assert [kind_method for *kind_method, _ in manage_sandbox.faults.injected] == [
        ["drop_after_commit", "POST"],
        ["drop_after_commit", "DELETE"],
    ]
