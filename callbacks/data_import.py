"""Import page callbacks: the kind's template and columns, the dry run of an upload, and the commit; templates route."""
from __future__ import annotations

import base64
import binascii
from dataclasses import asdict
from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, html, no_update
from flask import Response, abort
from sqlalchemy.exc import IntegrityError

from callbacks.common import actor_for, viewer_for
from dashboard import figures
from dashboard.auth import current_viewer
from dashboard.db import session_scope
from dashboard.importers import DATE_ORDERS, KINDS, ImportRefused, ImportReport, run_import
from layouts import ids
from layouts.data_import import MAX_UPLOAD_BYTES

SECTION = "import"
DEFAULT_KIND = "teams"


def today() -> date:
    return date.today()


def _kind(value: Any) -> str | None:
    return value if isinstance(value, str) and value in KINDS else None


def _date_order(value: Any) -> str | None:
    return value if isinstance(value, str) and value in DATE_ORDERS else None


def _file_name(value: Any) -> str:
    return value[:200] if isinstance(value, str) and value.strip() else "upload.csv"


def decode_upload(contents: Any) -> bytes:
    """dcc.Upload's data URL → the file's bytes; anything else is refused with a reason."""
    if not isinstance(contents, str) or "," not in contents or not contents.startswith("data:"):
        raise ImportRefused("No file was received; choose a CSV file again.")
    head, payload = contents.split(",", 1)
    if not head.endswith(";base64"):
        raise ImportRefused("The upload was not sent as a file; choose a CSV file again.")
    if len(payload) > MAX_UPLOAD_BYTES * 4 // 3 + 4:
        raise ImportRefused(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; split it, or use "
                            "the command line (python -m dashboard.cli import).")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ImportRefused("The upload is damaged (not valid base64); choose the file again.") from None


def kind_help(kind: Any) -> tuple[str, Any]:
    """The template address and the column list for the chosen kind (unknown kinds fall back to the first)."""
    viewer_for(SECTION)
    chosen = KINDS[_kind(kind) or DEFAULT_KIND]
    # On a phone the table scrolls inside its own region, not the page (reflow, WCAG 1.4.10).
    table = figures.scroll_region(dbc.Table([
        html.Thead(html.Tr([html.Th("Column", scope="col"), html.Th("Required", scope="col"),
                            html.Th("What to write", scope="col"), html.Th("Example", scope="col")])),
        html.Tbody([html.Tr([html.Td(html.Code(c.name)), html.Td("yes" if c.required else "no"), html.Td(c.help),
                             html.Td(c.example)]) for c in chosen.columns]),
    ], size="sm", bordered=False, striped=True, className="mb-1 small"), "Columns of the file")
    header = html.P(["Header row, exactly: ", html.Code(",".join(chosen.column_names)), ". The template has it and "
                     "one example row. Other columns are not read: they are named in a warning and the rows are "
                     "still checked."], className="small mb-1")
    return f"/export/templates/{chosen.key}.csv", [header, table, html.P(chosen.note, className="small mb-0")]


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _summary(report: ImportReport) -> dbc.Alert:
    counts = ", ".join(f"{action} {n:,}" for action, n in sorted(report.counts.items()))
    if not report.ok:
        shown = "" if report.error_count == len(report.errors) else f" (the first {len(report.errors):,} are listed)"
        if report.rows == 0 and report.errors and report.errors[0].row in (0, 1) and not report.counts:
            return dbc.Alert([html.Strong("The file cannot be imported. "), report.errors[0].message
                              if report.error_count == 1 else
                              f"{plural(report.error_count, 'problem')} in the header{shown}."],
                             color="danger", id="import-refused")
        return dbc.Alert([html.Strong(f"{plural(report.error_count, 'problem')} in "
                                      f"{plural(report.rows, 'row')}{shown}. "),
                          "Nothing will be written until every row is correct; fix them and upload the file again."],
                         color="danger", id="import-refused")
    if report.changing == 0:
        return dbc.Alert(f"{report.file_name}: all {report.rows:,} rows are already recorded; importing it would "
                         "change nothing.", color="secondary")
    return dbc.Alert([html.Strong(f"{report.file_name}: no problems in {plural(report.rows, 'row')}. "),
                      f"Importing would give: {counts}. Nothing is written until you press Import."],
                     color="success")


def _warnings(report: ImportReport) -> list[dbc.Alert]:
    """What the file holds that is not read (e.g. other systems' columns): said, not refused."""
    return [dbc.Alert([html.Strong("Warning: "), warning], color="warning", className="small import-warning")
            for warning in report.warnings]


