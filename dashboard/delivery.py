"""What the browser downloads: compression (never of HTML), a year's caching of fingerprinted files, vendored files."""
from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from dash.fingerprint import check_fingerprint
from flask import Flask, Response, request

ASSETS = Path(__file__).resolve().parent / "assets"
BOOTSTRAP_CSS = "vendor/bootstrap-5.3.9.min.css"
# plotly.js's own "cartesian" partial bundle (npm plotly.js-cartesian-dist-min, the same plotly.js version as the
# plotly package's full bundle): its trace types include the three the app draws, scatter, bar and heatmap, at a
# third of the full bundle's 4.8 MB (1.5 MB; ~0.5 MB compressed). Loaded before Dash's graphs, it defines
# window.Plotly, which dcc.Graph uses instead of fetching the full plotly.min.js it would otherwise load.
PLOTLY_JS = "vendor/plotly-cartesian-4.1.1.min.js"
YEAR_SECONDS = 365 * 24 * 3600
# Dash puts @babel/polyfill 7 (core-js 2 and regenerator-runtime) before React, for browsers older than ES2017.
# Every browser the app supports has what core-js 2 adds, and evaluating it was the largest single script cost of
# a page load (~340 ms of main thread in Lighthouse, on every page). What Dash's bundles still need of it is the
# global regeneratorRuntime (dash-renderer's and dcc's lazy loading call it), so that alone is loaded in its place
# (npm regenerator-runtime, the version line @babel/polyfill 7.12.1 bundles).
REGENERATOR_JS = "vendor/regenerator-runtime-0.13.11.js"
_POLYFILL_TAG = re.compile(r'<script src="[^"]*/_dash-component-suites/dash/deps/polyfill@[^"]*"></script>')

# Flask-Compress (Dash's compress=True), set before Dash builds it. Compressed: JavaScript, CSS, JSON (callback
# responses, the layout), SVG and the icon. **Never HTML**, against BREACH: an attacker who can make a signed-in browser
# request a page many times, with text of theirs reflected in it (a query parameter, a username typed on the
# login form), and who sees the compressed sizes on the wire, can recover a secret on the same page byte by byte
# from how well it compresses. The HTML pages carry such secrets (the CSRF token of the login form, sign-out and
# the sessions page) and are a few KB, so leaving them uncompressed costs nothing. The JSON responses are not
# open to it: callbacks are POSTs of JSON, which another site cannot send with the session cookie
# (SameSite=Lax, no CORS), and `_dash-layout` (which holds the sign-out token) echoes nothing from the request,
# and a cross-site fetch of it goes without the cookie. Static files hold no secrets.
COMPRESSION = {
    "COMPRESS_MIMETYPES": ["text/css", "text/javascript", "application/javascript", "application/json",
                           "image/svg+xml", "image/x-icon", "image/vnd.microsoft.icon"],
    # Chromium and Firefox ask for zstd and br; gzip for the rest. zstd at 3 and br at 4 (the defaults) compress
    # plotly.js in tens of ms per request, and fingerprinted files are asked for once per browser and year.
    "COMPRESS_ALGORITHM": ["zstd", "br", "gzip"],
    "COMPRESS_MIN_SIZE": 500,
}


def without_polyfill(scripts: str) -> str:
    """Dash's script tags with its polyfill replaced by regenerator-runtime alone, in the same place (before React).
    Raises if the tag is not there: a Dash upgrade that moved it must be looked at, not silently keep it."""
    replacement = f'<script src="{vendored_url(REGENERATOR_JS)}"></script>'
    replaced, found = _POLYFILL_TAG.subn(replacement, scripts, count=1)
    if not found:
        raise RuntimeError("Dash's polyfill script tag was not found: see dashboard/delivery.REGENERATOR_JS")
    return replaced


@cache
def vendored_url(name: str) -> str:
    """/assets/<name>?v=<the first 12 hex digits of its SHA-256>: a new file gets a new address, so the old one
    may be cached for a year (a vendored file's name carries its version too, but a hash cannot be forgotten)."""
    digest = hashlib.sha256((ASSETS / name).read_bytes()).hexdigest()[:12]
    return f"/assets/{name}?v={digest}"


def fingerprinted() -> bool:
    """Whether this request's address names one version of a file for good: Dash's component files
    (`…/name.v1_2_3m1700000000.js`), the app's assets (`?m=<modified time>`, added by Dash) and vendored files
    (`?v=<hash>`, vendored_url)."""
    if request.path.startswith("/_dash-component-suites/"):
        return check_fingerprint(request.path)[1]
    return request.path.startswith("/assets/") and ("m" in request.args or "v" in request.args)


def init_caching(server: Flask) -> None:
    """Fingerprinted files are cached for a year and never revalidated (immutable); the rest as before."""

    @server.after_request
    def cache_fingerprinted(response: Response) -> Response:
        if response.status_code == 200 and fingerprinted():
            response.headers["Cache-Control"] = f"public, max-age={YEAR_SECONDS}, immutable"
        return response
