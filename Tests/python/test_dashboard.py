"""The dashboard in a real browser (headless Chromium) against a real, seeded Bursar."""

import csv
import io
import json
import os
import time
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from bursar import MODELS, XSS_USER
from dashboard import (chart_data, money, open_view, page_range, settle, sign_in, text, value, wait,
                       wait_for_file)

VIEWS = ["overview", "breakdown", "spenders", "explore", "budgets", "overrides", "policies", "fleet", "activity", "settings"]


def test_viewer_overview_totals_equal_the_summary(browser, bursar):
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "overview")
    start, end = page_range(browser)
    summary = bursar.json(f"/v1/spend/summary?from={start}&to={end}", "viewer")
    assert summary["requests"] > 0
    assert value(browser, "#card-cost .card-value") == summary["cost_usd"]
    assert text(browser, "#card-cost .card-value") == money(summary["cost_usd"])
    assert value(browser, "#card-savings .card-value") == summary["savings_usd"]
    assert text(browser, "#card-savings .card-value") == money(summary["savings_usd"])
    assert value(browser, "#card-month .card-value") == summary["month_to_date_usd"]
    assert money(summary["forecast_month_usd"]) in text(browser, "#card-month")
    assert f"{summary['requests']:,} requests" in text(browser, "#card-cost")
    tier_rows = browser.find_elements(By.CSS_SELECTOR, "#tier-table tbody tr")
    assert sorted(row.get_attribute("data-tier") for row in tier_rows) == sorted(tier["tier"] for tier in summary["by_tier"])
    assert summary["unpriced_requests"] > 0 and "no price" in text(browser, "#unpriced-warning")
    reasons = {row["reason"]: row["requests"] for row in bursar.json(f"/v1/spend?group_by=reason&from={start}&to={end}", "viewer")["rows"]}
    expected = f"{reasons['fallback'] / reasons['primary'] * 100:.1f}%"
    assert text(browser, "#rate-fallback strong") == expected


def test_rates_the_forecast_and_the_baseline_say_how_they_are_computed(browser, bursar):
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "overview", "range=30d")
    title = lambda selector: browser.find_element(By.CSS_SELECTOR, selector).get_attribute("title")  # noqa: E731
    for rate in ["escalation", "fallback", "shadow"]:
        assert f"reason is {rate}" in title(f"#rate-{rate}") or f"reason {rate}" in title(f"#rate-{rate}")
        assert "divided by first attempts (reason primary)" in title(f"#rate-{rate}")
    assert "status is error divided by all events" in title("#rate-error")
    policy = bursar.json("/v1/bundle", "router")["policy"]
    model = next(tier for tier in policy["tiers"] if tier["name"] == policy["baseline_tier"])["models"][0]
    assert f"{model['provider']}/{model['model']}" in title("#card-savings")
    assert f"now {model['provider']}/{model['model']} (the first model of the active policy's baseline tier, {policy['baseline_tier']})" in title("#card-savings")
    assert "spend rate of the last 7 days" in title("#card-month")


def test_changing_the_time_range_changes_the_chart_and_the_table(browser, bursar):
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "overview", "range=30d")
    month = chart_data(browser, "spend-chart")
    assert len(month["labels"]) == 30
    Select(browser.find_element(By.ID, "range")).select_by_value("7d")
    wait(browser, lambda d: "range=7d" in d.current_url)
    settle(browser)
    week = chart_data(browser, "spend-chart")
    assert len(week["labels"]) == 7
    assert sum(map(sum, week["data"])) < sum(map(sum, month["data"]))

    open_view(browser, bursar, "breakdown", "range=30d&group=feature")
    before = browser.find_element(By.ID, "breakdown-total").get_attribute("data-requests")
    cells_before = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#breakdown-table td[data-column=requests]")]
    Select(browser.find_element(By.ID, "range")).select_by_value("custom")
    end = bursar.now.date() - timedelta(days=1)
    start = end - timedelta(days=4)
    for field, day in [("range-from", start), ("range-to", end)]:
        browser.execute_script("arguments[0].value = arguments[1];", browser.find_element(By.ID, field), day.isoformat())
    browser.find_element(By.ID, "range-apply").click()
    wait(browser, lambda d: "range=custom" in d.current_url)
    settle(browser)
    after = browser.find_element(By.ID, "breakdown-total").get_attribute("data-requests")
    api = bursar.json(f"/v1/spend?group_by=feature&from={start.isoformat()}&to={(end + timedelta(days=1)).isoformat()}", "viewer")
    assert int(after) == api["total"]["requests"] < int(before)
    cells_after = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#breakdown-table td[data-column=requests]")]
    assert cells_after != cells_before


