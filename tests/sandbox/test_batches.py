"""Batch semantics over HTTP: export is read-only, batches remove exactly their records, delete
returns them, re-export returns exactly the batch, identifiers are validated."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from mobius_tui.manage import models as m

ACC = "/finance/accounting"
ALL = {"exportInvoicesFlag": True, "exportExpensesFlag": True, "exportProductsFlag": True}


def unposted(c: httpx.Client) -> dict[str, set]:
    q = {"pageSize": 1000, "fields": "id"}
    return {
        "invoices": {r["id"] for r in c.get(f"{ACC}/unpostedinvoices", params=q).json()},
        "expenses": {r["id"] for r in c.get(f"{ACC}/unpostedexpenses", params=q).json()},
        "procurement": {r["unpostedProductId"] for r in c.get(
            f"{ACC}/unpostedprocurement", params={"pageSize": 1000, "fields": "unpostedProductId"}).json()},
    }


def export(c: httpx.Client, **body: Any) -> m.GLExport:
    r = c.post(f"{ACC}/export", json={**ALL, **body})
    assert r.status_code == 200, r.text
    return m.GLExport.model_validate(r.json())


def documents(g: m.GLExport) -> dict[str, set]:
    return {
        "invoices": {t.id for t in g.transactions or []},
        "expenses": {e.id for e in g.expenses or []} | {b.id for b in g.expenseBills or []},
        "procurement": {p.id for p in g.purchaseTransactions or []} | {a.id for a in g.adjustmentTransactions or []}
        | {t.id for t in g.inventoryTransfers or []},
    }


def test_export_is_read_only_and_honours_selection(manage_sandbox) -> None:
    store = manage_sandbox.store
    with manage_sandbox.client() as c:
        before = unposted(c)
        inv_ids = sorted(before["invoices"])[:5]
        g = export(c, includedInvoiceIds=inv_ids, excludedInvoiceIds=inv_ids[:1], exportExpensesFlag=False,
                   exportProductsFlag=False)
        assert {t.id for t in g.transactions or []} == set(inv_ids[1:])
        assert not g.expenses and not g.expenseBills and not g.purchaseTransactions
        assert {cu.accountNumber for cu in g.customers or []} == {
            store.dataset.company(store.invoices_by_unposted[i].company_id).account_number for i in inv_ids[1:]}
        adj = sorted(p for p in before["procurement"] if p.endswith("adjustment"))[:2]
        g = export(c, exportInvoicesFlag=False, exportExpensesFlag=False, includedProductIds=adj)
        assert {a.id for a in g.adjustmentTransactions or []} == set(adj)
        thru = export(c, thruDate="2025-05-01T00:00:00Z")
        assert all(t.documentDate <= "2025-05-01T00:00:00Z" for t in thru.transactions or [])
        assert len(thru.transactions or []) < len(before["invoices"])
        loc2 = export(c, locationId=2)
        assert {store.invoices_by_unposted[t.id].location_id for t in loc2.transactions or []} == {2}
        everything = export(c, locationId=0)
        assert documents(everything)["invoices"] == before["invoices"]
        assert unposted(c) == before  # nothing was marked


def test_batch_removes_exactly_its_records_and_delete_returns_them(manage_sandbox) -> None:
    store = manage_sandbox.store
    with manage_sandbox.client() as c:
        before = unposted(c)
        chosen_inv = sorted(before["invoices"])[:7]
        chosen_exp = sorted(before["expenses"])[:4]
        chosen_pro = sorted(before["procurement"])[:5]
        g = export(c, includedInvoiceIds=chosen_inv, includedExpenseIds=chosen_exp, includedProductIds=chosen_pro)
        ids = store.export_ids_for(g)
        r = c.post(f"{ACC}/batches", json={**ALL, "batchIdentifier": "MOBIUS-T1", "glInterfaceIdentifier": "MOBIUS-T1",
                                           "processedRecordIds": ids})
        assert r.status_code == 201, r.text
        m.GLExport.model_validate(r.json())
        after = unposted(c)
        assert after["invoices"] == before["invoices"] - set(chosen_inv)
        assert after["expenses"] == before["expenses"] - set(chosen_exp)
        assert after["procurement"] == before["procurement"] - set(chosen_pro)
        found = c.get(f"{ACC}/batches", params={"conditions": 'batchIdentifier="MOBIUS-T1"'}).json()
        assert len(found) == 1
        batch_id = found[0]["id"]
        # invoices show the batch
        inv = store.invoices_by_unposted[chosen_inv[0]]
        assert c.get(f"/finance/invoices/{inv.id}").json()["glBatch"] == {"id": batch_id, "name": "MOBIUS-T1"}
        # entries are exactly the processed ids, and they balance
        entries = c.get(f"{ACC}/batches/{batch_id}/entries", params={"pageSize": 1000}).json()
        assert {e["id"] for e in entries} == set(store._expand(ids)[0])
        # the past batch re-exports exactly its records, whatever the current unposted state is
        again = m.GLExport.model_validate(c.post(f"{ACC}/batches/{batch_id}/export", json={}).json())
        assert documents(again) == documents(g)
        assert c.get(f"{ACC}/batches/{batch_id}/export").status_code == 405
        # a second export of everything no longer offers them
        assert not documents(export(c))["invoices"] & set(chosen_inv)
        # delete returns them
        assert c.delete(f"{ACC}/batches/{batch_id}").status_code == 204
        assert unposted(c) == before
        assert "glBatch" not in c.get(f"/finance/invoices/{inv.id}").json()
        assert c.get(f"{ACC}/batches/{batch_id}").status_code == 404
        assert c.delete(f"{ACC}/batches/{batch_id}").status_code == 404


def test_condensed_group_ids_batch_whole_lines(manage_sandbox) -> None:
    store = manage_sandbox.store
    with manage_sandbox.client() as c:
        g = export(c, summarizeInvoices="Condensed", exportExpensesFlag=False, exportProductsFlag=False)
        assert any(len(t.detail or []) < len(store.invoices_by_unposted[t.id].lines) + len(
            store.invoices_by_unposted[t.id].taxes) for t in g.transactions or [])
        r = c.post(f"{ACC}/batches", json={"exportInvoicesFlag": True, "batchIdentifier": "COND-1",
                                           "processedRecordIds": store.export_ids_for(g)})
        assert r.status_code == 201, r.text
        assert store.unposted_counts()["invoices"] == 0


def errors_of(r: httpx.Response) -> list[dict]:
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == "InvalidObject"
    return body["errors"]


def test_batch_validation(manage_sandbox) -> None:
    store = manage_sandbox.store
    with manage_sandbox.client() as c:
        g = export(c, exportExpensesFlag=False, exportProductsFlag=False)
        ids = store.export_ids_for(g)
        one_doc = ids[:1] + [d.id for d in (g.transactions or [])[0].detail or []]
        base = {"exportInvoicesFlag": True, "processedRecordIds": one_doc}
        errs = errors_of(c.post(f"{ACC}/batches", json=base))
        assert errs[0]["code"] == "MissingRequiredField" and errs[0]["field"] == "batchIdentifier"
        errs = errors_of(c.post(f"{ACC}/batches", json={**base, "batchIdentifier": "X" * 51}))
        assert errs[0]["field"] == "batchIdentifier" and "maximum is 50" in errs[0]["message"]
        errs = errors_of(c.post(f"{ACC}/batches", json={**base, "batchIdentifier": "OPENING-2025-03-31"}))
        assert errs[0]["code"] == "ObjectExists"
        errs = errors_of(c.post(f"{ACC}/batches", json={**base, "batchIdentifier": "opening-2025-03-31"}))
        assert errs[0]["code"] == "ObjectExists"
        errs = errors_of(c.post(f"{ACC}/batches", json={"batchIdentifier": "B", "processedRecordIds": one_doc}))
        assert "at least one of exportInvoicesFlag" in errs[0]["message"]
        errs = errors_of(c.post(f"{ACC}/batches", json={**base, "batchIdentifier": "B", "processedRecordIds": []}))
        assert errs[0]["field"] == "processedRecordIds"
        errs = errors_of(c.post(f"{ACC}/batches", json={**base, "batchIdentifier": "B",
                                                        "processedRecordIds": one_doc + [42]}))
        assert "Unknown GL entry ids: 42" in errs[0]["message"]
        errs = errors_of(c.post(f"{ACC}/batches", json={**base, "batchIdentifier": "B",
                                                        "processedRecordIds": one_doc[1:]}))
        assert "batched whole" in errs[0]["message"]
        errs = errors_of(c.post(f"{ACC}/batches", json={"exportExpensesFlag": True, "batchIdentifier": "B",
                                                        "processedRecordIds": one_doc}))
        assert any(e["field"] == "exportInvoicesFlag" for e in errs)
        assert c.post(f"{ACC}/batches", json={**base, "batchIdentifier": "B" * 50}).status_code == 201
        errs = errors_of(c.post(f"{ACC}/batches", json={**base, "batchIdentifier": "C"}))
        assert "already in a batch" in errs[0]["message"]
        bad = c.post(f"{ACC}/batches", content=b"{not json", headers={"Content-Type": "application/json"})
        assert bad.status_code == 400 and "not valid JSON" in bad.json()["message"]
        bad = c.post(f"{ACC}/export", json={"exportInvoicesFlag": True, "summarizeInvoices": "Sideways"})
        assert errors_of(bad)[0]["field"] == "summarizeInvoices"


def test_expense_as_bill_toggle(manage_sandbox) -> None:
    store = manage_sandbox.store
    with manage_sandbox.client() as c:
        as_bills = export(c, exportInvoicesFlag=False, exportProductsFlag=False)
        assert as_bills.expenseBills and all(
            d.reimbursable for b in as_bills.expenseBills for d in b.detail or [])
        store.set_setup(transferExpensesAsBillFlag=False)
        assert c.get("/finance/accountingPackageSetup").json()[0]["transferExpensesAsBillFlag"] is False
        journal = export(c, exportInvoicesFlag=False, exportProductsFlag=False)
        assert not journal.expenseBills
        assert len(journal.expenses or []) == store.unposted_counts()["expenses"]


def test_payments(manage_sandbox) -> None:
    store = manage_sandbox.store
    inv = next(i for i in store.dataset.invoices if not i.paid and i.total > 0)
    with manage_sandbox.client() as c:
        assert c.get(f"/finance/invoices/{inv.id}/payments").json() == []
        r = c.post(f"/finance/invoices/{inv.id}/payments",
                   json={"type": "P", "amount": 100.10, "paymentDate": "2025-07-02T00:00:00Z", "invoice": {"id": inv.id}})
        assert r.status_code == 201, r.text
        pay = r.json()
        got = c.get(f"/finance/invoices/{inv.id}").json()
        assert got["payments"] == 100.1
        assert Decimal(str(got["balance"])) == inv.total - inv.credits - Decimal("100.10")
        r = c.patch(f"/finance/invoices/{inv.id}/payments/{pay['id']}",
                    json=[{"op": "replace", "path": "/amount", "value": float(inv.total)}])
        assert r.status_code == 200 and r.json()["amount"] == float(inv.total)
        assert c.get(f"/finance/invoices/{inv.id}").json()["balance"] == 0
        r = c.put(f"/finance/invoices/{inv.id}/payments/{pay['id']}",
                  json={"type": "P", "amount": 50, "paymentDate": "2025-07-03T00:00:00Z"})
        assert r.json()["amount"] == 50 and r.json()["paymentDate"] == "2025-07-03T00:00:00Z"
        assert c.get(f"/finance/invoices/{inv.id}/payments/{pay['id']}").json()["amount"] == 50
        listed = c.get("/finance/invoices", params={"conditions": f"id={inv.id}", "fields": "id,payments,balance"}).json()
        assert listed[0]["payments"] == 50
        assert errors_of(c.post(f"/finance/invoices/{inv.id}/payments", json={"type": "P"}))[0]["field"] == "amount"
        assert errors_of(c.post(f"/finance/invoices/{inv.id}/payments", json={"amount": "abc"}))[0]["field"] == "amount"
        assert errors_of(c.patch(f"/finance/invoices/{inv.id}/payments/{pay['id']}",
                                 json=[{"op": "replace", "path": "/amount", "value": -1}]))[0]["field"] == "amount"
        assert c.delete(f"/finance/invoices/{inv.id}/payments/{pay['id']}").status_code == 204
        assert c.get(f"/finance/invoices/{inv.id}").json()["payments"] == 0
        assert c.get(f"/finance/invoices/{inv.id}/payments/{pay['id']}").status_code == 404
        nf = c.get("/finance/invoices/424242")
        assert nf.status_code == 404 and nf.json()["code"] == "NotFound"
