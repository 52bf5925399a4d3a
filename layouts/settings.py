"""Settings page: the agency's metric limits, sign-off flags and rating scale (admins change them, quality reads),
each field saying what it changes on screen."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.agency_settings import (FTE_LIMIT_RANGE, MIN_CELL_RANGE, STALENESS_RANGE, UNACKNOWLEDGED_FLAG_RANGE,
                                       UNSIGNED_FLAG_RANGE)
from dashboard.dates import FORMATS
from layouts import ids
from layouts.select import select


def _number(control_id: str, label: str, hint: str, low: object, high: object, step: object) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=control_id),
                    dbc.Input(id=control_id, type="number", min=low, max=high, step=step),
                    html.Small(hint, className="form-text text-body-secondary")], md=6)


def _metrics() -> dbc.Card:
    return dbc.Card([dbc.CardHeader(html.H2("Metrics", className="h6 mb-0")), dbc.CardBody(dbc.Row([
        _number(ids.SETTINGS_STALENESS, "Staleness limit (days)", "A supervisor rating older than this no longer "
                "counts in the overview's coverage and the rosters' bars.", *STALENESS_RANGE, 1),
        _number(ids.SETTINGS_MIN_CELL, "Small-cell threshold (workers)", "Team-level values over fewer workers "
                "are shown as “n<k”, so that no one can be singled out; 0 turns this off.", *MIN_CELL_RANGE, 1),
        _number(ids.SETTINGS_FTE_LIMIT, "FTE-per-supervisor limit", "Peer-worker FTE per supervisor FTE above "
                "which a team is flagged (Washington DC's rule is 7).", *FTE_LIMIT_RANGE, 0.1),
        _number(ids.SETTINGS_HOLDING, "Share that makes a worker “hold” a principle (%)", "A worker holds a "
                "principle when proficient on at least this share of its competencies.", 1, 100, 1),
    ], className="g-3"))], className="shadow-sm mb-3")


def _signoff_flags() -> dbc.Card:
    return dbc.Card([dbc.CardHeader(html.H2("Sign-off flags", className="h6 mb-0")), dbc.CardBody(dbc.Row([
        _number(ids.SETTINGS_UNSIGNED_DAYS, "Unsigned flag (days after the session)", "A session still unsigned "
                "more than this many days after it was held is flagged on the rosters and the Sign-off page.",
                *UNSIGNED_FLAG_RANGE, 1),
        _number(ids.SETTINGS_UNACKNOWLEDGED_DAYS, "Unacknowledged flag (days after signing)", "A signed session an "
                "attendee has not acknowledged more than this many days after signing is flagged on the rosters "
                "and the Sign-off page.", *UNACKNOWLEDGED_FLAG_RANGE, 1),
    ], className="g-3"))], className="shadow-sm mb-3")


def _dates() -> dbc.Card:
    return dbc.Card([dbc.CardHeader(html.H2("Dates", className="h6 mb-0")), dbc.CardBody(dbc.Row(dbc.Col([
        dbc.Label("Date format", html_for=ids.SETTINGS_DATE_FORMAT),
        select(id=ids.SETTINGS_DATE_FORMAT, options=[{"label": f.label, "value": f.key} for f in FORMATS.values()]),
        html.Small("How every page, message and the PDFs write a date. CSV and Excel files meant for re-import "
                   "keep ISO dates (2026-12-05); date boxes follow your browser's own setting.",
                   className="form-text text-body-secondary")], md=6)))], className="shadow-sm mb-3")


def _scale() -> dbc.Card:
    return dbc.Card([dbc.CardHeader(html.H2("Rating scale", className="h6 mb-0")), dbc.CardBody([
        html.P("Labels are shown wherever a rating is, past ratings included. Ratings at or above the proficient "
               "level count as proficient in every coverage number.", className="small text-body-secondary"),
        html.Div(id=ids.SETTINGS_LEVELS),
        dbc.Row(dbc.Col([dbc.Label("Proficient level", html_for=ids.SETTINGS_PROFICIENT),
                         select(id=ids.SETTINGS_PROFICIENT, options=[])], md=6), className="mt-2"),
    ])], className="shadow-sm mb-3")


def layout(**_: str) -> html.Div:
    return html.Div([
        html.H1("Settings", className="page-title"),
        html.P("The agency's own limits behind the numbers every page shows. Saving tells you what changes on screen; "
               "every change is recorded in the audit log.", className="page-lead"),
        dcc.Store(id=ids.SETTINGS_VERSION, data=0),
        dcc.Store(id=ids.SETTINGS_SEEN, data=None),
        html.P(id=ids.SETTINGS_READ_ONLY, className="small text-body-secondary"),
        # Disabled, and the button hidden, until the load says the viewer is an admin: quality reads the values.
        html.Fieldset([_metrics(), _signoff_flags(), _scale(), _dates()], id=ids.SETTINGS_FIELDSET, disabled=True),
        dbc.Button("Save settings", id=ids.SETTINGS_SAVE, color="primary", className="d-none"),
        html.Div(id=ids.SETTINGS_MESSAGE, className="mt-3", role="status"),
    ])
