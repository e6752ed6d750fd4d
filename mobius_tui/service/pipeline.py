"""The steps every posting use case shares: plan → check → duplicate guard → post → record.

New batch, rerun and finish differ only in where the GLExport comes from and whether a Manage
batch is recorded; the steps in between, and what is journaled when, live here once.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from mobius_tui.accounting.base import Existing, PostResult, PostStatus, Problem
from mobius_tui.documents.convert import (
    PlanOptions, PlanReader, PurchaseNumberSource, default_warehouse, plan_from_glexport,
)
from mobius_tui.documents.model import Document, Plan
from mobius_tui.manage.client import Watch
from mobius_tui.manage.models import CreateAccountingBatchRequest, GLExport, GLExportCustomer
from mobius_tui.service import doc_codec
from mobius_tui.service import events as ev
from mobius_tui.service.context import Context, crash_point
from mobius_tui.service.events import Outcome
from mobius_tui.service.journal import JournalDocument
from mobius_tui.service.problems import ProblemGroup, group_problems, problems_from_plan
from mobius_tui.service.reports import (
    ByCurrency, DocumentResult, DocumentState, PlanSummary, RunReport, batch_amount, by_currency, document_label,
    named_currency,
)
from mobius_tui.service.runlog import RunLog
from mobius_tui.service.secrets import redact
from mobius_tui.service.wording import counted, format_totals

_STATE = {PostStatus.POSTED: DocumentState.POSTED, PostStatus.FAILED: DocumentState.FAILED, PostStatus.SKIPPED: DocumentState.SKIPPED,
          PostStatus.WRITTEN: DocumentState.WRITTEN}


PLAN_OPTION_FIELDS = ("purchase_number_source", "strip_invoice_prefix", "add_invoice_prefix", "keep_zero_lines",
                      "home_currency")


def plan_options(ctx: Context, procurement_entry_ids: dict[str, Any]) -> PlanOptions:
    chosen = {k: v for k, v in ctx.profile.plan_options.items() if k in PLAN_OPTION_FIELDS}
    if "purchase_number_source" in chosen:
        chosen["purchase_number_source"] = PurchaseNumberSource(chosen["purchase_number_source"])
    return PlanOptions(procurement_entry_ids=procurement_entry_ids, **chosen)


@cache
def converter_fields() -> frozenset[str] | None:
    """The GLExport field names a run reads: every word in the converter's sources (documents/)
    and this module's, so a field read anywhere there is kept, also after they change; and the
    customer record whole (its tax fields are read by names built at run time). None (keep all)
    when the sources cannot be read (a frozen build)."""
    import mobius_tui.documents as documents

    words: set[str] = set(GLExportCustomer.model_fields)
    try:
        for source in [*Path(documents.__file__).parent.glob("*.py"), Path(__file__)]:
            words.update(re.findall(r"[A-Za-z_]\w*", source.read_text(encoding="utf-8")))
    except OSError:
        return None
    return frozenset(words) if len(words) > len(GLExportCustomer.model_fields) else None


def inventory_product_ids(export: GLExport) -> list[str]:
    """The ``unpostedProductId`` of every adjustment and transfer (GLExport lacks their entry ids)."""
    found = [a.id for a in export.adjustmentTransactions or []] + [t.id for t in export.inventoryTransfers or []]
    return sorted({str(pid) for pid in found if pid})


async def build_plan(ctx: Context, export: GLExport, *, rerun: bool = False, reader: PlanReader | None = None) -> Plan:
    """The converter, with the profile's plan options and the entry ids of inventory records;
    ``reader``: the one that converted invoices while the export was read.

    A rerun records no Manage batch, so its (already batched) inventory records need no ids.
    """
    product_ids = inventory_product_ids(export)
    entry_ids: dict[str, Any] = {}
    if product_ids and rerun:
        entry_ids = {pid: () for pid in product_ids}
    elif product_ids:
        for row in await ctx.manage.unposted_procurement(product_ids=product_ids):
            if row.unpostedProductId and row.id is not None:
                entry_ids.setdefault(row.unpostedProductId, []).append(int(row.id))
    options = plan_options(ctx, entry_ids)
    if export.adjustmentTransactions:  # their lines name no warehouse: Manage's default one is theirs
        options = replace(options, default_warehouse=default_warehouse(await ctx.manage.warehouses()))
    return reader.plan(export, options) if reader is not None else plan_from_glexport(export, options)


def same_numbers(plan: Plan, posted: Mapping[str, tuple[str, tuple[int, ...]]] | None = None) -> list[Problem]:
    """Two different Manage records that would carry the same number in the package: the package
    tells documents apart by number, so one would overwrite, duplicate or be taken for the other.
    Numbers are compared as the packages compare them (case and outer spaces ignored). ``posted``
    (``Journal.posted_under``): a document posted before under the same number from other GL
    entries is another record, which the duplicate guard would take for this one and skip."""
    seen: dict[tuple[str, str], Document] = {}
    out: list[Problem] = []
    for doc in plan.documents:
        first = seen.setdefault((doc.kind.value, doc.number.strip().casefold()), doc)
        if first is not doc:
            out.append(Problem(
                cause=f"Two documents would be numbered {doc.number} in the package",
                fix="Give each record its own number in Manage: the package tells documents apart by number only.",
                document=doc.origin,
                detail=f"also {first.origin.label()}",
            ))
        batch, entries = (posted or {}).get(doc.key, ("", ()))
        if entries and doc.origin.gl_entry_ids and set(entries).isdisjoint(doc.origin.gl_entry_ids):
            out.append(Problem(
                cause="Another Manage record was posted before under the same number",
                fix="The package would take this record for that one and skip it: give it a number of its own in "
                    "Manage, or enter it in the package by hand and leave it out of this batch.",
                document=doc.origin,
                detail=f"{doc.number}: batch {batch or '(none)'}, GL entries {', '.join(map(str, entries[:6]))}",
            ))
    return out


@dataclass
class Checked:
    plan: Plan
    reference: Any
    groups: list[ProblemGroup]
    duplicates: dict[str, str] = field(default_factory=dict)  # document key → package reference
    to_post: list[Document] = field(default_factory=list)
    # Documents whose duplicate check is still running (``duplicate_guard(ahead=True)``): ``parts``
    # hands them over part by part while ``post`` posts the ones already cleared.
    unchecked: list[Document] = field(default_factory=list)
    parts: AsyncIterator[tuple[list[Document], Existing]] | None = None
    force: bool = False
    home_currency: str = ""  # the books' own currency (``AccountingPackage.home_currency``)

    @property
    def blocked(self) -> bool:
        return any(g.blocking for g in self.groups)


async def export_and_check(ctx: Context, read: Callable[[Watch], Awaitable[GLExport]], log: RunLog, *,
                           rerun: bool = False) -> Checked:
    """The export ``read(watch)`` reads from Manage, planned and checked. Its invoices are
    converted while the rest arrives (``watch``, for ``ManageClient.export``: see ``PlanReader``).
    The package's reference needs nothing of the export, so it is read meanwhile; it is stopped if
    the export fails."""
    reader = PlanReader(plan_options(ctx, {}))
    reference = asyncio.ensure_future(ctx.adapter.reference())
    try:
        export = await read(reader.watch)
        return await plan_and_check(ctx, export, log, rerun=rerun, reference=reference, reader=reader)
    finally:
        reference.cancel()  # a no-op once it is done; its failure, if nobody awaited it, is dropped here
        await asyncio.gather(reference, return_exceptions=True)


async def plan_and_check(ctx: Context, export: GLExport, log: RunLog, *, rerun: bool = False,
                         reference: Awaitable[Any] | None = None, reader: PlanReader | None = None) -> Checked:
    """``reference``: the read already started (``export_and_check``); read here when None."""
    log(ev.Progress("plan", 0, 1))
    plan = await build_plan(ctx, export, rerun=rerun, reader=reader)
    log(ev.Progress("plan", 1, 1))
    log(ev.LogLine(f"{counted(len(plan.documents), 'document')} planned"))
    log(ev.Progress("check", 0, 1))
    reference = await (reference if reference is not None else ctx.adapter.reference())
    log.home_currency = ctx.adapter.home_currency(reference)
    posted = ctx.journal.posted_under(ctx.target, (d.key for d in plan.documents)) if ctx.journal_exists() else {}
    problems = problems_from_plan(plan) + same_numbers(plan, posted) + list(ctx.adapter.check(plan, reference))
    groups = group_problems(problems)
    log(ev.Progress("check", 1, 1))
    for group in groups:
        if not group.blocking:
            log(ev.LogLine(f"{group.headline()}. {group.fix}", ev.Level.WARNING))
    if any(g.blocking for g in groups):
        log(ev.CheckFailed([g.to_json() for g in groups if g.blocking]))
    return Checked(plan, reference, groups, home_currency=log.home_currency)


async def duplicate_guard(ctx: Context, checked: Checked, log: RunLog, *, force: bool, ahead: bool = False) -> None:
    """Fill ``to_post`` and ``duplicates``: documents the package already holds are skipped unless forced.

    ``ahead``: await only the first part of the check; the rest answers while ``post`` posts what is
    cleared (``checked.unchecked`` until then). A failure of the first part raises before anything
    is journaled, as a failure of the whole check does."""
    docs = checked.plan.documents
    checked.force = force
    log(ev.Progress("duplicates", 0, len(docs)))
    if not docs:
        return
    parts = ctx.adapter.existing_in_parts(docs)
    settled: set[str] = set()
    async for part, existing in parts:
        _settle(checked, part, existing.found, log)
        settled.update(d.key for d in part)
        log(ev.Progress("duplicates", len(settled), len(docs)))
        if ahead and len(settled) < len(docs):
            checked.unchecked = [d for d in docs if d.key not in settled]
            checked.parts = parts
            return


def _settle(checked: Checked, part: Sequence[Document], found: dict[str, str], log: RunLog) -> list[Document]:
    """Sort one part of the duplicate check into ``to_post`` and ``duplicates``; the ones to post."""
    if found and checked.force:
        log(ev.LogLine(f"{counted(len(found), 'document')} already in the package will be posted again (forced)", ev.Level.WARNING))
        clear = list(part)
    else:
        checked.duplicates.update(found)
        clear = [d for d in part if d.key not in found]
        for doc in part:
            if doc.key in found:
                log(ev.LogLine(f"{document_label(doc)} is already in the package as {found[doc.key]}; skipped", ev.Level.WARNING))
    checked.to_post.extend(clear)
    return clear


def duplicate_results(checked: Checked) -> list[DocumentResult]:
    """The documents the duplicate guard found in the package, for a dry run's report."""
    posting = {d.key for d in checked.to_post}
    return [
        DocumentResult(doc.key, document_label(doc), DocumentState.DUPLICATE, batch_amount(doc), checked.duplicates[doc.key],
                       currency=doc.currency)
        for doc in checked.plan.documents
        if doc.key in checked.duplicates and doc.key not in posting
    ]


