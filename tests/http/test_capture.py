"""bench.capture: two captures of the same code on fresh copies of the demo agency are identical and non-trivial."""
from __future__ import annotations

import json
from pathlib import Path

from bench.capture import CAPTURE_DAY, ROLES, capture, differences, unpinned_clocks
from dashboard.queries.common import TeamFilter
from dashboard.queries.supervision import due_dates
from dashboard.scope import Scope
from tests.conftest import DEMO_END, _demo
from tests.databases import TemplateFactory
from tests.http.conftest import kpi_cards


def test_every_clock_the_app_serves_from_is_pinned() -> None:
    assert unpinned_clocks() == []
    assert CAPTURE_DAY == DEMO_END


def test_two_captures_of_the_demo_agency_are_identical_and_carry_its_numbers(templates: TemplateFactory,
                                                                           tmp_path: Path) -> None:
    # Each capture signs in and exports, which the audit log records: each needs its own fresh copy.
    outs = []
    for run in ("first", "second"):
        with templates.fresh("demo", _demo) as db:
            if run == "first":
                with db.session() as s:
                    active = len({d.worker_id for d in due_dates(s, Scope.agency(), DEMO_END, TeamFilter())})
            capture(db.engine.url.render_as_string(hide_password=False), tmp_path / run)
        outs.append(tmp_path / run)

    assert differences(*outs) == []
    for role in ROLES:
        assert len(list((outs[0] / role).glob("*.json"))) >= 5, role
    kpis = json.loads((outs[0] / "leader" / "overview-kpis.children+4.json").read_text())  # with the heatmap
    cards = kpi_cards(kpis["response"]["overview-kpis"]["children"])
    assert cards["Active peer workers"][0] == str(active)
    assert (outs[0] / "quality" / "export" / "compliance_by_worker.csv").read_text().count("\n") > active // 2
    assert "Generated at" in (outs[0] / "admin" / "export" / "compliance_by_worker.pdf.txt").read_text()
    index = (outs[0] / "INDEX.txt").read_text()
    assert "supervisor/my-team-roster.rowData.json  200" in index and "clientside" in index