def test_the_time_range_is_kept_across_views(browser, bursar):
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "overview", "range=7d")
    for view in ["breakdown", "budgets", "spenders", "overview"]:
        browser.find_element(By.CSS_SELECTOR, f"#nav a[data-view={view}]").click()
        wait(browser, lambda d: f"#/{view}" in d.current_url)
        settle(browser)
        if view != "budgets":
            assert "range=7d" in browser.current_url
            assert Select(browser.find_element(By.ID, "range")).first_selected_option.get_attribute("value") == "7d"
    # A link that names its own range keeps it, and it becomes the one carried on.
    open_view(browser, bursar, "breakdown", "range=90d")
    browser.find_element(By.CSS_SELECTOR, "#nav a[data-view=overview]").click()
    wait(browser, lambda d: "#/overview" in d.current_url and "range=90d" in d.current_url)


def test_calendar_presets_and_typed_dates_are_utc_days(browser, bursar):
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "breakdown", "range=30d")
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday())
    iso = lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    for preset, expected in [("yesterday", (today - timedelta(days=1), today)), ("week", (monday, today + timedelta(days=1))),
                             ("last-week", (monday - timedelta(days=7), monday))]:
        Select(browser.find_element(By.ID, "range")).select_by_value(preset)
        wait(browser, lambda d: f"range={preset}" in d.current_url)
        settle(browser)
        assert page_range(browser) == [iso(expected[0]), iso(expected[1])]
    Select(browser.find_element(By.ID, "range")).select_by_value("custom")
    start = browser.find_element(By.ID, "range-from")
    start.clear()
    start.send_keys("30/11/2026")
    browser.find_element(By.ID, "range-apply").click()
    assert text(browser, "#range-error").startswith("From must be a date as YYYY-MM-DD")
    assert "range=last-week" in browser.current_url, "a wrong date is not applied"
    start.clear()
    start.send_keys("2026-02-30")
    browser.find_element(By.ID, "range-apply").click()
    assert text(browser, "#range-error").startswith("From must be a date as YYYY-MM-DD"), "a day no month has"
    start.clear()
    start.send_keys("2026-11-20")
    end = browser.find_element(By.ID, "range-to")
    end.clear()
    end.send_keys("2026-11-10")
    browser.find_element(By.ID, "range-apply").click()
    assert text(browser, "#range-error") == "To must be on or after From."
    assert start.get_attribute("aria-invalid") is None and end.get_attribute("aria-invalid") == "true"
    assert "range=last-week" in browser.current_url
    start.clear()
    start.send_keys("2026-11-02")
    end.clear()
    end.send_keys("2026-11-08")
    browser.find_element(By.ID, "range-apply").click()
    wait(browser, lambda d: "range=custom" in d.current_url)
    settle(browser)
    assert page_range(browser) == ["2026-11-02T00:00:00Z", "2026-11-09T00:00:00Z"]


def test_the_csv_download_equals_the_api_rows(browser, bursar, downloads):
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "breakdown", "range=30d&group=user")
    browser.find_element(By.ID, "csv-download").click()
    path = wait_for_file(downloads)
    start, end = page_range(browser)
    query = urllib.parse.urlencode({"from": start, "to": end, "group_by": "user", "limit": 10000})
    status, expected = bursar.request("GET", f"/v1/spend.csv?{query}", "viewer")
    assert status == 200
    with open(path, "rb") as downloaded:
        assert downloaded.read() == expected
    records = list(csv.reader(io.StringIO(expected.decode())))
    api_rows = bursar.json(f"/v1/spend?{query}", "viewer")["rows"]
    assert [record[0] for record in records[1:]] == [row["user"] or "" for row in api_rows]
    assert [record[records[0].index("cost_usd")] for record in records[1:]] == [row["cost_usd"] for row in api_rows]

    # Filtered and re-sorted: the file holds exactly the rows shown, in the order shown.
    os.remove(path)
    browser.find_element(By.CSS_SELECTOR, "#breakdown-table th button[data-key=requests]").click()
    browser.find_element(By.CSS_SELECTOR, ".table-filter").send_keys("power")
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#breakdown-table tbody tr")) == 1)
    browser.find_element(By.ID, "csv-download").click()
    with open(wait_for_file(downloads), newline="") as downloaded:
        shown = list(csv.reader(downloaded))
    assert [record[0] for record in shown[1:]] == ["power-user@example.com"]
    assert shown[1] == next(record for record in records if record[0] == "power-user@example.com")


