"""Pure functions from query results to figures and components; nothing here queries."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
import typing
from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
import plotly.io as pio
from dash import html
from plotly.colors import get_colorscale, sample_colorscale, unlabel_rgb

from dashboard.queries.resources import FrameworkSummary, GuideRow
from dashboard.dates import current, show, show_span
from models.vocabulary import SessionKind, labels


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
        scroll_region(dbc.Table([html.Thead(html.Tr([html.Th("Category", scope="col"),
                                                    html.Th("Competencies", scope="col"),
                                       html.Th("Primary principle", scope="col"),
                                       html.Th("Secondary", scope="col")])),
                   html.Tbody(rows)], bordered=False, striped=True, size="sm"), "Categories and principles"),
        # text-break: the source's long address would otherwise push the page sideways on a phone.
        html.P([html.Span("Source: "), framework.source], className="small text-body-secondary text-break"),
        html.P(framework.note, className="small text-body-secondary"),
    ])


def scroll_region(table: Any, label: str) -> html.Div:
    """A table that may scroll sideways on a narrow screen: a named region that takes focus, so a keyboard can
    scroll it (Bootstrap's own responsive wrapper cannot be focused: axe's scrollable-region-focusable)."""
    return html.Div(table, className="table-responsive", tabIndex=0, role="region", **{"aria-label": label})


# ---- Overview -------------------------------------------------------------------------------------------

# Cividis is built to read the same with the common colour-vision deficiencies.
COVERAGE_SCALE = "Cividis"
# Its stops, looked up once: sampling a scale by name looks it up among Plotly's named scales each time (~0.4 ms,
# 25 ms for the agency heatmap's cells), by its stops ~0.06 ms.
_COVERAGE_STOPS = get_colorscale(COVERAGE_SCALE)
# What plotly.py validates the scale's name and the template's name into, worked out once for the heatmap's plain dict.
_COVERAGE_COLORSCALE = go.Heatmap(colorscale=COVERAGE_SCALE).to_plotly_json()["colorscale"]
_WHITE = pio.templates["plotly_white"].to_plotly_json()
KIND_LABELS = labels(SessionKind)


def percent(value: float | None, suppressed: bool = False, min_workers: int = 3) -> str:
    if suppressed:
        return f"n<{min_workers}"
    return "—" if value is None else f"{value:.0%}"


def number(value: float | None, digits: int = 1, suppressed: bool = False, min_workers: int = 3) -> str:
    if suppressed:
        return f"n<{min_workers}"
    return "—" if value is None else f"{value:.{digits}f}"


def empty_figure(message: str) -> dict[str, Any]:
    """A blank chart saying why it is blank (a plain figure dict, as coverage_heatmap explains)."""
    return {"data": [], "layout": {"template": _WHITE, "xaxis": {"visible": False}, "yaxis": {"visible": False},
                                   "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
                                   "annotations": [{"text": message, "showarrow": False, "font": {"size": 14}}]}}


def kpi_cards(items: list[tuple[str, str, str]]) -> dbc.Row:
    """(label, value, hint) per card."""
    return dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(label, className="small text-body-secondary"),
        html.Div(value, className="fs-3 fw-semibold kpi-value"),
        html.Div(hint, className="small text-body-secondary"),
    ]), className="shadow-sm h-100"), xs=6, md=4, xl=2) for label, value, hint in items], className="g-3")


def plotly_text(name: str) -> str:
    """A name as a chart label or hover that Plotly shows literally. Plotly reads a subset of HTML in them (links,
    line breaks, styles), so an imported team named '<a href="…">' would become a link; escaped, it reads as typed.
    A click on a heatmap cell reports the label as given here, so look-ups by label use this too."""
    return escape(name, quote=False)


def click_keys(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Chart label -> id for each distinct (name, id) pair, the label escaped as the chart shows it (plotly_text), so
    that a click's label maps back. One escape per distinct pair, not one per cell: a state's 12,500 cells name
    its 2,500 teams and 5 principles over and over (~10 ms a call escaped per cell)."""
    return {plotly_text(name): key for name, key in dict.fromkeys(pairs)}


