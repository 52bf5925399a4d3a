"""Overview callbacks: every panel reads the viewer's scope from the server session, then the query layer."""
from __future__ import annotations

from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL as EVERY, Dash, Input, Output, State, html, no_update
from dash.exceptions import PreventUpdate
from flask import has_request_context
from sqlalchemy.orm import Session

from callbacks.common import as_date, as_int, as_int_set, viewer_for
from dashboard import figures
from dashboard.auth import current_viewer
from dashboard.db import session_scope
from dashboard.queries import coverage, pooling, supervision
from dashboard.queries.common import (MetricSettings, TeamFilter, Window, last_whole_month_end, load_settings,
                                      teams_in_view)
from dashboard.scope import Scope, scope_for
from dashboard.dates import show
from layouts import ids
from layouts.ids import ALL
from layouts import overview as overview_layout
from layouts.overview import DEFAULT_WINDOW, WINDOW_PRESETS, FilterChoices

SECTION = "overview"
NO_WORKERS = "No workers on these teams in this period."
TREND_MONTHS = 12
# More rows than this and the heatmap and frequency chart show programs; a program filter shows its teams.
MAX_TEAM_ROWS = 30
HEATMAP_OUTPUTS = (Output(ids.OVERVIEW_HEATMAP, "figure"), Output(ids.OVERVIEW_HEATMAP_TABLE, "children"),
                   Output(ids.OVERVIEW_HEATMAP_EMPTY, "children"), Output(ids.OVERVIEW_HEATMAP_KEYS, "data"))
FILTER_INPUTS = (Input(ids.OVERVIEW_WINDOW, "value"), Input(ids.OVERVIEW_CUSTOM_START, "value"),
                 Input(ids.OVERVIEW_CUSTOM_END, "value"), Input(ids.OVERVIEW_PROGRAM, "value"),
                 Input(ids.OVERVIEW_TEAMS, "value"))


def today() -> date:
    return date.today()


def parse_filters(preset: Any, start: Any, end: Any, program: Any, teams: Any) -> tuple[Window, TeamFilter]:
    """Whatever arrives (controls, URL, a crafted payload) becomes a valid window and filter, or the default."""
    viewer_for(SECTION)  # who asks comes first: a role without the Overview gets 403 whatever its filters say
    now = today()
    window = Window.last_days(int(DEFAULT_WINDOW), now)
    preset = preset if isinstance(preset, str) else DEFAULT_WINDOW
    if preset in dict(WINDOW_PRESETS) and preset != "custom":
        window = Window.last_days(int(preset), now)
    elif preset == "custom":
        first, last = as_date(start), as_date(end)
        if first and last and first <= last and first <= now:
            window = Window(first, min(last, now))  # nothing happens after today
    return window, TeamFilter(program_id=as_int(program), team_ids=as_int_set(teams or []))


def _scope(session: Session) -> Scope:
    return scope_for(session, viewer_for(SECTION), today())


def choices(program: Any, chosen_teams: Any) -> FilterChoices:
    """The viewer's programs and teams to choose from; chosen teams outside them are dropped."""
    viewer = viewer_for(SECTION)
    with session_scope() as session:
        scope = scope_for(session, viewer, today())
        teams = teams_in_view(session, scope, TeamFilter(), in_use_only=True)  # archived teams leave the choices
    programs = sorted({(t.program_id, t.program_name) for t in teams}, key=lambda p: p[1])
    program_id = as_int(program)
    offered = [t for t in teams if program_id is None or t.program_id == program_id]
    team_options = [{"label": f"{t.name} ({t.program_name})" if program_id is None else t.name, "value": t.id}
                    for t in offered]
    kept = sorted(as_int_set(chosen_teams or []) & {t.id for t in offered})
    if scope.team_ids is None:
        note = f"All {len(programs)} programs and {len(teams)} teams."
    else:
        note = f"Your teams: {', '.join(t.name for t in teams)}." if teams else "You have no team at present."
    # No box ticked means every team: say so, rather than "all 10" over ten empty boxes.
    summary = (f"Teams: {len(kept)} of {len(offered)} chosen" if kept
               else f"Teams: every team ({len(offered)}); tick to narrow")
    return FilterChoices(note, [{"label": "All programs", "value": ALL}] + [{"label": n, "value": str(i)}
                                                                      for i, n in programs],
                   team_options, kept, summary)


