from mobius_tui.accounting.base import Problem, Severity
from mobius_tui.documents.model import Origin, Plan, PlanIssue, RecordKind
from mobius_tui.service.problems import describe_groups, group_problems, problems_from_plan


def origin(kind, n):
    return Origin(kind, str(n), str(n), (n,))


def test_problems_grouped_by_cause_with_counts_per_kind():
    missing = dict(cause="GL account 4100 missing in the package", fix="Add account 4100.")
    problems = [Problem(document=origin(RecordKind.INVOICE, n), **missing) for n in range(12)]
    problems += [Problem(document=origin(RecordKind.EXPENSE, 99), **missing)]
    problems += [Problem(cause="Customer C1 will be created", fix="Nothing to do.", severity=Severity.NOTICE,
                         document=origin(RecordKind.INVOICE, 1))]
    problems += [Problem(cause="Tax group GST missing", fix="Add it.", document=origin(RecordKind.INVOICE, 3))]
    # the same document twice for one cause (two lines on one account) counts once
    problems += [Problem(document=origin(RecordKind.INVOICE, 0), detail="line 2", **missing)]
    groups = group_problems(problems)
    assert [g.cause for g in groups] == [missing["cause"], "Tax group GST missing", "Customer C1 will be created"]
    first = groups[0]
    assert first.count == 13 and first.blocking
    assert first.headline() == "GL account 4100 missing in the package — 12 invoices, 1 expense"
    assert len(first.details) == 14
    assert not groups[2].blocking
    lines = describe_groups(groups, limit=3)
    assert lines[:3] == ["GL account 4100 missing in the package — 12 invoices, 1 expense", "    fix: Add account 4100.",
                         "    Invoice 0, invoice 1, invoice 2 and 10 more"]  # a list line starts with a capital


def test_plan_issues_become_problems():
    plan = Plan(issues=[PlanIssue(origin(RecordKind.INVOICE, 7), "does not balance by 0.01", "Reopen it.")])
    (problem,) = problems_from_plan(plan)
    assert problem.blocking and problem.document.number == "7" and problem.fix == "Reopen it."
