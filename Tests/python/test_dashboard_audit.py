"""The audit log as people read it: policy names beside revisions, a time filter, each change
as a diff from before to after, nothing cut off."""

from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from dashboard import open_view, page_range, settle, sign_in, text, wait


def test_the_audit_log_names_policies_filters_by_time_and_shows_each_change_as_a_diff(browser, bursar):
    # An admin change to read: a budget created, then its limit raised.
    budget = {"scope": {"team": "audit-readers"}, "period": "month", "limit_usd": "100.00", "action": "alert", "warn_at": 0.8}
    assert bursar.request("PUT", "/v1/budgets/audit-diff", "admin", budget)[0] in (200, 201)
    assert bursar.request("PUT", "/v1/budgets/audit-diff", "admin", {**budget, "limit_usd": "250.00"})[0] == 200
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "activity", "range=7d")
    start, end = page_range(browser)
    entries = bursar.json(f"/v1/audit?from={start}&to={end}&limit=10000", "viewer")["entries"]
    rows = browser.find_elements(By.CSS_SELECTOR, "#audit-table tbody tr")
    assert len(rows) == len(entries)

    # The update reads as a diff: the old limit removed before the new one added, both whole.
    update = next(entry for entry in entries if entry["action"] == "budget.update" and entry["target"] == "budgets/audit-diff")
    row = browser.find_element(By.CSS_SELECTOR, f"#audit-table tr[data-key='{update['id']}']")
    summary = row.find_element(By.CSS_SELECTOR, ".audit-change summary")
    assert summary.text == "changed · 2 lines"
    summary.click()
    changed = [line.text for line in row.find_elements(By.CSS_SELECTOR, ".diff .removed, .diff .added")]
    assert changed == ['-   "limit_usd": "100.000000000",', '+   "limit_usd": "250.000000000",'], changed
    cell = row.find_element(By.CSS_SELECTOR, "td[data-column=change]")
    assert browser.execute_script("return arguments[0].scrollWidth <= arguments[0].clientWidth", cell), "the change is cut off"

    # Policies are named beside their revisions, in the target and with the activation's reason.
    policies = {policy["revision"]: policy["name"] for policy in bursar.json("/v1/policies", "viewer")["policies"]}
    for entry in entries:
        if entry["target"].startswith("policies/"):
            revision = entry["target"].split("/")[1]
            shown = text(browser, f"#audit-table tr[data-key='{entry['id']}'] td[data-column=target]")
            assert shown == f"policies/{revision[:12]} ({policies[revision]})", shown
    activation = next((entry for entry in entries if entry["action"] == "policy.activate" and entry["after"].get("reason")), None)
    if activation:
        assert text(browser, f"#audit-table tr[data-key='{activation['id']}'] td[data-column=reason]") == activation["after"]["reason"]

    # A range that ends before the changes shows none of them.
    Select(browser.find_element(By.ID, "range")).select_by_value("custom")
    yesterday = (bursar.now - timedelta(days=2)).date().isoformat()
    for field in ("range-from", "range-to"):
        browser.execute_script("arguments[0].value = arguments[1];", browser.find_element(By.ID, field), yesterday)
    browser.find_element(By.ID, "range-apply").click()
    wait(browser, lambda d: "range=custom" in d.current_url)
    settle(browser)
    assert not browser.find_elements(By.CSS_SELECTOR, f"#audit-table tr[data-key='{update['id']}']")
    assert "No changes recorded in this range." in browser.find_element(By.ID, "view").text


@pytest.mark.parametrize("width", [1280, 390])
def test_the_audit_opens_on_the_last_7_days_whatever_range_a_spend_view_carried(browser, bursar, width):
    # Today's change, what the audit is opened for; "Last month" on a spend view ends before today.
    budget = {"scope": {"team": "audit-today"}, "period": "month", "limit_usd": "10.00", "action": "alert", "warn_at": 0.8}
    assert bursar.request("PUT", f"/v1/budgets/audit-today-{width}", "admin", budget)[0] in (200, 201)
    browser.set_window_size(width, 844)
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "overview", "range=last-month")
    browser.execute_script("location.href = arguments[0].href;", browser.find_element(By.CSS_SELECTOR, "#nav a[data-view=activity]"))
    wait(browser, lambda d: "#/activity" in d.current_url)
    settle(browser)
    assert "range=7d" in browser.current_url and "last-month" not in browser.current_url, browser.current_url
    start, end = page_range(browser)
    entries = bursar.json(f"/v1/audit?from={start}&to={end}&target=budgets/audit-today-{width}", "viewer")["entries"]
    assert len(entries) == 1
    assert browser.find_elements(By.CSS_SELECTOR, f"#audit-table tr[data-key='{entries[0]['id']}']"), "today's change is listed"
    # The audit's own range is not carried back to the spend views.
    browser.execute_script("location.href = arguments[0].href;", browser.find_element(By.CSS_SELECTOR, "#nav a[data-view=breakdown]"))
    wait(browser, lambda d: "#/breakdown" in d.current_url)
    assert "range=last-month" in browser.current_url, browser.current_url
