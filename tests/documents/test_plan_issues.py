"""Malformed data becomes a PlanIssue naming the record — never an exception, never a lost record."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobius_tui.documents.convert import PlanOptions, plan_from_glexport
from mobius_tui.manage.models import GLExport

IDS = {"12-adjustment": 31, "7-transfer": [32, 33], "8-transfer": 34}


def _only_issue(plan, number: str):
    assert number not in [d.origin.number for d in plan.documents]
    issues = [i for i in plan.issues if i.origin is not None and i.origin.number == number]
    assert issues, plan.issues
    for issue in issues:
        assert issue.what and issue.fix
    return issues


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("accountNumber", None, "has no accounts receivable account"),
        ("documentDate", None, "has no date"),
        ("documentDate", "25/04/2025", "has no valid date ('25/04/2025')"),
        ("total", None, "has no total"),
        ("companyAccountNumber", None, "customer Beta Corp has no account number"),
        ("glEntryIds", "5101,x", "has unreadable glEntryIds '5101,x': 'x' is not a GL entry id"),
    ],
)
def test_bad_header_field(export, raw, field, value, expected):
    data = raw("invoices")
    cm = data["transactions"][1]
    if value is None:
        del cm[field]
    else:
        cm[field] = value
    plan = plan_from_glexport(export(data))
    (issue,) = _only_issue(plan, "CM1002")
    assert issue.what == expected
    assert len(plan.documents) == 5  # the other invoices are unaffected


def test_missing_document_number_names_the_record_by_id(export, raw):
    data = raw("invoices")
    del data["transactions"][2]["documentNumber"]
    plan = plan_from_glexport(export(data))
    (issue,) = _only_issue(plan, "id 902")
    assert issue.what == "has no invoice number"
    assert issue.origin.label() == "invoice id 902"


def test_detail_without_total_or_account(export, raw):
    data = raw("invoices")
    detail = data["transactions"][0]["detail"]
    del detail[0]["total"]
    del detail[1]["accountNumber"]
    del detail[1]["productAccountNumber"]
    plan = plan_from_glexport(export(data))
    whats = [i.what for i in _only_issue(plan, "INV1001")]
    assert whats == [
        "detail line 5002 ('Ticket #1234 - set up computer') has no total",
        "line 5003 ('Laptop 14in') has no GL account",
    ]


def test_tax_line_without_any_account(export, raw):
    data = raw("invoices")
    del data["transactions"][0]["detail"][6]["accountNumber"]
    del data["transactions"][0]["taxAccountNumber"]
    (issue,) = _only_issue(plan_from_glexport(export(data)), "INV1001")
    assert issue.what == "tax line 5008 ('Level 2 Sales Tax') has no tax payable account"


def test_unbalanced_invoice_is_an_issue_with_the_difference(export, raw):
    data = raw("invoices")
    data["transactions"][2]["total"] = 510
    plan = plan_from_glexport(export(data))
    (issue,) = _only_issue(plan, "INV1003")
    assert issue.what == "does not balance: debits 510.00 and credits 500.00 differ by 10.00"
    assert "reopen it" in issue.fix


def test_no_gl_entry_ids_at_all(export, raw):
    data = raw("invoices")
    tx = data["transactions"][2]
    del tx["glEntryIds"]
    del tx["detail"][0]["id"]
    whats = [i.what for i in _only_issue(plan_from_glexport(export(data)), "INV1003")]
    assert whats == [
        "detail line 'Managed services May' has no GL entry id",
        "carries no GL entry ids, so Manage could not record it as posted",
    ]


def test_a_gl_entry_id_claimed_twice_is_posted_once(export, raw):
    data = raw("invoices")
    data["transactions"][3]["glEntryIds"] = "5201"
    plan = plan_from_glexport(export(data))
    (issue,) = _only_issue(plan, "INV1004")
    assert issue.what == "GL entry 5201 is also part of invoice INV1003"


def test_expense_bill_line_without_ids_or_total(export, raw):
    data = raw("expense_bills")
    data["expenseBills"][0]["detail"][0]["id"] = []
    del data["expenseBills"][0]["detail"][1]["total"]
    whats = [i.what for i in _only_issue(plan_from_glexport(export(data)), "EXP-JDOE-0430")]
    assert whats == ["expense line 'Taxi' carries no GL entry id", "expense line [7003] ('Hotel') has no total"]


# --- robustness: any field may be missing ----------------------------------------------------------

SECTIONS = ("transactions", "expenses", "expenseBills", "purchaseTransactions", "adjustmentTransactions")


def _all_fixtures(raw) -> dict:
    data: dict = {}
    for name in ("invoices", "expenses", "expense_bills", "purchases", "inventory"):
        for key, value in raw(name).items():
            if isinstance(value, list):
                data.setdefault(key, []).extend(value)
    return data


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _delete(data, path):
    node = data
    for step in path[:-1]:
        node = node[step]
    del node[path[-1]]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), drops=st.integers(1, 12))
def test_missing_fields_never_raise_and_every_record_is_accounted_for(raw, seed, drops):
    data = _all_fixtures(raw)
    rng = random.Random(seed)
    for _ in range(drops):
        # keep transfer ids: they decide how transfer lines group into documents
        paths = [p for p in _paths(data) if not (p[0] == "inventoryTransfers" and p[-1] == "id" and len(p) == 3)]
        _delete(data, rng.choice(paths))
    export = GLExport.model_validate_json(json.dumps(data))
    plan = plan_from_glexport(export, PlanOptions(procurement_entry_ids=IDS))

    assert not [i for i in plan.issues if "could not be read" in i.what]
    for doc in plan.documents:
        assert doc.imbalance() == 0
    records = sum(len(data.get(s) or []) for s in SECTIONS)
    records += len({t.get("id") for t in data.get("inventoryTransfers") or []})
    with_issues = {id(i.origin) for i in plan.issues if i.origin is not None}
    assert len(plan.documents) + len(with_issues) == records
    posted = [e for d in plan.documents for e in d.origin.gl_entry_ids]
    assert len(posted) == len(set(posted))


def test_a_reader_failure_on_one_record_is_an_issue_and_the_rest_convert(export, monkeypatch):
    from mobius_tui.documents import convert

    real = convert.sales_taxes

    def fail_on_credit_memos(lines, tx, customer):
        if tx.documentNumber == "CM1002":
            raise KeyError("boom")
        return real(lines, tx, customer)

    monkeypatch.setattr(convert, "sales_taxes", fail_on_credit_memos)
    plan = plan_from_glexport(export("invoices"))
    assert len(plan.documents) == 5
    (issue,) = plan.issues
    assert issue.what == "invoice CM1002 could not be read (KeyError: 'boom')"
