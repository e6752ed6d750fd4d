"""``/finance/invoices`` answers ``invoiceNumber in (…)`` from an index of numbers: the same rows,
in the same order, as testing every invoice against the condition."""

from __future__ import annotations

from mobius_tui.sandbox.manage.query import in_texts


def _numbers(sandbox, conditions: str) -> list[str]:
    with sandbox.client() as http:
        response = http.get("/finance/invoices", params={"conditions": conditions, "fields": "id,invoiceNumber",
                                                         "pageSize": 1000})
    assert response.status_code == 200, response.text
    return [row["invoiceNumber"] for row in response.json()]


def test_indexed_invoice_numbers_answer_as_the_full_scan(manage_sandbox) -> None:
    invoices = manage_sandbox.store.dataset.invoices
    wanted = [invoices[7].number, invoices[3].number.lower(), "NO-SUCH", invoices[3].number]
    listed = ", ".join(f'"{n}"' for n in wanted)
    indexed = _numbers(manage_sandbox, f"invoiceNumber in ({listed})")
    scanned = _numbers(manage_sandbox, f"invoiceNumber in ({listed}) and id > 0")  # not a bare "in": every row
    assert indexed == scanned == [invoices[3].number, invoices[7].number]


def test_only_a_bare_in_list_of_plain_texts_uses_the_index() -> None:
    assert in_texts('invoiceNumber in ("A1", "b2")', "invoiceNumber") == {"a1", "b2"}
    assert in_texts('INVOICENUMBER IN ("A1")', "invoiceNumber") == {"a1"}
    assert in_texts('invoiceNumber in ("A\\"1")', "invoiceNumber") is None  # escapes: the full scan
    assert in_texts('invoiceNumber in ("A1") or id = 3', "invoiceNumber") is None
    assert in_texts('id in ("A1")', "invoiceNumber") is None
    assert in_texts(None, "invoiceNumber") is None


def test_a_lookup_for_a_few_fields_answers_as_the_full_rows(manage_sandbox) -> None:
    invoices = manage_sandbox.store.dataset.invoices
    listed = ", ".join(f'"{i.number}"' for i in invoices[:40:3])
    with manage_sandbox.client() as http:
        paying = invoices[3]
        assert http.post(f"/finance/invoices/{paying.id}/payments",
                         json={"type": "P", "amount": "10.05", "invoice": {"id": paying.id}}).status_code == 201
        for fields in ("id,invoiceNumber,payments", "ID,INVOICENUMBER", "payments,id"):
            params = {"conditions": f"invoiceNumber in ({listed})", "fields": fields, "pageSize": 1000}
            lookup = http.get("/finance/invoices", params=params)
            full = http.get("/finance/invoices", params={**params, "orderBy": "id asc"})  # the full rows
            assert lookup.status_code == full.status_code == 200
            assert lookup.content == full.content