UNCHECKED = "not posted: the run stopped before the package said whether it already holds it"


def currency_only(doc: Document, home_currency: str) -> str:
    """The stored body of a document the run will not hand to the package as it stands: only its
    currency (as ``doc_codec.currency_of`` reads it), so the run's totals stay per currency."""
    return _currency_body(doc.currency, home_currency)


@cache  # a run has a few currencies and up to 10,000s of documents still being checked at its start
def _currency_body(currency: str, home_currency: str) -> str:
    return json.dumps({"currency": currency} if currency else {doc_codec.HOME: home_currency})


def journal_documents(checked: Checked) -> list[JournalDocument]:
    """What the journal holds when posting starts. A document still being checked for duplicates
    is NOT_POSTED until its check clears it (then PLANNED, before it is handed to the package): a
    run stopped before that never sent it, and finishing the run must not count it as posted
    because the package holds it from before. Only a document that may be handed to the package
    is stored whole (to ask the package about it after a crash); one still being checked gets
    its body when its check clears it (``_record_cleared``), so encoding them all does not hold
    up the first post."""
    out = []
    posting = {d.key for d in checked.to_post}
    unchecked = {d.key for d in checked.unchecked}
    for doc in checked.plan.documents:
        dup = checked.duplicates.get(doc.key)
        state = DocumentState.PLANNED
        if dup is not None and doc.key not in posting:
            state = DocumentState.DUPLICATE
        elif doc.key in unchecked:
            state = DocumentState.NOT_POSTED
        out.append(
            JournalDocument(
                key=doc.key,
                label=document_label(doc),
                amount=batch_amount(doc),
                gl_entry_ids=tuple(doc.origin.gl_entry_ids),
                state=state,
                reference=dup or "",
                error=UNCHECKED if state == DocumentState.NOT_POSTED else "",
                body=(currency_only(doc, checked.home_currency) if state == DocumentState.NOT_POSTED
                      else doc_codec.dumps(doc, checked.home_currency)),
            )
        )
    return out