def test_an_admin_creates_a_budget_that_reaches_the_bundle_and_sees_the_servers_message(browser, bursar):
    sign_in(browser, bursar, "admin")
    open_view(browser, bursar, "budgets")
    form = browser.find_element(By.ID, "budget-form")
    form.find_element(By.NAME, "id").send_keys("support-monthly")
    Select(form.find_element(By.ID, "field-scope-name")).select_by_value("feature")
    form.find_element(By.CSS_SELECTOR, ".pair input").send_keys("support-chat")
    form.find_element(By.NAME, "limit_usd").send_keys("250.00")
    Select(form.find_element(By.NAME, "action")).select_by_value("downgrade")
    Select(form.find_element(By.NAME, "downgrade_to")).select_by_value("fast")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "article.budget[data-id='support-monthly']"))
    card = browser.find_element(By.CSS_SELECTOR, "article.budget[data-id='support-monthly']")
    status = bursar.json("/v1/budgets/support-monthly/status")
    assert status["explanation"] in card.text
    bundle = bursar.json("/v1/bundle", "router")
    assert {"id": "support-monthly", "scope": {"feature": "support-chat"}, "action": "downgrade", "downgrade_to": "fast",
            "state": status["state"]} in bundle["budgets"]

    form = browser.find_element(By.ID, "budget-form")
    form.find_element(By.NAME, "id").send_keys("bad-limit")
    form.find_element(By.NAME, "limit_usd").send_keys("-5")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = browser.find_element(By.CSS_SELECTOR, "#budget-form [data-error-for=limit_usd]")
    wait(browser, lambda d: error.text != "")
    _, answer = bursar.request("PUT", "/v1/budgets/bad-limit", "admin", {"period": "month", "timezone": "UTC", "limit_usd": "-5", "action": "alert", "warn_at": 0.8})
    assert error.text == json.loads(answer)["error"]["message"]
    assert "positive" in error.text
    assert form.find_element(By.NAME, "limit_usd").get_attribute("aria-invalid") == "true"
    assert bursar.request("GET", "/v1/budgets/bad-limit")[0] == 404


def test_requests_without_a_price_are_never_shown_as_zero_dollars(browser, bursar):
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "breakdown", "range=30d&group=model")
    start, end = page_range(browser)
    by_model = bursar.json(f"/v1/spend?group_by=model&from={start}&to={end}", "viewer")
    unpriced = next(row for row in by_model["rows"] if row["model"] == "unpriced-experimental-model")
    assert unpriced["unpriced_requests"] == unpriced["requests"] > 0 and unpriced["cost_usd"] == "0.000000000"
    cell = browser.find_element(By.CSS_SELECTOR, "#breakdown-table tr[data-key='unpriced-experimental-model'] td[data-column=cost_usd]")
    assert cell.text == "no price"
    assert f"{unpriced['requests']:,} requests have no price" in cell.find_element(By.CSS_SELECTOR, ".unpriced").get_attribute("title")
    total = by_model["total"]["unpriced_requests"]
    assert text(browser, "#breakdown-unpriced") == f"· {total:,} requests without a price, not in the cost"

    # A provider with priced and unpriced requests: its priced cost, and how many it leaves out.
    open_view(browser, bursar, "breakdown", "range=30d&group=provider")
    by_provider = bursar.json(f"/v1/spend?group_by=provider&from={start}&to={end}", "viewer")
    mixed = next(row for row in by_provider["rows"] if 0 < row["unpriced_requests"] < row["requests"])
    cell = browser.find_element(By.CSS_SELECTOR, f"#breakdown-table tr[data-key='{mixed['provider']}'] td[data-column=cost_usd]")
    assert cell.text == f"{money(mixed['cost_usd'])} + {mixed['unpriced_requests']:,} unpriced"

    # The overview's tier table says the same of the tier those requests went to.
    open_view(browser, bursar, "overview", "range=30d")
    summary = bursar.json(f"/v1/spend/summary?from={start}&to={end}", "viewer")
    tier = next(row for row in summary["by_tier"] if row["unpriced_requests"] > 0)
    cell = browser.find_element(By.CSS_SELECTOR, f"#tier-table tr[data-tier='{tier['tier']}'] td[data-value]")
    assert cell.text == f"{money(tier['cost_usd'])} + {tier['unpriced_requests']:,} unpriced"