def page(**query: str) -> Any:
    """The Overview with its choices filled in: the panels' callbacks can start in the round after the page's own,
    instead of waiting for a round that only fills the filters (issue 18, "one round, not three"). Called with
    nobody signed in (Dash's validation layout, the registry's tests), it is the bare layout, with every id."""
    if not has_request_context() or current_viewer() is None:
        return overview_layout.layout(**query)
    program = query.get("program")
    teams = [t for t in (query.get("teams") or "").split(",") if t.isdigit()]
    return overview_layout.layout(**query, choices=choices(program if program and program.isdigit() else ALL,
                                                           teams))


def scope_and_options(program: Any, chosen_teams: Any) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]],
                                                               Any, str]:
    """The filters after the viewer changes the program or ticks a team (the first load has them from page())."""
    found = choices(program, chosen_teams)
    kept = found.kept if found.kept != sorted(as_int_set(chosen_teams or [])) else no_update
    return found.note, found.programs, found.teams, kept, found.summary


# A figure is a plain dict (figures.coverage_heatmap says why).
Figure = dict[str, Any]
HeatmapOutputs = tuple[Figure, Any, Any, dict[str, dict[str, Any]]]


def refresh_kpis_and_heatmap(preset: Any, start: Any, end: Any, program: Any, teams: Any, mode: Any,
                             table_wanted: Any = True) -> tuple[html.Div, Figure, Any, Any, dict[str, dict[str, Any]]]:
    """The KPI cards and the heatmap from one coverage query: "Overall coverage" is the heatmap's shown cells summed
    (coverage.overall_coverage), so the two panels ask for the same cells. A change of mode alone redraws only the
    heatmap (refresh_heatmap). The heatmap's table only once the page asked for it (table_wanted, see _heatmap)."""
    window, filters = parse_filters(preset, start, end, program, teams)
    with session_scope() as session:
        scope = _scope(session)
        settings = load_settings(session)
        cells = coverage.coverage(session, scope, window, filters, settings)
        kpis = supervision.kpi_supervision(session, scope, window, filters, settings, today())
        heatmap = _heatmap(session, scope, window, filters, settings, mode,
                           None if mode == "discussed" else cells, bool(table_wanted))
    return (_kpi_cards(kpis, coverage.overall_coverage(cells), window, settings), *heatmap)


def _kpi_cards(kpis: supervision.SupervisionKpis, overall: float | None, window: Window,
               settings: MetricSettings) -> html.Div:
    hidden, k = kpis.all_suppressed, settings.min_cell_workers
    on_day = show(window.end)
    cards = figures.kpi_cards([
        ("Active peer workers", f"{kpis.active_workers:,}",
         f"on {on_day}" + (f", {kpis.on_leave_now:,} of them on leave" if kpis.on_leave_now else "")),
        ("Supervisors", f"{kpis.supervisors:,}", "of the teams in view"),
        ("Meeting the standard", figures.percent(kpis.meeting_share, hidden, k),
         f"of the workers on a team on {on_day}, over {window.days} days"),
        ("Overdue now", f"n<{k}" if hidden else f"{kpis.overdue_now:,}", "past their stage's limit"),
        ("Hours per worker", figures.number(kpis.hours_per_worker_month, 1, hidden, k), "of supervision per month"),
        ("Overall coverage", figures.percent(overall, hidden, k), "competency pairs rated proficient"),
    ])
    if not kpis.small_teams:
        return html.Div(cards)
    teams_word = "team has" if kpis.small_teams == 1 else "teams have"
    return html.Div([cards, html.P(
        f"{kpis.small_teams} {teams_word} fewer than {k} workers on {on_day}: counted in the head counts only, "
        "in no other number on this page, so that no one in them can be identified.",
        className="small text-body-secondary mt-2 mb-0", id=ids.OVERVIEW_KPIS_NOTE)])


def refresh_heatmap(preset: Any, start: Any, end: Any, program: Any, teams: Any, mode: Any,
                    table_wanted: Any = True) -> HeatmapOutputs:
    """The heatmap alone, when only its mode changed or its table was first asked for (the filters' values come as
    state)."""
    window, filters = parse_filters(preset, start, end, program, teams)
    with session_scope() as session:
        return _heatmap(session, _scope(session), window, filters, load_settings(session), mode,
                        table_wanted=bool(table_wanted))