async def post(ctx: Context, run_id: str, checked: Checked, log: RunLog) -> None:
    """Post ``checked.to_post``, and the documents of ``checked.unchecked`` as their duplicate check
    clears them. Each result is on disk in the journal before the run goes on with it (its event,
    the Manage batch): the results that arrived together are written in one transaction, off the
    event loop, while the package goes on posting."""
    pending = {d.key: d for d in checked.to_post}
    answered = posted = 0
    log(ev.Progress("post", 0, len(checked.to_post) + len(checked.unchecked)))
    stream = _cleared(ctx, run_id, checked, log, pending)
    arrived: asyncio.Queue[PostResult | None] = asyncio.Queue()

    async def receive() -> None:
        try:
            async for result in ctx.adapter.post_stream(checked.plan, stream, checked.reference):
                arrived.put_nowait(result)
        finally:
            arrived.put_nowait(None)

    receiver = asyncio.ensure_future(receive())
    try:
        ended = False
        while not ended:
            results = [await arrived.get()]
            while not arrived.empty():
                results.append(arrived.get_nowait())
            ended = results[-1] is None
            settled: list[tuple[Document, DocumentState, PostResult]] = []
            for result in results:
                if result is None:
                    continue
                doc = pending.pop(result.document_key, None)
                if doc is None:
                    log(ev.LogLine(f"the package reported an unknown or repeated document {result.document_key}", ev.Level.WARNING))
                    continue
                settled.append((doc, _STATE.get(result.status, DocumentState.FAILED), result))
            if settled:
                await asyncio.to_thread(ctx.journal.record_results, run_id, [
                    (doc.key, state, result.reference, redact(result.error, ctx.redact)) for doc, state, result in settled])
            for doc, state, result in settled:
                answered += 1
                if state == DocumentState.POSTED:
                    posted += 1
                    log(ev.DocumentPosted(doc.key, document_label(doc), result.reference, batch_amount(doc),
                                          doc.currency or log.home_currency))
                    crash_point("after-post", posted)
                elif state == DocumentState.WRITTEN:  # in the books once imported: finish settles it
                    log(ev.LogLine(f"{document_label(doc)} written for import to {result.reference}"))
                else:
                    log(ev.DocumentFailed(doc.key, document_label(doc), result.error or "not posted"))
            if settled:
                log(ev.Progress("post", answered, answered + len(pending) + len(checked.unchecked)))
        await receiver  # the package's own failure, if any, surfaces here
    except Exception as exc:  # the adapter must not raise; if it does, what is unknown is looked up below
        log(ev.LogLine(f"the package stopped answering while posting ({type(exc).__name__}: {exc})", ev.Level.ERROR))
    finally:
        receiver.cancel()
        await asyncio.gather(receiver, return_exceptions=True)
        await stream.aclose()
        if checked.parts is not None:  # never started when the package failed before asking for a document
            await checked.parts.aclose()
    if pending:
        await resolve_unrecorded(ctx, run_id, list(pending.values()), log)