def test_a_tiny_cost_is_shown_with_its_significant_digits_never_as_zero(browser, bursar):
    provider, model = MODELS["fast"]
    moment = (bursar.now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    bursar.post_events([{"id": "tiny-cost-1", "time": moment, "provider": provider, "model": model, "tier": "fast",
                         "input_tokens": 1, "output_tokens": 0, "feature": "tiny-cost", "user": "tiny@example.com"}])
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "breakdown", "range=7d&group=feature")
    start, end = page_range(browser)
    row = next(row for row in bursar.json(f"/v1/spend?group_by=feature&from={start}&to={end}", "viewer")["rows"]
               if row["feature"] == "tiny-cost")
    assert "0.000000000" < row["cost_usd"] < "0.000010000", row
    shown = browser.find_element(By.CSS_SELECTOR, "#breakdown-table tr[data-key='tiny-cost'] td[data-column=cost_usd]").text
    assert shown == money(row["cost_usd"]) and shown.strip("$0.") != "", shown
    # Every amount on the page follows the one rule: none non-zero reads as $0.00 or $0.0000.
    for cell in browser.find_elements(By.CSS_SELECTOR, "#breakdown-table td[data-column=cost_usd] [data-value]"):
        exact = cell.get_attribute("data-value")
        if exact.strip("0.") and cell.get_attribute("data-unpriced") == "0":
            assert cell.text == money(exact), (exact, cell.text)


@pytest.mark.parametrize("typed, stored", [("0.8", 0.8), ("80", 0.8), ("80%", 0.8), ("12.5", 0.125), (".5", 0.5),
                                           ("1", 0.01), ("0", 0.0), ("0.5%", 0.005)])
def test_the_budget_warn_field_stores_what_the_user_means(browser, bursar, typed, stored):
    sign_in(browser, bursar, "admin")
    open_view(browser, bursar, "budgets")
    budget = f"warn-{typed.replace('.', '-').replace('%', 'p')}"
    form = browser.find_element(By.ID, "budget-form")
    form.find_element(By.NAME, "id").send_keys(budget)
    form.find_element(By.NAME, "limit_usd").send_keys("100")
    warn = form.find_element(By.NAME, "warn_at")
    warn.clear()
    warn.send_keys(typed)
    assert text(browser, "#warn-at-meaning") == f"Warns once {stored * 100:g}% of the limit is spent."
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, f"article.budget[data-id='{budget}']"))
    assert bursar.json(f"/v1/budgets/{budget}")["warn_at"] == stored
    # Editing shows it back as a percent.
    browser.find_element(By.CSS_SELECTOR, f"article.budget[data-id='{budget}'] .actions button").click()
    field = browser.find_element(By.NAME, "warn_at")
    assert field.get_attribute("value") == f"{stored * 100:g}%"
    assert text(browser, "#warn-at-meaning") == f"Warns once {stored * 100:g}% of the limit is spent."
    # Saved again unchanged, it stays what it was (0.5% must not come back as 50%).
    browser.find_element(By.CSS_SELECTOR, "#budget-form button[type=submit]").click()
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#budget-form h2").text == "New budget")
    assert bursar.json(f"/v1/budgets/{budget}")["warn_at"] == stored
    bursar.request("DELETE", f"/v1/budgets/{budget}", "admin")


def test_a_warn_threshold_past_the_limit_is_refused_under_its_field(browser, bursar):
    sign_in(browser, bursar, "admin")
    open_view(browser, bursar, "budgets")
    form = browser.find_element(By.ID, "budget-form")
    form.find_element(By.NAME, "id").send_keys("warn-too-high")
    form.find_element(By.NAME, "limit_usd").send_keys("100")
    warn = form.find_element(By.NAME, "warn_at")
    warn.clear()
    warn.send_keys("150")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = browser.find_element(By.CSS_SELECTOR, "#budget-form [data-error-for=warn_at]")
    wait(browser, lambda d: error.text != "")
    assert error.text == "Warn at is a percent of the limit, from 0 to 100."
    assert bursar.request("GET", "/v1/budgets/warn-too-high")[0] == 404


