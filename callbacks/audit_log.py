"""Audit log callbacks: filter choices from the log itself, and the matching events (read-only, newest first)."""
from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output

from callbacks.common import as_date, viewer_for
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
        return [], "A date could not be read; use the date picker (YYYY-MM-DD)."
    if first_day and last_day and first_day > last_day:
        return [], "The 'from' day is after the 'to' day: no events."
    wanted = audit.AuditFilter(_choice(person), _choice(entity), _choice(action), first_day, last_day)
    with session_scope() as session:
        page = audit.events(session, wanted)
    rows = [{"id": r.id, "occurred_at": r.occurred_at.strftime("%Y-%m-%d %H:%M:%S"), "username": r.username,
             "action": r.action, "entity": r.entity, "entity_id": r.entity_id, "old_values": r.old_values,
             "new_values": r.new_values, "address": r.address} for r in page.rows]
    noun = "event" if page.total == 1 else "events"
    if page.total > len(rows):
        return rows, (f"{page.total:,} {noun} match; the newest {len(rows):,} are shown. "
                      "Narrow the filters to see others.")
    return rows, f"{page.total:,} {noun} match."


def register(app: Dash) -> None:
    app.callback(Output(ids.AUDIT_PERSON, "options"), Output(ids.AUDIT_ENTITY, "options"),
                 Output(ids.AUDIT_ACTION, "options"),
                 Input(ids.AUDIT_GRID, "id"))(filter_options)  # fires once, when the page mounts
    app.callback(Output(ids.AUDIT_GRID, "rowData"), Output(ids.AUDIT_COUNT, "children"),
                 Input(ids.AUDIT_PERSON, "value"), Input(ids.AUDIT_ENTITY, "value"),
                 Input(ids.AUDIT_ACTION, "value"), Input(ids.AUDIT_FROM, "value"),
                 Input(ids.AUDIT_TO, "value"))(refresh_events)
