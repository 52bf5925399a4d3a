"""What the browser downloads: the vendored Plotly bundle, compressed JSON and files, never compressed HTML."""
from __future__ import annotations

import gzip
import json
import re

import brotli
import pytest
from flask.testing import FlaskClient
from plotly.offline import get_plotlyjs_version

from dashboard import delivery
from tests.http.conftest import COVERAGE_PANELS, callback, coverage_state, login
from tests.http.test_overview_scope import filters

EVERY_ENCODING = "gzip, deflate, br, zstd"  # what Chromium sends


def script_sources(html: str) -> list[str]:
    return re.findall(r'<script[^>]* src="([^"]+)"', html)


def test_the_overview_loads_the_vendored_cartesian_bundle_and_not_the_full_one(client: FlaskClient) -> None:
    login(client, "leader")
    sources = script_sources(client.get("/overview").get_data(as_text=True))
    bundle = delivery.vendored_url(delivery.PLOTLY_JS)
    assert bundle in sources and bundle.startswith("/assets/vendor/plotly-cartesian-")
    assert not [s for s in sources if "plotly.min.js" in s]  # the full bundle is no script of the page

    response = client.get(bundle, headers={"Accept-Encoding": "br"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    body = brotli.decompress(response.get_data())
    # The same plotly.js as the plotly package's full bundle (upgrading plotly means vendoring its bundle again).
    assert body.startswith(f"/**\n* plotly.js (cartesian - minified) v{get_plotlyjs_version()}\n".encode())
    assert b"window.Plotly = Plotly;" in body  # what dcc.Graph looks for before fetching plotly.min.js
    assert len(response.get_data()) < 600_000 < 1_400_000 < len(body)


def test_dashs_polyfill_is_replaced_by_regenerator_runtime_alone_before_react(client: FlaskClient) -> None:
    login(client, "leader")
    sources = script_sources(client.get("/overview").get_data(as_text=True))
    runtime = delivery.vendored_url(delivery.REGENERATOR_JS)
    assert not [s for s in sources if "polyfill" in s]
    react = next(i for i, s in enumerate(sources) if "/deps/react@" in s)
    # before React and every bundle: dash-renderer's lazy loading calls the global regeneratorRuntime
    assert sources.index(runtime) == react - 1 == 0
    body = client.get(runtime).get_data(as_text=True)
    assert "regeneratorRuntime = runtime" in body and "mark" in body
    assert client.get(runtime).headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # a Dash upgrade that drops or renames the tag is noticed, not silently served with the polyfill
    with pytest.raises(RuntimeError, match="polyfill"):
        delivery.without_polyfill('<script src="/x.js"></script>')


def test_a_callbacks_json_arrives_compressed_and_reads_the_same(client: FlaskClient) -> None:
    login(client, "leader")
    inputs, mode = filters(), coverage_state()
    plain = callback(client, COVERAGE_PANELS, inputs, mode)
    client.environ_base["HTTP_ACCEPT_ENCODING"] = "gzip"
    packed = callback(client, COVERAGE_PANELS, inputs, mode)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers and packed.headers["Content-Encoding"] == "gzip"
    assert packed.mimetype == "application/json" and "Accept-Encoding" in packed.headers["Vary"]
    assert json.loads(gzip.decompress(packed.get_data())) == plain.get_json()
    assert len(packed.get_data()) < len(plain.get_data()) / 2


def test_html_is_never_compressed(client: FlaskClient) -> None:
    """BREACH: the pages carry CSRF tokens beside text a request can put there (dashboard/delivery.py)."""
    for path in ("/login", "/login?next=/overview"):
        response = client.get(path, headers={"Accept-Encoding": EVERY_ENCODING})
        assert response.mimetype == "text/html" and "Content-Encoding" not in response.headers, path
    login(client, "leader")
    for path in ("/overview", "/account/sessions"):
        response = client.get(path, headers={"Accept-Encoding": EVERY_ENCODING})
        assert response.status_code == 200 and response.mimetype == "text/html", path
        assert "Content-Encoding" not in response.headers, path


def test_only_fingerprinted_files_are_cached_for_a_year(client: FlaskClient) -> None:
    login(client, "leader")
    sources = script_sources(client.get("/overview").get_data(as_text=True))
    suite = next(s for s in sources if s.startswith("/_dash-component-suites/dash/dcc/"))
    asset = next(s for s in sources if s.startswith("/assets/dashAgGridComponentFunctions.js?m="))
    for path in (suite, asset, delivery.vendored_url(delivery.BOOTSTRAP_CSS)):
        response = client.get(path, headers={"Accept-Encoding": EVERY_ENCODING})
        assert response.status_code == 200 and response.get_data(), path  # read: a streamed file ends here
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable", path
        assert response.headers["Content-Encoding"] in {"zstd", "br"}, path
    for path in ("/assets/app.css", "/overview", "/_dash-layout"):  # no fingerprint: as before
        response = client.get(path)
        assert response.get_data() and "immutable" not in response.headers.get("Cache-Control", ""), path
