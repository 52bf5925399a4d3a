"""Pure functions from a worker's profile rows to components (roster rows, profile panels); nothing here queries."""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.figures import empty_figure, plotly_text
from dashboard.queries.ledger import Progress
from dashboard.queries.signoff import SessionSignoff
from dashboard.queries.supervision import DueDate
from dashboard.queries.workspace import (CategoryLevels, HistoryPoint, LeaveRow, NotDiscussed, RosterRow,
                                         WorkerGuide, WorkerRef, WorkerSession)
from dashboard.recording import FORMAT_LABELS, KIND_LABELS, MODALITY_LABELS
from dashboard.dates import grid_dates, show
from layouts import ids
from layouts.ledger import hours_panel, log_form
from layouts.signoff import signoff_cell
from layouts.workspace import NOT_DISCUSSED_CHOICES, STATUS_LABELS
from models.vocabulary import DueStatus, RaterRole
from layouts.select import select

STATUS_COLORS = {DueStatus.OVERDUE: "danger", DueStatus.DUE_SOON: "warning", DueStatus.ON_TRACK: "success",
                 DueStatus.NO_STANDARD: "secondary", DueStatus.ON_LEAVE: "info"}
# Eight distinguishable colours, then dashes: twelve category lines stay apart (Okabe-Ito plus four).
LINE_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#332288", "#882255")


def abbreviation(name: str) -> str:
    """'Recovery-oriented' -> 'R', 'Relationship-focused' -> 'Rf': short enough for a bar label."""
    words = name.replace("-", " ").split()
    return words[0][0].upper() + ("f" if len(words) > 1 and words[0].lower().startswith("relation") else "")


def status_label(due: DueDate) -> str:
    """'On leave, back 19 Dec 2026' for a worker away with a known return; the status's label otherwise."""
    if due.status == DueStatus.ON_LEAVE and due.back_on is not None:
        return f"{DueStatus.ON_LEAVE.label}, back {show(due.back_on)}"
    return STATUS_LABELS[due.status]


def roster_rows(rows: Sequence[RosterRow]) -> list[dict[str, Any]]:
    result = []
    for row in rows:
        due = row.due
        minutes = (f"{due.minutes_this_month} of {due.required_this_month}" if due.required_this_month is not None
                   else f"{due.minutes_this_month}")
        result.append({
            "row_id": str(due.worker_id), "worker_id": due.worker_id, "worker": due.worker_name, "team": due.team_name,
            "stage": row.stage_name or "—", "status": due.status, "status_label": status_label(due),
            **grid_dates(last_individual=due.last_individual, next_due=due.next_due), "days_since": due.days_since,
            "days_until_due": due.days_until_due, "minutes_label": minutes,
            "minutes_this_month": due.minutes_this_month, "required_this_month": due.required_this_month,
            "due_order": due.days_until_due if due.days_until_due is not None else 10**6,
            "principles": [{"code": p.code, "name": p.name, "abbr": abbreviation(p.name),
                            "share": p.share, "proficient": p.proficient, "of": p.competencies}
                           for p in row.principles]})
    return result


def card_gap(row: dict[str, Any]) -> str:
    """The due status's own fact, said apart from the minutes (overdue is about the gap, not the month's minutes):
    '41 days since the last individual session · next due 02 Nov 2026' (the roster's "days since": leave left out)."""
    since = "the last individual session" if row.get("last_individual") else "hire (no individual session yet)"
    days = row.get("days_since")
    gap = f"{days} {'day' if days == 1 else 'days'} since {since}" if days is not None else "no gap counted"
    return f"{gap} · next due {row.get('next_due_label') or '—'}"


def card_minutes(row: dict[str, Any]) -> str:
    """'Supervision minutes this month: 90 (the month's minimum: 60)'; the minimum only when the month has one."""
    required = row.get("required_this_month")
    return (f"Supervision minutes this month: {row.get('minutes_this_month')}"
            + (f" (the month's minimum: {required})" if required is not None else ""))


