"""Pure functions from query results to figures and components; nothing here queries."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.queries.resources import FrameworkSummary, GuideRow


def guide_cards(guides: list[GuideRow]) -> html.Div:
    if not guides:
        return dbc.Alert("No guide is linked to that combination. Clear a filter to see more.", color="secondary")
    return html.Div([_guide_card(g) for g in guides], className="d-grid gap-3")


def _guide_card(guide: GuideRow) -> dbc.Card:
    publisher = f"{guide.publisher}, {guide.year}" if guide.year else guide.publisher
    links = [html.A(guide.url, href=guide.url, target="_blank", rel="noopener noreferrer",
                    className="text-break")]
    for label, url in guide.extra_links:
        links += [html.Br(), html.A(label, href=url, target="_blank", rel="noopener noreferrer")]
    return dbc.Card(dbc.CardBody([
        html.H2(guide.title, className="h5 card-title"),
        html.P(publisher, className="text-body-secondary mb-2"),
        html.P(guide.summary, className="mb-2"),
        html.P(links, className="small mb-2"),
        html.Div([html.Span("Helps with: ", className="small text-body-secondary")]
                 + [dbc.Badge(name, color="primary", className="me-1") for name in guide.principle_names]
                 + [dbc.Badge(code, color="secondary", className="me-1", title=f"Category {code}")
                    for code in guide.category_codes]),
    ]), className="guide-card shadow-sm")


def framework_panel(framework: FrameworkSummary | None) -> html.Div:
    if framework is None:
        return dbc.Alert("No framework is loaded. An administrator can load one from the command line.",
                         color="warning")
    rows = [html.Tr([
        html.Th(c.code, scope="row"),
        html.Td([html.Div(c.title, className="fw-semibold"),
                 html.Ul([html.Li(f"{code} {label}") for code, label in c.competencies],
                         className="small mb-0 ps-3")]),
        html.Td(c.primary_principle),
        html.Td(", ".join(c.secondary_principles) or "—"),
    ]) for c in framework.categories]
    return html.Div([
        html.P([html.Strong(f"{framework.name} ({framework.version}): "),
                f"{framework.competency_count} competencies in {len(framework.categories)} categories, "
                f"resting on {len(framework.principles)} principles."], id="framework-counts"),
        html.Ul([html.Li([html.Strong(p.name), f": {p.summary}"]) for p in framework.principles]),
        dbc.Alert("The mapping of categories to principles below is this agency's own default, not SAMHSA's: "
                  "SAMHSA publishes none. An administrator can load a corrected framework file.",
                  color="light", className="small"),
        dbc.Table([html.Thead(html.Tr([html.Th("Category", scope="col"), html.Th("Competencies", scope="col"),
                                       html.Th("Primary principle", scope="col"),
                                       html.Th("Secondary", scope="col")])),
                   html.Tbody(rows)], bordered=False, striped=True, size="sm", responsive=True),
        html.P([html.Span("Source: "), framework.source], className="small text-body-secondary"),
        html.P(framework.note, className="small text-body-secondary"),
    ])
