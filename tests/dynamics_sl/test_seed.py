"""The sandbox SL company holds the dataset's books: every terms id and tax id the Manage sandbox
uses, and a value SL cannot hold is left out and listed in ``mismatches``."""

from __future__ import annotations

from dataclasses import replace

from mobius_tui.sandbox.dataset import generate
from mobius_tui.sandbox.dynamics_sl import create_sandbox_company


def test_the_default_dataset_fits_sl_completely(templates):
    company = templates("sqlite")
    assert company.mismatches == []
    books = generate().accounting_seed()
    with company.session() as s:
        terms = {r["termsid"] for r in s.rows("SELECT TermsId FROM Terms")}
        taxes = {r["taxid"] for r in s.rows("SELECT TaxId FROM SalesTax WHERE TaxType = 'T'")}
        customers = {r["custid"] for r in s.rows("SELECT CustId FROM Customer")}
        default_terms = {r["terms"] for r in s.rows("SELECT Terms FROM CustClass")}
    assert terms == {t.terms_xref for t in books.terms} == {"30", "15", "01", "10"}
    assert taxes == {t.agency_xref for t in books.taxes} and "TX-COMPT" in taxes
    assert customers == {c.account_number for c in books.customers}
    assert default_terms <= terms


def test_values_sl_cannot_hold_are_left_out_and_listed(tmp_path):
    dataset = generate()
    bad_terms = [replace(dataset.terms[0], terms_xref="NET30"), *dataset.terms[1:]]
    bad_taxes = [replace(tc, levels=tuple(replace(lvl, agency_xref="TX-COMPTROLLER") for lvl in tc.levels))
                 if tc.identifier == "TX" else tc for tc in dataset.tax_codes]
    dataset = replace(dataset, terms=bad_terms, tax_codes=bad_taxes, _index={})
    company = create_sandbox_company("sqlite", directory=tmp_path, dataset=dataset)
    assert len(company.mismatches) == 2
    assert "terms xref 'NET30' (Net 30) is not an SL Terms ID" in company.mismatches[0]
    assert "agency xref 'TX-COMPTROLLER' is longer than an SL Tax ID (10)" in company.mismatches[1]
    with company.session() as s:
        assert s.scalar("SELECT COUNT(*) FROM Terms WHERE TermsId = 'NE'") == 0
        assert {r["termsid"] for r in s.rows("SELECT TermsId FROM Terms")} == {"15", "01", "10"}
        assert s.scalar("SELECT COUNT(*) FROM SlsTaxGrp WHERE GroupID = 'TX'") == 0