def _rows(report: ImportReport) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return [asdict(e) for e in report.errors], [asdict(c) for c in report.changes]


def check_file(contents: Any, kind: Any, date_order: Any, file_name: Any) -> tuple[Any, Any, Any, bool, Any]:
    """The dry run: every row checked against the database, nothing written."""
    viewer = viewer_for(SECTION)
    if contents is None:
        return (html.P("Choose a file to check it.", className="text-body-secondary"), [], [], True, "")
    chosen, order = _kind(kind), _date_order(date_order)
    if chosen is None or order is None:
        return dbc.Alert("Choose what the file holds and how its dates are written.", color="warning"), [], [], True, ""
    try:
        data = decode_upload(contents)
        with session_scope() as session:
            report = run_import(session, chosen, data, file_name=_file_name(file_name), actor=actor_for(viewer),
                                today=today(), commit=False, date_order=order)
    except ImportRefused as refused:
        return dbc.Alert(str(refused), color="danger", id="import-refused"), [], [], True, ""
    errors, changes = _rows(report)
    return (html.Div([_summary(report), *_warnings(report)]), errors, changes,
            not (report.ok and report.changing > 0), "")


def commit_file(n_clicks: Any, contents: Any, kind: Any, date_order: Any, file_name: Any) -> tuple[Any, bool]:
    """Check the file again on the server (never trust an earlier dry run) and write it all, or nothing."""
    viewer = viewer_for(SECTION)
    if not n_clicks:
        return no_update, no_update
    chosen, order = _kind(kind), _date_order(date_order)
    if contents is None or chosen is None or order is None:
        return dbc.Alert("Choose a file, what it holds and how its dates are written.", color="warning"), True
    try:
        data = decode_upload(contents)
        with session_scope() as session:
            report = run_import(session, chosen, data, file_name=_file_name(file_name), actor=actor_for(viewer),
                                today=today(), commit=True, date_order=order)
    except ImportRefused as refused:
        return dbc.Alert(str(refused), color="danger"), True
    except IntegrityError:
        # Someone else changed the same records between the check and the write: nothing was written.
        return dbc.Alert("The database changed while importing (another change to the same records); nothing "
                         "was written. Upload the file again to re-check it.", color="danger"), True
    if not report.ok:
        return _summary(report), True  # the same words as the dry run: nothing was written
    if not report.committed:
        return dbc.Alert("Nothing to import: every row is already recorded.", color="secondary"), True
    counts = ", ".join(f"{action} {n:,}" for action, n in sorted(report.counts.items()))
    return html.Div([dbc.Alert([html.Strong("Imported. "), f"{report.file_name}: {counts}. The audit log records it."],
                               color="success", id="import-done"), *_warnings(report)]), True


def template_csv(kind: str) -> Response:
    viewer = current_viewer()
    if viewer is None:
        abort(401)
    if not viewer.may_use(SECTION):
        abort(403)
    if kind not in KINDS:
        abort(404)
    # A BOM so that Excel opens the file as UTF-8.
    return Response("\ufeff" + KINDS[kind].template_csv(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={kind}-template.csv", "Cache-Control": "no-store"})


def register(app: Dash) -> None:
    app.server.add_url_rule("/export/templates/<kind>.csv", "import_template", template_csv)
    app.callback(Output(ids.IMPORT_TEMPLATE, "href"), Output(ids.IMPORT_COLUMNS, "children"),
                 Input(ids.IMPORT_KIND, "value"))(kind_help)
    app.callback(Output(ids.IMPORT_SUMMARY, "children"), Output(ids.IMPORT_ERRORS, "rowData"),
                 Output(ids.IMPORT_CHANGES, "rowData"), Output(ids.IMPORT_COMMIT, "disabled"),
                 Output(ids.IMPORT_RESULT, "children"),
                 Input(ids.IMPORT_UPLOAD, "contents"), Input(ids.IMPORT_KIND, "value"),
                 Input(ids.IMPORT_DATE_ORDER, "value"), State(ids.IMPORT_UPLOAD, "filename"))(check_file)
    app.callback(Output(ids.IMPORT_RESULT, "children", allow_duplicate=True),
                 Output(ids.IMPORT_COMMIT, "disabled", allow_duplicate=True),
                 Input(ids.IMPORT_COMMIT, "n_clicks"), State(ids.IMPORT_UPLOAD, "contents"),
                 State(ids.IMPORT_KIND, "value"), State(ids.IMPORT_DATE_ORDER, "value"),
                 State(ids.IMPORT_UPLOAD, "filename"), prevent_initial_call=True)(commit_file)
