"""Certification hours components: a worker's progress toward each credential requirement, and the roster's cell."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import dcc, html

from dashboard.queries.ledger import Progress, hours_text
from dashboard.recording import KIND_LABELS
from layouts.fields import date_input, date_label


def _rules(progress: Progress) -> str:
    req = progress.requirement
    period = f"within {req.period_months} months" if req.period_months else "over the whole record"
    confirm = ("signed and acknowledged sessions" if req.require_acknowledged
               else "signed sessions" if req.require_signed else "sessions")
    kinds = ", ".join(KIND_LABELS.get(k, k).lower() for k in req.kinds) if req.kinds else "any kind"
    return f"{hours_text(round(req.hours_required * 60))} h {period}; {kinds}; {confirm} count."


def hours_panel(progress: Sequence[Progress], own_record: bool = False) -> Any:
    """Each requirement: hours counted of required with a bar, by kind, what is pending, and its rule and source."""
    if not progress:
        return html.P("No credential requirement applies to " + ("you." if own_record else "this worker."),
                      className="small mb-0")
    items = []
    for p in progress:
        req = p.requirement
        counted, required = hours_text(p.minutes_counted), hours_text(round(req.hours_required * 60))
        by_kind = "; ".join(f"{KIND_LABELS.get(k, k)} {hours_text(m)} h" for k, m in p.minutes_by_kind)
        pending = (f" {hours_text(p.minutes_pending)} h more once signed"
                   f"{' and acknowledged' if req.require_acknowledged else ''}." if p.minutes_pending else "")
        items.append(html.Li([
            html.Div([html.Span(f"{req.name} ({req.issuing_body})", className="fw-semibold"),
                      html.Span(f"{counted} of {required} h" + (" · met" if p.met else ""),
                                className="text-nowrap ms-2")],
                     className="d-flex justify-content-between flex-wrap"),
            html.Div(html.Div(className=f"progress-bar {'bg-success' if p.met else 'bg-primary'}",
                              style={"width": f"{round(p.share * 100)}%"}),
                     className="progress my-1", style={"height": "0.6rem"}, role="progressbar",
                     **{"aria-label": f"{req.name}: {counted} of {required} hours",
                        "aria-valuenow": round(p.share * 100), "aria-valuemin": 0, "aria-valuemax": 100}),
            html.Small([(by_kind + ".") if by_kind else "No counted sessions yet.", pending], className="d-block"),
            html.Small(_rules(p) + (f" Source: {req.source}" if req.source else ""),
                       className="d-block text-body-secondary"),
        ], className="mb-2"))
    return html.Ul(items, className="list-unstyled mb-0")


def roster_hours(progress: Sequence[Progress]) -> str:
    """The roster's cell: the least advanced requirement, as "12.5 / 25 h"."""
    if not progress:
        return ""
    least = min(progress, key=lambda p: p.share)
    return f"{hours_text(least.minutes_counted)} / {hours_text(round(least.requirement.hours_required * 60))} h"


def log_form(worker_id: int) -> html.Form:
    """A plain GET form to the supervision log export: the browser downloads the file, the page stays."""
    def day(label: str, name: str) -> Any:
        field = f"log-{name}-{worker_id}"
        return html.Div([date_label(field, label, className="small mb-0"), date_input(field, name=name, size="sm")],
                        className="me-2")
    return html.Form([
        dcc.Input(type="hidden", name="worker", value=str(worker_id), id=f"log-worker-{worker_id}"),
        html.Div([day("Sessions from (empty: hire date)", "from"), day("to (empty: today)", "to")],
                 className="d-flex flex-wrap mb-2"),
        html.Button("Supervision log (PDF)", type="submit", formAction="/export/supervision-log.pdf",
                    className="btn btn-sm btn-outline-primary me-2", id=f"log-pdf-{worker_id}"),
        html.Button("CSV", type="submit", formAction="/export/supervision-log.csv",
                    className="btn btn-sm btn-outline-secondary", id=f"log-csv-{worker_id}"),
        html.Small("Each file carries a verification code a certification board can check at /verify.",
                   className="d-block text-body-secondary mt-1"),
    ], method="get", action="/export/supervision-log.pdf", className="mt-2 border-top pt-2")