async def _cleared(ctx: Context, run_id: str, checked: Checked, log: RunLog,
                   pending: dict[str, Document]) -> AsyncIterator[Document]:
    """The documents to post, as the duplicate check clears them: first those cleared before the
    journal was started, then each part of ``checked.parts``, journaled PLANNED with its body (or
    DUPLICATE) in one transaction before any of it is handed over. A part that cannot be checked
    is not posted."""
    for doc in list(checked.to_post):
        yield doc
    if checked.parts is None:
        return
    total = len(checked.plan.documents)
    try:
        async for part, existing in checked.parts:
            clear = _settle(checked, part, existing.found, log)
            await asyncio.to_thread(_record_cleared, ctx, run_id, checked, part, clear)
            done = set(map(id, part))  # by identity: a key is built anew on each call
            checked.unchecked = [d for d in checked.unchecked if id(d) not in done]
            log(ev.Progress("duplicates", total - len(checked.unchecked), total))
            for doc in clear:
                pending[doc.key] = doc
            for doc in clear:
                yield doc
    except Exception as exc:
        left = checked.unchecked
        checked.unchecked = []
        why = f"not posted: the package could not say whether it already holds it ({type(exc).__name__}: {exc})"
        log(ev.LogLine(f"{counted(len(left), 'document')} not posted: the package could not say whether it already "
                       f"holds them ({type(exc).__name__}: {exc}); they stay unposted in Manage for the next run",
                       ev.Level.ERROR))
        try:
            await asyncio.to_thread(ctx.journal.record_results, run_id,
                                    [(d.key, DocumentState.NOT_POSTED, "", redact(why, ctx.redact)) for d in left])
        except Exception:  # noqa: BLE001 - they are NOT_POSTED from the start: only the reason is lost
            pass
    finally:
        await checked.parts.aclose()


