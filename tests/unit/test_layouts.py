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
