"""Loading framework files: counts come from the data, mistakes are named by line, corrections re-link guides."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard.db import Database
from dashboard.errors import ConfigError
from dashboard.queries.resources import framework_summary, list_guides
from models import Category, CategoryPrinciple, Competency, Framework
from dashboard.reference import DEFAULT_FRAMEWORK, load_framework


def test_the_default_framework_loads_with_counts_from_its_file(reference_db: Database) -> None:
    data = json.loads(DEFAULT_FRAMEWORK.read_text())
    items_in_file = sum(len(c["competencies"]) for c in data["categories"])
    with reference_db.session() as s:
        summary = framework_summary(s)
    assert summary is not None
    assert (len(summary.principles), len(summary.categories)) == (5, 12)
    assert summary.competency_count == items_in_file == 62  # see the file's note on SAMHSA's 61
    assert [c.code for c in summary.categories][:3] == ["I", "II", "III"]
    viii = next(c for c in summary.categories if c.code == "VIII")
    assert viii.primary_principle == "Trauma-informed"
    assert viii.competencies[2][0] == "VIII.3"


def test_every_category_has_exactly_one_primary_principle(reference_db: Database) -> None:
    with reference_db.session() as s:
        primaries = s.execute(select(CategoryPrinciple.category_id, func.count())
                              .where(CategoryPrinciple.is_primary).group_by(CategoryPrinciple.category_id)).all()
        assert len(primaries) == 12 and {count for _, count in primaries} == {1}


def test_a_syntax_error_names_the_line(reference_db: Database, tmp_path: Path) -> None:
    bad = tmp_path / "framework.json"
    bad.write_text('{\n  "name": "X",\n  "version": "2"\n  "principles": []\n}\n')
    with pytest.raises(ConfigError, match=r"framework.json: line 4, column 3"):
        with reference_db.session() as s:
            load_framework(s, bad)


def test_an_unknown_principle_in_the_mapping_is_named(reference_db: Database, tmp_path: Path) -> None:
    data = json.loads(DEFAULT_FRAMEWORK.read_text())
    data["version"] = "2015-b"
    data["categories"][7]["primary"] = "hopeful"
    bad = tmp_path / "framework.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match=r"category VIII: unknown principle 'hopeful'"):
        with reference_db.session() as s:
            load_framework(s, bad)
    with reference_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Framework)) == 1  # nothing of the bad file stayed


def test_loading_the_same_version_twice_is_refused(reference_db: Database) -> None:
    with pytest.raises(ConfigError, match="already loaded"):
        with reference_db.session() as s:
            load_framework(s, DEFAULT_FRAMEWORK)


def test_a_corrected_version_becomes_active_and_keeps_the_guide_links(reference_db: Database,
                                                                      tmp_path: Path) -> None:
    data = json.loads(DEFAULT_FRAMEWORK.read_text())
    data["version"] = "2015-corrected"
    data["categories"][5]["competencies"].pop()  # one item fewer in VI: 61
    corrected = tmp_path / "corrected.json"
    corrected.write_text(json.dumps(data))
    with reference_db.session() as s:
        load_framework(s, corrected)
    with reference_db.session() as s:
        summary = framework_summary(s)
        assert summary is not None and (summary.version, summary.competency_count) == ("2015-corrected", 61)
        assert [g.title[:20] for g in list_guides(s, category_code="VIII")] == [
            "Core Competencies fo", "Program Development "]
        assert s.scalar(select(func.count()).select_from(Competency)) == 62 + 61  # old ratings keep their items
        assert s.scalar(select(func.count()).select_from(Category)) == 24
