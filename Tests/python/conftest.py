"""Fixtures: one seeded server for the session, and headless Chromium driven by selenium."""

import os
import shutil
import tempfile

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from bursar import Bursar, traffic, utc_now

SCREENSHOTS = os.environ.get("BURSAR_SCREENSHOTS", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "screenshots"))


@pytest.fixture(scope="session")
def bursar():
    server = Bursar()
    server.now = utc_now()
    server.post_events(traffic(server.now))
    yield server
    server.stop()
    shutil.rmtree(server.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def screenshots():
    os.makedirs(SCREENSHOTS, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def downloads():
    directory = tempfile.mkdtemp(prefix="bursar-downloads-")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def browser(downloads):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {
        "download.default_directory": downloads,
        "download.prompt_for_download": False,
        "safebrowsing.enabled": False,
    })
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    driver.set_window_size(1280, 800)
    yield driver
    try:
        # No script error in any test. An API answer of 4xx is logged by the browser as a failed
        # resource; the tests that provoke one check what the page shows for it.
        errors = [entry["message"] for entry in driver.get_log("browser")
                  if entry["level"] == "SEVERE" and "Failed to load resource" not in entry["message"]]
        assert errors == [], errors
    finally:
        driver.quit()
