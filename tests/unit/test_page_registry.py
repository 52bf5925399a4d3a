"""One entry per page: the registry names each page's body and callbacks, and a page that cannot be served stops
the app at start-up instead of failing silently."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from dash import Dash

from dashboard import factory, pages
from dashboard.auth import current_viewer
from dashboard.auth import Viewer
from dashboard.db import Database
from dashboard.pages import PAGES, Page, PageRegistryError, check_pages
from layouts import shell
from tests.callback_calls import as_sent, signed_in
from tests.conftest import make_app
from tests.http.conftest import texts

REPORTS = Page("reports", "/reports", "Reports", frozenset({"admin"}), "layouts.overview:layout",
               "callbacks.overview:register")


def test_every_page_resolves_to_a_body_and_callbacks() -> None:
    assert check_pages() == PAGES
    assert [page.key for page in PAGES] == ["overview", "my_team", "my_record", "compliance", "resources",
                                             "guides", "standards", "people", "settings", "framework", "import",
                                             "audit", "accounts", "signoff", "credentials", "help"]
    assert all(callable(page.load_layout()) for page in PAGES)
    # Every page has callbacks except Help, which is static (and linked beside the name, not in the navbar).
    assert [page.key for page in PAGES if page.load_callbacks() is None] == ["help"]
    assert [page.key for page in PAGES if not page.in_navbar] == ["help"]


def test_the_navbar_and_the_guard_read_the_same_entries() -> None:
    supervisor = Viewer(1, "s", "S", "supervisor", 1)
    assert [page.key for page in supervisor.pages()] == ["overview", "my_team", "compliance", "resources",
                                                               "signoff", "help"]
    assert supervisor.may_use("my_team") and not supervisor.may_use("import")


def test_a_misspelt_body_or_callbacks_fails_loudly() -> None:
    with pytest.raises(PageRegistryError, match=r"reports's layout 'layouts.overview:lay' does not exist"):
        check_pages((*PAGES, replace(REPORTS, layout="layouts.overview:lay")))
    with pytest.raises(PageRegistryError, match=r"reports's callbacks 'callbacks.reports:register' does not exist"):
        check_pages((*PAGES, replace(REPORTS, callbacks="callbacks.reports:register")))


def test_a_key_or_path_used_twice_or_a_page_no_role_may_use_fails_loudly() -> None:
    with pytest.raises(PageRegistryError, match="more than one page with key overview"):
        check_pages((*PAGES, replace(REPORTS, key="overview")))
    with pytest.raises(PageRegistryError, match="more than one page with path /overview"):
        check_pages((*PAGES, replace(REPORTS, path="/overview")))
    with pytest.raises(PageRegistryError, match="no role may use reports"):
        check_pages((*PAGES, replace(REPORTS, roles=frozenset())))


def test_create_app_refuses_a_page_it_cannot_serve(empty_db: Database, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    broken = (*PAGES, replace(REPORTS, layout="layouts.reports:layout"))
    monkeypatch.setattr(factory, "check_pages", lambda: pages.check_pages(broken))
    with pytest.raises(PageRegistryError, match="reports"):
        make_app(empty_db, tmp_path)


NAV = {  # what each demo account's navbar lists, in order (tests/browser/test_shell.py checks it in Chromium)
    "admin": ["Overview", "Compliance", "Resources", "Guides", "Standards", "People", "Settings", "Framework",
              "Import", "Audit log", "Accounts", "Sign-off", "Credentials"],
    "leader": ["Overview", "Compliance", "Resources", "Sign-off", "Credentials"],
    "quality": ["Overview", "Compliance", "Resources", "Standards", "People", "Settings", "Framework", "Import",
                "Audit log", "Sign-off", "Credentials"],
    "supervisor": ["Overview", "My team", "Compliance", "Resources", "Sign-off"],
    "peer": ["My record", "Resources"],
}
HELP = "Help"  # every role's, linked beside their name rather than in the list


@pytest.mark.parametrize("username", list(NAV))
def test_each_role_gets_its_sections_in_the_navbar_and_a_notice_for_any_other_page(
        demo_app: Dash, demo_db: Database, username: str) -> None:
    with signed_in(demo_app, demo_db, username):
        viewer = current_viewer()
        assert viewer is not None
        navbar = texts(as_sent(shell.layout(viewer)))
        bodies = {page.label: as_sent(factory.restricted(page)()) for page in PAGES}
    assert [label for label in navbar if label in bodies] == [*NAV[username], HELP]
    refused = sorted(label for label, body in bodies.items() if body["props"].get("id") == "forbidden")
    assert refused == sorted(set(bodies) - {*NAV[username], HELP})
    if username == "peer":
        assert texts(bodies["Overview"]) == ["Not available for your role", "The Overview section is not part of "
                                             "your role's view. Use the sections in the bar above."]
