"""Crafted requests to the Resources callbacks: filters that name nothing real match nothing, and never fail."""
from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from tests.http.conftest import dash_update, login

GUIDES_OUTPUT = "..resources-guides.children...resources-count.children.."


def guide_count(client: FlaskClient, principle: object, category: object) -> str:
    response = dash_update(client, GUIDES_OUTPUT,
                           [{"id": "resources-principle", "property": "value", "value": principle},
                            {"id": "resources-category", "property": "value", "value": category}],
                           outputs=[{"id": "resources-guides", "property": "children"},
                                    {"id": "resources-count", "property": "children"}])
    assert response.status_code == 200, response.data
    return json.loads(response.data)["response"]["resources-count"]["children"]


@pytest.mark.parametrize("principle,category,expected", [
    ("all", "all", "5 guides."),
    ("trauma-informed", "all", "4 guides match the filters."),   # every guide but CASRA's
    ("voluntary", "VIII", "1 guide matches the filters."),       # only SAMHSA's own framework
    ("no-such-principle", "all", "0 guides match the filters."),
    ({"$ne": 1}, ["VIII"], "5 guides."),                         # wrong types are ignored, not trusted
    (None, 12, "5 guides."),
])
def test_guide_filters_from_any_payload(client: FlaskClient, principle: object, category: object,
                                        expected: str) -> None:
    login(client, "peer")
    assert guide_count(client, principle, category) == expected


def test_the_resources_callbacks_need_a_login(client: FlaskClient) -> None:
    response = dash_update(client, GUIDES_OUTPUT, [{"id": "resources-principle", "property": "value", "value": "all"},
                                                   {"id": "resources-category", "property": "value", "value": "all"}])
    assert response.status_code == 401
