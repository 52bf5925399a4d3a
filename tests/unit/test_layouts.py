"""Every id a callback uses exists in some page layout, and layouts build without a database."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from dash import Dash
from dash.development.base_component import Component

from dashboard.auth import Viewer
from dashboard.db import Database
from dashboard.pages import PAGES
from layouts import ids, shell
from tests.conftest import make_app


def ids_in(component: Component) -> set[str]:
    found = {component.id} if getattr(component, "id", None) else set()
    return found | {c.id for c in component._traverse() if getattr(c, "id", None)}


def callback_ids(app: Dash) -> set[str]:
    ids: set[str] = set()
    for outputs, callback in app.callback_map.items():
        ids |= {i["id"] for i in callback["inputs"]} | {s["id"] for s in callback.get("state", [])}
        ids |= {part.rsplit(".", 1)[0] for part in outputs.strip(".").split("...")}
    return {i for i in ids if not i.startswith("_pages")}


# Rendered by callbacks rather than by a page layout: parts of the worker profile.
RENDERED_LATER = {ids.PROFILE_LAST_N, ids.PROFILE_NOT_DISCUSSED, ids.PROFILE_WORKER,
                  ids.OVERVIEW_DRILLDOWN_TITLE}  # the last is in the drill-down's title prop, which _traverse skips


def test_every_callback_id_is_in_the_shell_or_a_page(empty_db: Database, tmp_path: Path) -> None:
    app = make_app(empty_db, tmp_path)
    viewer = Viewer(1, "x", "X", "admin", None)
    in_layouts = ids_in(shell.layout(viewer))
    for page in PAGES:
        in_layouts |= ids_in(page.load_layout()())  # called with no arguments, as Dash does: no database needed
    # Pattern-matching ids ({"type": ..., "stage": ALL}) name components a callback renders (one per database
    # row); their types must still be constants of layouts.ids.
    pattern = {i for i in callback_ids(app) if i.startswith("{")}
    assert {json.loads(i)["type"] for i in pattern} <= {v for k, v in vars(ids).items() if k.isupper()}
    missing = callback_ids(app) - pattern - in_layouts - RENDERED_LATER
    assert not missing, f"callback ids with no component: {sorted(missing)}"
    assert callback_ids(app)  # the check saw real callbacks


def test_the_compliance_page_has_one_download_button_per_export_format() -> None:
    from dashboard.exports import FORMATS
    from layouts import compliance

    buttons = {c.id: c.children for c in compliance.layout()._traverse() if str(getattr(c, "id", "")).startswith(
        "compliance-") and getattr(c, "download", None) == ""}
    assert buttons == {f"compliance-{f.extension}": f.label for f in FORMATS}
    assert list(buttons) == ["compliance-csv", "compliance-xlsx", "compliance-pdf"]  # the browser tests' ids


def test_every_drop_down_names_its_hidden_first_option() -> None:
    """dbc.Select's hidden first option holds its placeholder; layouts.select.select never leaves it blank, and no
    other module builds a dbc.Select (a blank option would come back with it)."""
    from layouts.select import PROMPT, select
    root = Path(__file__).resolve().parents[2]
    direct = [str(p.relative_to(root)) for folder in ("layouts", "callbacks", "dashboard")
              for p in (root / folder).rglob("*.py") if "dbc.Select(" in p.read_text(encoding="utf-8")]
    assert direct == ["layouts/select.py"]
    assert select(id="x", options=[]).placeholder == PROMPT
    assert select(id="x", placeholder="Choose a team").placeholder == "Choose a team"
    with pytest.raises(ValueError, match="cannot be blank"):
        select(id="x", placeholder=" ")


def test_every_date_field_is_a_text_box_in_the_agencys_format_whose_label_says_how_to_write_a_day(
        empty_db: Database, tmp_path: Path) -> None:
    """No page uses the browser's date picker (it shows the browser's locale, not the agency's format); each date
    field's label holds the hint and, for every checked field, the error the check writes."""
    from dashboard import dates
    from layouts.fields import CHECKED, date_label, error_id
    from layouts.ledger import log_form

    make_app(empty_db, tmp_path)
    components = [c for page in PAGES for c in page.load_layout()()._traverse()] + list(log_form(7)._traverse())
    assert not [c.id for c in components if getattr(c, "type", None) == "date"]
    labels = {c.html_for: c for c in components if type(c).__name__ == "Label" and getattr(c, "html_for", None)}
    date_fields = {c.id for c in components if type(c).__name__ == "Input" and c.id in labels
                   and any(getattr(part, "className", None) == "date-hint" for part in labels[c.id].children)}
    assert set(CHECKED) <= date_fields and date_fields - set(CHECKED) == {"log-from-7", "log-to-7"}
    with dates.using("mdy"):
        label = date_label(ids.SESSION_DATE, "Date")
    assert [getattr(part, "children", part) for part in label.children] == ["Date", " e.g. 12/05/2026", None]
    assert label.children[2].id == error_id(ids.SESSION_DATE) and label.children[2].to_plotly_json()["props"][
        "aria-live"] == "polite"


def test_a_date_field_shows_a_day_from_an_address_in_the_agencys_format_and_keeps_text_it_cannot_read() -> None:
    from dashboard import dates
    from layouts.fields import date_input
    with dates.using("dmy"):
        assert date_input("x", "2026-03-01").value == "01 Mar 2026"
        assert date_input("x", "3/1/2026").value == "03 Jan 2026"  # day first where the agency writes it so
        assert date_input("x", "soon").value == "soon"
        assert date_input("x").value is None
    with dates.using("mdy"):
        assert date_input("x", "3/1/2026").value == "03/01/2026"