def _heatmap(session: Session, scope: Scope, window: Window, filters: TeamFilter, settings: MetricSettings,
             mode: Any, proficiency: list[coverage.CoverageCell] | None = None,
             table_wanted: bool = True) -> HeatmapOutputs:
    """`proficiency`: the coverage cells when the caller has them already. Without table_wanted the table is left as
    it is (no_update): the page asks for it when the table is opened, or at once on a phone (TABLE_WANTED_JS)."""
    team_refs = teams_in_view(session, scope, filters)
    if mode == "discussed":
        cells: list[Any] = coverage.attention(session, scope, window, filters, settings)
        attr = "share"
    else:
        cells = proficiency if proficiency is not None else coverage.coverage(session, scope, window, filters,
                                                                              settings)
        attr = "proficient_share"
    if not cells:
        message = dbc.Alert("No team matches these filters. Clear the program or team filter.",
                            color="secondary", className="mb-2")
        return figures.empty_figure("Nothing to show"), "", message, {}
    if not any(c.workers for c in cells):
        # Teams exist but nobody was on them (a period before they started): say so rather than draw blank cells.
        return (figures.empty_figure(NO_WORKERS), "", dbc.Alert(NO_WORKERS, color="secondary", className="mb-2"),
                {})
    principles = figures.click_keys((c.principle_name, c.principle_code) for c in cells)
    if len(team_refs) > MAX_TEAM_ROWS:
        pooled = pooling.pool_cells(cells, team_refs, settings)
        note = dbc.Alert(f"{len(team_refs)} teams in view: one row per program. Click a program (or choose it "
                         "above) to see its teams.", color="light", className="small py-2 mb-2")
        keys = {"programs": figures.click_keys((c.program_name, c.program_id) for c in pooled),
                "principles": principles}
        return (figures.coverage_heatmap(pooled, "share", settings.min_cell_workers, by="program"),
                figures.heatmap_table(pooled, "share", settings.min_cell_workers, by="program",
                                      button_type=ids.OVERVIEW_HEATMAP_CELL) if table_wanted else no_update,
                note, keys)
    # Plotly drops a heatmap point's customdata from clickData, so a click is mapped back by its labels.
    keys = {"teams": figures.click_keys((c.team_name, c.team_id) for c in cells), "principles": principles}
    return (figures.coverage_heatmap(cells, attr, settings.min_cell_workers),
            figures.heatmap_table(cells, attr, settings.min_cell_workers, button_type=ids.OVERVIEW_HEATMAP_CELL)
            if table_wanted else no_update, "", keys)


def refresh_frequency(preset: Any, start: Any, end: Any, program: Any, teams: Any) -> Figure:
    window, filters = parse_filters(preset, start, end, program, teams)
    with session_scope() as session:
        scope = _scope(session)
        settings = load_settings(session)
        team_refs = teams_in_view(session, scope, filters)
        rows = supervision.frequency(session, scope, window, filters, settings)
    if len(team_refs) > MAX_TEAM_ROWS:
        return figures.frequency_chart(pooling.pool_frequency(rows, team_refs, settings), by="program")
    return figures.frequency_chart(rows)


def refresh_trend(preset: Any, start: Any, end: Any, program: Any, teams: Any,
                  drawn: Any = None) -> tuple[Figure, list[Any]]:
    """The trend and what it was drawn for (the last whole month's end and the filters). The trend ends at the window's
    last whole month, so choosing 30 days instead of 90 changes nothing in it: when what it would be drawn for is
    what the page already shows (`drawn`, the store this returns), nothing is read or sent again. A crafted `drawn`
    can only spare the caller's own chart an update."""
    window, filters = parse_filters(preset, start, end, program, teams)
    # Whole calendar months only: a month to date (1-4 December) judged as a month looks far better than it is.
    end = last_whole_month_end(window.end)
    key = [end.isoformat(), filters.program_id, sorted(filters.team_ids)]
    if drawn == key:
        raise PreventUpdate
    with session_scope() as session:
        scope = _scope(session)
        settings = load_settings(session)
        coverage_points = coverage.coverage_trend(session, scope, end, TREND_MONTHS, filters, settings, today())
        meeting_points = supervision.meeting_trend(session, scope, end, TREND_MONTHS, filters, settings, today())
    if all(p.proficient_share is None for p in coverage_points) and all(
            p.meeting_share is None for p in meeting_points):
        return figures.empty_figure(NO_WORKERS), key
    return figures.trend_chart(coverage_points, meeting_points), key


