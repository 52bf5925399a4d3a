"""Compliance exports at stable addresses (/export/compliance.<extension>?start=…&end=…, one per entry of FORMATS):
the page's parameters and scope, an audit event per export, CSV and Excel streamed, PDF for handing over."""
from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from datetime import date, datetime, timezone
from operator import attrgetter
from typing import IO, Any

from flask import Blueprint, Flask, Response, abort, request, stream_with_context

from dashboard.audit import Actor, record
from dashboard.auth import Viewer, current_viewer
from dashboard.compliance_params import BadParameter, ComplianceRequest, parse
from dashboard.db import current_database, one_snapshot, session_scope
from dashboard.queries.compliance import ComplianceRow, TeamRollup, iter_rows, keep_ahead, rollup
from dashboard.scope import scope_for
from dashboard.dates import show_span, show_time

SECTION = "compliance"
PDF_MAX_ROWS = 5000  # beyond this a PDF is no longer something to read: CSV or Excel instead
CHUNK_BYTES = 64 * 1024


def today() -> date:
    return date.today()


# ---------------------------------------------------------------------------------------------------------
# The table, the same in every format

# (header, ComplianceRow attribute) in column order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Worker", "worker_name"),
    ("Worker ID", "worker_id"),
    ("Program", "program_name"),
    ("Team", "team_name"),
    ("Supervisors", "supervisors"),
    ("Stage", "stage"),
    ("Period start", "period_start"),
    ("Period end", "period_end"),
    ("Individual sessions required", "required_sessions"),
    ("Individual sessions held", "held_sessions"),
    ("Minutes", "minutes"),
    ("Minimum minutes", "minimum_minutes"),
    ("Longest gap (days)", "longest_gap_days"),
    ("Days on leave", "leave_days"),
    ("Status", "status"),
    ("Reasons", "reasons_text"),
)
HEADER = [name for name, _ in COLUMNS]
# A row's cells in COLUMNS order, read in one call (a function per cell cost ~0.5 s per 100k rows).
values: Callable[[ComplianceRow], tuple[Any, ...]] = attrgetter(*(attribute for _, attribute in COLUMNS))
# Text a spreadsheet would take for a formula (OWASP, CSV injection): a staff or team name such as
# =HYPERLINK("http://x.example","y") must arrive as the text it is. Numbers (a real -5) stay numbers.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cells(cells: Sequence[Any]) -> Sequence[Any]:
    """The cells with every formula-like text prefixed by a single quote, as OWASP recommends for CSV (Excel
    shows the rest as text; the quote is visible, which is the point). Most rows have none and pass as they are."""
    if not any(map(_formula_like, cells)):
        return cells
    return ["'" + value if _formula_like(value) else value for value in cells]