def _record_cleared(ctx: Context, run_id: str, checked: Checked, part: Sequence[Document],
                    clear: Sequence[Document]) -> None:
    """Journal a part whose duplicate check answered: those to post PLANNED and stored whole, the
    others DUPLICATE. Run in a worker thread: encoding the bodies stays off the event loop that is
    posting the documents cleared before."""
    bodies = {d.key: doc_codec.dumps(d, checked.home_currency) for d in clear}
    ctx.journal.record_results(run_id, [
        (d.key, DocumentState.PLANNED, "", "") if d.key in bodies
        else (d.key, DocumentState.DUPLICATE, checked.duplicates[d.key], "") for d in part], bodies)


async def resolve_unrecorded(ctx: Context, run_id: str, documents: Sequence[Document], log: RunLog, *,
                             import_done: bool = False) -> None:
    """Documents with no recorded result, or written to an import file: ask the package whether it
    holds them. Never posts.

    A document without a result that the package lacks was not posted. One written for import that
    the package lacks is waiting for the user to import the file, and stays so until ``import_done``
    says the import is over (then what the package lacks was refused or left out: not posted)."""
    if not documents:
        return
    try:
        existing = await ctx.adapter.existing(list(documents))
    except Exception as exc:
        log(ev.LogLine(
            f"could not ask the package about {counted(len(documents), 'document')} whose result is unknown "
            f"({type(exc).__name__}: {exc}); finish the run later", ev.Level.ERROR))
        return
    written = {d.key: d.reference for d in ctx.journal.documents(run_id, (DocumentState.WRITTEN,), bodies=False)}
    waiting = 0
    for doc in documents:
        if doc.key in existing:
            ctx.journal.record_result(run_id, doc.key, DocumentState.POSTED, existing.found[doc.key])
            how = "imported" if doc.key in written else "in the package"
            log(ev.LogLine(f"{document_label(doc)} is {how} as {existing.found[doc.key]}: counted as posted"))
        elif doc.key in written and not import_done:
            waiting += 1
        elif doc.key in written:
            why = f"not imported from {written[doc.key]} (the package refused it or it was left out of the import)"
            ctx.journal.record_result(run_id, doc.key, DocumentState.NOT_POSTED, written[doc.key], why)
            log(ev.DocumentFailed(doc.key, document_label(doc), why))
        else:
            ctx.journal.record_result(run_id, doc.key, DocumentState.NOT_POSTED, error="not in the package")
            log(ev.DocumentFailed(doc.key, document_label(doc), "not in the package (its posting never completed)"))
    if waiting:
        log(ev.LogLine(f"{counted(waiting, 'document')} written for import not in the package yet: waiting for the import"))


def unresolved_documents(ctx: Context, run_id: str) -> list[Document]:
    """The run's documents it still waits for: no result recorded, or written for import and not yet
    found in the package. While there are any, the run stays unfinished and records no Manage batch."""
    waiting = (DocumentState.PLANNED, DocumentState.WRITTEN)
    return [doc_codec.loads(d.body) for d in ctx.journal.documents(run_id, waiting)]


def import_instructions(ctx: Context, run_id: str) -> str:
    """What the user does next for a run whose documents wait in import files ("" when none do)."""
    files = list(dict.fromkeys(d.reference for d in ctx.journal.documents(run_id, (DocumentState.WRITTEN,), bodies=False)))
    if not files:
        return ""
    steps = "; ".join(ctx.adapter.import_steps(f) for f in files)
    return (f"{steps}; then finish run {run_id} ('mobius-tui finish {run_id}'): it records the Manage batch with "
            "exactly the documents found in the books")


