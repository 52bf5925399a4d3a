"""Compliance callbacks: the viewer's scope from the server session, the parameters checked like an export's."""
from __future__ import annotations

from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output

from callbacks.common import as_date, viewer_for
from dashboard import dates
from dashboard.compliance_params import BadParameter, parse
from dashboard.db import one_snapshot, session_scope
from dashboard.exports import FORMATS
from dashboard.queries import compliance
from dashboard.queries.common import Window
from dashboard.scope import scope_for
from dashboard.dates import grid_dates, show
from layouts import ids
from layouts.compliance import column_defs, last_full_quarter
from layouts.ids import ALL

SECTION = "compliance"
FILTER_INPUTS = (Input(ids.COMPLIANCE_START, "value"), Input(ids.COMPLIANCE_END, "value"),
                 Input(ids.COMPLIANCE_PROGRAM, "value"), Input(ids.COMPLIANCE_TEAM, "value"),
                 Input(ids.COMPLIANCE_SUPERVISOR, "value"), Input(ids.COMPLIANCE_STAGE, "value"))


def today() -> date:
    return date.today()


def _options(choices: tuple[compliance.Choice, ...], all_label: str) -> list[dict[str, str]]:
    return [{"label": all_label, "value": ALL}] + [{"label": c.label, "value": str(c.value)} for c in choices]


def refresh_choices(start: Any, end: Any) -> tuple[str, list[dict[str, str]], list[dict[str, str]],
                                                    list[dict[str, str]], list[dict[str, str]]]:
    """What the viewer may choose from, for the period asked (or the last full quarter while it is wrong)."""
    viewer = viewer_for(SECTION)
    now = today()
    first, last = as_date(start), as_date(end)
    window = Window(first, min(last, now)) if first and last and first <= last and first <= now else \
        Window(*last_full_quarter(now))
    with session_scope() as session:
        scope = scope_for(session, viewer, now)
        offered = compliance.choices(session, scope, window)
    if scope.team_ids is None:
        note = (f"Every team in the agency ({len(offered.programs)} programs, {len(offered.teams)} teams). "
                "Each worker is judged by the supervision standard in force on each day of the period.")
    else:
        note = (f"Your teams: {', '.join(c.label for c in offered.teams)}." if offered.teams
                else "You have no team at present.")
    return (note, _options(offered.programs, "All programs"), _options(offered.teams, "All teams"),
            _options(offered.supervisors, "All supervisors"), _options(offered.stages, "All stages"))


def _grid_row(row: compliance.ComplianceRow) -> dict[str, Any]:
    return {"worker": row.worker_name, "worker_id": row.worker_id, "program": row.program_name,
            "team": row.team_name, "supervisors": row.supervisors, "stage": row.stage,
            **grid_dates(period_start=row.period_start, period_end=row.period_end),
            "required": row.required_sessions, "held": row.held_sessions, "minutes": row.minutes,
            "minimum": row.minimum_minutes, "longest_gap": row.longest_gap_days, "leave": row.leave_days,
            "status": row.status,
            "reasons": "; ".join(row.reasons)}


def rollup_rows(teams: list[compliance.TeamRollup]) -> list[dict[str, Any]]:
    """The roll-up grid's rows: share_met a fraction to sort by, shown as share_label (rounded as in the PDF)."""
    return [{"team": t.team_name, "program": t.program_name, "workers": t.workers, "met": t.met,
             "not_met": t.not_met, "share_met": t.met_share,
             "share_label": "–" if t.met_share is None else f"{t.met_share:.0%}"} for t in teams]