def csv_chunks(rows: Iterable[ComplianceRow], batch: int = 1000) -> Iterator[str]:
    """The header, then the rows, a batch at a time (a byte-order mark first, so Excel reads UTF-8). A batch's texts
    are tested once each (names, teams and stages repeat from row to row): only a batch with a formula-like one is
    written through csv_cells (testing every cell of every row took ~0.2 s of the five-year export, this ~0.05)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    head = "\ufeff" + buffer.getvalue()
    rows = iter(rows)
    while cells := [values(row) for row in islice(rows, batch)]:
        buffer.seek(0)
        buffer.truncate()
        texts = {value for row_cells in cells for value in row_cells if isinstance(value, str)}
        writer.writerows(map(csv_cells, cells) if any(map(_formula_like, texts)) else cells)  # None: an empty cell
        yield head + buffer.getvalue()
        head = ""
    if head:
        yield head


def _file_chunks(handle: IO[bytes]) -> Iterator[bytes]:
    handle.seek(0)
    while chunk := handle.read(CHUNK_BYTES):
        yield chunk


def write_xlsx(rows: Iterable[ComplianceRow], parameters: list[tuple[str, str]], out: IO[bytes]) -> int:
    """A real workbook in openpyxl's write-only mode (rows go to disk as they come): the table with a bold,
    filled, frozen header row and an auto filter; a team roll-up sheet; a sheet of the parameters. Rows
    written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    def text_cells(target: Any, cells: Sequence[Any]) -> Sequence[Any]:
        """A formula-like text as a text cell (type "s" and Excel's quote prefix, so editing it keeps it text);
        openpyxl would write one starting with "=" as a live formula."""
        if not any(map(_formula_like, cells)):
            return cells
        out = list(cells)
        for index, value in enumerate(out):
            if _formula_like(value):
                cell = WriteOnlyCell(target, value=value)
                cell.data_type, cell.quotePrefix = "s", True
                out[index] = cell
        return out

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Compliance")
    sheet.freeze_panes = "A2"
    widths = (26, 10, 24, 24, 28, 20, 12, 12, 12, 12, 10, 10, 12, 10, 10, 80)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1D3557")

    def header(target: Any, names: list[str]) -> None:
        cells = []
        for name in names:
            cell = WriteOnlyCell(target, value=name)
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cells.append(cell)
        target.append(cells)

    header(sheet, HEADER)
    counts: dict[tuple[str, str], list[int]] = {}
    written = 0
    for row in rows:
        sheet.append(text_cells(sheet, values(row)))
        count = counts.setdefault((row.program_name, row.team_name), [0, 0])
        count[0] += 1
        count[1] += row.status == "met"
        written += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADER))}{written + 1}"

    teams = book.create_sheet("Team roll-up")
    teams.freeze_panes = "A2"
    for index, width in enumerate((24, 24, 10, 10, 10, 10), start=1):
        teams.column_dimensions[get_column_letter(index)].width = width
    header(teams, ["Program", "Team", "Workers", "Met", "Not met", "Share met"])

    def share_cell(met: int, workers: int, font: Any = None) -> Any:
        """The share as a number Excel shows as a percent (37.5%), not 0.375 in General format."""
        cell = WriteOnlyCell(teams, value=round(met / workers, 4) if workers else None)
        cell.number_format = "0.0%"
        if font is not None:
            cell.font = font
        return cell

    for (program, team), (workers, met) in counts.items():
        teams.append([*text_cells(teams, [program, team, workers, met, workers - met]), share_cell(met, workers)])
    # The total row: every worker in the file (the share is of workers, not an average of the teams' shares).
    total_workers, total_met = sum(c[0] for c in counts.values()), sum(c[1] for c in counts.values())
    strong = Font(bold=True)
    total = [WriteOnlyCell(teams, value=v) for v in ("Total", "", total_workers, total_met, total_workers - total_met)]
    for cell in total:
        cell.font = strong
    teams.append([*total, share_cell(total_met, total_workers, strong)])

    about = book.create_sheet("Parameters")
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 70
    header(about, ["Parameter", "Value"])
    for key, value in [*parameters, ("Rows", str(written))]:
        about.append(text_cells(about, [key, value]))
    book.save(out)
    return written


