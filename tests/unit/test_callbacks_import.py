"""The Import page's kind → columns explanation, called directly (the browser test covers it through Chromium)."""
from __future__ import annotations

from dash import Dash

from callbacks.data_import import DEFAULT_KIND, kind_help
from dashboard.db import Database

from tests.callback_calls import as_sent, signed_in
from tests.http.conftest import texts


def test_each_kind_explains_its_columns_and_links_its_template(demo_app: Dash, demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "quality"):
        href, children = kind_help("staff")
        fallback = kind_help("<script>")
        default = kind_help(DEFAULT_KIND)
    assert href == "/export/templates/staff.csv"
    header, table, _note = as_sent(children)
    assert texts(header)[1] == "employee_code,full_name,role,hire_date,fte,left_on,peer_credential"
    rows = [texts(row)[:2] for row in table["props"]["children"][1]["props"]["children"]]
    assert rows == [["employee_code", "yes"], ["full_name", "yes"], ["role", "yes"], ["hire_date", "yes"],
                    ["fte", "no"], ["left_on", "no"], ["peer_credential", "no"]]
    assert fallback[0] == default[0] == f"/export/templates/{DEFAULT_KIND}.csv"
