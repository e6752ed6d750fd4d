"""Inventory adjustments and transfers: move lines, locations, entry ids from the procurement map."""

from __future__ import annotations

from decimal import Decimal

from mobius_tui.documents.convert import DEFAULT_WAREHOUSE_RULE, PlanOptions, default_warehouse, plan_from_glexport
from mobius_tui.documents.model import DocumentKind, InventoryAdjustment, InventoryTransfer, Posting, Warehouse
from mobius_tui.manage.models import GLExport
from mobius_tui.manage.models import Warehouse as ManageWarehouse

IDS = {"12-adjustment": 31, "7-transfer": [32, 33], "8-transfer": (34,)}


def test_adjustment_moves_value_between_inventory_and_the_adjustment_account(export):
    plan = plan_from_glexport(export("inventory"), PlanOptions(procurement_entry_ids=IDS))
    assert plan.issues == []
    adj = plan.documents[0]
    assert isinstance(adj, InventoryAdjustment) and adj.kind == DocumentKind.INVENTORY_ADJUSTMENT
    assert (adj.number, adj.origin.record_id, adj.origin.gl_entry_ids) == ("ADJ12", "12-adjustment", (31,))
    assert adj.origin.label() == "procurement 12-adjustment (Stock count April)"
    assert [(m.item.code, m.quantity, m.value, m.offset_account, m.item.inventory_account) for m in adj.lines] == [
        ("LAPTOP-14", Decimal(1), Decimal("900.00"), "5800", "1300"),
        ("PATCH10", Decimal(-4), Decimal("-1.00"), "5800", "1300"),
    ]
    assert adj.postings() == [
        Posting("1300", Decimal("900.00"), "Laptop found"),
        Posting("5800", Decimal("-900.00"), "Laptop found"),
        Posting("1300", Decimal("-1.00"), "Damaged cables"),
        Posting("5800", Decimal("1.00"), "Damaged cables"),
    ]
    assert adj.total == Decimal("901.00")


def test_transfer_lines_of_one_transfer_make_one_document(export):
    plan = plan_from_glexport(export("inventory"), PlanOptions(procurement_entry_ids=IDS))
    seven, eight = plan.by_kind(DocumentKind.INVENTORY_TRANSFER)
    assert isinstance(seven, InventoryTransfer)
    assert (seven.number, seven.origin.gl_entry_ids) == ("TRF7", (32, 33))
    assert [(m.item.code, m.quantity, m.value, m.from_location, m.to_location) for m in seven.lines] == [
        ("LAPTOP-14", Decimal(2), Decimal("1800.00"), "1", "2"),
        ("PATCH10", Decimal(20), Decimal("5.00"), "1", "2"),
    ]
    assert seven.imbalance() == 0 and seven.total == Decimal("1805.00")
    # Transfer 8 credits another account than it debits: both sides kept.
    assert eight.origin.gl_entry_ids == (34,)
    assert {p.account: p.amount for p in eight.postings()} == {"1320": Decimal("900.00"), "1310": Decimal("-900.00")}


def test_missing_procurement_id_is_an_issue_not_a_crash(export):
    plan = plan_from_glexport(export("inventory"), PlanOptions(procurement_entry_ids={"7-transfer": 32}))
    assert [d.number for d in plan.documents] == ["TRF7"]
    assert sorted(i.origin.record_id for i in plan.issues) == ["12-adjustment", "8-transfer"]
    for issue in plan.issues:
        assert "has no UnpostedProcurement id" in issue.what
        assert issue.fix


def test_transfer_without_location_xref_is_an_issue(export, raw):
    data = raw("inventory")
    del data["inventoryTransfers"][2]["transferToLocationXref"]
    plan = plan_from_glexport(export(data), PlanOptions(procurement_entry_ids=IDS))
    (issue,) = plan.issues
    assert issue.origin.record_id == "8-transfer"
    assert "destination warehouse location xref" in issue.what
    assert "Warehouses" in issue.fix


def test_transfer_whose_offset_differs_is_an_issue(export, raw):
    data = raw("inventory")
    data["inventoryTransfers"][1]["offset"]["total"] = -4
    plan = plan_from_glexport(export(data), PlanOptions(procurement_entry_ids=IDS))
    (issue,) = plan.issues
    assert issue.origin.record_id == "7-transfer"
    assert "does not balance" in issue.what
    assert [d.number for d in plan.by_kind(DocumentKind.INVENTORY_TRANSFER)] == ["TRF8"]


def test_adjustment_line_whose_value_runs_against_its_quantity_is_an_issue(export, raw):
    data = raw("inventory")
    data["adjustmentTransactions"][0]["adjustmentDetail"][1]["total"] = 1
    plan = plan_from_glexport(export(data), PlanOptions(procurement_entry_ids=IDS))
    (issue,) = plan.issues
    assert "moves quantity -4 but value 1.00" in issue.what


def test_procurement_ids_match_without_regard_to_case(export):
    ids = {"12-ADJUSTMENT": 31, "7-Transfer": [32, 33], "8-transfer": 34}
    plan = plan_from_glexport(export("inventory"), PlanOptions(procurement_entry_ids=ids))
    assert plan.issues == []
    assert [d.origin.gl_entry_ids for d in plan.documents] == [(31,), (32, 33), (34,)]


def test_adjustment_lines_go_to_the_default_warehouse_unless_manage_names_one() -> None:
    chosen = default_warehouse([ManageWarehouse(id=1, name="Old", locationXref="9", overallDefaultFlag=True,
                                                inactiveFlag=True),
                                ManageWarehouse(id=2, name="Main", locationXref="1", overallDefaultFlag=True),
                                ManageWarehouse(id=3, name="Depot", locationXref="2")])
    assert chosen == Warehouse("Main", "1")
    assert default_warehouse([ManageWarehouse(id=3, name="Depot", locationXref="2")]) is None
    line = {"item": {"id": 1, "identifier": "LAPTOP-14"}, "quantity": -1, "total": -850, "cost": 850,
            "inventoryAccountNumber": "1300-00", "accountNumber": "5900-00", "description": "damaged"}
    export = GLExport.model_validate({"adjustmentTransactions": [
        {"id": "7-adjustment", "documentDate": "2025-05-01T00:00:00Z", "accountNumber": "5900-00",
         "adjustmentDetail": [line, {**line, "locationXref": "2", "warehouse": {"id": 3, "name": "Depot"}}]}]})
    plan = plan_from_glexport(export, PlanOptions(procurement_entry_ids={"7-adjustment": 70}, default_warehouse=chosen))
    adjustment = plan.documents[0]
    assert isinstance(adjustment, InventoryAdjustment) and not plan.issues
    first, named = adjustment.lines
    assert (first.item.location_xref, first.warehouse, first.warehouse_rule) == ("1", "Main", DEFAULT_WAREHOUSE_RULE)
    assert (named.item.location_xref, named.warehouse, named.warehouse_rule) == ("2", "Depot", "")
    assert first.offset_account == "5900-00"