def refresh_view(start: Any, end: Any, program: Any, team: Any, supervisor: Any, stage: Any) -> tuple[Any, ...]:
    """The roll-up, the rows and the export addresses (one per dashboard.exports.FORMATS) for the filters; a bad
    value gets a message and nothing else changes in meaning (empty table, no links)."""
    viewer = viewer_for(SECTION)
    texts = {"From": start, "To": end}
    days = {name: as_date(text) for name, text in texts.items()}
    unread = [name for name, day in days.items() if day is None]  # empty, or not a day
    if unread:
        message = f"Give the {' and '.join(unread)} date: {dates.asked_for(mid_sentence=True)}"
        return (dbc.Alert(message, color="warning", className="mb-3"), "", [], [], *("#" for _ in FORMATS),
                *(True for _ in FORMATS))
    # The parameters as an export's address carries them: days in ISO, whatever the fields show.
    iso = {name: day.isoformat() if day else None for name, day in days.items()}
    args = {key: value for key, value in (("start", iso["From"]), ("end", iso["To"]), ("program", program),
                                          ("team", team), ("supervisor", supervisor), ("stage", stage))
            if isinstance(value, str) and value not in ("", ALL)}
    now = today()
    with session_scope() as session:
        one_snapshot(session)  # the months of a quarter are then read from their kept judgements
        scope = scope_for(session, viewer, now)
        try:
            request = parse(args, session, scope, now)
        except BadParameter as error:
            return (dbc.Alert(str(error), color="warning", className="mb-3"), "", [], [], *("#" for _ in FORMATS),
                    *(True for _ in FORMATS))
        rows = compliance.rows(session, scope, request.window, request.filters)
    teams = compliance.rollup(rows)
    met = sum(r.status == compliance.MET for r in rows)
    share = f" ({met / len(rows):.0%})" if rows else ""
    summary = (f"{len(rows):,} workers in {len(teams):,} teams from {show(request.window.start)} to "
               f"{show(request.window.end)}: {met:,} met the standard{share}, {len(rows) - met:,} did not.")
    query = request.query_string()
    note = ""
    if request.asked_end != request.window.end:
        note = dbc.Alert(f"The period is cut at today ({show(now)}).", color="light", className="small py-2")
    return (note, summary, rollup_rows(teams), [_grid_row(r) for r in rows],
            *(f"/export/compliance.{f.extension}?{query}" for f in FORMATS), *(False for _ in FORMATS))


def choose_columns(shown: Any) -> list[dict[str, object]]:
    return column_defs([s for s in shown if isinstance(s, str)] if isinstance(shown, list) else None)


URL_SYNC_JS = """
function(start, end, program, team, supervisor, stage) {
    const params = new URLSearchParams();
    if (start) params.set('start', start);
    if (end) params.set('end', end);
    const chosen = {program: program, team: team, supervisor: supervisor, stage: stage};
    for (const key in chosen) {
        if (chosen[key] && chosen[key] !== 'all') params.set(key, chosen[key]);
    }
    const target = window.location.pathname + '?' + params.toString();
    if (target !== window.location.pathname + window.location.search) {
        window.history.replaceState(null, '', target);
    }
    return '';
}
"""


def register(app: Dash) -> None:
    app.callback(Output(ids.COMPLIANCE_SCOPE_NOTE, "children"), Output(ids.COMPLIANCE_PROGRAM, "options"),
                 Output(ids.COMPLIANCE_TEAM, "options"), Output(ids.COMPLIANCE_SUPERVISOR, "options"),
                 Output(ids.COMPLIANCE_STAGE, "options"),
                 Input(ids.COMPLIANCE_START, "value"), Input(ids.COMPLIANCE_END, "value"))(refresh_choices)
    app.callback(Output(ids.COMPLIANCE_MESSAGE, "children"), Output(ids.COMPLIANCE_SUMMARY, "children"),
                 Output(ids.COMPLIANCE_ROLLUP, "rowData"), Output(ids.COMPLIANCE_GRID, "rowData"),
                 *(Output(ids.compliance_export(f.extension), "href") for f in FORMATS),
                 *(Output(ids.compliance_export(f.extension), "disabled") for f in FORMATS),
                 *FILTER_INPUTS)(refresh_view)
    app.callback(Output(ids.COMPLIANCE_GRID, "columnDefs"), Input(ids.COMPLIANCE_COLUMNS, "value"))(choose_columns)
    app.clientside_callback(URL_SYNC_JS, Output(ids.COMPLIANCE_URL_SYNC, "children"), *FILTER_INPUTS)
