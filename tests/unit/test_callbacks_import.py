"""The Import page's callbacks called directly (the browser test covers them through Chromium): the kind → columns
explanation, the dry run of a messy and of a clean file, and the import itself."""
from __future__ import annotations

import base64

from dash import Dash, no_update
from sqlalchemy import func, select

from callbacks.data_import import DEFAULT_KIND, check_file, commit_file, kind_help
from dashboard.db import Database
from models import Staff

from tests.callback_calls import as_sent, signed_in
from tests.http.conftest import texts


def test_each_kind_explains_its_columns_and_links_its_template(demo_app: Dash, demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "quality"):
        href, children = kind_help("staff")
        fallback = kind_help("<script>")
        default = kind_help(DEFAULT_KIND)
    assert href == "/export/templates/staff.csv"
    header, region, _note = as_sent(children)
    assert texts(header)[1] == "employee_code,full_name,role,hire_date,fte,left_on,peer_credential"
    # The table scrolls inside a named, focusable region on a phone, not the page.
    assert (region["props"]["role"], region["props"]["aria-label"], region["props"]["tabIndex"]) == (
        "region", "Columns of the file", 0)
    table = region["props"]["children"]
    rows = [texts(row)[:2] for row in table["props"]["children"][1]["props"]["children"]]
    assert rows == [["employee_code", "yes"], ["full_name", "yes"], ["role", "yes"], ["hire_date", "yes"],
                    ["fte", "no"], ["left_on", "no"], ["peer_credential", "no"]]
    assert fallback[0] == default[0] == f"/export/templates/{DEFAULT_KIND}.csv"


MESSY_STAFF = ("employee_code,full_name,role,hire_date,fte\r\n"
               "E9001,Ada Example,peer_worker,2024-02-30,1\r\n"     # row 2: no 30 February
               "E9002,Bo Example,clinician,2024-02-01,1.5\r\n"      # row 3: not a role, FTE over 1
               "E9001,Cy Example,peer_worker,2024-02-01,1\r\n")     # row 4: the code of row 2 again
CLEAN_STAFF = ("\ufeffemployee_code,full_name,role,hire_date,fte,Department\r\n"
               "E9101,Dee Example,peer_worker,2024-02-01,0.5,Outreach\r\n")


def as_upload(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")


def test_a_messy_file_is_refused_row_by_row_and_a_clean_one_is_imported_once(demo_app: Dash,
                                                                             demo_db: Database) -> None:
    with demo_db.session() as s:
        staff = s.scalar(select(func.count()).select_from(Staff))
    with signed_in(demo_app, demo_db, "quality"):
        summary, errors, changes, disabled, _ = check_file(as_upload(MESSY_STAFF), "staff", "iso", "messy.csv")
        clean = check_file(as_upload(CLEAN_STAFF), "staff", "iso", "clean.csv")
        done, _ = commit_file(1, as_upload(CLEAN_STAFF), "staff", "iso", "clean.csv")
        again, _ = commit_file(1, as_upload(CLEAN_STAFF), "staff", "iso", "clean.csv")
        nothing = commit_file(0, as_upload(CLEAN_STAFF), "staff", "iso", "clean.csv")
    assert "4 problems in 3 rows" in " ".join(texts(as_sent(summary)))
    assert [(e["row"], e["column"]) for e in errors] == [(2, "hire_date"), (3, "role"), (3, "fte"),
                                                         (4, "employee_code")]
    assert changes == [] and disabled is True
    clean_words = " ".join(texts(as_sent(clean[0])))
    assert "no problems in 1 row" in clean_words and "Ignored column not read for staff: department." in clean_words
    assert "Importing would give: create 1." in clean_words
    assert clean[1] == [] and [c["summary"] for c in clean[2]] == ["E9101 Dee Example (peer_worker)"]
    assert clean[3] is False  # the Import button is enabled
    assert "Imported. " in texts(as_sent(done))
    assert texts(as_sent(again)) == ["Nothing to import: every row is already recorded."]
    assert nothing == (no_update, no_update)  # the button appearing is not a click
    with demo_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Staff)) == staff + 1