class ForeignBatch(RuntimeError):
    """Manage holds a batch with the run's batch identifier that another run created: recording it
    as this run's would leave the run's posted GL entries unbatched, to be exported and posted again."""

    def __init__(self, run_id: str, batch_identifier: str, batch_id: int) -> None:
        self.batch_identifier = batch_identifier
        self.batch_id = batch_id
        suggestion = f"{batch_identifier[:47]}-1"
        super().__init__(
            f"Manage already has a batch {batch_identifier} (id {batch_id}) that does not hold the GL entries "
            f"this run posted: another run created it, so it was not recorded as this run's batch. Finish the "
            f"run with another batch number ('mobius-tui finish {run_id} --batch-number {suggestion}')."
        )


async def holds_run_entries(ctx: Context, batch_id: int, posted_ids: set[int]) -> bool:
    """Whether the Manage batch holds GL entries this run posted.

    A GL entry sits in one batch at most and a batch is created whole, so a batch sharing any of
    the run's entries is the one created with them; another run's batch shares none. Overlap, not
    equality: a condensed invoice is recorded with group ids that Manage lists as the entries they
    stand for.
    """
    async for ids in ctx.manage.batch_entry_ids(batch_id):  # page by page: the first hit answers
        if not posted_ids.isdisjoint(ids):
            return True
    return False


async def record_manage_batch(ctx: Context, run_id: str, log: RunLog, *, look_first: bool) -> int | None:
    """Create the Manage batch holding exactly the GL entries of what posted (from the journal).

    A batch found under the run's identifier (looked up first, or handed back by the client after
    a lost reply) is recorded only when it holds the run's entries; otherwise ``ForeignBatch``.
    """
    run = ctx.journal.run(run_id)
    if run.manage_batch_id is not None:
        return run.manage_batch_id
    posted = ctx.journal.entry_ids(run_id, DocumentState.POSTED)
    if not posted:
        return None
    ids = list(dict.fromkeys(entry for entries in posted for entry in entries))
    log(ev.Progress("batch", 0, 1))
    batch = await ctx.manage.find_batch(run.batch_identifier) if look_first else None
    found = batch is not None
    ours = False
    if batch is None:
        flags = run.flags
        batch, ours = await ctx.manage.create_batch(
            CreateAccountingBatchRequest(
                batchIdentifier=run.batch_identifier,
                exportInvoicesFlag=bool(flags.get("invoices")),
                exportExpensesFlag=bool(flags.get("expenses")),
                exportProductsFlag=bool(flags.get("inventory")),
                processedRecordIds=ids,
            )
        )
    # A batch this run's POST created holds its entries: reading them back would cost a page per
    # 1,000 entries of the run for nothing. Any other found by identifier is checked.
    if not ours and not await holds_run_entries(ctx, int(batch.id), set(ids)):
        raise ForeignBatch(run_id, run.batch_identifier, int(batch.id))
    if found:
        log(ev.LogLine(f"Manage already holds batch {run.batch_identifier} (id {batch.id}) with the GL entries "
                       "this run posted; recording it"))
    ctx.journal.record_batch(run_id, int(batch.id))
    log(ev.Progress("batch", 1, 1))
    log(ev.BatchRecorded(run.batch_identifier, int(batch.id), len(ids)))
    return int(batch.id)


def results_from_journal(ctx: Context, run_id: str) -> list[DocumentResult]:
    """Every document of the run; its currency comes from the stored body, so a run finished
    after a crash totals per currency as the run that started it would have."""
    currency = ctx.journal.currencies(run_id, doc_codec.HOME)  # as doc_codec.currency_of reads each body
    return [
        DocumentResult(d.key, d.label, d.state, d.amount, d.reference, d.error, currency.get(d.key, ""))
        for d in ctx.journal.documents(run_id, bodies=False)
    ]


def outcome_of(results: Sequence[DocumentResult], *, duplicates_expected: bool = False) -> Outcome:
    """SUCCESS: everything posted; PARTIAL: some; FAILED: none. A rerun skips documents already in
    the package on purpose, so there they do not count against it; in a new batch they do (their
    Manage records stay unposted)."""
    considered = [r for r in results if not (duplicates_expected and r.state == DocumentState.DUPLICATE)]
    posted = sum(1 for r in considered if r.state == DocumentState.POSTED)
    if not considered:
        return Outcome.SUCCESS
    if posted == 0:
        return Outcome.FAILED
    return Outcome.SUCCESS if posted == len(considered) else Outcome.PARTIAL