def roster_cards(rows: Sequence[dict[str, Any]], card_type: str) -> list[html.Li]:
    """The roster's rows (as roster_rows makes them) as cards for a phone: the name is the button that opens the
    profile; status, due date and minutes underneath, the status coloured as in the grid and also said in words."""
    if not rows:
        return [html.Li("No peer workers on your teams today.", className="text-body-secondary")]
    ordered = sorted(rows, key=lambda row: (row["due_order"], row["worker"]))
    return [html.Li([
        html.Button(row["worker"], type="button", className="btn btn-link p-0 fw-semibold roster-worker-button",
                    id={"type": card_type, "worker": row["worker_id"]}),
        html.Div(f"{row['team']} · {row['stage']}", className="small text-body-secondary"),
        html.Div([html.Span(row["status_label"], className="fw-semibold"), f": {card_gap(row)}"], className="small"),
        html.Div(card_minutes(row), className="small"),
    ], className=f"roster-card status-{str(row['status']).replace('_', '-')}") for row in ordered]


def header(worker: WorkerRef, due: DueDate | None, actions: list[Any]) -> dbc.Card:
    facts = [f"Team: {worker.team_name or 'none today'}", f"Stage: {worker.stage_name or 'not recorded'}",
             f"Hired {show(worker.hire_date)}"]
    status: list[Any] = []
    if due is not None:
        status = [dbc.Badge(status_label(due), color=STATUS_COLORS[due.status], className="me-2",
                            id=ids.PROFILE_STATUS),
                  html.Span(f"Last individual session {show(due.last_individual)} · "
                            f"{due.days_since} days since · next due {show(due.next_due)} · "
                            f"{due.minutes_this_month} supervision minutes this month"
                            + (f" of {due.required_this_month}" if due.required_this_month is not None else ""),
                            className="small")]
    return dbc.Card(dbc.CardBody([
        html.Div([html.H2(worker.name, className="h4 mb-1", id=ids.PROFILE_NAME),
                  html.Div(actions, className="d-flex gap-2 flex-wrap")],
                 className="d-flex justify-content-between align-items-start flex-wrap gap-2"),
        html.P(" · ".join(facts), className="text-body-secondary mb-2"),
        html.Div(status),
    ]), className="mb-3 shadow-sm")


def _level(level: int | None, labels: dict[int, str], on: date | None) -> html.Td:
    if level is None:
        return html.Td("not rated", className="text-body-secondary")
    return html.Td(f"{level} {labels.get(level, '')}", title=f"rated {show(on)}")


