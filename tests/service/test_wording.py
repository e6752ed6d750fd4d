"""Document labels where they open a sentence or a list line."""

from mobius_tui.documents.model import Origin, RecordKind
from mobius_tui.service import events as ev
from mobius_tui.service.runlog import describe
from mobius_tui.service.wording import capitalised, label_list


def test_a_label_is_capitalised_only_at_its_first_letter():
    label = Origin(RecordKind.INVOICE, "1", "inv-10001", (1,)).label()
    assert label == "invoice inv-10001"  # the data stays as it is, for use inside sentences
    assert capitalised(label) == "Invoice inv-10001"
    assert capitalised("") == "" and capitalised("123 items") == "123 items"


def test_a_list_of_labels_reads_as_a_line_of_its_own():
    labels = [f"expense E{n}" for n in range(8)]
    assert label_list(labels[:2]) == "Expense E0, expense E1"
    assert label_list(labels) == "Expense E0, expense E1, expense E2, expense E3, expense E4 and 3 more"
    assert label_list(labels, limit=8) == label_list(labels, limit=20)
    assert label_list([]) == ""


def test_the_run_log_lists_a_failed_check_with_capitalised_labels():
    lines = describe(ev.CheckFailed([{"headline": "GL account 4100 missing", "fix": "Add it.",
                                      "documents": ["invoice 1", "invoice 2"]}]))
    assert lines == ["check failed:", "  GL account 4100 missing", "      fix: Add it.", "      Invoice 1, invoice 2"]
