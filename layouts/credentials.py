"""Credentials page: the agency's credential requirements and a form to add or change one."""
from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.queries.ledger import Requirement, hours_text
from dashboard.recording import FORMAT_LABELS, KIND_LABELS, MODALITY_LABELS
from dashboard.rule_packs import CREDENTIAL_PACKS
from layouts import ids
from layouts.select import select


def _checklist(label: str, component_id: str, labels: dict[str, str]) -> dbc.Col:
    return dbc.Col(html.Fieldset([html.Legend(label, className="form-label fs-6"),
                                  dbc.Checklist(id=component_id, value=[],
                                                options=[{"label": v, "value": k} for k, v in labels.items()])]),
                   md=6, lg=3)


def requirements_table(rows: list[Requirement], stage_names: dict[str, str], editable: bool) -> Any:
    if not rows:
        return dbc.Alert("No credential requirement is defined yet.", color="secondary")

    def some(values: tuple[str, ...], labels: dict[str, str]) -> str:
        return ", ".join(labels.get(v, v) for v in values) if values else "any"
    body = [html.Tr([
        html.Td(r.name), html.Td(r.issuing_body), html.Td(hours_text(round(r.hours_required * 60))),
        html.Td(f"{r.period_months} months" if r.period_months else "whole record"),
        html.Td(some(r.kinds, KIND_LABELS)), html.Td(some(r.formats, FORMAT_LABELS)),
        html.Td(some(r.modalities, MODALITY_LABELS)), html.Td(some(r.stage_codes, stage_names)),
        html.Td("signed and acknowledged" if r.require_acknowledged else "signed" if r.require_signed else "no"),
        html.Td(dbc.Button("Edit", id={"type": ids.CREDENTIAL_EDIT, "requirement": r.id}, size="sm", color="link",
                           className="p-0") if editable else "")]) for r in rows]
    head = html.Thead(html.Tr([html.Th(h) for h in ("Requirement", "Issuing body", "Hours", "Within", "Kinds",
                                                   "Formats", "Modalities", "Stages", "Must be")] +
                              [html.Th(html.Span("Actions", className="visually-hidden"))]))
    return html.Div(dbc.Table([head, html.Tbody(body)], size="sm", striped=True, className="small mb-0"),
                    className="table-responsive", tabIndex=0, role="region",
                    **{"aria-label": "Credential requirements"})


def layout(**_: str) -> html.Div:
    return html.Div([
        html.H1("Credentials", className="page-title"),
        html.P("The supervision hours each credential needs, and which sessions count toward them. Each worker's "
               "progress shows on their record and the roster. Check each requirement against the current rule of "
               "its issuing body.", className="page-lead"),
        dcc.Store(id=ids.CREDENTIALS_VERSION, data=0),
        dcc.Store(id=ids.CREDENTIAL_EDITING),
        dbc.Card([dbc.CardHeader(html.H2("Requirements", className="h6 mb-0")),
                  dbc.CardBody(id=ids.CREDENTIALS_LIST)], className="mb-3 shadow-sm"),
        dbc.Card([dbc.CardHeader(html.H2("Add a requirement", id=ids.CREDENTIAL_FORM_TITLE, className="h6 mb-0")),
                  dbc.CardBody([
                      dbc.Row([
                          dbc.Col([dbc.Label("Start from a rule pack", html_for=ids.CREDENTIAL_PACK),
                                   select(id=ids.CREDENTIAL_PACK, options=[{"label": p.label, "value": p.key}
                                                                          for p in CREDENTIAL_PACKS])], md=8),
                          dbc.Col(dbc.Button("Fill the form from the pack", id=ids.CREDENTIAL_PACK_APPLY,
                                             color="secondary", outline=True),
                                  className="d-flex align-items-end", md=4),
                          dbc.Col(html.Small("A pack fills the form with the rule as we read it, with its citation; "
                                             "the agency must check it against the current rule before saving.",
                                             className="text-body-secondary"), md=12),
                      ], className="g-2 mb-3 pb-3 border-bottom"),
                      dbc.Row([
                          dbc.Col([dbc.Label("Name", html_for=ids.CREDENTIAL_NAME),
                                   dbc.Input(id=ids.CREDENTIAL_NAME, maxLength=120)], md=6, lg=3),
                          dbc.Col([dbc.Label("Issuing body", html_for=ids.CREDENTIAL_BODY),
                                   dbc.Input(id=ids.CREDENTIAL_BODY, maxLength=120)], md=6, lg=3),
                          dbc.Col([dbc.Label("Supervision hours required", html_for=ids.CREDENTIAL_HOURS),
                                   dbc.Input(id=ids.CREDENTIAL_HOURS, type="text", inputMode="decimal")], md=6, lg=3),
                          dbc.Col([dbc.Label("Within (months; empty = whole record)", html_for=ids.CREDENTIAL_PERIOD),
                                   dbc.Input(id=ids.CREDENTIAL_PERIOD, type="text", inputMode="numeric")],
                                  md=6, lg=3),
                      ], className="g-3 mb-3"),
                      html.P("Tick nothing in a group to count every choice.", className="small text-body-secondary"),
                      dbc.Row([_checklist("Kinds that count", ids.CREDENTIAL_KINDS, KIND_LABELS),
                               _checklist("Formats that count", ids.CREDENTIAL_FORMATS, FORMAT_LABELS),
                               _checklist("Modalities that count", ids.CREDENTIAL_MODALITIES, MODALITY_LABELS),
                               _checklist("Applies to stages", ids.CREDENTIAL_STAGES, {})], className="g-3 mb-3"),
                      dbc.Checklist(id=ids.CREDENTIAL_CONFIRMATION, value=["signed"], className="mb-2",
                                    options=[{"label": "Only signed sessions count", "value": "signed"},
                                             {"label": "Only sessions the worker acknowledged count (implies signed)",
                                              "value": "acknowledged"}]),
                      dbc.Checkbox(id=ids.CREDENTIAL_ACTIVE, value=True, label="In use", className="mb-2"),
                      dbc.Label("Source (the rule and where it is published)", html_for=ids.CREDENTIAL_SOURCE),
                      dbc.Textarea(id=ids.CREDENTIAL_SOURCE, maxLength=1000, rows=2),
                      html.Div(id=ids.CREDENTIAL_FEEDBACK, className="mt-3", role="alert",
                               **{"aria-live": "assertive"}),
                      html.Div([dbc.Button("New requirement", id=ids.CREDENTIAL_NEW, color="secondary", outline=True,
                                           className="me-2"),
                                dbc.Button("Save requirement", id=ids.CREDENTIAL_SAVE, color="primary")],
                               className="mt-3"),
                  ])], className="shadow-sm"),
    ])