def test_a_form_shows_every_problem_at_once_under_its_field(browser, bursar):
    sign_in(browser, bursar, "admin")
    open_view(browser, bursar, "budgets")
    form = browser.find_element(By.ID, "budget-form")
    Select(form.find_element(By.ID, "field-scope-name")).select_by_value("team")
    Select(form.find_element(By.NAME, "action")).select_by_value("downgrade")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = lambda field: form.find_element(By.CSS_SELECTOR, f"[data-error-for={field}]").text  # noqa: E731
    wait(browser, lambda d: error("id") != "")
    assert error("id") == "Give the budget an id, such as support-monthly."
    assert error("scope") == "Name the team this budget is for."
    assert error("limit_usd") == "Enter the limit in US dollars, such as 5000.00."
    assert error("downgrade_to") == "Choose the tier to downgrade to."
    assert form.find_element(By.CSS_SELECTOR, ".form-error").text == "", "no raw 'PUT is not allowed'"
    assert form.find_element(By.NAME, "id").get_attribute("aria-invalid") == "true"

    # Editing can be abandoned: Cancel brings back an empty form for a new budget.
    status, answer = bursar.request("PUT", "/v1/budgets/cancel-me", "admin", {"period": "month", "limit_usd": "10.00", "action": "alert"})
    assert status in (200, 201), answer
    browser.refresh()
    settle(browser)
    browser.find_element(By.CSS_SELECTOR, "article.budget[data-id='cancel-me'] .actions button").click()
    assert text(browser, "#budget-form h2") == "Edit cancel-me"
    browser.find_element(By.NAME, "limit_usd").send_keys("999")
    browser.find_element(By.ID, "budget-cancel").click()
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#budget-form h2").text == "New budget")
    assert browser.find_element(By.NAME, "id").get_attribute("value") == ""
    assert browser.find_element(By.NAME, "id").get_attribute("readonly") is None
    assert bursar.json("/v1/budgets/cancel-me")["limit_usd"] == "10.000000000"
    bursar.request("DELETE", "/v1/budgets/cancel-me", "admin")

    open_view(browser, bursar, "overrides")
    form = browser.find_element(By.ID, "override-form")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser, lambda d: error("id") != "")
    assert error("id") == "Give the override an id, such as ceo-frontier."
    assert error("match") == "Name a user, team or feature for it to match."


def test_activating_a_policy_asks_first_shows_what_changes_and_keeps_the_reason(browser, bursar):
    active = next(policy for policy in bursar.json("/v1/policies")["policies"] if policy["active"])
    source = bursar.json(f"/v1/policies/{active['revision']}")["source"]
    name_line = next(line for line in source.splitlines() if line.startswith("name:"))
    try:
        sign_in(browser, bursar, "admin")
        open_view(browser, bursar, "policies")
        # Uploading saves; going live is the confirmed step that follows.
        browser.execute_script("arguments[0].value = arguments[1];", browser.find_element(By.ID, "policy-source"),
                               source.replace(name_line, "name: cheaper-default"))
        browser.find_element(By.CSS_SELECTOR, "#policy-upload button[type=submit]").click()
        activate = wait(browser, lambda d: d.find_element(By.ID, "policy-activate-saved"))
        candidate = next(p for p in bursar.json("/v1/policies")["policies"] if p["name"] == "cheaper-default")["revision"]
        assert next(p for p in bursar.json("/v1/policies")["policies"] if p["active"])["revision"] == active["revision"]
        activate.click()
        dialog = browser.find_element(By.ID, "activation-dialog")
        assert dialog.is_displayed()
        assert text(browser, "#activation-title").startswith("Activate to cheaper-default")
        wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#activation-diff span"))
        lines = [span.text for span in browser.find_elements(By.CSS_SELECTOR, "#activation-diff span")]
        changed = [line for line in lines if line.startswith(("+", "-"))]
        assert changed == [f"- {name_line}", "+ name: cheaper-default"], lines
        assert len(lines) < len(source.splitlines()), "only the lines around the change"

        # No reason, no activation.
        browser.find_element(By.ID, "activation-confirm").click()
        assert text(browser, "#activation-dialog [data-error-for=reason]") == "Say why, for the audit log."
        browser.find_element(By.ID, "activation-cancel").click()
        # The dialog is removed once the click is handled (under load, after this line runs).
        wait(browser, lambda d: not d.find_elements(By.ID, "activation-dialog"))
        assert next(p for p in bursar.json("/v1/policies")["policies"] if p["active"])["revision"] == active["revision"]

        browser.find_element(By.ID, "policy-activate-saved").click()
        browser.find_element(By.CSS_SELECTOR, "#activation-dialog textarea").send_keys("cheaper default, replayed last week")
        browser.find_element(By.ID, "activation-confirm").click()
        wait(browser, lambda d: not d.find_elements(By.ID, "activation-dialog"))
        assert next(p for p in bursar.json("/v1/policies")["policies"] if p["active"])["revision"] == candidate
        entry = next(e for e in bursar.json("/v1/audit?target=policies")["entries"] if e["action"] == "policy.activate")
        assert entry["after"] == {"active_revision": candidate, "name": "cheaper-default", "reason": "cheaper default, replayed last week"}
        assert entry["before"]["name"] == active["name"]
    finally:
        bursar.request("POST", f"/v1/policies/{active['revision']}/activate", "admin", {"reason": "test over"})


