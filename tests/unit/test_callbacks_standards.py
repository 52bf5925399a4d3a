"""The Standards page's callbacks called directly (the browser tests cover them through Chromium): the versions
shown, the form filled from the latest version, the custom-days toggle and every message of a save."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dash import Dash, no_update
from sqlalchemy import select

from callbacks.standards import fill_from_pack, refresh, save, toggle_custom
from dashboard.db import Database
from layouts import ids
from models import CertificationStage
from tests.callback_calls import as_sent, signed_in
from tests.http.conftest import texts

DEFAULT_RULES = ["In training", "7", "240", "yes", "Initially certified", "14", "120", "yes",
                 "Fully certified", "31", "60", "yes"]


def with_id(tree: Any, type_: str) -> Iterator[dict[str, Any]]:
    """Every component in a sent tree whose pattern id has this type, in document order."""
    if isinstance(tree, list):
        for child in tree:
            yield from with_id(child, type_)
    elif isinstance(tree, dict):
        props = tree.get("props", {})
        if isinstance(props.get("id"), dict) and props["id"].get("type") == type_:
            yield props
        yield from with_id(props.get("children"), type_)


def form(db: Database, presets: list[Any], days: list[Any] | None = None, minutes: list[Any] | None = None,
         groups: list[Any] | None = None, stages: list[Any] | None = None) -> tuple[Any, ...]:
    """The form's states for save(), one value per stage, as the page sends them."""
    with db.session() as s:
        ids_ = stages or list(s.scalars(select(CertificationStage.id).order_by(CertificationStage.sort_order)))
    return (presets, days or [7, 14, 21], minutes or [240, 120, 90], groups or [True, True, False],
            [{"type": ids.STANDARDS_PRESET, "stage": s} for s in ids_])


def test_the_page_shows_the_standard_in_force_and_fills_the_form_with_it(demo_app: Dash, demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "admin"):
        in_force, versions, rows = as_sent(refresh(None))
    assert texts(in_force) == ["Default peer supervision standard", " — since 01 Jan 2000", "Stage",
                               "Max days between individual", "Minimum minutes a month", "Group counts",
                               *DEFAULT_RULES]
    listed = texts(versions)
    assert listed[5:8] == ["01 Jan 2000", "in force", "Default peer supervision standard"]
    assert listed[9:12] == ["In training: every 7 days; 240 min a month; group sessions count",
                            "Initially certified: every 14 days; 120 min a month; group sessions count",
                            "Fully certified: every 31 days; 60 min a month; group sessions count"]
    assert [p["value"] for p in with_id(rows, ids.STANDARDS_PRESET)] == ["7", "14", "31"]  # weekly, two weeks, monthly
    assert [p["value"] for p in with_id(rows, ids.STANDARDS_DAYS)] == [7, 14, 31]
    assert [p["value"] for p in with_id(rows, ids.STANDARDS_MINUTES)] == [240, 120, 60]


def test_custom_days_are_editable_only_for_a_custom_preset() -> None:
    assert [toggle_custom(p) for p in ("custom", "7", "14", "31", None)] == [False, True, True, True, True]


@pytest.mark.parametrize(("effective", "states", "expected"), [
    ("", {"presets": ["7", "14", "custom"]}, "Give the date the version takes effect: enter the date as 05 Dec 2026."),
    ("2027-01-01T00:00", {"presets": ["7", "14", "custom"]},
     "Give the date the version takes effect: enter the date as 05 Dec 2026."),
    ("31 Feb 2027", {"presets": ["7", "14", "custom"]},
     "Give the date the version takes effect: enter the date as 05 Dec 2026."),
    ("2027-01-01", {"presets": ["7", "14"]}, "The form is incomplete; reload the page."),
    ("2027-01-01", {"presets": ["7", "3", "custom"]}, "Choose weekly, every two weeks, monthly or custom for every "
                                                       "stage."),
    ("2027-01-01", {"presets": ["7", "14", "custom"], "days": [7, 14, 2.5]},
     "Every stage needs whole numbers of days and minutes."),
    ("2027-01-01", {"presets": ["7", "14", "custom"], "groups": [True, "yes", False]},
     "Every stage needs whole numbers of days and minutes."),
    ("2027-01-01", {"presets": ["7", "14", "custom"], "stages": ["x", "y", "z"]},
     "Every stage needs whole numbers of days and minutes."),
])
def test_a_bad_form_gets_its_message_and_nothing_is_saved(demo_app: Dash, demo_db: Database, effective: str,
                                                          states: dict[str, Any], expected: str) -> None:
    with signed_in(demo_app, demo_db, "quality"):
        message, refreshed = save(1, effective, "2027 rule", "", *form(demo_db, **states))
        _in_force, versions, _rows = as_sent(refresh(None))
    assert texts(as_sent(message)) == [expected] and refreshed is no_update
    assert "2027 rule" not in texts(versions)


