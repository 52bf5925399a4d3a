"""Standards page: the standard in force, a form for a new version (per certification stage), every version."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.rule_packs import STANDARD_PACKS
from layouts import ids
from layouts.fields import date_field
from layouts.select import select


def _packs() -> html.Details:
    """The shipped standard rule packs, to copy into the form, each with its citation as the source."""
    return html.Details([
        html.Summary("Rule packs: shipped standards with their citation"),
        html.P("A pack is the rule as we read it. The agency must check it against the current text of the rule "
               "before relying on it. A version whose source begins with a pack's citation names it in the "
               "compliance reasons.", className="small mb-2"),
        html.Ul([html.Li([html.Strong(pack.label), html.Br(),
                          html.Span("; ".join(f"{r.stage_code}: every {r.max_days} days, {r.min_minutes} min a month"
                                              for r in pack.rules), className="small"), html.Br(),
                          html.Small(f"Source: {pack.source}", className="text-body-secondary")])
                 for pack in STANDARD_PACKS], className="small ps-3 mb-0"),
    ], className="mt-3")


def _pack_chooser() -> dbc.Row:
    return dbc.Row([
        dbc.Col([dbc.Label("Start from a rule pack", html_for=ids.STANDARDS_PACK),
                 select(id=ids.STANDARDS_PACK, placeholder="Choose a pack",
                        options=[{"label": p.label, "value": p.key} for p in STANDARD_PACKS])]),
        # As wide as its words: a share of the row cut them off beside the card's long select.
        dbc.Col(dbc.Button("Fill the form from the pack", id=ids.STANDARDS_PACK_APPLY, color="secondary",
                           outline=True), className="d-flex align-items-end", width="auto"),
        dbc.Col(html.Small("A pack fills the name, the source (its citation) and the rule of each stage it names, "
                           "as we read the rule; stages it does not name keep their values. Check it against the "
                           "current rule, then save.", className="text-body-secondary"), md=12),
    ], className="g-2 mb-3 pb-3 border-bottom")


def layout(**_: str) -> html.Div:
    return html.Div([
        html.H1("Supervision standard", className="page-title"),
        html.P("Per certification stage: the most days allowed between individual supervision sessions, the minimum "
               "supervision minutes per month, and whether group sessions count toward that minimum. Every change "
               "takes effect from a date and is kept as a new version: a past period is always judged by the "
               "version in force then. Every change is recorded in the audit log.", className="page-lead"),
        dcc.Store(id=ids.STANDARDS_REFRESH, data=0),
        dbc.Row([
            dbc.Col(dbc.Card([dbc.CardHeader(html.H2("In force today", className="h6 mb-0")),
                              dbc.CardBody(dcc.Loading(html.Div(id=ids.STANDARDS_IN_FORCE), type="dot"))],
                             className="shadow-sm h-100"), lg=5),
            dbc.Col(dbc.Card([
                dbc.CardHeader(html.H2("New version", className="h6 mb-0")),
                dbc.CardBody([
                    dbc.Row([
                        dbc.Col(date_field(ids.STANDARDS_EFFECTIVE, "Takes effect on"), md=4),
                        dbc.Col([dbc.Label("Name", html_for=ids.STANDARDS_NAME),
                                 dbc.Input(id=ids.STANDARDS_NAME, type="text", maxLength=200,
                                           placeholder="e.g. 2027 state rule")], md=8),
                    ], className="g-3 mb-3"),
                    _pack_chooser(),
                    html.Div(id=ids.STANDARDS_FORM_RULES),
                    dbc.Label("Source (which rule or funder requires it)", html_for=ids.STANDARDS_SOURCE,
                              className="mt-3"),
                    dbc.Textarea(id=ids.STANDARDS_SOURCE, rows=2),
                    _packs(),
                    dbc.Button("Save version", id=ids.STANDARDS_SAVE, color="primary", className="mt-3"),
                    html.Div(id=ids.STANDARDS_MESSAGE, className="mt-3", role="status"),
                ]),
            ], className="shadow-sm h-100"), lg=7),
        ], className="g-3 mb-3"),
        dbc.Card([dbc.CardHeader(html.H2("All versions", className="h6 mb-0")),
                  dbc.CardBody(dcc.Loading(html.Div(id=ids.STANDARDS_VERSIONS), type="dot"), className="p-0")],
                 className="shadow-sm"),
    ])
