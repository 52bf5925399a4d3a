"""Help page: what each number means (the README's definitions), who sees what (the page registry), a glossary."""
from __future__ import annotations

from itertools import groupby

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.definitions import anchor_for, definitions
from dashboard.pages import PAGES
from models.vocabulary import Role

# Words the pages use without defining them; the numbers themselves are defined above them, in the README's words.
GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Peer worker", "A person in recovery employed to support others in recovery; the people this dashboard is about."),
    ("Principle", "One of the five that peer work rests on: recovery-oriented, person-centered, voluntary, "
                  "relationship-focused, trauma-informed."),
    ("Category and competency", "SAMHSA's Core Competencies for Peer Workers (2015) group the competencies into 12 "
                                "categories; each category has a primary principle (and may have secondary ones), "
                                "shown on the Framework page."),
    ("Rating and proficient level", "A supervisor rates a worker on a competency on the agency's scale (by default "
                                    "1 not yet demonstrated to 4 advanced); at or above the proficient level (by "
                                    "default 3) counts as proficient. Self-ratings are shown but never counted."),
    ("Staleness limit", "A rating older than this (by default 365 days) no longer counts: the pair is “not rated”."),
    ("Window", "The period a page counts over: the last 30, 90, 180 or 365 days, or custom dates; both ends "
               "count."),
    ("Certification stage", "Where a worker is in their credential (for example in training, initially certified, "
                            "fully certified); it decides which rule of the standard applies to them."),
    ("Supervision standard", "Per stage, the most days allowed between individual sessions, the minimum minutes a "
                             "month and whether group sessions count. Kept as dated versions: each day is judged by "
                             "the version in force that day."),
    ("Individual and group session", "An individual session has one peer worker; a group session two or more, and "
                                     "counts for each of them."),
    ("Session kind", "Administrative, supportive, clinical / educational or direct observation. A team whose "
                     "minutes are mostly administrative is flagged: a sign of drift from peer values."),
    ("Gap", "The days from one individual session to the next (or to the end of the period), not counting leave."),
    ("Overdue", "The days since the last individual session exceed what the worker's stage allows."),
    ("On leave", "A recorded leave of absence: its days are left out of gaps and minimums."),
    ("n<3", "A team with fewer workers than the small-cell threshold: its numbers are hidden and counted nowhere "
            "else, so nobody can be singled out."),
    ("Rule pack", "A shipped standard or credential requirement with its citation (Washington DC, Texas, IC&RC); the "
                  "agency checks it against the current rule before relying on it."),
)

SCOPE_NOTES = ("Supervisors see the Overview, Compliance and My team for the teams they lead, and only those. A peer "
               "worker sees their own record. Leadership, quality staff and administrators see the whole agency; "
               "quality staff read People, Settings and the Framework without changing them.")


def _definitions() -> list[object]:
    blocks: list[object] = []
    for section, entries in groupby(definitions(), key=lambda d: d.section):
        blocks.append(html.H3(section if section != "Metrics" else "The numbers", className="h5 mt-4"))
        blocks.extend(html.Section(dcc.Markdown(entry.text, className="mb-0"), id=entry.anchor,
                                   className="help-entry mb-3", **{"aria-label": entry.term})
                      for entry in entries)
    return blocks


def _who_sees_what() -> dbc.Table:
    roles = list(Role)
    head = html.Thead(html.Tr([html.Th("Page", scope="col"), *(html.Th(r.label, scope="col") for r in roles)]))
    rows = [html.Tr([html.Th(page.label, scope="row"),
                     *(html.Td("✓" if role in page.roles else "–",
                               title=f"{role.label}: {'yes' if role in page.roles else 'no'}",
                               **{"aria-label": "yes" if role in page.roles else "no"}) for role in roles)])
            for page in PAGES]
    return dbc.Table([head, html.Tbody(rows)], bordered=False, hover=True, size="sm", className="help-roles")


def layout(**_: str) -> html.Div:
    return html.Div([
        html.H1("Help", className="page-title"),
        html.P("What each number means, in the words the app is built and tested against; which pages each role "
               "has; and the words the pages use.", className="page-lead"),
        html.Nav(html.Ul([html.Li(html.A(label, href=f"#{anchor}"), className="list-inline-item")
                          for anchor, label in (("help-numbers", "What the numbers mean"),
                                                ("help-roles", "Who sees what"), ("help-glossary", "Glossary"))],
                         className="list-inline"), **{"aria-label": "Sections of this page"}),
        html.H2("What the numbers mean", id="help-numbers", className="h4 mt-3"),
        *_definitions(),
        html.H2("Who sees what", id="help-roles", className="h4 mt-4"),
        html.P(SCOPE_NOTES),
        # Scrolls sideways on a phone: a keyboard user needs to reach it (focusable, named).
        html.Div(_who_sees_what(), className="table-responsive", tabIndex=0, role="region",
                 **{"aria-label": "Pages by role"}),
        html.H2("Glossary", id="help-glossary", className="h4 mt-4"),
        html.Dl([part for term, words in GLOSSARY
                 for part in (html.Dt(term, id=f"glossary-{anchor_for(term)}"), html.Dd(words))],
                className="help-glossary"),
    ], className="help-page")
