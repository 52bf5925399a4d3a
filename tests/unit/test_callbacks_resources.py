"""The Resources page's callbacks called directly (the browser test covers them through Chromium): the filters
take their values from the address only when they name a real principle or category, and narrow the guides."""
from __future__ import annotations

from dash import Dash

from callbacks.resources import filter_options, filtered_guides
from dashboard.db import Database
from layouts.ids import ALL
from tests.callback_calls import as_sent, signed_in
from tests.http.conftest import texts


def test_the_address_chooses_a_real_category_and_anything_else_reads_as_all(demo_app: Dash,
                                                                            demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "supervisor"):
        principles, categories, principle, category, panel = filter_options("resources-framework",
                                                                            {"category": "VIII"})
        *_, no_principle, no_category, _ = filter_options("resources-framework",
                                                          {"principle": "no-such", "category": ["VIII"]})
    # The active framework: 5 principles and 12 categories, each list led by "All".
    assert len(principles) == 6 and principles[0] == {"label": "All principles", "value": ALL}
    assert len(categories) == 13 and categories[0] == {"label": "All categories", "value": ALL}
    assert {"label": "Voluntary", "value": "voluntary"} in principles
    assert (principle, category) == (ALL, "VIII")
    assert (no_principle, no_category) == (ALL, ALL)
    assert any("62 competencies in 12 categories" in t for t in texts(as_sent(panel)))


def test_each_filter_narrows_the_guides_and_the_count_says_how_many(demo_app: Dash, demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "peer"):
        every = filtered_guides(ALL, ALL)
        crises = filtered_guides(ALL, "VIII")
        voluntary_crises = filtered_guides("voluntary", "VIII")
    assert every[1] == "5 guides."
    # Category VIII (crises) is linked to SAMHSA's framework and Peers for Progress only; of those, only SAMHSA's
    # is linked to the Voluntary principle.
    assert crises[1] == "2 guides match the filters."
    crisis_titles = [t for t in texts(as_sent(crises[0])) if t.startswith(("Core Competencies", "Program Dev"))]
    assert crisis_titles == ["Core Competencies for Peer Workers in Behavioral Health Services",
                             "Program Development Guide: Ongoing Monitoring, Supervision, and Support"]
    assert voluntary_crises[1] == "1 guide matches the filters."