def numbered_canvas(stamp: Any) -> Any:
    """A reportlab canvas that holds its pages until the end, so each can say "Page X of Y" (the total is known
    only once every page is laid out); stamp(canvas, page, total) draws the words."""
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802  (reportlab's name)
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                self.setFont("Helvetica", 7)
                stamp(self, number, len(self._held))
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def write_pdf(rows: list[ComplianceRow], teams: list[TeamRollup], parameters: list[tuple[str, str]],
              out: IO[bytes]) -> None:
    """Landscape A4: title, the parameters (period, filters, generated by and at), the roll-up, then the table
    with its header repeated on every page (LongTable, repeatRows), reasons wrapped in their column."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    styles = getSampleStyleSheet()
    cell = ParagraphStyle("cell", parent=styles["BodyText"], fontSize=7, leading=8.5)
    head = ParagraphStyle("head", parent=cell, textColor=colors.white, fontName="Helvetica-Bold")
    generated_at = dict(parameters).get("Generated at", "")

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(12 * mm, 7 * mm, f"Supervision compliance · generated {generated_at}")
        canvas.restoreState()

    def p(text: Any, style: ParagraphStyle = cell) -> Paragraph:
        from xml.sax.saxutils import escape
        return Paragraph(escape("" if text is None else str(text)), style)

    grid = TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1D3557")),
                       ("VALIGN", (0, 0), (-1, -1), "TOP"),
                       ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#B0B7C3")),
                       ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F1F4F8")]),
                       ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                       ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)])
    story: list[Any] = [Paragraph("Supervision compliance", styles["Title"])]
    story.append(LongTable([[p(k, head), p(v)] for k, v in parameters], colWidths=[40 * mm, 200 * mm],
                           style=TableStyle([("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#1D3557")),
                                             ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#B0B7C3")),
                                             ("VALIGN", (0, 0), (-1, -1), "TOP")]), hAlign="LEFT"))
    story += [Spacer(1, 5 * mm), Paragraph("Team roll-up", styles["Heading2"])]
    team_rows = [[p(h, head) for h in ("Program", "Team", "Workers", "Met", "Not met", "Share met")]]
    for team in teams:
        share = "" if team.met_share is None else f"{team.met_share:.0%}"
        team_rows.append([p(team.program_name), p(team.team_name), p(team.workers), p(team.met),
                          p(team.not_met), p(share)])
    total = sum(t.workers for t in teams)
    met = sum(t.met for t in teams)
    team_rows.append([p("All"), p(f"{len(teams)} teams"), p(total), p(met), p(total - met),
                      p(f"{met / total:.0%}" if total else "")])
    story.append(LongTable(team_rows, colWidths=[55 * mm, 60 * mm, 20 * mm, 20 * mm, 20 * mm, 20 * mm],
                           repeatRows=1, style=grid, hAlign="LEFT"))
    story += [Spacer(1, 5 * mm), Paragraph(f"Workers ({len(rows)})", styles["Heading2"])]
    # The PDF leaves out the worker id and the program (both in CSV and Excel) to give the reasons room.
    columns = ("Worker", "Team", "Supervisors", "Stage", "Period", "Sessions held / required",
               "Minutes / minimum", "Longest gap (leave)", "Status", "Reasons")
    table = [[p(h, head) for h in columns]]
    for row in rows:
        period = show_span(row.period_start, row.period_end)
        required = "–" if row.required_sessions is None else row.required_sessions
        table.append([p(row.worker_name), p(row.team_name), p(row.supervisors), p(row.stage), p(period),
                      p(f"{row.held_sessions} / {required}"), p(f"{row.minutes} / {row.minimum_minutes}"),
                      p(("" if row.longest_gap_days is None else f"{row.longest_gap_days} days")
                        + (f" ({row.leave_days} on leave)" if row.leave_days else "")),
                      p(row.status), p("; ".join(row.reasons))])
    widths = [34, 28, 32, 22, 28, 18, 18, 14, 13, 66]
    story.append(LongTable(table, colWidths=[w * mm for w in widths], repeatRows=1, style=grid, hAlign="LEFT"))
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=14 * mm, title="Supervision compliance",
                            author=dict(parameters).get("Generated by", ""))
    doc.build(story, onFirstPage=footer, onLaterPages=footer,
              canvasmaker=numbered_canvas(lambda c, page, total: c.drawRightString(
                  landscape(A4)[0] - 12 * mm, 7 * mm, f"Page {page} of {total}")))


def csv_file(rows: Iterable[ComplianceRow], parameters: list[tuple[str, str]]) -> Iterator[str]:
    """CSV as the rows arrive (the parameters are in the address, not the file)."""
    return csv_chunks(rows)


def xlsx_file(rows: Iterable[ComplianceRow], parameters: list[tuple[str, str]]) -> Iterator[bytes]:
    """The workbook written to a temporary file, then its chunks."""
    handle = tempfile.TemporaryFile()
    write_xlsx(rows, parameters, handle)
    return _closing(handle)


def pdf_file(rows: Iterable[ComplianceRow], parameters: list[tuple[str, str]]) -> Iterator[bytes]:
    """The PDF written to a temporary file, then its chunks."""
    table = list(rows)
    handle = tempfile.TemporaryFile()
    write_pdf(table, rollup(table), parameters, handle)
    return _closing(handle)


@dataclass(frozen=True)
class ExportFormat:
    """One export format: /export/compliance.<extension> and the Compliance page's button are derived from it."""

    extension: str
    media_type: str  # Flask adds "; charset=utf-8" to a text/* type itself (naming it here too sent it twice)
    label: str  # the button's text, and the format's name in messages
    write: Callable[[Iterable[ComplianceRow], list[tuple[str, str]]], Iterator[str | bytes]]
    # True: write yields while it reads the rows, so it runs inside the database session. False: it has written
    # its whole file when it returns, and the session is closed before the file is sent.
    yields_while_reading: bool = False
    # A number: the rows are read whole first, and more than this many are refused (a file to read, not process).
    max_rows: int | None = None


# The export registry, in the buttons' order.
FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("csv", "text/csv", "CSV", csv_file, yields_while_reading=True),
    ExportFormat("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel", xlsx_file),
    ExportFormat("pdf", "application/pdf", "PDF", pdf_file, max_rows=PDF_MAX_ROWS),
)
BY_EXTENSION = {export_format.extension: export_format for export_format in FORMATS}