def refresh_signals(preset: Any, start: Any, end: Any, program: Any, teams: Any) -> html.Div:
    window, filters = parse_filters(preset, start, end, program, teams)
    with session_scope() as session:
        scope = _scope(session)
        settings = load_settings(session)
        team_refs = teams_in_view(session, scope, filters)
        mix = {m.team_id: m for m in supervision.supervision_mix(session, scope, window, filters, settings)}
        people = {s.team_id: s for s in supervision.supervisor_signals(session, scope, window, filters, settings)}
        single = {}
        for point in coverage.single_points_of_failure(session, scope, window, filters, settings):
            single.setdefault(point.team_id, []).append(point.principle_name)
    # A team nobody was on in the window is not a small team to hide ("n<3") nor one with no gap ("none").
    staffed = [t for t in team_refs if _workers(mix.get(t.id)) or _workers(people.get(t.id))]
    if not staffed:
        return dbc.Alert(NO_WORKERS, color="secondary", className="mb-0")
    rows = [_signal_row(t.id, t.name, mix.get(t.id), people.get(t.id), single.get(t.id, []), settings)
            for t in staffed]
    unstaffed = len(team_refs) - len(staffed)
    note = ""
    if len(rows) > MAX_TEAM_ROWS:
        rows = [r for r in rows if r["admin_flag"] or r["fte_flag"]]
        note = f"{len(team_refs)} teams in view: showing the {len(rows)} with a red flag."
    if unstaffed:
        note = (note + " " if note else "") + (f"{unstaffed} team{'s' * (unstaffed > 1)} had no workers in this "
                                               "period and {} left out.".format("are" if unstaffed > 1 else "is"))
    return overview_layout.signals_grid(rows, settings.fte_per_supervisor_limit, note)


def _workers(row: Any) -> int:
    return 0 if row is None else int(getattr(row, "workers", 0) or 0)


def _signal_row(team_id: int, name: str, mix: Any, people: Any, single: list[str],
                settings: MetricSettings) -> dict[str, Any]:
    admin_share = None if mix is None else mix.administrative_share
    fte = None if people is None else people.fte_per_supervisor
    suppressed = bool((mix and mix.suppressed) or (people and people.suppressed))
    return {
        "team": name,
        "admin_share": figures.percent(admin_share, suppressed, settings.min_cell_workers),
        "admin_flag": not suppressed and admin_share is not None and admin_share > 0.5,
        "credential_share": figures.percent(None if people is None else people.peer_credential_share, suppressed,
                                            settings.min_cell_workers),
        "fte": figures.number(fte, 1, suppressed, settings.min_cell_workers),
        "fte_flag": bool(people and people.over_limit),
        # A suppressed team has no single points from the query; "none" would claim it has no gap.
        "single_points": f"n<{settings.min_cell_workers}" if suppressed else ", ".join(single),
    }


def open_drilldown(click: Any, preset: Any, start: Any, end: Any, keys: Any) -> tuple[Any, Any, Any, Any]:
    """The clicked cell's team and principle (checked against the viewer's scope, not trusted); a click on a
    program row filters to that program instead."""
    try:
        point = click["points"][0]
        if point["y"] in keys.get("programs", {}):
            return no_update, no_update, no_update, str(as_int(keys["programs"][point["y"]]) or ALL)
        team_id = keys["teams"][point["y"]]
        principle_code = keys["principles"][point["x"]]
    except (TypeError, KeyError, IndexError, AttributeError):
        return no_update, no_update, no_update, no_update
    return drilldown(team_id, principle_code, preset, start, end)


