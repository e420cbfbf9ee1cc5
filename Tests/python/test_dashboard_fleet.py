"""The Fleet names the policy each router runs and how far behind it is; every view says when
its data was loaded, refreshes on request, shows that it is loading, and the Fleet refreshes
itself without undoing what someone is typing."""

import re
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from dashboard import open_view, settle, sign_in, text, wait

UPDATED = re.compile(r"^Updated \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$")


def bundle_revision(bursar):
    return bursar.json("/v1/bundle", "router")["revision"]


def test_the_fleet_names_each_instances_policy_and_how_far_behind_it_is(browser, bursar):
    old = bundle_revision(bursar)
    bursar.request("POST", "/v1/status", "router", {"instance_id": "fleet-behind", "applied_revision": old, "poll_interval_s": 3600})
    # A new override is a new bundle revision under the same policy.
    status, _ = bursar.request("PUT", "/v1/overrides/fleet-test", "admin",
                               {"match": {"user": "fleet-test@example.com"}, "effect": "min_tier", "tier": "standard", "reason": "fleet test"})
    assert status in (200, 201)
    current = bundle_revision(bursar)
    assert current != old
    bursar.request("POST", "/v1/status", "router", {"instance_id": "fleet-current", "applied_revision": current, "poll_interval_s": 3600})
    active = next(policy for policy in bursar.json("/v1/policies", "viewer")["policies"] if policy["active"])
    fleet = bursar.json("/v1/fleet", "viewer")
    behind = next(instance for instance in fleet["instances"] if instance["instance_id"] == "fleet-behind")

    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "fleet")
    expected_policy = f"{active['name']} {active['revision'][:12]}"
    assert f"Routers should run {expected_policy}" in text(browser, "#fleet-current")
    cell = lambda instance, column: text(browser, f"#fleet-table tr[data-key='{instance}'] td[data-column={column}]")  # noqa: E731
    assert cell("fleet-current", "policy") == expected_policy
    assert cell("fleet-current", "behind") == "current"
    assert cell("fleet-behind", "policy") == expected_policy
    count = behind["revisions_behind"]
    assert count >= 1
    assert cell("fleet-behind", "behind").startswith(f"{count} revision{'s' if count > 1 else ''} behind for ")
    # The same ids the Policies view shows for the active policy.
    open_view(browser, bursar, "policies")
    assert active["revision"][:12] in browser.find_element(By.ID, "view").text


def test_every_view_says_when_its_data_was_loaded_and_refreshes_on_request(browser, bursar):
    sign_in(browser, bursar, "viewer")
    for view in ["overview", "breakdown", "spenders", "explore", "budgets", "overrides", "policies", "fleet", "activity"]:
        open_view(browser, bursar, view, "range=7d" if view in ("overview", "breakdown", "spenders", "explore") else "")
        wait(browser, lambda d: UPDATED.match(d.find_element(By.ID, "loaded-at").text))
        first = browser.find_element(By.ID, "loaded-at").get_attribute("data-loaded-at")
        time.sleep(1.1)
        browser.find_element(By.ID, "refresh").click()
        wait(browser, lambda d: d.find_element(By.ID, "loaded-at").get_attribute("data-loaded-at") != first)
        settle(browser)
        assert browser.find_elements(By.CSS_SELECTOR, ".view-body .error") == [], view


def test_a_slow_answer_shows_a_loading_state_not_a_blank_page(browser, bursar):
    sign_in(browser, bursar, "viewer")
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1})
    try:
        browser.get(f"{bursar.url}/#/breakdown?range=7d")
        wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".view-body[aria-busy=true] .loading"))
        assert text(browser, ".view-body .loading") == "Loading breakdown…"
    finally:
        browser.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    settle(browser)
    assert browser.find_elements(By.CSS_SELECTOR, ".view-body .loading") == []


def test_the_fleet_refreshes_itself_but_not_while_someone_types(browser, bursar):
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "fleet")
    assert browser.find_element(By.ID, "auto-refresh").is_selected()
    bursar.request("POST", "/v1/status", "router", {"instance_id": "fleet-arrives-later", "applied_revision": bundle_revision(bursar)})
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#fleet-table tr[data-key='fleet-arrives-later']"), timeout=25)
    loaded = browser.find_element(By.ID, "loaded-at").get_attribute("data-loaded-at")
    browser.find_element(By.CSS_SELECTOR, ".table-filter").send_keys("fleet-arr")
    browser.find_element(By.CSS_SELECTOR, ".view-head h1").click()
    time.sleep(12)
    assert browser.find_element(By.ID, "loaded-at").get_attribute("data-loaded-at") == loaded, "refreshed under a typed filter"
    assert browser.find_element(By.CSS_SELECTOR, ".table-filter").get_attribute("value") == "fleet-arr"
    # Switched off, it stays off for this view in this tab.
    browser.find_element(By.ID, "auto-refresh").click()
    open_view(browser, bursar, "fleet")
    assert not browser.find_element(By.ID, "auto-refresh").is_selected()
    browser.find_element(By.ID, "auto-refresh").click()


def test_a_choice_left_as_the_page_showed_it_does_not_hold_back_the_refresh(browser, bursar):
    sign_in(browser, bursar, "admin")
    open_view(browser, bursar, "policies", "range=7d")
    is_busy = "return import('/js/freshness.js').then((module) => module.busy());"
    # The candidate list marks no option: it shows its first until someone chooses.
    assert browser.execute_script("return document.querySelector('#simulate-candidate option[selected]');") is None
    assert browser.execute_script(is_busy) is False
    Select(browser.find_element(By.ID, "simulate-candidate")).select_by_value("upload")
    browser.find_element(By.CSS_SELECTOR, ".view-head h1").click()
    assert browser.execute_script(is_busy) is True
