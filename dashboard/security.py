"""Security headers on every response, and request body caps enforced before anything parses a body."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Flask, Response, request

CALLBACK_PATH = "/_dash-update-component"


def content_security_policy(script_hashes: Sequence[str]) -> str:
    """Everything from this server only; scripts only from files or Dash's own inline scripts (by hash), never
    eval. Styles allow 'unsafe-inline' because Plotly and Dash components set style attributes and insert
    <style> elements at run time; a style cannot run script."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],  # Plotly's modebar icons and "download as PNG"
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def init_headers(server: Flask, script_hashes: Callable[[], Sequence[str]], production: bool) -> None:
    """script_hashes is asked at every response: Dash adds an inline script of its own (the page title's
    clientside callback) at the first request, after the app is built."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }
    if production:  # only behind TLS; HSTS over plain http in development would pin localhost to https
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"

    @server.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", content_security_policy(script_hashes()))
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        response.headers.pop("Server", None)  # the app never names itself; see the README for the WSGI server
        return response


def init_body_limits(server: Flask, max_request_bytes: int, max_upload_bytes: int,
                     may_upload: Callable[[], bool]) -> None:
    """Cap every request body at max_request_bytes, except callbacks from a viewer who may upload (the import
    page's file arrives as a callback), capped at max_upload_bytes.

    The cap is chosen from the session, before the body is read: a declared length over it is refused at once,
    and a chunked body without a length is read only up to the cap."""
    server.config["MAX_CONTENT_LENGTH"] = max(max_request_bytes, max_upload_bytes)

    @server.before_request
    def cap_request_body() -> tuple[str, int] | None:
        limit = max_upload_bytes if request.path == CALLBACK_PATH and may_upload() else max_request_bytes
        too_large = f"Request body too large (over {limit // 1024} KiB)", 413
        if request.content_length is not None:
            request.max_content_length = limit
            return too_large if request.content_length > limit else None
        # Chunked, no length: werkzeug stops reading at max_content_length but hands back the truncated body,
        # so read (and cache, for Dash and the form parser) up to one byte past the cap and refuse if it is there.
        request.max_content_length = limit + 1
        return too_large if len(request.get_data(cache=True)) > limit else None