def open_drilldown_from_table(cell: Any, preset: Any, start: Any, end: Any) -> tuple[Any, Any, Any, Any]:
    """A button in the heatmap's table (the keyboard's way in), as CHOSEN_CELL_JS put it in its store: the button's id,
    naming the team (or program) and principle; the team is checked against the viewer's scope like a chart click."""
    if not isinstance(cell, dict):
        return no_update, no_update, no_update, no_update
    if cell.get("by") == "program":
        return no_update, no_update, no_update, str(as_int(cell.get("row")) or ALL)
    return drilldown(cell.get("row"), cell.get("principle"), preset, start, end)


def drilldown(team_id: Any, principle_code: Any, preset: Any, start: Any, end: Any) -> tuple[Any, Any, Any, Any]:
    window, _ = parse_filters(preset, start, end, None, None)
    with session_scope() as session:
        scope = _scope(session)
        settings = load_settings(session)
        detail = coverage.drilldown(session, scope, window, as_int(team_id) or -1, str(principle_code), settings)
        frequency = None
        if detail is not None:
            rows = supervision.frequency(session, scope, window, TeamFilter(team_ids=frozenset({detail.team.id})),
                                         settings)
            frequency = rows[0] if rows else None
    if detail is None:
        return True, dbc.Alert("That team is not in your view.", color="warning"), "Details", no_update
    return (True, figures.drilldown_panel(detail, frequency, window, settings.min_cell_workers),
            f"{detail.team.name} · {detail.principle_name}", no_update)


DRILLDOWN_OUTPUTS = (Output(ids.OVERVIEW_DRILLDOWN, "is_open", allow_duplicate=True),
                     Output(ids.OVERVIEW_DRILLDOWN_BODY, "children", allow_duplicate=True),
                     Output(ids.OVERVIEW_DRILLDOWN_TITLE, "children", allow_duplicate=True),
                     Output(ids.OVERVIEW_PROGRAM, "value", allow_duplicate=True))
WINDOW_STATES = (State(ids.OVERVIEW_WINDOW, "value"), State(ids.OVERVIEW_CUSTOM_START, "value"),
                 State(ids.OVERVIEW_CUSTOM_END, "value"))

# The width matches app.css's phone rule, which hides the chart.
# The heatmap's table is asked for once its line is pressed (mouse, Enter or Space: each is a click), or at once on a
# phone, where it opens first (TABLE_FIRST_ON_A_PHONE_JS). Asked for once: later presses only open and close it.
TABLE_WANTED_JS = """
function(pressed, wanted) {
    if (wanted) return window.dash_clientside.no_update;
    return pressed || window.matchMedia('(max-width: 575.98px)').matches ? true : window.dash_clientside.no_update;
}
"""

TABLE_FIRST_ON_A_PHONE_JS = """
function(_table) {
    return window.matchMedia('(max-width: 575.98px)').matches ? true : window.dash_clientside.no_update;
}
"""

# The From/To fields show for a custom window only: in the browser, as the choice changes (the page sets them for
# its first load). A server callback here was one more request beside the panels' on every window change.
CUSTOM_RANGE_JS = """
function(preset) { return preset !== 'custom'; }
"""

# The table's button pressed, into a store the drill-down's server callback listens to. Dash calls a callback on
# every button of a pattern (ALL) once more when they are removed, as each new window's table replaces the last:
# in the browser that costs nothing, where a server callback was one more round trip after every window change.
CHOSEN_CELL_JS = """
function(_clicks) {
    const context = window.dash_clientside.callback_context;
    const cell = context.triggered_id;
    if (!cell || typeof cell !== 'object' || !context.triggered.some(t => t.value)) {
        return window.dash_clientside.no_update;
    }
    return {row: cell.row, by: cell.by, principle: cell.principle, pressed: Date.now()};
}
"""

URL_SYNC_JS = """
function(preset, start, end, program, teams, mode) {
    const params = new URLSearchParams();
    if (preset) params.set('window', preset);
    if (preset === 'custom' && start) params.set('start', start);
    if (preset === 'custom' && end) params.set('end', end);
    if (program && program !== 'all') params.set('program', program);
    if (teams && teams.length) params.set('teams', teams.join(','));
    if (mode && mode !== 'proficiency') params.set('mode', mode);
    const query = params.toString();
    const target = window.location.pathname + (query ? '?' + query : '');
    // replaceState: the address follows the filters without Dash re-rendering the page.
    if (target !== window.location.pathname + window.location.search) {
        window.history.replaceState(null, '', target);
    }
    return '';
}
"""