def counts_and_totals(results: Sequence[DocumentResult]) -> tuple[dict[str, int], dict[str, ByCurrency]]:
    """Counts per state, and per state the sum of amounts per currency (never added across currencies)."""
    counts = {"documents": len(results)}
    totals: dict[str, ByCurrency] = {"documents": by_currency((r.currency, r.amount) for r in results)}
    for state in DocumentState:
        chosen = [r for r in results if r.state == state]
        if chosen or state in (DocumentState.POSTED, DocumentState.FAILED):
            counts[state.value] = len(chosen)
            totals[state.value] = by_currency((r.currency, r.amount) for r in chosen)
    return counts, totals


def summary_text(results: Sequence[DocumentResult], batch: str, manage_batch_id: int | None) -> str:
    counts, totals = counts_and_totals(results)
    posted = format_totals(totals.get("posted", {}))
    parts = [f"{counts.get('posted', 0)} of {counted(counts['documents'], 'document')} posted ({posted})"]
    for state in (DocumentState.FAILED, DocumentState.SKIPPED, DocumentState.DUPLICATE, DocumentState.NOT_POSTED, DocumentState.PLANNED,
                  DocumentState.WRITTEN):
        if counts.get(state.value):
            word = {"planned": "unresolved", "not_posted": "not posted", "duplicate": "already in the package",
                    "written": "written for import, not in the package yet"}.get(state.value, state.value)
            parts.append(f"{counts[state.value]} {word}")
    if manage_batch_id is not None:
        parts.append(f"Manage batch {batch} holds the posted ones")
    return "; ".join(parts)


@dataclass(frozen=True)
class ReportParts:
    """What a run's report reads from the journal and the plan, once the documents' states are final."""

    results: list[DocumentResult]
    plan: PlanSummary | None


def report_parts(ctx: Context, run_id: str, plan: Plan | None, home_currency: str) -> ReportParts:
    return ReportParts([named_currency(r, home_currency) for r in results_from_journal(ctx, run_id)],
                       PlanSummary.of(plan, home_currency) if plan is not None else None)


def report_of(
    ctx: Context, run_id: str, action: str, log: RunLog, *, batch: str, manage_batch_id: int | None,
    groups: list[ProblemGroup], plan: Plan | None, unfinished: bool = False, unfinished_why: str = "",
    parts: ReportParts | None = None,
) -> RunReport:
    """``parts``: read ahead (``report_parts``) while Manage recorded the batch; read here when None."""
    parts = parts or report_parts(ctx, run_id, plan, log.home_currency)
    results = parts.results
    counts, totals = counts_and_totals(results)
    outcome = outcome_of(results, duplicates_expected=ctx.journal.run(run_id).action == "rerun")
    summary = summary_text(results, batch, manage_batch_id)
    if unfinished:
        unfinished_why = unfinished_why or import_instructions(ctx, run_id)
        summary += f". {unfinished_why}" if unfinished_why else f". The Manage batch is not recorded yet: finish run {run_id}"
    log(ev.Finished(outcome, summary, counts, totals))
    return RunReport(
        run_id=run_id, action=action, outcome=outcome, summary=summary, batch_identifier=batch,
        manage_batch_id=manage_batch_id, counts=counts, totals=totals, problems=groups,
        plan=parts.plan, results=results, unfinished=unfinished,
        log_path=log.path, errors_path=log.errors_path(), log_lines=list(log.lines), error_lines=list(log.errors),
    )


def refused_report(
    run_id: str, action: str, log: RunLog, summary: str, *, batch: str = "", groups: list[ProblemGroup] | None = None,
    plan: Plan | None = None, outcome: Outcome = Outcome.FAILED, results: list[DocumentResult] | None = None,
) -> RunReport:
    """A run that stopped before writing anything (check failed, bad batch number, dry run, nothing to do)."""
    summary_of_plan = PlanSummary.of(plan, log.home_currency) if plan else None
    documents = len(plan.documents) if plan else 0
    counts = {"documents": documents, "posted": 0}
    totals = {"documents": summary_of_plan.grand_totals() if summary_of_plan else {}, "posted": {}}
    log(ev.Finished(outcome, summary, counts, totals))
    return RunReport(
        run_id=run_id, action=action, outcome=outcome, summary=summary, batch_identifier=batch,
        counts=counts, totals=totals, problems=groups or [], plan=summary_of_plan,
        results=[named_currency(r, log.home_currency) for r in results or []], log_path=log.path, errors_path=log.errors_path(), log_lines=list(log.lines), error_lines=list(log.errors),
    )