def test_a_hostile_user_id_is_shown_as_text_and_runs_nothing(browser, bursar):
    sign_in(browser, bursar, "viewer")
    browser.execute_script("window.alert = () => { window.hostileAlert = true; };")
    for view, query, selector in [("breakdown", "range=30d&group=user", "#breakdown-table"), ("spenders", "range=30d", "#top-users")]:
        open_view(browser, bursar, view, query)
        browser.execute_script("window.alert = () => { window.hostileAlert = true; };")
        if view == "breakdown":
            browser.find_element(By.CSS_SELECTOR, ".table-filter").send_keys("<img")
            wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#breakdown-table tbody tr")) == 1)
        container = browser.find_element(By.CSS_SELECTOR, selector)
        assert XSS_USER in container.text
        assert container.find_elements(By.TAG_NAME, "img") == []
    assert browser.execute_script("return document.images.length") == 0
    assert browser.execute_script("return window.hostileAlert === true") is False
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text


def test_a_viewer_sees_no_admin_controls_and_the_api_refuses_admin_calls(browser, bursar):
    sign_in(browser, bursar, "viewer")
    for view in ["budgets", "overrides", "policies"]:
        open_view(browser, bursar, view)
        assert browser.find_elements(By.CSS_SELECTOR, "[data-admin], form.admin-form, button.danger") == []
    calls = [("PUT", "/v1/budgets/sneaky", {"period": "month", "limit_usd": "1"}),
             ("DELETE", "/v1/budgets/support-monthly", None),
             ("PUT", "/v1/overrides/sneaky", {"match": {"user": "me"}, "effect": "force_tier", "tier": "frontier"}),
             ("POST", "/v1/policies", "name: x"),
             ("POST", f"/v1/policies/{bursar.json('/v1/policies')['policies'][0]['revision']}/activate", None),
             ("PUT", "/v1/prices", {"prices": []})]
    statuses = browser.execute_script("""
        const key = sessionStorage.getItem('bursar.key');
        return Promise.all(arguments[0].map(([method, path, body]) => fetch(path, {method,
          headers: {Authorization: `Bearer ${key}`, 'Content-Type': 'application/json'},
          body: body === null ? undefined : JSON.stringify(body)}).then((response) => response.status)));""", calls)
    assert statuses == [403] * len(calls)


