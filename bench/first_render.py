"""First render after login, in headless Chromium: submit the login form, wait until every Overview panel has data.
Then the window changed on the page (90 days <-> 30 days), until every panel shows the new window.

    python -m bench.first_render --url http://127.0.0.1:8050 --user bench --password ... [--runs 10]

Start the app first on the database to measure (see bench/README.md). Prints median and p95 seconds for
(a) login form submitted → Overview fully rendered, (b) Overview reloaded while signed in and (c) the Window
select changed → every panel redrawn for the new window (the KPI cards name its days, no callback in flight).
"""
from __future__ import annotations

import argparse
import statistics
import time

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from bench.overview import percentile

# Every panel has data: heatmap rows, KPI cards, frequency bars, trend lines, the signals grid's rows (a table's
# before issue 18).
RENDERED_JS = """
const plot = id => document.querySelector('#' + id + ' .js-plotly-plot');
const has = id => { const g = plot(id); return !!(g && g.data && g.data.length); };
return has('overview-heatmap') && has('overview-frequency') && has('overview-trend')
    && document.querySelectorAll('#overview-kpis .kpi-value').length === 6
    && document.querySelectorAll('#overview-signals .ag-row, #overview-signals tbody tr').length > 0
    && document.querySelectorAll('._dash-loading, .dash-spinner').length === 0;
"""


def browser(network_log: bool = False) -> webdriver.Chrome:
    """Headless Chromium; with network_log, DevTools' events are kept for driver.get_log("performance")."""
    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"):
        options.add_argument(flag)
    if network_log:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(options=options)


# The window's panels all answered: the KPI cards say the new window's days, and the renderer has no callback
# requested, queued or in flight (its store's isLoading; dash-renderer keeps the store on window.store).
WINDOW_JS = """
return [...document.querySelectorAll('#overview-kpis .small')].some(e => e.textContent.includes('over ' + arguments[0]
        + ' days')) && window.store && window.store.getState().isLoading === false;
"""


def wait_rendered(driver: webdriver.Chrome) -> None:
    WebDriverWait(driver, 60, poll_frequency=0.02).until(lambda d: d.execute_script(RENDERED_JS))


def change_window(driver: webdriver.Chrome, days: str) -> float:
    """Seconds from choosing `days` in the Window select to every panel showing it."""
    started = time.perf_counter()
    Select(driver.find_element(By.ID, "overview-window")).select_by_value(days)
    WebDriverWait(driver, 60, poll_frequency=0.02).until(
        lambda d: d.execute_script(WINDOW_JS, days) and d.execute_script(RENDERED_JS))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8050")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    after_login, reload, window_change = [], [], []
    driver = browser()
    try:
        for _ in range(args.runs + 1):  # the first run warms the browser cache and the app
            driver.delete_all_cookies()
            driver.get(f"{args.url}/login?next=/overview")
            driver.find_element(By.ID, "username").send_keys(args.user)
            driver.find_element(By.ID, "password").send_keys(args.password)
            started = time.perf_counter()
            driver.find_element(By.ID, "login-submit").click()
            wait_rendered(driver)
            after_login.append(time.perf_counter() - started)
            started = time.perf_counter()
            driver.refresh()
            wait_rendered(driver)
            reload.append(time.perf_counter() - started)
            window_change.append(change_window(driver, "30"))
            window_change.append(change_window(driver, "90"))
    finally:
        driver.quit()
    print(f"{'measure':<40} {'median s':>9} {'p95 s':>7}  runs")
    for name, times in (("login submitted -> Overview rendered", after_login[1:]),
                        ("Overview reloaded, signed in", reload[1:]),
                        ("window changed -> every panel redrawn", window_change[2:])):
        p95 = percentile(times, 0.95)  # nearest rank: never past the slowest run (quantiles() extrapolated)
        print(f"{name:<40} {statistics.median(times):>9.2f} {p95:>7.2f}  {len(times)}")


if __name__ == "__main__":
    main()