def register(app: Dash) -> None:
    app.callback(Output(ids.OVERVIEW_SCOPE_NOTE, "children"), Output(ids.OVERVIEW_PROGRAM, "options"),
                 Output(ids.OVERVIEW_TEAMS, "options"), Output(ids.OVERVIEW_TEAMS, "value"),
                 Output(ids.OVERVIEW_TEAMS_SUMMARY, "children"),
                 Input(ids.OVERVIEW_PROGRAM, "value"), Input(ids.OVERVIEW_TEAMS, "value"),
                 prevent_initial_call=True)(scope_and_options)
    app.clientside_callback(CUSTOM_RANGE_JS, Output(ids.OVERVIEW_CUSTOM_WRAP, "hidden"),
                            Input(ids.OVERVIEW_WINDOW, "value"), prevent_initial_call=True)
    app.callback(Output(ids.OVERVIEW_KPIS, "children"), *HEATMAP_OUTPUTS, *FILTER_INPUTS,
                 State(ids.OVERVIEW_MODE, "value"), State(ids.OVERVIEW_HEATMAP_TABLE_WANTED, "data"))(
        refresh_kpis_and_heatmap)
    app.callback(*(Output(o.component_id, o.component_property, allow_duplicate=True) for o in HEATMAP_OUTPUTS),
                 *(State(i.component_id, i.component_property) for i in FILTER_INPUTS),
                 Input(ids.OVERVIEW_MODE, "value"), Input(ids.OVERVIEW_HEATMAP_TABLE_WANTED, "data"),
                 prevent_initial_call=True)(refresh_heatmap)
    app.clientside_callback(TABLE_WANTED_JS, Output(ids.OVERVIEW_HEATMAP_TABLE_WANTED, "data"),
                            Input(ids.OVERVIEW_HEATMAP_SUMMARY, "n_clicks"),
                            State(ids.OVERVIEW_HEATMAP_TABLE_WANTED, "data"))
    app.callback(Output(ids.OVERVIEW_FREQUENCY, "figure"), *FILTER_INPUTS)(refresh_frequency)
    app.callback(Output(ids.OVERVIEW_TREND, "figure"), Output(ids.OVERVIEW_TREND_DRAWN, "data"), *FILTER_INPUTS,
                 State(ids.OVERVIEW_TREND_DRAWN, "data"))(refresh_trend)
    app.callback(Output(ids.OVERVIEW_SIGNALS, "children"), *FILTER_INPUTS)(refresh_signals)
    app.callback(Output(ids.OVERVIEW_DRILLDOWN, "is_open"), Output(ids.OVERVIEW_DRILLDOWN_BODY, "children"),
                 Output(ids.OVERVIEW_DRILLDOWN_TITLE, "children"), Output(ids.OVERVIEW_PROGRAM, "value"),
                 Input(ids.OVERVIEW_HEATMAP, "clickData"),
                 *WINDOW_STATES, State(ids.OVERVIEW_HEATMAP_KEYS, "data"), prevent_initial_call=True)(open_drilldown)
    app.clientside_callback(CHOSEN_CELL_JS, Output(ids.OVERVIEW_HEATMAP_CHOSEN, "data"),
                            Input({"type": ids.OVERVIEW_HEATMAP_CELL, "row": EVERY, "by": EVERY, "principle": EVERY},
                                  "n_clicks"), prevent_initial_call=True)
    app.callback(*DRILLDOWN_OUTPUTS, Input(ids.OVERVIEW_HEATMAP_CHOSEN, "data"), *WINDOW_STATES,
                 prevent_initial_call=True)(open_drilldown_from_table)
    app.clientside_callback(TABLE_FIRST_ON_A_PHONE_JS, Output(ids.OVERVIEW_HEATMAP_DETAILS, "open"),
                            Input(ids.OVERVIEW_HEATMAP_TABLE, "children"))
    app.clientside_callback(URL_SYNC_JS, Output(ids.OVERVIEW_URL_SYNC, "children"), *FILTER_INPUTS,
                            Input(ids.OVERVIEW_MODE, "value"))