def _mean(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def ratings_panel(categories: Sequence[CategoryLevels], labels: dict[int, str]) -> html.Div:
    """Categories as accordion items (summary in the title), competencies inside, differences of 2+ flagged."""
    if not categories:
        return dbc.Alert("No framework is active.", color="secondary")
    items = []
    for category in categories:
        flag = f" · {category.flags} to talk about" if category.flags else ""
        rows = [html.Tr([
            html.Td(c.code, className="text-nowrap"), html.Td(c.label),
            _level(c.supervisor_level, labels, c.supervisor_on),
            _level(c.self_level, labels, c.self_on),
            html.Td(dbc.Badge("differ by 2+", color="warning", text_color="dark") if c.flagged else ""),
        ], className="table-warning" if c.flagged else None) for c in category.competencies]
        table = dbc.Table([html.Thead(html.Tr([html.Th("Code"), html.Th("Competency"),
                                               html.Th(RaterRole.SUPERVISOR.label), html.Th(RaterRole.SELF.label),
                                               html.Th(html.Span("Flag", className="visually-hidden"))])),
                           html.Tbody(rows)], size="sm", className="mb-0 small")
        items.append(dbc.AccordionItem(
            table, item_id=category.code,
            title=f"{category.code} {category.title} — supervisor {_mean(category.supervisor_mean)}, "
                  f"self {_mean(category.self_mean)}{flag}"))
    return html.Div([
        html.P("Average of the latest ratings per category (scale "
               + ", ".join(f"{k} {v}" for k, v in sorted(labels.items())) + "). Open a category for its "
               "competencies; supervisor and self ratings 2 or more levels apart are flagged.",
               className="small text-body-secondary"),
        dbc.Accordion(items, start_collapsed=True, always_open=True, id=ids.PROFILE_RATINGS),
    ])


HISTORY_COLUMNS = 4  # small multiples: 12 categories in 3 rows of 4, one line each, on one shared scale


def history_chart(points: Sequence[HistoryPoint], titles: dict[str, str], levels: Sequence[int]) -> dict[str, Any]:
    """Small multiples, one panel per category in framework order (one chart of 12 overlaid lines hid category I
    under the others), each with the same level scale so panels compare. A plain figure dict: go.Figure with a
    template deep-copies the template, ~60 ms a profile."""
    if not points:
        return empty_figure("No supervisor ratings yet.")
    low, high = (min(levels), max(levels)) if levels else (1, 4)
    series: dict[str, list[HistoryPoint]] = defaultdict(list)
    for point in points:
        series[point.category_code].append(point)
    codes = [code for code in titles if code in series] + [code for code in series if code not in titles]
    rows = -(-len(codes) // HISTORY_COLUMNS)
    gap_x, gap_y = 0.04, 0.12 / max(rows, 1)
    width, height = (1 - gap_x * (HISTORY_COLUMNS - 1)) / HISTORY_COLUMNS, (1 - gap_y * (rows - 1)) / rows
    first, last = min(p.as_of for p in points).isoformat(), max(p.as_of for p in points).isoformat()
    data: list[dict[str, Any]] = []
    layout: dict[str, Any] = {"margin": {"l": 30, "r": 10, "t": 24, "b": 20}, "paper_bgcolor": "white",
                              "plot_bgcolor": "white", "font": {"color": "#2a3f5f", "size": 11}, "showlegend": False,
                              "annotations": []}
    grid = {"gridcolor": "#e5e9f0", "zeroline": False}
    for i, code in enumerate(codes):
        row, column = divmod(i, HISTORY_COLUMNS)
        left, top = column * (width + gap_x), 1 - row * (height + gap_y)
        suffix = "" if i == 0 else str(i + 1)
        data.append({"type": "scatter", "mode": "lines+markers", "name": plotly_text(code),
                     "xaxis": f"x{suffix}", "yaxis": f"y{suffix}", "line": {"color": LINE_COLORS[0]},
                     "x": [p.as_of.isoformat() for p in series[code]], "y": [p.mean_level for p in series[code]],
                     "hovertemplate": f"{code} {plotly_text(titles.get(code, ''))}<br>%{{x|%b %Y}}: %{{y:.1f}}"
                                      "<extra></extra>"})
        layout[f"xaxis{suffix}"] = grid | {"domain": [left, left + width], "anchor": f"y{suffix}",
                                           "range": [first, last], "showticklabels": row == rows - 1,
                                           "nticks": 3, "tickformat": "%b %y"}
        layout[f"yaxis{suffix}"] = grid | {"domain": [top - height, top], "anchor": f"x{suffix}", "dtick": 1,
                                           "range": [low - 0.3, high + 0.3], "showticklabels": column == 0}
        title = titles.get(code, "")
        layout["annotations"].append({"text": plotly_text(f"{code} {title[:22]}{'…' if len(title) > 22 else ''}"),
                                      "xref": "paper", "yref": "paper", "x": left, "y": top, "xanchor": "left",
                                      "yanchor": "bottom", "showarrow": False, "font": {"size": 11}})
    return {"data": data, "layout": layout}


def sessions_table(sessions: Sequence[WorkerSession], editable_by: int | None,
                   signoff: Mapping[int, SessionSignoff] | None = None, acknowledge_as: int | None = None) -> Any:
    """The worker's sessions with their sign-off; the viewer's own ones get Edit and Sign buttons, and a peer worker
    reading their own record an Acknowledge button (the server checks each again)."""
    signoff = signoff or {}
    if not sessions:
        return dbc.Alert("No supervision sessions recorded yet.", color="secondary")
    rows = []
    for s in sessions:
        edit = (dbc.Button("Edit", id={"type": ids.SESSION_EDIT, "session": s.id}, size="sm", color="link",
                           className="p-0", title=f"Edit the session of {show(s.held_on)}")
                if editable_by is not None and s.supervisor_id == editable_by else "")
        rows.append(html.Tr([html.Td(show(s.held_on), className="text-nowrap"),
                             html.Td(FORMAT_LABELS.get(s.format, s.format)), html.Td(KIND_LABELS.get(s.kind, s.kind)),
                             html.Td(MODALITY_LABELS.get(s.modality, s.modality)), html.Td(s.minutes),
                             html.Td(", ".join(s.competency_codes) or "—"), html.Td(s.supervisor_name),
                             html.Td(signoff_cell(signoff.get(s.id), editable_by is not None
                                                  and s.supervisor_id == editable_by, acknowledge_as),
                                     className="signoff-cell"),
                             html.Td(edit)]))
    return html.Div(dbc.Table([
        html.Thead(html.Tr([html.Th(h) for h in ("Date", "Format", "Kind", "Modality", "Minutes", "Discussed",
                                                 "Supervisor", "Sign-off")] + [html.Th(html.Span("Actions",
                                                                                     className="visually-hidden"))])),
        html.Tbody(rows)], size="sm", striped=True, className="small mb-0"), className="profile-sessions",
        tabIndex=0, role="region", **{"aria-label": "Supervision sessions"})  # scrolls: keyboard users need focus


def not_discussed_panel(result: NotDiscussed, last_n: int) -> html.Div:
    if result.sessions == 0:
        return html.P("No sessions yet.", className="small mb-0")
    if not result.principles:
        return html.P(f"Every principle came up in the last {result.sessions} sessions.", className="small mb-0")
    return html.Div([html.P(f"Not discussed in the last {result.sessions} sessions:", className="small mb-1"),
                     html.Ul([html.Li(name) for name in result.principles], className="small mb-0")])


def guides_panel(guides: Sequence[WorkerGuide]) -> html.Div:
    if not guides:
        return html.P("No category averages below proficient and no principle has under half of its competencies "
                      "proficient in the latest supervisor ratings, so no guide is suggested.", className="small mb-0")
    return html.Ul([html.Li([html.A(g.guide.title, href=g.guide.url, target="_blank", rel="noopener noreferrer"),
                             html.Br(), html.Small(g.reason, className="text-body-secondary")], className="mb-2")
                    for g in guides], className="list-unstyled mb-0")


def leaves_panel(leaves: Sequence[LeaveRow], editable: bool) -> Any:
    """Recorded leaves, latest first, each with Edit for the supervisor."""
    if not leaves:
        return html.P("No leave recorded.", className="text-body-secondary small mb-0")
    items = []
    for leave in leaves:
        back = f"back on {show(leave.end_date)} ({leave.days} days)" if leave.end_date else "return not known yet"
        items.append(html.Li([
            html.Span(f"From {show(leave.start_date)}, {back}"),
            dbc.Button("Edit", id={"type": ids.LEAVE_EDIT, "leave": leave.id}, size="sm", color="link",
                       className="p-0 ms-2", title=f"Edit the leave from {show(leave.start_date)}")
            if editable else None,
        ], className="mb-1"))
    return html.Ul(items, className="list-unstyled small mb-0")


def profile(worker: WorkerRef, due: DueDate | None, actions: list[Any], categories: Sequence[CategoryLevels],
            labels: dict[int, str], history: Sequence[HistoryPoint], sessions: Sequence[WorkerSession],
            discussed: NotDiscussed, last_n: int, guides: Sequence[WorkerGuide], editable_by: int | None,
            own_record: bool = False, leaves: Sequence[LeaveRow] = (), leave_editable: bool = False,
            signoff: Mapping[int, SessionSignoff] | None = None, hours: Sequence[Progress] = ()) -> html.Div:
    """A worker's profile; own_record words it for the peer worker reading their own."""
    titles = {c.code: c.title for c in categories}
    return html.Div([
        header(worker, due, actions),
        dbc.Row([
            dbc.Col(dbc.Card([dbc.CardHeader(html.H3("Competencies: supervisor and self", className="h6 mb-0")),
                              dbc.CardBody(ratings_panel(categories, labels))], className="shadow-sm h-100"), lg=7),
            dbc.Col([
                dbc.Card([dbc.CardHeader(html.H3("Certification hours", className="h6 mb-0")),
                          dbc.CardBody([hours_panel(hours, own_record), log_form(worker.id)],
                                       id=ids.PROFILE_HOURS)],
                         className="shadow-sm mb-3"),
                dbc.Card([dbc.CardHeader(html.H3("Guides for you" if own_record else "Guides for this worker",
                                                          className="h6 mb-0")),
                          dbc.CardBody(guides_panel(guides), id=ids.PROFILE_GUIDES)], className="shadow-sm mb-3"),
                dbc.Card([dbc.CardHeader(html.Div([
                    html.H3("Principles not discussed lately", className="h6 mb-0"),
                    html.Div([dbc.Label("Sessions", html_for=ids.PROFILE_LAST_N, className="small mb-0 me-2"),
                              select(id=ids.PROFILE_LAST_N, value=str(last_n), size="sm", style={"width": "5rem"},
                                     options=[{"label": str(n), "value": str(n)} for n in NOT_DISCUSSED_CHOICES])],
                             className="d-flex align-items-center")],
                    className="d-flex justify-content-between align-items-center")),
                    dbc.CardBody(not_discussed_panel(discussed, last_n), id=ids.PROFILE_NOT_DISCUSSED)],
                    className="shadow-sm mb-3"),
                dbc.Card([dbc.CardHeader(html.H3("Leave of absence", className="h6 mb-0")),
                          dbc.CardBody([leaves_panel(leaves, leave_editable),
                                        html.P("Days away do not count toward supervision gaps or monthly minimums.",
                                               className="small text-body-secondary mt-2 mb-0")],
                                       id=ids.PROFILE_LEAVES)], className="shadow-sm"),
            ], lg=5),
        ], className="g-3 mb-3"),
        dbc.Card([dbc.CardHeader(html.H3("Rating history by category (supervisor)", className="h6 mb-0")),
                  dbc.CardBody(dcc.Graph(figure=history_chart(history, titles, sorted(labels)),
                                         config={"displayModeBar": False},
                                         style={"height": "460px"}, id=ids.PROFILE_HISTORY))],
                 className="shadow-sm mb-3"),
        dbc.Card([dbc.CardHeader(html.H3(f"Supervision sessions ({len(sessions)} most recent)", className="h6 mb-0")),
                  dbc.CardBody(sessions_table(sessions, editable_by, signoff,
                                              worker.id if own_record else None), id=ids.PROFILE_SESSIONS)],
                 className="shadow-sm"),
    ], id=ids.PROFILE_LOADED)


def dom_id(component_id: dict[str, Any]) -> str:
    """The DOM id Dash gives a pattern-matching id (keys sorted, compact JSON), for a <label for=…>."""
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def rating_inputs(categories: Sequence[CategoryLevels], labels: dict[int, str], self_rating: bool) -> dbc.Accordion:
    """One select per competency, grouped by category, starting at the rater's current level."""
    items = []
    for category in categories:
        rows = []
        for c in category.competencies:
            select_id = {"type": ids.RATING_LEVEL, "competency": c.competency_id}
            mine, other = (c.self_level, c.supervisor_level) if self_rating else (c.supervisor_level, c.self_level)
            options = ([] if mine is not None else [{"label": "— not rated —", "value": "none"}]) + [
                {"label": f"{level} {label}", "value": str(level)} for level, label in sorted(labels.items())]
            rows.append(html.Tr([
                html.Td(c.code, className="text-nowrap"),
                html.Td(html.Label(c.label, htmlFor=dom_id(select_id))),
                html.Td("—" if other is None else f"{other} {labels.get(other, '')}", className="text-body-secondary"),
                html.Td(select(id=select_id, options=options, size="sm",
                               value=str(mine) if mine is not None else "none",
                               className="rating-select", name=f"rating-{c.competency_id}")),
            ]))
        other_label = (RaterRole.SUPERVISOR if self_rating else RaterRole.SELF).label
        items.append(dbc.AccordionItem(dbc.Table([
            html.Thead(html.Tr([html.Th("Code"), html.Th("Competency"), html.Th(other_label),
                                html.Th("Your rating" if self_rating else "Rating")])),
            html.Tbody(rows)], size="sm", className="small mb-0"), title=f"{category.code} {category.title}",
            item_id=category.code))
    return dbc.Accordion(items, start_collapsed=True, always_open=True)
