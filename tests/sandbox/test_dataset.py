from __future__ import annotations

from decimal import Decimal

from mobius_tui.sandbox.dataset import LONG_DESCRIPTION, generate


def test_deterministic() -> None:
    a, b = generate(11, 80), generate(11, 80)
    assert a.invoices == b.invoices and a.expenses == b.expenses and a.procurements == b.procurements
    assert generate(12, 80).invoices != a.invoices


def test_contents_cover_every_kind() -> None:
    ds = generate(7, 60)
    assert {i.type for i in ds.invoices} == {"Standard", "Agreement", "Miscellaneous", "DownPayment", "CreditMemo",
                                              "Progress"}
    assert {i.currency for i in ds.invoices} == {"CAD", "USD"}
    assert {p.type for p in ds.procurements} == {"Purchase", "Adjustment", "Transfer"}
    purchases = [p for p in ds.procurements if p.type == "Purchase"]
    assert any(p.vendor_invoice_number for p in purchases) and any(not p.vendor_invoice_number for p in purchases)
    assert {pt.type_xref for pt in ds.product_types} == {"InventoryPart", "NonInventoryPart", "OtherCharge", "Service"}
    assert len(ds.warehouses) == 2 and len({w.location_xref for w in ds.warehouses}) == 2
    assert len(ds.locations) >= 2
    assert all("-" in a.number for a in ds.accounts)
    assert {e.classification for e in ds.expenses} >= {"Reimbursable", "NonReimbursable"}
    lines = [ln for i in ds.invoices for ln in i.lines]
    assert any(ln.amount == 0 for ln in lines)
    assert any(ln.description == LONG_DESCRIPTION and len(ln.description) == 6000 for ln in lines)
    assert any("É" in c.name or "é" in c.name for c in ds.companies) and any("'" in c.name for c in ds.companies)
    assert any(c.vendor_identifier is None for c in ds.companies if c.is_vendor)


def test_taxes_multi_level_piggyback_and_exempt() -> None:
    ds = generate(7, 200)
    codes = {tc.identifier: tc for tc in ds.tax_codes}
    assert codes["EXEMPT"].exempt and codes["TX"].country == "United States" and len(codes["TX"].levels) == 1
    pe = codes["PE"]
    assert pe.piggyback
    (gst, base1, tax1), (pst, base2, tax2) = pe.taxes(Decimal("100.00"))
    assert (tax1, base2, tax2) == (Decimal("5.00"), Decimal("105.00"), Decimal("10.50"))
    assert [t for _, _, t in codes["BC"].taxes(Decimal("100.00"))] == [Decimal("5.00"), Decimal("7.00")]
    for inv in ds.invoices:
        tc = ds.tax_code(inv.tax_code_id)
        base = sum((ln.amount for ln in inv.lines if ln.taxable), Decimal(0))
        assert [t.amount for t in inv.taxes] == ([] if tc.exempt else [t for _, _, t in tc.taxes(base)])
        assert inv.total == inv.subtotal + inv.tax_total
        assert (inv.total < 0) == inv.is_credit or inv.total == 0
    entry_ids = [e for d in (*ds.invoices, *ds.expenses, *ds.procurements) for e in d.entry_ids]
    assert len(entry_ids) == len(set(entry_ids))


def test_seed_for_packages_leaves_out_exactly_the_missing_mappings() -> None:
    ds = generate(7, 60)
    kinds = {mm.kind for mm in ds.missing_mappings}
    assert kinds == {"customer", "vendor", "account", "item"}
    full, partial = ds.accounting_seed(include_missing=True), ds.accounting_seed()
    missing = {(mm.kind, mm.key) for mm in ds.missing_mappings if not mm.in_manage}
    assert {("customer", c.account_number) for c in full.customers} - {
        ("customer", c.account_number) for c in partial.customers} == {k for k in missing if k[0] == "customer"}
    assert {a.number for a in full.accounts} - {a.number for a in partial.accounts} == {
        k for kind, k in missing if kind == "account"}
    assert {i.identifier for i in full.items} - {i.identifier for i in partial.items} == {
        k for kind, k in missing if kind == "item"}
    assert all(mm.documents for mm in ds.missing_mappings), "every missing mapping breaks some document"
    assert {v.source for v in partial.vendors} == {"company", "member"}
    assert any(t.charged_on_previous_levels for t in partial.taxes)
    assert {loc.location_xref for loc in partial.locations} == {"1", "2"}


def test_large_sizes() -> None:
    ds = generate(5, 10_000)
    assert len(ds.invoices) == 10_000 and len(ds.expenses) == 5_000 and len(ds.procurements) == 3_333
