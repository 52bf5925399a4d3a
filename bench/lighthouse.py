"""Lighthouse on signed-in pages: accessibility and performance scores, and every audit that did not pass.

    python -m bench.lighthouse --url http://127.0.0.1:8050 --user leader --password demo --page /overview \
        [--lighthouse /work/tools/lh/node_modules/.bin/lighthouse] [--runs 3] [--form-factor desktop|mobile]

Lighthouse comes from the npm registry (`npm install lighthouse` in a folder outside the checkout; the app never
needs it). It drives Debian's Chromium (`--chrome-path`), so nothing is fetched from the internet. The script
signs in through the login form (CSRF token and all) and hands Lighthouse the session cookie as a header, so
Lighthouse loads the page as the signed-in user does. Scores are 0-100; with `--runs` > 1 the median run's
scores are printed (performance moves with the machine's load: note the load beside the numbers).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import tempfile
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

DEFAULT_LIGHTHOUSE = "/work/tools/lh/node_modules/.bin/lighthouse"


def session_cookie(base: str, user: str, password: str) -> str:
    """Sign in through the form; the Cookie header value a signed-in browser would send."""
    jar = CookieJar()
    opener = build_opener(HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    if not token:
        raise SystemExit("no csrf_token on the login form")
    body = urlencode({"username": user, "password": password, "csrf_token": token.group(1)}).encode()
    opener.open(Request(f"{base}/login", data=body, method="POST")).read()
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "remember" not in cookies and "session" not in cookies:
        raise SystemExit("sign-in gave no session cookie")
    return cookies


def run_once(lighthouse: str, url: str, cookie: str, form_factor: str, save: Path | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = save or Path(tmp) / "report.json"
        args = [lighthouse, url, "--quiet", "--output=json", f"--output-path={out}",
                "--only-categories=accessibility,performance",
                f"--extra-headers={json.dumps({'Cookie': cookie})}",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                "--disable-storage-reset"]  # keeps the cookie; the cache is still cleared before the run
        args.append("--preset=desktop" if form_factor == "desktop" else "--form-factor=mobile")
        env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
        # Lighthouse 12 with Chromium 156 now and then loses the page's trace ("NO_NAVSTART", 2 runs in 14 here): one
        # more try, then the error stands.
        for attempt in (1, 2):
            try:
                subprocess.run(args, check=True, env=env, timeout=300)
                break
            except subprocess.CalledProcessError:
                if attempt == 2:
                    raise
        return dict(json.loads(out.read_text()))


def failing(report: dict[str, Any], category: str) -> list[str]:
    """Audits of the category that did not score 1 (those that apply), with what Lighthouse says of them."""
    lines = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if audit.get("scoreDisplayMode") in ("notApplicable", "manual", "informative") or audit.get("score") == 1:
            continue
        if ref.get("weight", 0) == 0 and category == "performance":
            continue
        shown = audit.get("displayValue", "")
        lines.append(f"  {audit['id']} (score {audit.get('score')}): {audit['title']} {shown}".rstrip())
        for item in (audit.get("details") or {}).get("items", [])[:5]:
            node = item.get("node") or {}
            if node:
                lines.append(f"      {node.get('selector', '')}  {node.get('explanation', '')[:160]}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8050")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--page", action="append", help="path such as /overview; repeat for several")
    parser.add_argument("--lighthouse", default=DEFAULT_LIGHTHOUSE)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--form-factor", choices=("desktop", "mobile"), default="desktop")
    parser.add_argument("--save", type=Path, help="keep the last run's full JSON report here")
    args = parser.parse_args()
    base = args.url.rstrip("/")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for page in args.page or ["/overview"]:
        reports = [run_once(args.lighthouse, base + page, session_cookie(base, args.user, args.password),
                            args.form_factor, args.save) for _ in range(args.runs)]
        perf = [round(r["categories"]["performance"]["score"] * 100) for r in reports]
        median = reports[perf.index(sorted(perf)[len(perf) // 2])]
        a11y = round(median["categories"]["accessibility"]["score"] * 100)
        metrics = {k: median["audits"][k].get("displayValue", "") for k in
                   ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "speed-index")}
        print(f"{args.user} {page} ({args.form_factor}): accessibility {a11y}, performance median "
              f"{statistics.median(perf):.0f} of {perf}; {metrics}")
        print(" final URL:", median.get("finalDisplayedUrl") or median.get("finalUrl"))
        for category in ("accessibility", "performance"):
            lines = failing(median, category)
            if lines:
                print(f" {category}: not passed")
                print("\n".join(lines))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
