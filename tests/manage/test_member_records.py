"""The Manage sandbox serves full member records: every field ConnectWise's OpenAPI schema marks
required for a Member (a client generated from that schema refuses a record without them), only
names of the reference field list, and ``fields=`` still trims them."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from mobius_tui.manage import models as m
from tests.manage.test_client_sandbox import connect

REFERENCE = json.loads((Path(__file__).parents[1] / "data" / "manage_reference_fields.json").read_text())["Member"]
# Required in the Member schema, with the values its enums allow (None: any non-empty value).
REQUIRED = {
    "identifier": None, "firstName": None, "lastName": None, "licenseClass": {"F", "A", "C", "X"},
    "defaultEmail": {"Office", "Mobile", "Home"}, "defaultPhone": {"Office", "Mobile", "Home"}, "hireDate": None,
    "companyActivityTabFormat": {"SummaryList", "DetailList"}, "invoiceTimeTabFormat": {"SummaryList", "DetailList"},
    "invoiceScreenDefaultTabFormat": {"ShowInvoicingTab", "ShowAgreementInvoicingTab"},
    "invoicingDisplayOptions": {"RemainOnInvoicingScreen", "ShowRecentInvoices"},
    "agreementInvoicingDisplayOptions": {"RemainOnInvoicingScreen", "ShowRecentInvoices"},
}


def assert_full(record: dict) -> None:
    who = record.get("identifier")
    for name, allowed in REQUIRED.items():
        assert record.get(name) not in (None, ""), f"member {who}: no {name}"
        assert allowed is None or record[name] in allowed, f"member {who}: {name}={record[name]!r}"
    datetime.strptime(record["hireDate"], "%Y-%m-%dT%H:%M:%SZ")
    assert set(record) <= set(REFERENCE), set(record) - set(REFERENCE)
    # the rest of a full record: contact, security and time-entry setup
    assert {"securityRole", "officePhone", "timeZone", "workRole", "timeApprover", "dailyCapacity"} <= set(record)


def test_every_member_is_a_full_record(manage_sandbox):
    with manage_sandbox.client() as c:
        rows = c.get("/system/members", params={"pageSize": 1000}).raise_for_status().json()
        assert {r["licenseClass"] for r in rows} == {"F", "A"}
        for row in rows:
            assert_full(row)
        one = c.get(f"/system/members/{rows[0]['id']}").raise_for_status().json()
    assert one == rows[0]


def test_fields_still_trims_member_records(manage_sandbox):
    with manage_sandbox.client() as c:
        rows = c.get("/system/members", params={"fields": "id,identifier,defaultEmail,vendorNumber"}).json()
        one = c.get(f"/system/members/{rows[0]['id']}", params={"fields": "identifier,hireDate"}).json()
    assert rows and all(set(r) <= {"id", "identifier", "defaultEmail", "vendorNumber"} for r in rows)
    assert all({"id", "identifier", "defaultEmail"} <= set(r) for r in rows)
    assert set(one) == {"identifier", "hireDate"}


async def test_the_client_reads_every_field_of_a_full_record(manage_sandbox):
    async with connect(manage_sandbox) as manage:
        members = await manage.members()
    assert members and all(isinstance(mb, m.Member) and not mb.model_extra for mb in members)
    for mb in members:
        assert_full(m.to_wire(mb))
