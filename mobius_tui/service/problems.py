"""Problems from the plan and the package check, grouped by cause for the summary.

One cause ("GL account 4100 missing in the package") usually hits many documents; the user needs
the cause once, the fix once and the list of documents, not the same sentence a hundred times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mobius_tui.accounting.base import Problem, Severity
from mobius_tui.documents.model import Origin, Plan, RecordKind
from mobius_tui.service.wording import label_list

_NOUNS = {
    RecordKind.INVOICE: ("invoice", "invoices"),
    RecordKind.EXPENSE: ("expense", "expenses"),
    RecordKind.PROCUREMENT: ("inventory record", "inventory records"),
}


@dataclass
class ProblemGroup:
    cause: str
    fix: str
    severity: Severity
    documents: list[str] = field(default_factory=list)  # labels, e.g. "invoice 10452"
    details: list[str] = field(default_factory=list)  # one per problem, "" when none
    kinds: dict[str, int] = field(default_factory=dict)  # record kind → how many documents
    general: int = 0  # problems not tied to one document
    origins: list[Origin] = field(default_factory=list)  # the records concerned (e.g. to exclude them)

    @property
    def count(self) -> int:
        return len(self.documents) + self.general

    @property
    def blocking(self) -> bool:
        return self.severity == Severity.ERROR

    def headline(self) -> str:
        """"GL account 4100 missing in the package — 12 invoices"."""
        parts = []
        for kind, n in self.kinds.items():
            singular, plural = _NOUNS.get(RecordKind(kind), ("document", "documents"))
            parts.append(f"{n} {singular if n == 1 else plural}")
        return f"{self.cause} — {', '.join(parts)}" if parts else self.cause

    def to_json(self) -> dict[str, Any]:
        return {
            "cause": self.cause,
            "fix": self.fix,
            "severity": self.severity.value,
            "count": self.count,
            "headline": self.headline(),
            "documents": list(self.documents),
            "records": [{"kind": o.record_kind.value, "id": o.record_id} for o in self.origins],
            "details": list(self.details),
        }


def problems_from_plan(plan: Plan) -> list[Problem]:
    """The converter's own findings (a document that does not balance, an unreadable line)."""
    return [Problem(cause=issue.what, fix=issue.fix, document=issue.origin) for issue in plan.issues]


def group_problems(problems: list[Problem]) -> list[ProblemGroup]:
    """Groups in order of first appearance; blocking groups first."""
    groups: dict[tuple[str, str, Severity], ProblemGroup] = {}
    for problem in problems:
        key = (problem.cause, problem.fix, problem.severity)
        group = groups.get(key)
        if group is None:
            group = groups[key] = ProblemGroup(problem.cause, problem.fix, problem.severity)
        _add(group, problem.document, problem.detail)
    ordered = list(groups.values())
    return [g for g in ordered if g.blocking] + [g for g in ordered if not g.blocking]


def _add(group: ProblemGroup, origin: Origin | None, detail: str) -> None:
    group.details.append(detail)
    if origin is None:
        group.general += 1
        return
    # One entry per Manage record: two records may share a label (two receipts on one PO).
    if any((o.record_kind, o.record_id) == (origin.record_kind, origin.record_id) for o in group.origins):
        return
    label = origin.label()
    if label in group.documents:
        label = f"{label} (Manage record {origin.record_id})"
    group.documents.append(label)
    group.origins.append(origin)
    kind = origin.record_kind.value
    group.kinds[kind] = group.kinds.get(kind, 0) + 1


def describe_groups(groups: list[ProblemGroup], limit: int = 5) -> list[str]:
    """Human lines: the headline, the fix, and the first few documents."""
    lines: list[str] = []
    for group in groups:
        tag = "" if group.blocking else "note: "
        lines.append(f"{tag}{group.headline()}")
        lines.append(f"    fix: {group.fix}")
        if group.documents:
            lines.append("    " + label_list(group.documents, limit))
    return lines
