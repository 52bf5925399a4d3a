"""Resources page callbacks: filter options, the filtered guides, and the framework panel."""
from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State, html

from dashboard import figures
from dashboard.db import session_scope
from dashboard.queries import resources
from layouts import ids
from layouts.ids import ALL


def filter_options(_mounted: str, from_url: Any) -> tuple[list[dict[str, str]], list[dict[str, str]], Any, Any, Any]:
    """Options from the active framework; values from the URL only when they name a real principle or category."""
    with session_scope() as session:
        framework = resources.framework_summary(session)
    if framework is None:
        return [], [], ALL, ALL, figures.framework_panel(None)
    principle_options = [{"label": "All principles", "value": ALL}] + [
        {"label": p.name, "value": p.code} for p in framework.principles]
    category_options = [{"label": "All categories", "value": ALL}] + [
        {"label": f"{c.code}. {c.title}", "value": c.code} for c in framework.categories]
    wanted = from_url if isinstance(from_url, dict) else {}
    principle, category = (_known(wanted.get(key), codes) for key, codes in (
        ("principle", {p.code for p in framework.principles}), ("category", {c.code for c in framework.categories})))
    return principle_options, category_options, principle, category, figures.framework_panel(framework)


def _known(value: Any, codes: set[str]) -> Any:
    """A code from the address or a crafted request when it names a real one (a list or a dict does not), else ALL."""
    return value if isinstance(value, str) and value in codes else ALL


def filtered_guides(principle: str | None, category: str | None) -> tuple[html.Div, str]:
    # Values can come from the URL or a crafted request: anything that is not a known code matches nothing.
    principle = principle if isinstance(principle, str) and principle != ALL else None
    category = category if isinstance(category, str) and category != ALL else None
    with session_scope() as session:
        guides = resources.list_guides(session, principle_code=principle, category_code=category)
    noun = "guide" if len(guides) == 1 else "guides"
    verb = "matches" if len(guides) == 1 else "match"
    count = f"{len(guides)} {noun} {verb} the filters." if principle or category else f"{len(guides)} {noun}."
    return figures.guide_cards(guides), count


def register(app: Dash) -> None:
    app.callback(Output(ids.RESOURCES_PRINCIPLE, "options"), Output(ids.RESOURCES_CATEGORY, "options"),
                 Output(ids.RESOURCES_PRINCIPLE, "value"), Output(ids.RESOURCES_CATEGORY, "value"),
                 Output(ids.RESOURCES_FRAMEWORK, "children"),
                 Input(ids.RESOURCES_FRAMEWORK, "id"),  # fires once, when the page mounts
                 State(ids.RESOURCES_FROM_URL, "data"))(filter_options)
    app.callback(Output(ids.RESOURCES_GUIDES, "children"), Output(ids.RESOURCES_COUNT, "children"),
                 Input(ids.RESOURCES_PRINCIPLE, "value"), Input(ids.RESOURCES_CATEGORY, "value"))(filtered_guides)
