"""Makes the README's dashboard screenshots (docs/screenshots/) from a real server on a fresh
database with synthetic traffic: `.venv/bin/python scripts/readme-screenshots.py` after
`swift build` (the venv is the one `make test` makes)."""

import os
import shutil
import sys
from datetime import timedelta

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

from bursar import MODELS, Bursar, traffic, utc_now  # noqa: E402
from dashboard import open_view, sign_in, wait  # noqa: E402

OUT = os.path.join(ROOT, "docs", "screenshots")


def seed(bursar):
    bursar.now = utc_now()
    events = traffic(bursar.now)
    # A slice with routing inputs, so that a simulation has requests to replay.
    for index, event in enumerate(events[:600]):
        event.update({"intent": ["chat", "summarize", "code_generation"][index % 3], "complexity": (index % 10) / 10})
    bursar.post_events(events)
    revision = bursar.json("/v1/bundle", "router")["revision"]
    bursar.request("POST", "/v1/status", "router", {"instance_id": "edge-eu-1", "applied_revision": revision, "poll_interval_s": 30})
    bursar.request("PUT", "/v1/budgets/support-monthly", "admin", {"scope": {"feature": "support-chat"}, "period": "month",
                   "limit_usd": "1.50", "action": "downgrade", "downgrade_to": "fast", "warn_at": 0.8})
    bursar.request("PUT", "/v1/budgets/support-monthly", "admin", {"scope": {"feature": "support-chat"}, "period": "month",
                   "limit_usd": "2.00", "action": "downgrade", "downgrade_to": "fast", "warn_at": 0.75})
    bursar.request("PUT", "/v1/budgets/legal-daily", "admin", {"scope": {"team": "legal"}, "period": "day", "timezone": "Europe/Berlin",
                   "limit_usd": "5.00", "action": "alert", "warn_at": 0.8})
    bursar.request("PUT", "/v1/overrides/legal-frontier", "admin", {"match": {"team": "legal"}, "effect": "min_tier", "tier": "standard",
                   "reason": "contract work needs care"})
    bursar.request("POST", "/v1/status", "router", {"instance_id": "edge-us-1", "applied_revision": revision, "poll_interval_s": 30})
    active = next(policy for policy in bursar.json("/v1/policies")["policies"] if policy["active"])
    source = bursar.json(f"/v1/policies/{active['revision']}")["source"]
    bursar.request("POST", "/v1/policies", "admin", source.replace("at_least: 0.7}", "at_least: 0.5}").replace("name: default", "name: default-stricter", 1).encode(),
                   "application/yaml")


def main():
    os.makedirs(OUT, exist_ok=True)
    bursar = Bursar()
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    try:
        seed(bursar)
        sign_in(driver, bursar, "admin")
        driver.set_window_size(1280, 1000)
        shot = lambda name: driver.save_screenshot(os.path.join(OUT, f"{name}.png"))  # noqa: E731
        open_view(driver, bursar, "overview", "range=30d")
        shot("overview")
        open_view(driver, bursar, "overview", "range=30d&rate=fallback")
        driver.execute_script("document.getElementById('rate-panel').scrollIntoView()")
        shot("overview-rate")
        open_view(driver, bursar, "breakdown", "range=30d&group=provider")
        shot("breakdown")
        open_view(driver, bursar, "explore", "range=30d&f_tier=frontier")
        driver.find_element(By.CSS_SELECTOR, "button.why").click()
        shot("explore")
        open_view(driver, bursar, "spenders", "range=30d")
        shot("spenders")
        open_view(driver, bursar, "budgets")
        shot("budgets")
        open_view(driver, bursar, "overrides")
        shot("overrides")
        open_view(driver, bursar, "policies", "range=30d")
        driver.find_element(By.ID, "simulate-run").click()
        wait(driver, lambda d: d.find_elements(By.ID, "simulation-explained"))
        driver.execute_script("document.getElementById('simulation').scrollIntoView()")
        shot("policies")
        open_view(driver, bursar, "fleet")
        shot("fleet")
        open_view(driver, bursar, "activity", "range=7d")
        update = next(row for row in driver.find_elements(By.CSS_SELECTOR, "#audit-table tbody tr")
                      if row.find_element(By.CSS_SELECTOR, "td[data-column=action]").text == "budget.update")
        update.find_element(By.CSS_SELECTOR, ".audit-change summary").click()
        shot("activity")
        open_view(driver, bursar, "settings")
        shot("settings")
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
        open_view(driver, bursar, "overview", "range=30d")
        shot("overview-mobile")
        driver.find_element(By.ID, "menu-toggle").click()
        shot("menu-mobile")
    finally:
        driver.quit()
        bursar.stop()
        shutil.rmtree(bursar.directory, ignore_errors=True)


if __name__ == "__main__":
    main()
