"""Bytes the Overview costs a signed-in browser: every response of the page with an empty cache, then reloaded.

    python -m bench.transfer --url http://127.0.0.1:8050 --user bench --password ... [--list]

Start the app first (bench/README.md, "Less to download"). Headless Chromium signs in through the form, its
cache is then emptied (Chrome DevTools Protocol `Network.clearBrowserCache`) and /overview opened until every
panel holds data (bench.first_render's test); the DevTools network events of that load are summed: `wire` is what
crossed the network (`Network.loadingFinished.encodedDataLength`: compressed bodies plus headers), `decoded`
the bodies as the page read them (`Network.dataReceived.dataLength`). The page is then reloaded (cache kept) and
summed again. Load-independent: the bytes do not move with the machine's load (the callbacks' JSON does move
with the data: run it on the agency data set the other benchmarks use).
"""
from __future__ import annotations

import argparse
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.webdriver.common.by import By

from bench.first_render import browser, wait_rendered

TARGET_BYTES = 1_500_000  # issue 18: the Overview's transfer, compressed, at most 1.5 MB


@dataclass
class Resource:
    url: str = ""
    mime: str = ""
    encoding: str = ""
    status: int = 0
    cached: bool = False
    wire: int = 0
    decoded: int = 0
    finished: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def network_events(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """DevTools events logged since the last call (reading the log empties it)."""
    return [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]


def resources(events: list[dict[str, Any]]) -> list[Resource]:
    by_id: dict[str, Resource] = defaultdict(Resource)
    for event in events:
        method, params = event.get("method", ""), event.get("params", {})
        if not method.startswith("Network."):
            continue
        request_id = params.get("requestId")
        if method == "Network.requestWillBeSent":
            by_id[request_id].url = params["request"]["url"]
        elif method == "Network.responseReceived":
            response = params["response"]
            item = by_id[request_id]
            item.url = response["url"]
            item.mime = response.get("mimeType", "")
            item.status = int(response.get("status", 0))
            headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
            item.encoding = headers.get("content-encoding", "")
            item.cached = bool(response.get("fromDiskCache") or response.get("fromMemoryCache"))
        elif method == "Network.dataReceived":
            by_id[request_id].decoded += int(params.get("dataLength", 0))
        elif method == "Network.loadingFinished":
            by_id[request_id].wire = int(params.get("encodedDataLength", 0))
            by_id[request_id].finished = True
        elif method == "Network.requestServedFromCache":
            by_id[request_id].cached = True
    return [r for r in by_id.values() if r.url.startswith("http")]


def summary(label: str, items: list[Resource], show: bool) -> int:
    wire = sum(r.wire for r in items)
    decoded = sum(r.decoded for r in items)
    fetched = [r for r in items if r.wire > 0]
    print(f"\n{label}: {len(items)} responses ({len(fetched)} over the network, {len(items) - len(fetched)} from the "
          f"cache); wire {wire:,} B ({wire / 1e6:.2f} MB), decoded {decoded:,} B ({decoded / 1e6:.2f} MB)")
    if show:
        print(f"  {'wire B':>10} {'decoded B':>10}  {'enc':<5} {'status':>6}  path")
        for r in sorted(items, key=lambda r: -r.wire):
            path = urlsplit(r.url).path + ("?…" if urlsplit(r.url).query else "")
            print(f"  {r.wire:>10,} {r.decoded:>10,}  {r.encoding or '-':<5} {r.status:>6}  {path}")
    return wire


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8050")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--list", action="store_true", help="print every response, largest first")
    args = parser.parse_args(argv)
    driver = browser(network_log=True)
    try:
        driver.get(f"{args.url}/login?next=/overview")
        driver.find_element(By.ID, "username").send_keys(args.user)
        driver.find_element(By.ID, "password").send_keys(args.password)
        driver.find_element(By.ID, "login-submit").click()
        wait_rendered(driver)  # signed in; the Overview is the landing page
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        network_events(driver)  # drop what the sign-in loaded
        driver.get(f"{args.url}/overview")
        wait_rendered(driver)
        cold = resources(network_events(driver))
        driver.refresh()
        wait_rendered(driver)
        warm = resources(network_events(driver))
    finally:
        driver.quit()
    wire = summary("Overview, empty cache", cold, args.list)
    summary("Overview reloaded (cache kept)", warm, args.list)
    verdict = "PASS" if wire <= TARGET_BYTES else "MISS"
    print(f"\nempty cache: {wire / 1e6:.2f} MB on the wire against {TARGET_BYTES / 1e6:.1f} MB: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
