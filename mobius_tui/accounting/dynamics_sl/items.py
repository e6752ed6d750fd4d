"""Manage products SL does not have yet, created as SL items (seed 002: "Create Products"; the SL login
needs the Inventory Items and Unit Conversions screens for it).

What each Manage product type becomes (the Inventory columns are the reference's; the codes the
reference leaves open are chosen here and noted):

* Inventory Part -> a stock item (StkItem 1), valued at average cost (ValMthd 'A': Manage itself
  costs stock at average), with an ItemSite row at every site the run's documents use it at, so its
  receipts, sales, adjustments and transfers find it there. Not lot/serial tracked (LotSerTrack
  'NN'): Manage's serial numbers are not sent as SL lot/serial rows.
* Non-Inventory Part and Other Charge -> a non-stock item (StkItem 0), cost user-specified on each
  document (ValMthd 'U'; SL's code for non-stock items is UNCONFIRMED).
* Service -> a non-stock item like the above; SL's Inventory table has no column of the reference
  that marks a service, so the difference is only in its description's type note in the notice.
* A product that only an inventory adjustment or transfer names (GLExport gives those lines no type)
  -> a stock item: only stock moves between sites or is adjusted.

Units: the item's stocking, sales and purchase unit are all the Manage unit of measure (cut to SL's
six characters; "EA" when Manage sends none), so no document line ever converts units. A unit SL has no global conversion of
gets an item-level conversion to itself (INUnit UnitType '3', factor 1), as SL's Unit Conversions
screen requires one for every unit an item uses (UnitType codes '1' global / '3' item: UNCONFIRMED).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from mobius_tui.accounting.dynamics_sl.codes import WIDTH
from mobius_tui.accounting.dynamics_sl.reference import SLReference
from mobius_tui.documents.model import (
    Document,
    InventoryAdjustment,
    InventoryTransfer,
    ItemRef,
    ItemType,
    Plan,
    PurchaseDocument,
    SalesDocument,
)

UNIT_WIDTH = 6
DEFAULT_UNIT = "EA"
KNOWN_TYPES = {ItemType.INVENTORY_PART: "a stock item (Manage inventory part)",
               ItemType.NON_INVENTORY_PART: "a non-stock item (Manage non-inventory part)",
               ItemType.OTHER_CHARGE: "a non-stock item (Manage other charge)",
               ItemType.SERVICE: "a non-stock service item (Manage service)"}


@dataclass
class NewItem:
    code: str
    description: str
    item_type: ItemType | str  # "" when only adjustments / transfers name it
    unit: str
    cost_account: str = ""
    inventory_account: str = ""
    revenue_account: str = ""
    sites: list[str] = field(default_factory=list)  # stock items: where the run uses it, first = default
    documents: list[Document] = field(default_factory=list)  # that use it, in plan order

    @property
    def stock_unit(self) -> str:
        return self.unit or DEFAULT_UNIT

    @property
    def stock(self) -> bool:
        return self.item_type in (ItemType.INVENTORY_PART, "")

    @property
    def known_type(self) -> bool:
        return self.item_type == "" or self.item_type in KNOWN_TYPES

    def created_as(self) -> str:
        return KNOWN_TYPES.get(self.item_type, "a stock item (moved between Manage warehouses)")  # type: ignore[arg-type]


def _uses(doc: Document, ref: SLReference) -> Iterable[tuple[ItemRef, str, str]]:
    """(item, site, revenue account) of each item line; the site only where stock moves."""
    from mobius_tui.accounting.dynamics_sl.check import adjustment_site

    if isinstance(doc, SalesDocument):
        for line in doc.lines:
            if line.item is not None:
                yield line.item, line.item.location_xref if line.item.is_inventory else "", line.account
    elif isinstance(doc, PurchaseDocument):
        for line in doc.lines:
            if line.item is not None:
                yield line.item, line.item.location_xref if line.item.is_inventory else "", ""
    elif isinstance(doc, InventoryAdjustment):
        for move in doc.lines:
            yield move.item, adjustment_site(move, ref), ""
    elif isinstance(doc, InventoryTransfer):
        for move in doc.lines:
            yield move.item, move.from_location, ""
            yield move.item, move.to_location, ""


def new_items(docs: Iterable[Document], plan: Plan, ref: SLReference) -> dict[str, NewItem]:
    """Every product the documents use that SL lacks and that fits an SL Inventory ID, by code."""
    found: dict[str, NewItem] = {}
    for doc in docs:
        for item, site, revenue in _uses(doc, ref):
            code = item.code
            if not code or code in ref.items or len(code) > WIDTH["InvtID"]:
                continue
            new = found.get(code)
            if new is None:
                new = found[code] = NewItem(code, item.description or code, item.item_type,
                                            item.unit_of_measure[:UNIT_WIDTH].strip())
            if item.item_type and not new.item_type:
                new.item_type = item.item_type
            for name, value in (("description", item.description), ("unit", item.unit_of_measure[:UNIT_WIDTH].strip()),
                                ("cost_account", item.cost_account), ("inventory_account", item.inventory_account),
                                ("revenue_account", revenue)):
                if value and (not getattr(new, name) or (name == "description" and new.description == code)):
                    setattr(new, name, value)
            if site and site not in new.sites:
                new.sites.append(site)
            if not new.documents or new.documents[-1] is not doc:
                new.documents.append(doc)
    for record in plan.items:  # the plan's item records fill what the lines left out
        new = found.get(record.code)
        if new is not None:
            new.revenue_account = new.revenue_account or record.revenue_account
            new.cost_account = new.cost_account or record.cost_account
            new.inventory_account = new.inventory_account or record.inventory_account
    return found


def items_of(doc: Document) -> set[str]:
    """The item codes a document uses (its post needs each of them in SL)."""
    if isinstance(doc, SalesDocument | PurchaseDocument):
        return {line.item.code for line in doc.lines if line.item is not None}
    if isinstance(doc, InventoryAdjustment | InventoryTransfer):
        return {move.item.code for move in doc.lines}
    return set()
