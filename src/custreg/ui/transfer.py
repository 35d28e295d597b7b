"""Export and import pages: the list's query as CSV or XML (sync/export.py), and a CSV
import (sync/importer.py, valid-rows mode) run in a process of its own
(sync/import_process.py) while the page polls its progress; its errors download as a CSV. The import's state is kept in the
database (sync/jobs.py), so any worker serves its page."""

import csv
import io
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from custreg.access.context import Ctx
from custreg.customers import queries
from custreg.db.routing import TransactionalRoute
from custreg.errors import BadRequest, NotFound
from custreg.odata import parse_orderby
from custreg.paging import ListParams
from custreg.sync import export, import_process, jobs
from custreg.ui.customers import SORTS, list_filter
from custreg.ui.pages import render
from custreg.ui.session import ReadUi, WriteUi

router = APIRouter(prefix="/ui/c/{cuid}", include_in_schema=False, route_class=TransactionalRoute)
MEDIA = {"csv": "text/csv; charset=utf-8", "xml": "application/xml"}
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


@router.get("/import")
def import_page(request: Request, ctx: WriteUi) -> Response:
    return render(request, "import.html", cuid=ctx.cuid, company=ctx.company)


@router.post("/import")
async def start_import(request: Request, cuid: str, ctx: WriteUi) -> Response:
    """Spool the file and start its import in a process of its own (sync/import_process.py:
    too many rows or no header are answered here); the page follows its progress."""
    upload = request.state.form.get("file")
    if upload is None or isinstance(upload, str):
        raise BadRequest("Choose a CSV file", [{"field": "file", "message": "required"}])
    spool = await import_process.spool(request.app.state.settings, _chunks(upload), "file")
    job_id = uuid.uuid4().hex
    await import_process.started(ctx, spool, job_id)
    return RedirectResponse(f"/ui/c/{cuid}/import/{job_id}", status_code=303)


async def _chunks(upload: Any) -> AsyncIterator[bytes]:
    while chunk := await upload.read(1 << 16):
        yield chunk


def _state(ctx: Ctx, job_id: str) -> dict[str, Any]:
    found = jobs.state(ctx.session, ctx.company, job_id)
    if found is None:
        raise NotFound(f"No import {job_id!r}")
    return found


@router.get("/import/{job_id}")
def import_progress(request: Request, cuid: str, job_id: Annotated[str, Path(max_length=32)], ctx: WriteUi) -> Response:
    """The import's page; with `Accept: application/json` its state (what the page polls),
    from the database: any worker answers it."""
    job = _state(ctx, job_id)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(job, headers={"Cache-Control": "no-store"})
    return render(request, "import_progress.html", cuid=cuid, company=ctx.company, job=job)


@router.get("/import/{job_id}/errors.csv")
def import_errors(cuid: str, job_id: Annotated[str, Path(max_length=32)], ctx: WriteUi) -> Response:
    """The import's error report: row, field, message (the header is row 1); the first
    jobs.KEPT_ERRORS, then a line counting the others."""
    job = _state(ctx, job_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "field", "message"])
    writer.writerows(jobs.errors(ctx.session, job_id))
    if job["errorsNotKept"]:
        writer.writerow(["", "", f"{job['errorsNotKept']} more errors not listed"])
    disposition = f'attachment; filename="import-errors-{job_id[:8]}.csv"'
    return Response(out.getvalue(), media_type=MEDIA["csv"], headers={"Content-Disposition": disposition})
