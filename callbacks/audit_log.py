"""Audit log callbacks: filter choices from the log itself, and the matching events (read-only, newest first)."""
from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, html

from callbacks.common import as_date, viewer_for
from dashboard import dates
from dashboard.audit import Change
from dashboard.dates import grid_dates
from dashboard.db import session_scope
from dashboard.queries import audit
from layouts import ids
from layouts.ids import ALL

SECTION = "audit"


def filter_options(_mounted: Any) -> tuple[list[dict[str, str]], list[dict[str, str]], list[dict[str, str]]]:
    viewer_for(SECTION)
    with session_scope() as session:
        found = audit.choices(session)

    def options(everything: str, values: tuple[str, ...]) -> list[dict[str, str]]:
        return [{"label": everything, "value": ALL}] + [{"label": v, "value": v} for v in values]
    return (options("Everyone", found.usernames), options("All entities", found.entities),
            options("All actions", found.actions))


def _choice(value: Any) -> str | None:
    """A filter value from a control or a crafted payload: a short string, or no filter."""
    return value if isinstance(value, str) and value not in ("", ALL) and len(value) <= 80 else None


def refresh_events(person: Any, entity: Any, action: Any, first: Any, last: Any) -> tuple[list[dict[str, Any]], str]:
    viewer_for(SECTION)
    first_day = as_date(first) if first else None
    last_day = as_date(last) if last else None
    if (first and first_day is None) or (last and last_day is None):
        return [], f"A date could not be read: {dates.asked_for(mid_sentence=True)}"
    if first_day and last_day and first_day > last_day:
        return [], "The 'from' day is after the 'to' day: no events."
    wanted = audit.AuditFilter(_choice(person), _choice(entity), _choice(action), first_day, last_day)
    with session_scope() as session:
        page = audit.events(session, wanted)
    rows = [{"id": r.id, **grid_dates(occurred_at=r.occurred_at), "username": r.username,
             "action": r.action, "entity": r.entity, "entity_id": r.entity_id, "changes": changes_text(r.changes),
             "fields": [[c.field, c.before, c.after] for c in r.changes], "address": r.address} for r in page.rows]
    noun = "event" if page.total == 1 else "events"
    if page.total > len(rows):
        return rows, (f"{page.total:,} {noun} match; the newest {len(rows):,} are shown. "
                      "Narrow the filters to see others.")
    return rows, f"{page.total:,} {noun} match."


def changes_text(changes: tuple[Change, ...]) -> str:
    """One line per field for the grid's cell: 'fte: 1.00 → 0.50'."""
    return "\n".join(f"{c.field}: {c.before} → {c.after}" for c in changes) or "(no values recorded)"


CHOOSE = "Choose an event in the list (click it, or press Space on it) to read its changes as a table."


def show_event(selected: Any) -> Any:
    """The chosen event's changed fields as a table with headers; the rows come from the grid (already scoped)."""
    viewer_for(SECTION)
    row = selected[0] if isinstance(selected, list) and len(selected) == 1 and isinstance(selected[0], dict) else None
    fields = row.get("fields") if row else None
    if not row or not isinstance(fields, list):
        return html.P(CHOOSE, className="small text-body-secondary mb-0")
    lines = [f for f in fields if isinstance(f, list) and len(f) == 3 and all(isinstance(v, str) for v in f)]
    title = (f"{row.get('action', '')} {row.get('entity', '')} {row.get('entity_id') or ''} by "
             f"{row.get('username', '')}, {row.get('occurred_at_label', '')} UTC")
    if not lines:
        return [html.H2(title, className="h6"), html.P("This event recorded no values.", className="mb-0")]
    return [html.H2(title, className="h6"),
            html.Div(html.Table([
                html.Caption(f"{len(lines)} {'field' if len(lines) == 1 else 'fields'}", className="visually-hidden"),
                html.Thead(html.Tr([html.Th(h, scope="col") for h in ("Field", "Before", "After")])),
                html.Tbody([html.Tr([html.Th(field, scope="row", className="fw-normal font-monospace"),
                                     html.Td(before), html.Td(after)]) for field, before, after in lines]),
            ], className="table table-sm mb-0"), className="table-responsive", tabIndex=0,
                role="region", **{"aria-label": "Changed fields"})]


def register(app: Dash) -> None:
    app.callback(Output(ids.AUDIT_PERSON, "options"), Output(ids.AUDIT_ENTITY, "options"),
                 Output(ids.AUDIT_ACTION, "options"),
                 Input(ids.AUDIT_GRID, "id"))(filter_options)  # fires once, when the page mounts
    app.callback(Output(ids.AUDIT_GRID, "rowData"), Output(ids.AUDIT_COUNT, "children"),
                 Input(ids.AUDIT_PERSON, "value"), Input(ids.AUDIT_ENTITY, "value"),
                 Input(ids.AUDIT_ACTION, "value"), Input(ids.AUDIT_FROM, "value"),
                 Input(ids.AUDIT_TO, "value"))(refresh_events)
    app.callback(Output(ids.AUDIT_DETAIL, "children"), Input(ids.AUDIT_GRID, "selectedRows"))(show_event)