def _rows(cells: Sequence[Any], by: str) -> list[tuple[int, str]]:
    """(id, label) of the heatmap's rows, in the cells' order; by is "team" or "program"."""
    return list(dict.fromkeys((getattr(c, f"{by}_id"), getattr(c, f"{by}_name")) for c in cells))


def coverage_heatmap(cells: Sequence[Any], value_attr: str, min_workers: int, by: str = "team") -> dict[str, Any]:
    """Teams (or programs) down, principles across, the share printed in each cell; suppressed cells say n<k.

    A plain figure dict, as dcc.Graph takes it, rather than a go.Figure: plotly.py validates every property of every
    object it builds, and a label per cell made that most of the callback's Python (a whole state's 600 cells:
    ~85 ms; the same dict ~1 ms). test_accessibility checks that go.Figure accepts it and sends it unchanged."""
    teams = _rows(cells, by)
    principles = list(dict.fromkeys((c.principle_code, c.principle_name) for c in cells))
    by_key = {(getattr(c, f"{by}_id"), c.principle_code): c for c in cells}
    z, text = [], []
    for team_id, _ in teams:
        row_z, row_text = [], []
        for code, _ in principles:
            cell = by_key.get((team_id, code))
            value = None if cell is None else getattr(cell, value_attr)
            row_z.append(value)
            row_text.append(percent(value, bool(cell and cell.suppressed), min_workers))
        z.append(row_z)
        text.append(row_text)
    x = [plotly_text(name) for _, name in principles]
    y = [plotly_text(name) for _, name in teams]
    trace = {"type": "heatmap", "z": z, "x": x, "y": y, "text": text, "zmin": 0, "zmax": 1,
             "colorscale": _COVERAGE_COLORSCALE, "xgap": 2, "ygap": 2,
             "colorbar": {"tickformat": ".0%", "title": {"text": "share"}, "thickness": 12},
             "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>"}
    # Plotly's automatic text colour leaves many mid-scale cells under 4.5:1; each cell's label is written in black or
    # white, whichever contrasts more with that cell's colour (always at least 4.5:1), by a text-only trace laid over
    # the cells. Not as annotations: Plotly measures and places each annotation on its own, which made the agency's
    # 60 labels ~60 of the chart's ~110 ms in the browser, at the first load and at every window change (~20 ms as a
    # trace). hoverinfo "skip" leaves hovers and clicks to the heatmap below it.
    cells_in_order = [(row, column, value, label) for row, row_z, row_text in zip(y, z, text, strict=True)
                      for column, value, label in zip(x, row_z, row_text, strict=True)]
    labels = {"type": "scatter", "mode": "text", "x": [column for _, column, _, _ in cells_in_order],
              "y": [row for row, _, _, _ in cells_in_order], "text": [label for _, _, _, label in cells_in_order],
              "textfont": {"color": cell_text_colours([value for _, _, value, _ in cells_in_order]), "size": 12},
              "hoverinfo": "skip", "showlegend": False}
    # The cells' own extent, first row on top: autorange would pad the axes for the text trace.
    layout = {"template": _WHITE, "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
              "yaxis": {"range": [len(y) - 0.5, -0.5], "automargin": True},
              "xaxis": {"range": [-0.5, len(x) - 0.5], "side": "top"}}
    return {"data": [trace, labels], "layout": layout}


