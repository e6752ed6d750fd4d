"""A file-backed store keeps batches, payments and setup across a server restart."""

from __future__ import annotations

from mobius_tui.manage import models as m
from mobius_tui.sandbox.manage.harness import running_manage_sandbox


def test_restart_keeps_state(tmp_path) -> None:
    db = str(tmp_path / "manage.sqlite")
    with running_manage_sandbox(size=40, seed=3, db_path=db) as first:
        store = first.store
        with first.client() as c:
            g = m.GLExport.model_validate(c.post("/finance/accounting/export", json={
                "exportInvoicesFlag": True, "includedInvoiceIds": [i.unposted_id for i in store.unposted_invoices()[:3]],
            }).json())
            assert c.post("/finance/accounting/batches", json={
                "exportInvoicesFlag": True, "batchIdentifier": "PERSIST-1",
                "processedRecordIds": store.export_ids_for(g)}).status_code == 201
            inv = next(i for i in store.dataset.invoices if not i.paid and i.total > 0)
            assert c.post(f"/finance/invoices/{inv.id}/payments", json={"amount": 12.34}).status_code == 201
        store.set_setup(invoiceFormat="Condensed")
        counts = store.unposted_counts()
        batches = [b.batchIdentifier for b in store.batches()]
    # reopened with other arguments: the recorded seed and size win
    with running_manage_sandbox(size=999, seed=1, db_path=db) as second:
        assert second.store.dataset.size == 40 and second.store.dataset.seed == 3
        assert second.store.unposted_counts() == counts
        assert [b.batchIdentifier for b in second.store.batches()] == batches
        with second.client() as c:
            assert c.get(f"/finance/invoices/{inv.id}").json()["payments"] == 12.34
            assert c.get("/finance/accountingPackageSetup").json()[0]["invoiceFormat"] == "Condensed"
            found = c.get("/finance/accounting/batches", params={"conditions": "batchIdentifier='PERSIST-1'"}).json()
            assert len(found) == 1
        second.store.reset(history=False)
        assert second.store.batches() == []
        assert second.store.unposted_counts() == {"invoices": 40, "expenses": 20, "procurement": 13}
