"""``/finance/invoices`` after payments change: the rows the sandbox patches (payments and balance
of the row it built before) are byte for byte the rows it builds from scratch."""

from __future__ import annotations

from decimal import Decimal

from mobius_tui.manage.models import wire_number


def _bodies(sandbox) -> list[bytes]:
    with sandbox.client() as http:
        response = http.get("/finance/invoices", params={"pageSize": 1000, "orderBy": "id"})
    assert response.status_code == 200, response.text
    return [response.content]


def test_rows_after_payments_are_the_rows_built_afresh(manage_sandbox) -> None:
    store = manage_sandbox.store
    invoices = [i for i in store.dataset.invoices if i.total > 1][:6]
    _bodies(manage_sandbox)  # every row built once
    with manage_sandbox.client() as http:
        for n, invoice in enumerate(invoices):
            body = {"type": "P", "amount": str((invoice.total / (n + 2)).quantize(Decimal("0.01"))), "invoice": {"id": invoice.id}}
            if n % 2:
                body["paymentDate"] = "2026-01-02T00:00:00Z"
            answer = http.post(f"/finance/invoices/{invoice.id}/payments", json=body)
            assert answer.status_code == 201, answer.text
        payment = answer.json()["id"]
        changed = http.patch(f"/finance/invoices/{invoices[-1].id}/payments/{payment}",
                             json=[{"op": "replace", "path": "/amount", "value": float(invoices[-1].total)}])
        assert changed.status_code == 200, changed.text
        gone = http.delete(f"/finance/invoices/{invoices[0].id}/payments/"
                           f"{store.payments_of(invoices[0].id)[0][0]}")
        assert gone.status_code == 204, gone.text
    patched = _bodies(manage_sandbox)
    store._wire_cache.clear()
    store._invoice_rows.clear()
    afresh = _bodies(manage_sandbox)
    assert patched == afresh
    with manage_sandbox.client() as http:
        rows = {r["id"]: r for r in http.get("/finance/invoices", params={"pageSize": 1000}).json()}
    for invoice in invoices:
        paid = store.paid(invoice.id)
        assert rows[invoice.id]["payments"] == wire_number(paid)
        assert rows[invoice.id]["balance"] == wire_number(invoice.total - paid - invoice.credits)