def relative_luminance(rgb: Sequence[float]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour given as 0-255 channels."""
    linear = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: Sequence[float], second: Sequence[float]) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def heatmap_cell_colours(values: Sequence[float | None]) -> list[tuple[float, float, float]]:
    """The colours the heatmap paints shares in (an empty cell shows the white page), sampled in one call: plotly
    validates the scale's stops on every call, ~0.25 ms, which one call per cell made 15 ms of the agency's KPI
    callback (60 cells) and ~150 ms of a state's 600."""
    inside = [min(max(value, 0.0), 1.0) for value in values if value is not None]
    sampled = iter(sample_colorscale(_COVERAGE_STOPS, inside) if inside else [])
    return [(255.0, 255.0, 255.0) if value is None else typing.cast(tuple[float, float, float],
                                                                    tuple(unlabel_rgb(next(sampled))))
            for value in values]


def heatmap_cell_colour(value: float | None) -> tuple[float, float, float]:
    return heatmap_cell_colours([value])[0]


def cell_text_colours(values: Sequence[float | None]) -> list[str]:
    """Black or white for each share's label, whichever contrasts more with its cell's colour."""
    return ["#000000" if contrast_ratio(background, (0, 0, 0)) >= contrast_ratio(background, (255, 255, 255))
            else "#ffffff" for background in heatmap_cell_colours(values)]


def cell_text_colour(value: float | None) -> str:
    return cell_text_colours([value])[0]


def heatmap_table(cells: Sequence[Any], value_attr: str, min_workers: int, by: str = "team",
                  button_type: str = "heatmap-cell") -> html.Div:
    """The heatmap as a table whose cells are buttons: the keyboard's and screen reader's way to the drill-down
    (a program's cell filters to that program, as a click on its chart row does). button_type is the type of the
    buttons' pattern-matching ids, which the page's callback listens to."""
    principles = list(dict.fromkeys((c.principle_code, c.principle_name) for c in cells))
    teams = _rows(cells, by)
    by_key = {(getattr(c, f"{by}_id"), c.principle_code): c for c in cells}

    def cell(row_id: int, row_name: str, code: str, principle: str) -> html.Td:
        found = by_key.get((row_id, code))
        if found is None:
            return html.Td("—")
        shown = percent(getattr(found, value_attr), found.suppressed, min_workers)
        action = f"Show {row_name}'s teams" if by == "program" else "Open the details of"
        return html.Td(html.Button(shown, type="button", className="btn btn-link btn-sm p-0 heatmap-cell-button",
                                   id={"type": button_type, "row": row_id, "by": by, "principle": code},
                                   **{"aria-label": f"{row_name}, {principle}: {shown}. {action}"
                                      + ("" if by == "program" else f" {row_name} · {principle}")}))

    head = html.Thead(html.Tr([html.Th(by.title(), scope="col")] + [html.Th(n, scope="col") for _, n in principles]))
    body = html.Tbody([html.Tr([html.Th(team_name, scope="row")] + [cell(team_id, team_name, code, principle)
                                                                     for code, principle in principles])
                       for team_id, team_name in teams])
    return scroll_region(dbc.Table([head, body], size="sm", striped=True, className="small mb-0"),
                         "Principle coverage as a table")


def frequency_chart(rows: Sequence[Any], by: str = "team") -> dict[str, Any]:
    """Individual sessions per worker per month by team (or program), with each one's standard as a marker (a plain
    figure dict, as coverage_heatmap explains: a whole agency's 250 teams as a go.Figure took ~25 ms)."""
    shown = [r for r in rows if not r.suppressed and r.individual_per_worker_month is not None]
    if not shown:
        return empty_figure(f"No {by} with enough workers to show.")
    names = [plotly_text(getattr(r, f"{by}_name")) for r in shown]
    held = {"type": "bar", "x": [r.individual_per_worker_month for r in shown], "y": names, "orientation": "h",
            "name": "Held", "marker": {"color": "#3b6ea5"},
            "customdata": [[number(r.hours_per_worker_month), number(getattr(r, "median_gap_days", None), 0)]
                           for r in shown],
            "hovertemplate": "%{y}: %{x:.2f} individual sessions per worker per month<br>"
                             "%{customdata[0]} h per worker per month · median gap %{customdata[1]} days"
                             "<extra></extra>"}
    standard = {"type": "scatter", "x": [r.expected_individual_per_worker_month for r in shown], "y": names,
                "mode": "markers", "name": "Standard",
                "marker": {"symbol": "line-ns-open", "size": 22, "line": {"width": 3}, "color": "#b5452a"},
                "hovertemplate": "%{y}: standard %{x:.2f} per worker per month<extra></extra>"}
    layout = {"template": _WHITE, "margin": {"l": 10, "r": 10, "t": 10, "b": 30},
              "legend": {"orientation": "h", "y": -0.08}, "barmode": "overlay",
              "xaxis": {"title": {"text": "individual sessions per worker per month"}},
              "yaxis": {"autorange": "reversed", "automargin": True}}
    return {"data": [held, standard], "layout": layout}


def trend_chart(coverage_points: Sequence[Any], meeting_points: Sequence[Any]) -> dict[str, Any]:
    """One point per whole calendar month (the callback ends the trend at the last whole month); a plain figure
    dict, as coverage_heatmap explains."""
    coverage_line = {"type": "scatter", "x": [p.as_of.isoformat() for p in coverage_points],
                     "y": [p.proficient_share for p in coverage_points], "name": "Coverage (proficient)",
                     "mode": "lines+markers", "line": {"color": "#3b6ea5"},
                     # The three formats' strftime patterns read the same in Plotly's d3 time format.
                     "hovertemplate": f"Coverage on %{{x|{current().pattern}}}: %{{y:.0%}}<extra></extra>"}
    meeting_line = {"type": "scatter", "x": [p.month_end.isoformat() for p in meeting_points],
                    "y": [p.meeting_share for p in meeting_points], "name": "Meeting the standard",
                    "mode": "lines+markers", "line": {"color": "#b5452a", "dash": "dot"},
                    "hovertemplate": "Meeting the standard in %{x|%B %Y}: %{y:.0%}<extra></extra>"}
    layout = {"template": _WHITE, "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
              "yaxis": {"tickformat": ".0%", "range": [0, 1.05]}, "legend": {"orientation": "h", "y": -0.15}}
    return {"data": [coverage_line, meeting_line], "layout": layout}


def drilldown_panel(detail: Any, frequency: Any, window: Any, min_workers: int) -> html.Div:
    """A principle for one team: its categories and competencies, the team's supervision, the guides."""
    parts: list[Any] = [html.P(f"{detail.workers} active peer workers on {show(window.end)}; "
                               f"window {show_span(window.start, window.end)}.", className="small")]
    if detail.suppressed:
        parts.append(dbc.Alert(f"Fewer than {min_workers} workers: per-competency counts are withheld so no one "
                               "can be identified.", color="secondary", className="small"))
    for category in detail.categories:
        title = f"{category.code}. {category.title}" + ("" if category.is_primary else " (secondary)")
        rows = [html.Tr([html.Td(c.code), html.Td(c.label), html.Td(c.proficient, className="text-end"),
                         html.Td(c.rated_not_proficient, className="text-end"),
                         html.Td(c.not_rated, className="text-end")]) for c in category.competencies]
        parts.append(html.H3([title, html.Span(f"  {percent(category.proficient_share, detail.suppressed, min_workers)}"
                                               " proficient", className="small text-body-secondary")],
                             className="h6 mt-3"))
        if rows:
            parts.append(dbc.Table([html.Thead(html.Tr([html.Th("Code", scope="col"),
                                                        html.Th("Competency", scope="col"),
                                                        html.Th("Proficient", scope="col", className="text-end"),
                                                        html.Th("Developing", scope="col", className="text-end"),
                                                        html.Th("Not rated", scope="col", className="text-end")])),
                                    html.Tbody(rows)], size="sm", className="small"))
    if frequency is not None:
        parts += [html.H3("Supervision in the window", className="h6 mt-4"), html.P(
            f"{number(frequency.individual_per_worker_month, 2, frequency.suppressed, min_workers)} individual "
            f"sessions per worker per month (standard "
            f"{number(frequency.expected_individual_per_worker_month, 2, frequency.suppressed, min_workers)}); "
            f"{number(frequency.hours_per_worker_month, 1, frequency.suppressed, min_workers)} hours per worker "
            f"per month; median gap {number(frequency.median_gap_days, 0, frequency.suppressed, min_workers)} days.",
            className="small")]
    parts.append(html.H3("Guides that help", className="h6 mt-4"))
    if not detail.guides:
        parts.append(html.P("No guide is linked to this principle or its weakest categories.", className="small"))
    for suggestion in detail.guides:
        guide = suggestion.guide
        parts.append(html.Div([
            html.A(guide.title, href=guide.url, target="_blank", rel="noopener noreferrer", className="fw-semibold"),
            html.Div(f"{guide.publisher}{', ' + str(guide.year) if guide.year else ''}", className="small"),
            html.Div(suggestion.reason, className="small text-body-secondary"),
        ], className="mb-2 drilldown-guide"))
    return html.Div(parts)