def test_a_saved_version_is_confirmed_and_listed_as_not_yet_in_force(demo_app: Dash, demo_db: Database) -> None:
    with signed_in(demo_app, demo_db, "quality"):
        untouched = save(None, "2027-01-01", "2027 rule", "", *form(demo_db, ["7", "14", "custom"]))
        message, refreshed = save(2, "2027-01-01", "2027 rule", "State rule 12.3",
                                  *form(demo_db, ["7", "14", "custom"]))
        in_force, versions, rows = as_sent(refresh(refreshed))
    assert untouched == (no_update, no_update)  # the button appearing is not a click
    assert texts(as_sent(message)) == ["Saved “2027 rule”, in force from 01 Jan 2027."] and refreshed == 2
    assert texts(in_force)[6:] == DEFAULT_RULES  # still the default until 2027
    listed = texts(versions)
    assert listed[5:10] == ["01 Jan 2027", "not yet in force", "2027 rule", "State rule 12.3",
                            "In training: every 7 days; 240 min a month; group sessions count"]
    assert "Fully certified: every 21 days; 90 min a month; group sessions do not count" in listed
    assert [p["value"] for p in with_id(rows, ids.STANDARDS_DAYS)] == [7, 14, 21]  # the form starts from it


def test_a_rule_pack_fills_the_form_and_a_version_saved_from_it_cites_it(demo_app: Dash, demo_db: Database) -> None:
    with demo_db.session() as s:  # an agency's own stage, which no pack names
        s.add(CertificationStage(code="peer-mentor", name="Peer mentor", sort_order=4))
    values = (["7", "14", "31", "custom"], [7, 14, 31, 10], [240, 120, 60, 45], [True, True, True, False])
    states = form(demo_db, *values)
    with signed_in(demo_app, demo_db, "admin"):
        untouched = fill_from_pack(None, "tx-354-3103", *states)
        refused = fill_from_pack(1, "no-such-pack", *states)
        name, source, presets, days, minutes, groups, message = fill_from_pack(1, "tx-354-3103", *states)
        saved, _ = save(1, "2027-01-01", name, source, presets, days, minutes, groups, states[-1])
        _in_force, versions, _rows = as_sent(refresh(1))
    assert untouched == (no_update, no_update, *([no_update] * 4,) * 4, no_update)  # a list per row output
    assert refused[:6] == (no_update, no_update, *([no_update] * 4,) * 4)
    assert texts(as_sent(refused[6])) == ["Choose a rule pack first."]
    # Texas: weekly while initially certified (the in-training and initially-certified stages), monthly after; the
    # rule sets no monthly minimum. The agency's own stage keeps what the form held.
    assert (presets, days, minutes, groups) == (["7", "7", "31", "custom"], [7, 7, 31, 10], [0, 0, 0, 45],
                                                [True, True, True, False])
    assert name == "Texas: weekly, then monthly" and source.startswith("TX 1 TAC §354.3103: supervision at least")
    assert "Stages the pack does not name kept their values: Peer mentor." in texts(as_sent(message))[0]
    assert texts(as_sent(saved)) == ["Saved “Texas: weekly, then monthly”, in force from 01 Jan 2027."]
    listed = texts(versions)
    assert listed[7:9] == ["Texas: weekly, then monthly", source]
