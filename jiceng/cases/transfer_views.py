"""The 导入导出 page: upload forms for the imports a user may run, the error report as a
table with the annotated workbook to download, and the exports (categories, grids).

Thin: every rule lives in transfer.py, catalogue_transfer.py and gridfiles.py."""

from __future__ import annotations

import base64
import json
import logging
import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jiceng.accounts.scope import scope_for
from jiceng.jurisdictions.access import access_jurisdiction
from jiceng.jurisdictions.gridfiles import (
    GridImportError,
    check_grid_file,
    export_grids,
    import_grids,
    row_errors,
)
from jiceng.jurisdictions.models import Grid
from jiceng.lib.excel import XLSX
from jiceng.lib.importreport import Report, annotated

from .catalogue_transfer import export_categories, import_categories
from .transfer import import_cases, may_import_cases

audit = logging.getLogger("jiceng.audit")
MAX_UPLOAD = 20 * 1024 * 1024


def _allowed(user) -> dict[str, bool]:
    admin = scope_for(user).everything
    return {"categories": admin, "grids": admin, "cases": may_import_cases(user)}


@login_required
def transfer(request):
    """GET: the forms; POST: run one import and show its report."""
    allowed = _allowed(request.user)
    context = {"allowed": allowed, "nothing_allowed": not any(allowed.values())}
    if request.method == "POST":
        context |= _run(request, allowed)
    return render(request, "cases/transfer.html", context)


def _run(request, allowed: dict[str, bool]) -> dict:
    kind = request.POST.get("kind", "")
    if not allowed.get(kind):
        raise PermissionDenied("您无权进行这项导入")
    upload = request.FILES.get("file")
    if upload is None or upload.size > MAX_UPLOAD:
        return {"kind": kind, "problem": "请选择一个不超过 20 MB 的文件"}
    data, dry_run = upload.read(), request.POST.get("dry_run") == "1"
    if kind == "grids":
        return {"kind": kind, "report": _grids(data, request.user, dry_run)}
    if kind == "categories":
        report = import_categories(data, acting_user=request.user, dry_run=dry_run)
    else:
        report = import_cases(data, acting_user=request.user, dry_run=dry_run)
    context = {"kind": kind, "report": report}
    if report.errors and report.errors[0].row != 0:
        context["annotated"] = _data_uri(data, report)
    return context


def _data_uri(data: bytes, report: Report) -> str | None:
    # A data: link works without JS and without keeping the upload on the server.
    try:
        copy = annotated(data, report.errors)
    except Exception:  # not a workbook at all: the table says so, nothing to annotate
        return None
    return f"data:{XLSX};base64,{base64.b64encode(copy).decode()}"


def _grids(data: bytes, user, dry_run: bool) -> Report:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "grids.geojson"
        path.write_bytes(data)
        features, problems = check_grid_file(path)
        report = Report("grids", rows=len(features), errors=row_errors(problems, features))
        if report.ok and not dry_run:
            try:
                result = import_grids(path)
            except GridImportError as exc:  # the city changed between check and write
                report.errors = row_errors(exc.problems, features)
            else:
                report.created, report.written = result["general_grids"], True
    audit.info("grids import: user=%s features=%d errors=%d written=%s",
               user.username, report.rows, len(report.errors), report.written)  # fmt: skip
    return report


@login_required
@require_GET
def categories_export(request):
    if not scope_for(request.user).everything:
        return redirect("transfer")  # the page says what this user may do
    response = HttpResponse(export_categories(acting_user=request.user), content_type=XLSX)
    name = f"categories-{timezone.localtime():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def grids_export(request, code: str):
    """The grids under a node the user may see, as GeoJSON (404 for foreign nodes)."""
    node = access_jurisdiction(request.user, code)
    collection = export_grids(Grid.objects.visible_to(request.user).within(node))
    audit.info("grids exported: user=%s under=%s features=%d",
               request.user.username, code, len(collection["features"]))  # fmt: skip
    response = HttpResponse(
        json.dumps(collection, ensure_ascii=False), content_type="application/geo+json"
    )
    response["Content-Disposition"] = f'attachment; filename="grids-{code}.geojson"'
    return response
