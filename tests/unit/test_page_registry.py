"""A page cannot half-exist: each access record has exactly one layout and callbacks, and each page a record."""
from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import auth
from dashboard.auth import Section
from dashboard.db import Database
from dashboard.factory import PAGES, Page, PageRegistryError, check_pages
from tests.conftest import make_app

EXTRA = Section("reports", "/reports", "Reports", frozenset({"admin"}))


def test_every_access_record_has_exactly_one_page_in_navbar_order() -> None:
    pairs = check_pages()
    assert [section.key for section, _ in pairs] == [section.key for section in auth.SECTIONS]
    assert all(section.key == page.key for section, page in pairs)


def test_an_access_record_without_a_layout_fails_loudly() -> None:
    with pytest.raises(PageRegistryError, match="no layout and callbacks .* for reports"):
        check_pages((*auth.SECTIONS, EXTRA), PAGES)


def test_a_layout_no_role_may_reach_fails_loudly() -> None:
    with pytest.raises(PageRegistryError, match=r"no path, label and roles .* for reports"):
        check_pages(auth.SECTIONS, (*PAGES, Page("reports", PAGES[0].layout, PAGES[0].register)))


def test_a_key_registered_twice_fails_loudly() -> None:
    with pytest.raises(PageRegistryError, match="more than one page for overview"):
        check_pages(auth.SECTIONS, (*PAGES, PAGES[0]))
    with pytest.raises(PageRegistryError, match="more than one access record for overview"):
        check_pages((*auth.SECTIONS, auth.SECTIONS[0]), PAGES)


def test_create_app_refuses_a_half_page(empty_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "SECTIONS", (*auth.SECTIONS, EXTRA))
    with pytest.raises(PageRegistryError, match="reports"):
        make_app(empty_db, tmp_path)
