"""Standards callbacks: show the versions, and save a new one (admin and quality), audited in the same transaction."""
from __future__ import annotations

from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, html, no_update

from callbacks.common import as_date, viewer_for
from dashboard import standards
from dashboard import dates
from dashboard.audit import Actor
from dashboard.db import session_scope
from dashboard.numbers import is_digits
from dashboard.rule_packs import STANDARD_PACKS_BY_KEY
from dashboard.dates import show, show_time
from layouts import ids
from layouts.select import select

SECTION = "standards"
PRESET_DAYS = {int(v) for v, _ in standards.PRESETS if v != "custom"}
PRESET_VALUES = {v for v, _ in standards.PRESETS}


def today() -> date:
    return date.today()


def _rule_text(rule: standards.RuleView) -> str:
    group = "group sessions count" if rule.group_counts else "group sessions do not count"
    return f"every {rule.max_days} days; {rule.min_minutes} min a month; {group}"


def rules_table(version: standards.StandardVersion) -> Any:
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in
                               ("Stage", "Max days between individual", "Minimum minutes a month", "Group counts")]))
    body = html.Tbody([html.Tr([html.Th(r.stage_name, scope="row"), html.Td(r.max_days), html.Td(r.min_minutes),
                                html.Td("yes" if r.group_counts else "no")]) for r in version.rules])
    return html.Div([html.P([html.Strong(version.name), f" — since {show(version.effective_from)}"],
                            className="mb-2"),
                     dbc.Table([head, body], size="sm", className="mb-0")])


def _form_row(rule: standards.RuleView | None, stage: standards.Stage) -> Any:
    days = rule.max_days if rule else 31
    preset = str(days) if days in PRESET_DAYS else "custom"
    key = {"stage": stage.id}
    # A label wrapping its control names it (a label's for= cannot point at a pattern-matching id).
    return dbc.Row([
        dbc.Col(html.Span(stage.name, className="fw-semibold"), md=2, className="pt-md-4"),
        dbc.Col(html.Label([html.Span("Max days between individual", className="d-block small mb-1"),
                            html.Span(f"({stage.name})", className="visually-hidden"),
                            select(id={"type": ids.STANDARDS_PRESET, **key}, value=preset,
                                   options=[{"label": label, "value": v} for v, label in standards.PRESETS])],
                           className="w-100"), md=4),
        dbc.Col(html.Label([html.Span("Custom days", className="d-block small mb-1"),
                            html.Span(f"({stage.name})", className="visually-hidden"),
                            dbc.Input(id={"type": ids.STANDARDS_DAYS, **key}, type="number", min=1,
                                      max=standards.MAX_DAYS_LIMIT, step=1, value=days)], className="w-100"), md=2),
        dbc.Col(html.Label([html.Span("Minimum minutes a month", className="d-block small mb-1"),
                            html.Span(f"({stage.name})", className="visually-hidden"),
                            dbc.Input(id={"type": ids.STANDARDS_MINUTES, **key}, type="number", min=0,
                                      max=standards.MAX_MINUTES_LIMIT, step=1,
                                      value=rule.min_minutes if rule else 60)], className="w-100"), md=2),
        dbc.Col(dbc.Checkbox(id={"type": ids.STANDARDS_GROUP, **key}, label=f"Group counts ({stage.name})",
                             value=rule.group_counts if rule else True, className="pt-md-4 small"), md=2),
    ], className="g-2 mb-2 align-items-start border-bottom pb-2")


def refresh(_: Any) -> tuple[Any, Any, Any]:
    viewer_for(SECTION)
    now = today()
    with session_scope() as session:
        all_versions = standards.versions(session)
        stage_list = standards.stages(session)
    current = standards.in_force(all_versions, now)
    latest = all_versions[0] if all_versions else None
    by_stage = {r.stage_id: r for r in latest.rules} if latest else {}
    in_force = rules_table(current) if current else html.P("No standard is in force yet.")
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in
                               ("Takes effect", "Until", "Name", "Rules", "Saved by")]))
    rows = [html.Tr([html.Td(show(v.effective_from)),
                     html.Td(show(v.until) if v.until
                             else ("in force" if v is current else "not yet in force")),
                     html.Td([v.name] + ([html.Br(), html.Small(v.source, className="text-body-secondary")]
                                         if v.source else [])),
                     html.Td(html.Ul([html.Li(f"{r.stage_name}: {_rule_text(r)}") for r in v.rules],
                                     className="mb-0 small ps-3")),
                     html.Td(f"{v.created_by or 'set-up'}" + (f", {show_time(v.created_at)} UTC"
                                                             if v.created_at else ""))])
            for v in all_versions]
    table = dbc.Table([head, html.Tbody(rows)], size="sm", striped=True, className="mb-0")
    return in_force, table, [_form_row(by_stage.get(s.id), s) for s in stage_list]


def toggle_custom(preset: Any) -> bool:
    return preset != "custom"


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and is_digits(value.strip()):
        return int(value.strip())
    return None