def test_a_ten_thousand_row_table_keeps_the_dom_small(browser, bursar):
    from bursar import traffic
    many = [dict(event, id=f"many-{index}", user=f"bulk-{index:05d}", tier="fast", provider="groq", model="llama-3.1-8b-instant")
            for index, event in enumerate(traffic(bursar.now, days=3, count=10000, seed=11))]
    bursar.post_events(many)
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "breakdown", "range=30d&group=user")
    status = text(browser, ".table-count")
    assert status.endswith("rows") and int(status.split()[0].replace(",", "")) >= 10000
    assert len(browser.find_elements(By.CSS_SELECTOR, "#breakdown-table tbody tr")) < 200
    users = sorted(row["user"] for row in bursar.json("/v1/spend?group_by=user&limit=100000", "viewer")["rows"])
    browser.find_element(By.CSS_SELECTOR, "#breakdown-table th button[data-key=user]").click()
    shown = lambda d: [cell.text for cell in d.find_elements(By.CSS_SELECTOR, "#breakdown-table td[data-column=user]")]
    wait(browser, lambda d: shown(d)[0] == users[0])
    browser.execute_script("document.querySelector('.table-scroll').scrollTop = 1e9;")
    wait(browser, lambda d: shown(d)[-1] == users[-1])
    assert len(browser.find_elements(By.CSS_SELECTOR, "#breakdown-table tbody tr")) < 200


def test_a_provider_outage_in_the_router_demo_shows_in_the_fallback_rate(browser, bursar):
    process, demo = bursar.router_demo("--provider", "groq:error=1,latency=5", "--provider", "together:latency=5")
    try:
        deadline = time.time() + 15
        state = {}
        while time.time() < deadline and state.get("bundle", {}).get("origin") != "server":
            with urllib.request.urlopen(demo + "/demo/state", timeout=5) as response:
                state = json.loads(response.read())
            time.sleep(0.05)
        assert state.get("bundle", {}).get("origin") == "server", "the router demo holds a bundle from Bursar"
        before = bursar.json("/v1/spend?group_by=reason&feature=outage-demo", "viewer")["rows"]
        assert before == []
        for index in range(25):
            body = json.dumps({"messages": [{"role": "user", "content": "where is my order?"}], "user": f"u-{index}",
                               "metadata": {"feature": "outage-demo", "intent": "faq", "complexity": 0.05}}).encode()
            request = urllib.request.Request(demo + "/v1/chat/completions", data=body, headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as response:
                attempts = json.loads(response.read())["bursar"]["attempts"]
            assert [attempt["reason"] for attempt in attempts[:2]] == ["primary", "fallback"]
        deadline = time.time() + 15
        reasons = {}
        while time.time() < deadline and reasons.get("fallback") != 25:
            rows = bursar.json("/v1/spend?group_by=reason&feature=outage-demo", "viewer")["rows"]
            reasons = {row["reason"]: row["requests"] for row in rows}
            time.sleep(0.1)
        assert reasons == {"primary": 25, "fallback": 25}
    finally:
        process.terminate()
        process.wait(timeout=30)
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "overview", "range=30d")
    start, end = page_range(browser)
    rows = bursar.json(f"/v1/spend?group_by=reason&from={start}&to={end}", "viewer")["rows"]
    everything = {row["reason"]: row["requests"] for row in rows}
    assert text(browser, "#rate-fallback strong") == f"{everything['fallback'] / everything['primary'] * 100:.1f}%"
    open_view(browser, bursar, "breakdown", "range=30d&group=feature")
    browser.find_element(By.CSS_SELECTOR, ".table-filter").send_keys("outage-demo")
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#breakdown-table tbody tr")) == 1)
    assert browser.find_element(By.CSS_SELECTOR, "#breakdown-table td[data-column=requests]").text == "50"


@pytest.mark.parametrize("width,height,suffix", [(1280, 800, ""), (390, 844, "-mobile")])
def test_every_view_renders_and_is_saved_as_a_screenshot(browser, bursar, screenshots, width, height, suffix):
    sign_in(browser, bursar, "admin")
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500})
    bursar.request("PUT", "/v1/overrides/legal-frontier", "admin",
                   {"match": {"team": "legal"}, "effect": "min_tier", "tier": "standard", "reason": "contract work needs care"})
    bursar.request("POST", "/v1/status", "router", {"instance_id": "edge-1", "applied_revision": bursar.json("/v1/bundle", "router")["revision"], "poll_interval_s": 30})
    for view in VIEWS:
        open_view(browser, bursar, view, "range=30d")
        assert browser.find_elements(By.CSS_SELECTOR, ".view-body .error") == []
        page_width = browser.execute_script("return document.documentElement.scrollWidth")
        assert page_width <= width, f"{view} is {page_width}px wide at {width}px"
        browser.save_screenshot(os.path.join(screenshots, f"{view}{suffix}.png"))
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
