"""Use cases that post: new batch (and its dry run), rerun, finishing an interrupted run, and the
mapping report (the same check over everything unposted, posting nothing)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from functools import partial

from mobius_tui.accounting.base import Severity
from mobius_tui.documents.model import RecordKind
from mobius_tui.manage.client import Watch
from mobius_tui.manage.models import AccountingBatch, ExportAccountingBatchRequest, GLExport
from mobius_tui.service import events as ev
from mobius_tui.service import pipeline
from mobius_tui.service.collection import without_full_collection
from mobius_tui.service.context import Context, crash_point
from mobius_tui.service.errors import NotFoundError, UnfinishedRuns
from mobius_tui.service.events import Emit, Outcome
from mobius_tui.service.journal import new_run_id
from mobius_tui.service.options import BatchNumberError, ExportOptions, validate_batch_number
from mobius_tui.service.problems import ProblemGroup
from mobius_tui.service.reports import RunReport
from mobius_tui.service.runlog import RunLog
from mobius_tui.service.wording import counted


def export_request(options: ExportOptions, batch_number: str = "") -> ExportAccountingBatchRequest:
    def ints(values: list[str]) -> list[int] | None:
        return [int(v) for v in values] or None

    inv, exp, proc = (options.selection(k) for k in (RecordKind.INVOICE, RecordKind.EXPENSE, RecordKind.PROCUREMENT))
    return ExportAccountingBatchRequest(
        batchIdentifier=batch_number or None,
        thruDate=datetime(options.thru_date.year, options.thru_date.month, options.thru_date.day),
        locationId=options.location_id,
        summarizeInvoices=options.invoice_detail.value if options.invoices else None,
        exportInvoicesFlag=options.invoices,
        includedInvoiceIds=ints(inv.include) if options.invoices else None,
        excludedInvoiceIds=ints(inv.exclude) if options.invoices else None,
        exportExpensesFlag=options.expenses,
        includedExpenseIds=ints(exp.include) if options.expenses else None,
        excludedExpenseIds=ints(exp.exclude) if options.expenses else None,
        exportProductsFlag=options.inventory,
        includedProductIds=(list(proc.include) or None) if options.inventory else None,
        excludedProductIds=(list(proc.exclude) or None) if options.inventory else None,
    )


def _flags(options: ExportOptions) -> dict[str, bool]:
    return {"invoices": options.invoices, "expenses": options.expenses, "inventory": options.inventory}


def _refusal(cause: str, fix: str) -> list[ProblemGroup]:
    return [ProblemGroup(cause=cause, fix=fix, severity=Severity.ERROR, general=1, details=[""])]


def _check_unfinished(ctx: Context) -> None:
    if ctx.journal_exists():
        unfinished = [r for r in ctx.journal.unfinished(ctx.target) if r.action in ("export", "rerun")]
        if unfinished:
            raise UnfinishedRuns(unfinished)


@without_full_collection
async def new_batch(ctx: Context, options: ExportOptions, emit: Emit, *, dry_run: bool) -> RunReport:
    run_id = new_run_id()
    action = "dry-run" if dry_run else "export"
    log = ctx.runlog(emit, run_id, write=not dry_run)
    try:
        log(ev.Started(run_id, action, f"batch {options.batch_number or '(none)'}"))
        if not options.kinds():
            return pipeline.refused_report(
                run_id, action, log, "Nothing chosen: tick invoices, expenses or inventory.",
                groups=_refusal("No record kind chosen", "Tick Export Invoices, Export Expenses or Export Inventory."),
            )
        # The batch number first: a run that cannot be recorded in Manage must not post anything.
        number = options.batch_number.strip()
        if number or not dry_run:
            try:
                number = validate_batch_number(number)
            except BatchNumberError as exc:
                return pipeline.refused_report(run_id, action, log, str(exc), batch=number,
                                               groups=_refusal("Batch number not usable", str(exc)))
        if dry_run:
            taken = await _batch_number_taken(ctx, number) if number else None
            if taken:
                return _batch_number_refused(run_id, action, log, number, taken)
            return await _new_batch_steps(ctx, run_id, options, number, log, dry_run=True)
        with ctx.lock(action):
            # Checked under the lock: a run on these books that took the number a moment ago is seen,
            # and no other run on these books can take it before this one records its batch.
            taken = await _batch_number_taken(ctx, number)
            if taken:
                return _batch_number_refused(run_id, action, log, number, taken)
            _check_unfinished(ctx)
            return await _new_batch_steps(ctx, run_id, options, number, log, dry_run=False)
    finally:
        log.close()


async def _batch_number_taken(ctx: Context, number: str, *, run_id: str = "") -> str:
    """Why ``number`` cannot name a new Manage batch ("" when it can); ``run_id`` is the run asking."""
    if await ctx.manage.find_batch(number) is not None:
        return f"Manage already has a batch {number}"
    held = ctx.journal.batch_identifier_in_use(number, besides=run_id) if ctx.journal_exists() else None
    return f"Unfinished run {held} will record batch {number}" if held is not None else ""


def _batch_number_refused(run_id: str, action: str, log: RunLog, number: str, where: str) -> RunReport:
    fix = f"Choose another batch number, for example {number[:47]}-1."
    report = pipeline.refused_report(run_id, action, log, f"{where}. {fix}", batch=number,
                                     groups=_refusal("Batch number already used", f"{where}. {fix}"))
    report.refused_batch_number = number
    return report


async def _export(ctx: Context, request: ExportAccountingBatchRequest, log: RunLog, watch: Watch) -> GLExport:
    log(ev.Progress("export", 0, 1))
    export = await ctx.manage.export(request, lean=True, keep=pipeline.converter_fields(), watch=watch)
    log(ev.Progress("export", 1, 1))
    return export


def _check_failed_summary(checked: pipeline.Checked) -> str:
    blocking = [g for g in checked.groups if g.blocking]
    n = sum(g.count for g in blocking)
    return (f"Check failed: {counted(n, 'problem')} in {counted(len(blocking), 'group')}; nothing was posted and nothing was "
            "recorded in Manage. Fix them and run the batch again.")


async def _new_batch_steps(ctx: Context, run_id: str, options: ExportOptions, number: str, log: RunLog, *,
                           dry_run: bool) -> RunReport:
    action = "dry-run" if dry_run else "export"
    # The plan holds all that posting needs: the export is freed before posting starts.
    checked = await pipeline.export_and_check(ctx, partial(_export, ctx, export_request(options, number), log), log)
    if checked.blocked:
        return pipeline.refused_report(run_id, action, log, _check_failed_summary(checked), batch=number,
                                       groups=checked.groups, plan=checked.plan)
    if not checked.plan.documents:
        return pipeline.refused_report(run_id, action, log, "Nothing to export: no unposted records match the choices.",
                                       batch=number, groups=checked.groups, plan=checked.plan, outcome=Outcome.SUCCESS)
    await pipeline.duplicate_guard(ctx, checked, log, force=options.force, ahead=not dry_run)
    if dry_run:
        n, dup = len(checked.to_post), len(checked.duplicates)
        summary = f"Dry run: {counted(n, 'document')} would be posted" + (f", {dup} skipped as already in the package" if dup else "")
        return pipeline.refused_report(run_id, action, log, summary + "; nothing was written.", batch=number,
                                       groups=checked.groups, plan=checked.plan, outcome=Outcome.SUCCESS)
    _start_journal(ctx, run_id, "export", checked, number, _flags(options), log)
    await pipeline.post(ctx, run_id, checked, log)
    crash_point("before-batch")
    return await _close_run(ctx, run_id, "export", number, checked, log, record_batch=True, look_first=False)


def _start_journal(ctx: Context, run_id: str, action: str, checked: pipeline.Checked, batch: str,
                   flags: dict[str, bool], log: RunLog) -> None:
    documents = pipeline.journal_documents(checked)
    ctx.journal.start_run(action, ctx.target, documents, profile=ctx.profile.name, batch_identifier=batch,
                          flags=flags, log_path=str(log.path or ""), run_id=run_id)


async def _close_run(ctx: Context, run_id: str, action: str, batch: str, checked: pipeline.Checked | None,
                     log: RunLog, *, record_batch: bool, look_first: bool) -> RunReport:
    unresolved = pipeline.unresolved_documents(ctx, run_id)
    if unresolved:
        await pipeline.resolve_unrecorded(ctx, run_id, unresolved, log)
    still_unknown = bool(unresolved) and bool(pipeline.unresolved_documents(ctx, run_id))
    manage_batch_id = None
    unfinished = still_unknown
    why = refused = ""
    plan = checked.plan if checked else None
    parts = None
    if record_batch and not still_unknown:
        # The documents' states are final: the report reads them while Manage records the batch.
        ahead = asyncio.ensure_future(asyncio.to_thread(pipeline.report_parts, ctx, run_id, plan, log.home_currency))
        try:
            manage_batch_id = await pipeline.record_manage_batch(ctx, run_id, log, look_first=look_first)
        except pipeline.ForeignBatch as exc:
            log(ev.LogLine(str(exc), ev.Level.ERROR))
            unfinished, why, refused = True, str(exc), exc.batch_identifier
        except Exception as exc:
            log(ev.LogLine(f"the Manage batch {batch} could not be recorded ({exc}); the posted documents are "
                           f"kept in the run journal: finish run {run_id} when Manage answers again", ev.Level.ERROR))
            unfinished = True
        finally:
            parts = await ahead
    report = pipeline.report_of(ctx, run_id, action, log, batch=batch, manage_batch_id=manage_batch_id,
                                groups=checked.groups if checked else [], plan=plan,
                                unfinished=unfinished, unfinished_why=why, parts=parts)
    report.refused_batch_number = refused
    if not unfinished:
        ctx.journal.finish_run(run_id, report.outcome.value)
    return report


async def _find_batch(ctx: Context, batch_identifier: str) -> AccountingBatch:
    batch = await ctx.manage.find_batch(batch_identifier.strip())
    if batch is None:
        raise NotFoundError(
            f"Manage has no batch {batch_identifier!r}. Check the batch number in Finance > Accounting Interface "
            "(or 'mobius-tui batches list')."
        )
    return batch


@without_full_collection
async def rerun(ctx: Context, batch_identifier: str, emit: Emit, *, force: bool, dry_run: bool) -> RunReport:
    run_id = new_run_id()
    action = "dry-run" if dry_run else "rerun"
    log = ctx.runlog(emit, run_id, write=not dry_run)
    try:
        log(ev.Started(run_id, action, f"rerun of batch {batch_identifier}"))
        batch = await _find_batch(ctx, batch_identifier)
        if dry_run:
            return await _rerun_steps(ctx, run_id, batch, log, force=force, dry_run=True)
        with ctx.lock(action):
            _check_unfinished(ctx)
            return await _rerun_steps(ctx, run_id, batch, log, force=force, dry_run=False)
    finally:
        log.close()


async def _rerun_steps(ctx: Context, run_id: str, batch: AccountingBatch, log: RunLog, *, force: bool,
                       dry_run: bool) -> RunReport:
    action = "dry-run" if dry_run else "rerun"
    identifier = batch.batchIdentifier or ""
    request = ExportAccountingBatchRequest(
        batchIdentifier=identifier,
        exportInvoicesFlag=bool(batch.exportInvoicesFlag),
        exportExpensesFlag=bool(batch.exportExpensesFlag),
        exportProductsFlag=bool(batch.exportProductsFlag),
    )

    async def export(watch: Watch) -> GLExport:
        log(ev.Progress("export", 0, 1))
        export = await ctx.manage.export_batch(int(batch.id), request, lean=True, keep=pipeline.converter_fields(),
                                               watch=watch)
        log(ev.Progress("export", 1, 1))
        return export

    checked = await pipeline.export_and_check(ctx, export, log, rerun=True)
    if checked.blocked:
        return pipeline.refused_report(run_id, action, log, _check_failed_summary(checked), batch=identifier,
                                       groups=checked.groups, plan=checked.plan)
    await pipeline.duplicate_guard(ctx, checked, log, force=force, ahead=not dry_run)
    if checked.duplicates:
        log(ev.LogLine(f"{counted(len(checked.duplicates), 'document')} of batch {identifier} already in the package, "
                       "skipped; post them anyway with force", ev.Level.WARNING))
    if dry_run:
        summary = f"Dry run of batch {identifier}: {counted(len(checked.to_post), 'document')} would be posted, " \
                  f"{len(checked.duplicates)} skipped as already in the package; nothing was written."
        return pipeline.refused_report(run_id, action, log, summary, batch=identifier, groups=checked.groups,
                                       plan=checked.plan, outcome=Outcome.SUCCESS,
                                       results=pipeline.duplicate_results(checked))
    flags = {"invoices": bool(batch.exportInvoicesFlag), "expenses": bool(batch.exportExpensesFlag),
             "inventory": bool(batch.exportProductsFlag)}
    _start_journal(ctx, run_id, "rerun", checked, identifier, flags, log)
    await pipeline.post(ctx, run_id, checked, log)
    # The records already sit in this Manage batch: a rerun never creates another.
    return await _close_run(ctx, run_id, "rerun", identifier, checked, log, record_batch=False, look_first=False)


async def finish(ctx: Context, run_id: str, emit: Emit, *, batch_number: str = "",
                 import_done: bool = False) -> RunReport:
    """Complete an interrupted run from its journal: resolve unknown results with the package's
    ``existing``, record the Manage batch of what posted. Never posts.

    Documents the run wrote to an import file count as posted once the package holds them (the user
    imported the file); until all are there the run stays unfinished, unless ``import_done`` says the
    import is over: then those the package lacks are not posted, and the batch holds the others.

    ``batch_number`` replaces the run's batch identifier before its Manage batch is recorded: the
    way out when another run created a Manage batch under the same identifier."""
    if not ctx.journal_exists():
        raise NotFoundError("There is no run journal yet, so there is nothing to finish.")
    try:
        run = ctx.journal.run(run_id)
    except KeyError as exc:
        raise NotFoundError(str(exc.args[0])) from None
    log = ctx.runlog(emit, f"{run_id}-finish", write=True)
    try:
        log(ev.Started(run_id, "finish", f"finishing {run.action} run of batch {run.batch_identifier}"))
        if run.target != ctx.target:
            raise NotFoundError(
                f"Run {run_id} wrote to {run.target}, not to the books of this profile ({ctx.target}). "
                "Log in with the profile that started it."
            )
        if run.finished is not None:
            results = pipeline.results_from_journal(ctx, run_id)
            summary = f"Run {run_id} already finished ({run.outcome}). " + pipeline.summary_text(
                results, run.batch_identifier, run.manage_batch_id)
            log(ev.LogLine(summary))
            report = pipeline.report_of(ctx, run_id, "finish", log, batch=run.batch_identifier,
                                        manage_batch_id=run.manage_batch_id, groups=[], plan=None)
            return report
        with ctx.lock("finish"):
            run = ctx.journal.run(run_id)  # as it is now that no other run can change it
            batch = run.batch_identifier
            number = batch_number.strip()
            if number and number != batch:
                if run.action != "export" or run.manage_batch_id is not None:
                    why = (f"Run {run_id} records no new Manage batch" if run.action != "export" else
                           f"Run {run_id} has already recorded Manage batch {batch}")
                    return pipeline.refused_report(run_id, "finish", log, f"{why}: leave out the batch number.",
                                                   batch=batch, groups=_refusal("Batch number not needed", why))
                try:
                    number = validate_batch_number(number)
                except BatchNumberError as exc:
                    return pipeline.refused_report(run_id, "finish", log, str(exc), batch=number,
                                                   groups=_refusal("Batch number not usable", str(exc)))
                taken = await _batch_number_taken(ctx, number, run_id=run_id)
                if taken:
                    return _batch_number_refused(run_id, "finish", log, number, taken)
                ctx.journal.set_batch_identifier(run_id, number)
                log(ev.LogLine(f"run {run_id} will record its Manage batch as {number} (was {batch})"))
                batch = number
            if import_done:  # settled here; _close_run then finds nothing left waiting
                await pipeline.resolve_unrecorded(ctx, run_id, pipeline.unresolved_documents(ctx, run_id), log,
                                                  import_done=True)
            return await _close_run(ctx, run_id, "finish", batch, None, log,
                                    record_batch=run.action == "export", look_first=True)
    finally:
        log.close()


@without_full_collection
async def mapping_report(ctx: Context, emit: Emit, options: ExportOptions | None) -> RunReport:
    """Reference + check over everything unposted (or the chosen set). Reads only."""
    options = options or ExportOptions(thru_date=date.today(), invoices=True, expenses=True, inventory=True)
    run_id = new_run_id()
    log = ctx.runlog(emit, run_id, write=False)
    try:
        log(ev.Started(run_id, "check", "mapping report"))
        if not options.kinds():
            return pipeline.refused_report(run_id, "check", log, "Nothing chosen to check.",
                                           groups=_refusal("No record kind chosen", "Choose invoices, expenses or inventory."))
        checked = await pipeline.export_and_check(ctx, partial(_export, ctx, export_request(options), log), log)
        blocking = [g for g in checked.groups if g.blocking]
        docs = len(checked.plan.documents)
        if blocking:
            summary = (f"{counted(sum(g.count for g in blocking), 'problem')} in {counted(len(blocking), 'group')} "
                       f"over {counted(docs, 'document')}")
        else:
            summary = f"No problems: {counted(docs, 'document')} ready to post"
        return pipeline.refused_report(run_id, "check", log, summary, groups=checked.groups, plan=checked.plan,
                                       outcome=Outcome.FAILED if blocking else Outcome.SUCCESS)
    finally:
        log.close()