# ---------------------------------------------------------------------------------------------------------
# The addresses


def _plain(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def _filename(req: ComplianceRequest, extension: str) -> str:
    """compliance_<program or teams>_<start>_<end>[_by_month].<ext>: the name says what the file covers."""
    by = "_by_month" if req.by_month else ""
    labels = dict(req.described())
    covers = ""
    if labels.get("Teams", "All teams") != "All teams":
        names = labels["Teams"].split(", ")
        covers = "_" + (_slug(names[0]) if len(names) == 1 else f"{len(names)}-teams")
    elif labels.get("Program", "All programs") != "All programs":
        covers = "_" + _slug(labels["Program"])
    return f"compliance{covers}_{req.window.start}_{req.window.end}{by}.{extension}"


def _slug(name: str) -> str:
    """A name safe in a header's quoted filename on every system: letters, digits and hyphens."""
    return "-".join("".join(c if c.isascii() and c.isalnum() else " " for c in name).split()).lower()[:60] or "x"


def _headers(req: ComplianceRequest, extension: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{_filename(req, extension)}"',
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _parameters(req: ComplianceRequest, viewer: Viewer, at: datetime) -> list[tuple[str, str]]:
    return [*req.described(), ("Generated by", f"{viewer.full_name} ({viewer.username}, {viewer.role_label})"),
            ("Generated at", f"{show_time(at)} UTC"), ("Address", f"{request.path}?{req.query_string()}")]


def export_compliance(extension: str) -> Response:
    export_format = BY_EXTENSION.get(extension)
    if export_format is None:
        abort(404)
    viewer = current_viewer()
    if viewer is None:
        return _plain(401, "Not logged in")
    if not viewer.may_use(SECTION):
        return _plain(403, "The compliance export is not part of your role's view.")
    now = today()
    at = datetime.now(timezone.utc)
    with session_scope() as session:
        scope = scope_for(session, viewer, now)
        try:
            req = parse(request.args.to_dict(flat=True), session, scope, now)
        except BadParameter as error:
            return _plain(400, str(error))
        record(session, Actor(viewer.user_id, viewer.username, (request.remote_addr or "")[:64] or None),
               "export", "compliance", extension, new={**req.audit_values(), "format": extension,
                                                       "address": f"{request.path}?{req.query_string()}"})
    parameters = _parameters(req, viewer, at)
    headers = _headers(req, extension)
    if req.by_month:
        # After a change to the standard or an import, every month of every worker is stale: five years of an
        # agency took 3.0-3.6 s to judge on one connection, 1.9-2.3 on two (bench/README, session 17).
        keep_ahead(current_database().session, scope, req.window, req.filters)

    if export_format.max_rows is not None:
        limit = export_format.max_rows
        with session_scope() as session:
            one_snapshot(session)
            rows_: list[ComplianceRow] = []
            for row in iter_rows(session, scope, req.window, req.filters, by_month=req.by_month):
                rows_.append(row)
                if len(rows_) > limit:
                    others = " or ".join(f.label for f in FORMATS if f.max_rows is None)
                    return _plain(400, f"More than {limit:,} rows: too many to read as a {export_format.label}. "
                                       f"Narrow the filters, or use the {others} export.")
        return Response(export_format.write(rows_, parameters), mimetype=export_format.media_type, headers=headers)

    def generate() -> Iterator[str | bytes]:
        with session_scope() as session:
            one_snapshot(session)
            stream = iter_rows(session, scope, req.window, req.filters, by_month=req.by_month, stream=True)
            chunks = export_format.write(stream, parameters)
            if export_format.yields_while_reading:
                yield from chunks
                return
        yield from chunks

    return Response(stream_with_context(generate()), mimetype=export_format.media_type, headers=headers)


def _closing(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        yield from _file_chunks(handle)
    finally:
        handle.close()


def init_app(server: Flask) -> None:
    blueprint = Blueprint("exports", __name__)
    blueprint.add_url_rule("/export/compliance.<extension>", "compliance", export_compliance)
    server.register_blueprint(blueprint)
