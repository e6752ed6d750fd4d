"""Payment sync from A/R posted documents, and the login: company list, upper-case user, refusals."""

from __future__ import annotations

import socket
from datetime import date
from decimal import Decimal

import pytest

from mobius_tui.accounting.base import PackageError
from mobius_tui.accounting.sage300 import Sage300
from mobius_tui.documents.model import DocumentKind, Plan
from mobius_tui.sandbox.dataset import Dataset
from mobius_tui.sandbox.sage300 import Sage300Sandbox, create_sandbox

from .conftest import post_all
from .plans import only


async def test_payments_since_reports_partial_and_full_payments(adapter: Sage300, sandbox: Sage300Sandbox,
                                                                full_plan: Plan) -> None:
    plan = only(full_plan, DocumentKind.SALES_INVOICE, DocumentKind.CREDIT_MEMO, limit=None)
    plan.documents = plan.documents[:6]
    await post_all(adapter, plan)
    sandbox.post_batch("AR", 1, on=date(2025, 7, 1))
    inv1, inv2 = plan.documents[0], plan.documents[1]
    sandbox.apply_receipt(inv1.customer.account, inv1.number, inv1.total, date(2025, 7, 10))
    sandbox.apply_receipt(inv2.customer.account, inv2.number, Decimal("10.00"), date(2025, 7, 12))

    statuses = {s.document_number: s for s in await adapter.payments_since(date(2025, 7, 5))}
    assert set(statuses) == {inv1.number, inv2.number}
    full, part = statuses[inv1.number], statuses[inv2.number]
    assert (full.total, full.paid, full.balance, full.fully_paid) == (inv1.total, inv1.total, Decimal(0), True)
    assert full.date_paid_in_full == date(2025, 7, 10) and full.currency == "CAD"
    assert (part.paid, part.balance, part.fully_paid) == (Decimal("10.00"), inv2.total - Decimal("10.00"), False)
    assert part.date_paid_in_full is None and part.last_payment_date == date(2025, 7, 12)

    everything = await adapter.payments_since(date(2025, 7, 1))
    credit_memos = {d.number for d in plan.documents if d.kind == DocumentKind.CREDIT_MEMO}
    assert {s.document_number for s in everything} == {d.number for d in plan.documents} - credit_memos
    assert await adapter.payments_since(date(2025, 7, 13)) == []


async def test_payments_follow_paging(dataset: Dataset, full_plan: Plan) -> None:
    with create_sandbox(dataset, page_size=4) as sb:
        async with Sage300(sb.settings) as package:
            plan = only(full_plan, DocumentKind.SALES_INVOICE, limit=11)
            await post_all(package, plan)
            sb.post_batch("AR", 1, on=date(2025, 7, 1))
            assert len(await package.payments_since(date(2025, 6, 30))) == 11
            ref = await package.reference()
            assert len(ref.accounts) == 2 * (len(dataset.accounts) - 1)  # formatted and unformatted, over 8 pages


async def test_company_list_and_lower_case_user(sandbox: Sage300Sandbox) -> None:
    settings = sandbox.settings | {"user": sandbox.settings["user"].lower()}
    assert await Sage300.choices_for("company", settings) == ("SAMLTD", "SAMINC")
    async with Sage300(settings) as package:
        assert package.client is not None


@pytest.mark.parametrize("change, message", [
    ({"password": "wrong"}, "Sage 300 refused the login of user WEBAPI."),
    ({"user": "admin", "password": "ADMIN"}, "Sage 300 refused ADMIN on the Web API"),
    ({"company": "NOPE"}, "Sage 300 has no company NOPE."),
    ({"company": ""}, "No Sage 300 company chosen."),
])
async def test_login_refusals_say_what_to_do(sandbox: Sage300Sandbox, change: dict, message: str) -> None:
    with pytest.raises(PackageError) as caught:
        await Sage300(sandbox.settings | change).connect()
    assert str(caught.value).startswith(message) and caught.value.fix
    assert "Sandbox-300" not in str(caught.value)


async def test_unreachable_server() -> None:
    with socket.socket() as s:  # a port the system just handed out and nothing listens on any more
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/Sage300WebApi"
    settings = {"base_url": url, "company": "SAMLTD", "user": "u", "password": "p", "timeout_seconds": 2}
    with pytest.raises(PackageError, match=f"Cannot reach the Sage 300 Web API at {url}"):
        await Sage300.choices_for("company", settings)