def save(clicks: Any, effective: Any, name: Any, source: Any, presets: Any, days: Any, minutes: Any, groups: Any,
         preset_ids: Any) -> tuple[Any, Any]:
    """Every value re-checked here (a crafted payload is as likely as the form); nothing saved on any error."""
    if not clicks:
        return no_update, no_update
    viewer = viewer_for(SECTION)
    day = as_date(effective)
    if day is None:
        return dbc.Alert(f"Give the date the version takes effect: {dates.asked_for(mid_sentence=True)}",
                         color="warning"), no_update
    lists = [presets, days, minutes, groups, preset_ids]
    if not all(isinstance(x, list) for x in lists) or len({len(x) for x in lists}) != 1:
        return dbc.Alert("The form is incomplete; reload the page.", color="warning"), no_update
    rules = []
    for preset, custom, minimum, group, key in zip(presets, days, minutes, groups, preset_ids):
        stage_id = _whole(key.get("stage")) if isinstance(key, dict) else None
        if preset not in PRESET_VALUES:
            return dbc.Alert("Choose weekly, every two weeks, monthly or custom for every stage.",
                             color="warning"), no_update
        max_days = _whole(custom) if preset == "custom" else _whole(preset)
        min_minutes = _whole(minimum)
        if stage_id is None or max_days is None or min_minutes is None or not isinstance(group, bool):
            return dbc.Alert("Every stage needs whole numbers of days and minutes.", color="warning"), no_update
        rules.append(standards.RuleInput(stage_id, max_days, min_minutes, group))
    try:
        with session_scope() as session:
            saved = standards.save_version(
                session, Actor(viewer.user_id, viewer.username), name if isinstance(name, str) else "", day,
                source if isinstance(source, str) else "", rules, today())
    except standards.StandardError as error:
        return dbc.Alert(str(error), color="warning"), no_update
    return (dbc.Alert(f"Saved “{saved.name}”, in force from {show(saved.effective_from)}.", color="success"),
            (clicks or 0))


def fill_from_pack(clicks: Any, pack_key: Any, presets: Any, days: Any, minutes: Any, groups: Any,
                   preset_ids: Any) -> tuple[Any, ...]:
    """The form filled from a shipped pack: its name, its source (the citation first, which is how a version saved
    from it names it in compliance reasons) and its rule for each stage it names by code. Nothing is saved."""
    # Dash wants a list for each pattern-matched output, one entry per stage row: no_update in each, not for all.
    rows = len(presets) if isinstance(presets, list) else 0
    unchanged = (no_update, no_update, *([no_update] * rows for _ in range(4)))
    if not clicks:
        return (*unchanged, no_update)
    viewer_for(SECTION)
    pack = STANDARD_PACKS_BY_KEY.get(pack_key) if isinstance(pack_key, str) else None
    if pack is None:
        return (*unchanged, dbc.Alert("Choose a rule pack first.", color="warning"))
    lists = [presets, days, minutes, groups, preset_ids]
    if not all(isinstance(x, list) for x in lists) or len({len(x) for x in lists}) != 1:
        return (*unchanged, dbc.Alert("The form is incomplete; reload the page.", color="warning"))
    with session_scope() as session:
        codes = {stage.id: stage for stage in standards.stages(session)}
    presets, days, minutes, groups = list(presets), list(days), list(minutes), list(groups)
    kept: list[str] = []
    for i, key in enumerate(preset_ids):
        stage_id = _whole(key.get("stage")) if isinstance(key, dict) else None
        stage = codes.get(stage_id) if stage_id is not None else None
        rule = pack.rule(stage.code) if stage else None
        if rule is None:
            kept.append(stage.name if stage else "?")
            continue
        presets[i] = str(rule.max_days) if rule.max_days in PRESET_DAYS else "custom"
        days[i], minutes[i], groups[i] = rule.max_days, rule.min_minutes, rule.group_counts
    note = f" Stages the pack does not name kept their values: {', '.join(kept)}." if kept else ""
    return (pack.name, pack.source, presets, days, minutes, groups,
            dbc.Alert(f"Filled from “{pack.label}”. Nothing is saved yet: check the rule against its current text, "
                      f"choose the date it takes effect, then save.{note}", color="info"))


def register(app: Dash) -> None:
    app.callback(Output(ids.STANDARDS_IN_FORCE, "children"), Output(ids.STANDARDS_VERSIONS, "children"),
                 Output(ids.STANDARDS_FORM_RULES, "children"), Input(ids.STANDARDS_REFRESH, "data"))(refresh)
    app.callback(Output({"type": ids.STANDARDS_DAYS, "stage": ALL}, "disabled"),
                 Input({"type": ids.STANDARDS_PRESET, "stage": ALL}, "value"))(
        lambda presets: [toggle_custom(p) for p in presets])
    app.callback(Output(ids.STANDARDS_MESSAGE, "children"), Output(ids.STANDARDS_REFRESH, "data"),
                 Input(ids.STANDARDS_SAVE, "n_clicks"),
                 State(ids.STANDARDS_EFFECTIVE, "value"), State(ids.STANDARDS_NAME, "value"),
                 State(ids.STANDARDS_SOURCE, "value"),
                 State({"type": ids.STANDARDS_PRESET, "stage": ALL}, "value"),
                 State({"type": ids.STANDARDS_DAYS, "stage": ALL}, "value"),
                 State({"type": ids.STANDARDS_MINUTES, "stage": ALL}, "value"),
                 State({"type": ids.STANDARDS_GROUP, "stage": ALL}, "value"),
                 State({"type": ids.STANDARDS_PRESET, "stage": ALL}, "id"),
                 prevent_initial_call=True)(save)
    rows = ({"type": ids.STANDARDS_PRESET, "stage": ALL}, {"type": ids.STANDARDS_DAYS, "stage": ALL},
            {"type": ids.STANDARDS_MINUTES, "stage": ALL}, {"type": ids.STANDARDS_GROUP, "stage": ALL})
    app.callback(Output(ids.STANDARDS_NAME, "value"), Output(ids.STANDARDS_SOURCE, "value"),
                 *(Output(row, "value") for row in rows),
                 Output(ids.STANDARDS_MESSAGE, "children", allow_duplicate=True),
                 Input(ids.STANDARDS_PACK_APPLY, "n_clicks"), State(ids.STANDARDS_PACK, "value"),
                 *(State(row, "value") for row in rows), State(rows[0], "id"),
                 prevent_initial_call=True)(fill_from_pack)
