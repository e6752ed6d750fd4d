"""The duplicate guard: documents already in SL are found by reference number and customer / vendor."""

from __future__ import annotations

from . import docs


async def test_posted_documents_are_found_and_others_are_not(sl):
    posted = [docs.invoice("INV20001"), docs.invoice("CM20002", credit=True), docs.receipt(), docs.expense_bill(),
              docs.journal(), docs.adjustment(), docs.transfer()]
    ref = await sl.reference()
    plan = docs.plan(*posted)
    results = {r.document_key: r.reference async for r in sl.post(plan, posted, ref)}
    fresh = [docs.invoice("INV20003"), docs.receipt("PO30002", vendor_invoice="VI-778"), docs.journal("700299")]
    other_customer = docs.invoice("INV20001", customer=docs.BC_CUSTOMER)
    other_customer.origin = docs.origin(docs.RecordKind.INVOICE, "INV20001-X")
    found = await sl.existing(posted + fresh + [other_customer])
    assert set(found.found) == {d.key for d in posted}
    assert found.found["sales_invoice:INV20001"] == results["sales_invoice:INV20001"].split(";")[0]
    assert found.found["item_receipt:PO30001"] == results["item_receipt:PO30001"]
    assert all(d.key not in found for d in fresh)
