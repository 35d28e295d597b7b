"""Export and import pages: the list's query as CSV or XML (sync/export.py), and a CSV
import (sync/importer.py, valid-rows mode) run in a thread of its own while the page
polls its progress; its errors download as a CSV."""

import csv
import io
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from custreg.access.context import Ctx
from custreg.customers import queries
from custreg.db.routing import TransactionalRoute
from custreg.errors import BadRequest, NotFound, PayloadTooLarge
from custreg.odata import parse_orderby
from custreg.paging import ListParams
from custreg.sync import bulk, dialects, export, importer
from custreg.ui.customers import SORTS, list_filter
from custreg.ui.pages import render
from custreg.ui.session import ReadUi, WriteUi

router = APIRouter(prefix="/ui/c/{cuid}", include_in_schema=False, route_class=TransactionalRoute)
MEDIA = {"csv": "text/csv; charset=utf-8", "xml": "application/xml"}
KEPT_IMPORTS = 20  # finished imports remembered per process (their reports)
Text = Annotated[str, Query(max_length=200)]


@router.get("/export.{fmt}")
def export_file(
    cuid: str,
    fmt: str,
    ctx: ReadUi,
    q: Text = "",
    type: Text = "",
    group: Text = "",
    segment: Text = "",
    excluded: bool = False,
    sort: Text = "number",
) -> Response:
    """Every customer the list's query matches, streamed as the API's export streams it."""
    if fmt not in MEDIA:
        raise NotFound(f"No export format {fmt!r}")
    params = ListParams(filter=list_filter(type, group, segment), orderby=SORTS.get(sort, SORTS["number"]))
    where = queries.conditions(
        ctx.company,
        params,
        dialect=ctx.session.get_bind().dialect.name,
        search_word=q.strip() or None,
        from_date=None,
        include_excluded=excluded,
    )
    order = parse_orderby(params.orderby or "", queries.FILTER_FIELDS)
    engine = ctx.request.app.state.db.engine
    body = export.csv_export(engine, where, order) if fmt == "csv" else export.xml_export(engine, where, order, cuid)
    disposition = f'attachment; filename="customers-{cuid}.{fmt}"'
    return StreamingResponse(body, media_type=MEDIA[fmt], headers={"Content-Disposition": disposition})


@dataclass
class ImportJob:
    id: str
    cuid: str
    rows: int  # data rows in the file
    done: int = 0
    finished: bool = False
    report: dict[str, Any] | None = None
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    failure: str | None = None

    def state(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "done": self.done,
            "finished": self.finished,
            "report": self.report,
            "failure": self.failure,
        }


def _jobs(request: Request) -> dict[str, ImportJob]:
    state = request.app.state
    if not hasattr(state, "ui_imports"):
        state.ui_imports = {}
    return state.ui_imports


@router.get("/import")
def import_page(request: Request, ctx: WriteUi) -> Response:
    return render(request, "import.html", cuid=ctx.cuid, company=ctx.company)


@router.post("/import")
async def start_import(request: Request, cuid: str, ctx: WriteUi) -> Response:
    """Spool the file, count its rows, and import it in a thread; the page follows its progress."""
    upload = request.state.form.get("file")
    if upload is None or isinstance(upload, str):
        raise BadRequest("Choose a CSV file", [{"field": "file", "message": "required"}])
    limit = request.app.state.settings.import_max_bytes
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the import's thread closes it
    size = 0
    while chunk := await upload.read(1 << 16):
        size += len(chunk)
        if size > limit:
            spool.close()
            raise PayloadTooLarge(f"The CSV is larger than {limit} bytes")
        spool.write(chunk)
    if size == 0:
        spool.close()
        raise BadRequest("The CSV is empty", [{"field": "file", "message": "empty"}])
    spool.seek(0)
    # Lines, not records (a quoted cell may hold a newline): the progress bar's scale only.
    rows = max(0, sum(1 for line in spool if line.strip()) - 1)
    spool.seek(0)
    job = ImportJob(uuid.uuid4().hex, cuid, rows)
    jobs = _jobs(request)
    for old in [j for j in jobs.values() if j.finished][:-KEPT_IMPORTS]:
        jobs.pop(old.id, None)
    jobs[job.id] = job
    threading.Thread(target=_run, args=(ctx, spool, job), name="custreg-ui-import", daemon=True).start()
    return RedirectResponse(f"/ui/c/{cuid}/import/{job.id}", status_code=303)


def _run(ctx: Ctx, spool: Any, job: ImportJob) -> None:
    """The import's unit of work, as POST /customers/import runs it (valid-rows mode)."""
    try:
        ctx.begin()

        def progress(row: int) -> None:
            job.done = max(0, row - 1)

        delimiter = dialects.delimiter_of(spool)
        stream = io.TextIOWrapper(spool, encoding="utf-8-sig", newline="")
        report = importer.run(
            ctx.session,
            ctx.company,
            stream,
            "valid-rows",
            progress=progress,
            delimiter=delimiter,
            on_error=lambda row, f, m: job.errors.append((row, f, m)),
        )
        ctx.commit()
        bulk.after_large_import(ctx.request.app.state.db.engine, report.created)
        job.report = report.as_dict()
        job.report.pop("errors", None)
    except Exception as exc:  # shown on the page; the import's transaction is rolled back
        ctx.rollback()
        job.failure = getattr(exc, "detail", None) or type(exc).__name__
    finally:
        job.done = job.rows if job.failure is None else job.done
        job.finished = True
        spool.close()


def _job(request: Request, cuid: str, job_id: str) -> ImportJob:
    job = _jobs(request).get(job_id)
    if job is None or job.cuid != cuid:
        raise NotFound(f"No import {job_id!r}")
    return job


@router.get("/import/{job_id}")
def import_progress(request: Request, cuid: str, job_id: str, ctx: WriteUi) -> Response:
    """The import's page; with `Accept: application/json` its state (what the page polls)."""
    job = _job(request, cuid, job_id)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(job.state(), headers={"Cache-Control": "no-store"})
    return render(request, "import_progress.html", cuid=cuid, company=ctx.company, job=job)


@router.get("/import/{job_id}/errors.csv")
def import_errors(request: Request, cuid: str, job_id: str, ctx: WriteUi) -> Response:
    """The import's error report: row, field, message (the header is row 1)."""
    job = _job(request, cuid, job_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "field", "message"])
    writer.writerows(job.errors)
    disposition = f'attachment; filename="import-errors-{job_id[:8]}.csv"'
    return Response(out.getvalue(), media_type=MEDIA["csv"], headers={"Content-Disposition": disposition})
