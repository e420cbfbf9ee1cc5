"""Finding the cause behind a figure: rates followed to their curve and the Breakdown, the
Breakdown by reason and status with errors and latency, and the raw events of any row."""

from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By

from bursar import MODELS
from dashboard import chart_data, money, open_view, page_range, settle, sign_in, text, wait


def millis(value):
    if value is None:
        return "—"
    return f"{value / 1000:.1f} s" if value >= 1000 else f"{value} ms"


def test_a_rate_opens_its_curve_and_leads_to_the_breakdown_of_its_cause(browser, bursar):
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "overview", "range=30d")
    browser.find_element(By.ID, "rate-fallback").click()
    wait(browser, lambda d: "rate=fallback" in d.current_url)
    settle(browser)
    assert browser.find_element(By.ID, "rate-fallback").get_attribute("aria-pressed") == "true"
    start, end = page_range(browser)
    rows = bursar.json(f"/v1/spend?group_by=reason&interval=day&limit=100000&from={start}&to={end}", "viewer")["rows"]
    chart = chart_data(browser, "rate-chart")
    assert len(chart["labels"]) == 30
    by_day = {}
    for row in rows:
        by_day.setdefault(row["bucket"][5:10], {})[row["reason"]] = row["requests"]
    for label, shown in zip(chart["labels"], chart["data"][0]):
        day = by_day.get(label, {})
        if day.get("primary"):
            assert abs(shown - day.get("fallback", 0) / day["primary"] * 100) < 1e-9, (label, shown, day)
        else:
            assert shown is None, (label, shown)

    # Two clicks from the rate to the providers whose failures set fallbacks off.
    browser.find_element(By.PARTIAL_LINK_TEXT, "Failed attempts by provider").click()
    wait(browser, lambda d: "#/breakdown" in d.current_url)
    settle(browser)
    assert "f_status=error" in browser.current_url and "group=provider" in browser.current_url
    failed = bursar.json(f"/v1/spend?group_by=provider&status=error&from={start}&to={end}", "viewer")["rows"]
    shown = {row.get_attribute("data-key"): row.find_element(By.CSS_SELECTOR, "td[data-column=errors]").text
             for row in browser.find_elements(By.CSS_SELECTOR, "#breakdown-table tbody tr")}
    assert shown == {row["provider"]: f"{row['errors']:,}" for row in failed}


def test_the_breakdown_groups_by_reason_and_status_with_errors_and_latency(browser, bursar):
    sign_in(browser, bursar, "viewer")
    for group in ["reason", "status"]:
        open_view(browser, bursar, "breakdown", f"range=30d&group={group}")
        start, end = page_range(browser)
        api = {row[group]: row for row in bursar.json(f"/v1/spend?group_by={group}&from={start}&to={end}", "viewer")["rows"]}
        rows = browser.find_elements(By.CSS_SELECTOR, "#breakdown-table tbody tr")
        assert {row.get_attribute("data-key") for row in rows} == set(api)
        for row in rows:
            expected = api[row.get_attribute("data-key")]
            cell = lambda column: row.find_element(By.CSS_SELECTOR, f"td[data-column={column}]").text  # noqa: E731
            assert cell("errors") == f"{expected['errors']:,}"
            assert cell("error_rate") == f"{expected['errors'] / expected['requests'] * 100:.1f}%"
            assert cell("p50") == millis(expected["latency_ms"]["p50"])
            assert cell("p95") == millis(expected["latency_ms"]["p95"])
    assert text(browser, "#breakdown-table tr[data-key=error] td[data-column=error_rate]") == "100.0%"


def test_the_request_explorer_shows_every_attempt_and_why_it_cost_what_it_did(browser, bursar):
    moment = bursar.now - timedelta(hours=3)
    at = lambda seconds: (moment + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    frontier, fast = MODELS["frontier"], MODELS["fast"]
    bursar.post_events([
        {"id": "why-1", "time": at(0), "provider": fast[0], "model": fast[1], "tier": "fast", "input_tokens": 1200, "output_tokens": 0,
         "status": "timeout", "reason": "primary", "request_id": "why-4-dollars", "attempt": 1, "feature": "explorer-test", "latency_ms": 9000},
        {"id": "why-2", "time": at(9), "provider": frontier[0], "model": frontier[1], "tier": "frontier", "input_tokens": 300000,
         "cached_input_tokens": 100000, "output_tokens": 300000, "reason": "fallback", "request_id": "why-4-dollars", "attempt": 2,
         "feature": "explorer-test", "rule": "long-context", "latency_ms": 31000},
    ])
    sign_in(browser, bursar, "viewer")
    # From a Breakdown row to its events, then to one request's attempts.
    open_view(browser, bursar, "breakdown", "range=7d&group=feature")
    browser.find_element(By.CSS_SELECTOR, "#breakdown-table tr[data-key='explorer-test'] a.events-link").click()
    wait(browser, lambda d: "#/explore" in d.current_url and "f_feature=explorer-test" in d.current_url)
    settle(browser)
    assert "range=7d" in browser.current_url
    rows = browser.find_elements(By.CSS_SELECTOR, "#explore-table tbody tr[data-id]")
    assert [row.get_attribute("data-id") for row in rows] == ["why-2", "why-1"]
    rows[0].find_element(By.CSS_SELECTOR, ".request-link").click()
    wait(browser, lambda d: "request=why-4-dollars" in d.current_url)
    settle(browser)
    # A request's other attempts need not match the filters that found one of them.
    assert "f_feature" not in browser.current_url, browser.current_url
    start, end = page_range(browser)
    api = bursar.json(f"/v1/events?request_id=why-4-dollars&from={start}&to={end}", "viewer")["events"]
    fallback = next(event for event in api if event["id"] == "why-2")
    row = browser.find_element(By.CSS_SELECTOR, "#explore-table tr[data-id='why-2']")
    assert row.find_element(By.CSS_SELECTOR, "td[data-column=cost]").text == money(fallback["cost_usd"])
    details = browser.find_element(By.CSS_SELECTOR, "#explore-table tr[data-detail-for='why-2']")
    assert not details.is_displayed()
    row.find_element(By.CSS_SELECTOR, "button.why").click()
    assert details.is_displayed() and row.find_element(By.CSS_SELECTOR, "button.why").get_attribute("aria-expanded") == "true"
    price = fallback["price"]
    explanation = details.find_element(By.CSS_SELECTOR, ".cost-explanation").text
    assert explanation.startswith(f"200,000 input × {money(price['input'])}/M + 100,000 cached input × {money(price['cached_input'])}/M"
                                  f" + 300,000 output × {money(price['output'])}/M = {money(fallback['cost_usd'])}"), explanation
    assert f"catalog version {price['catalog_version']}" in explanation
    assert "rule long-context" in details.text
    timeout = browser.find_element(By.CSS_SELECTOR, "#explore-table tr[data-id='why-1']")
    assert "timeout" in timeout.text.lower() and "9.0 s" in timeout.text


@pytest.mark.parametrize("width", [1280, 390])
def test_an_events_baseline_says_what_it_is_or_why_it_has_none(browser, bursar, width):
    # "Baseline $0.00: the same tokens at the baseline model's price" was shown for unpriced
    # events and later attempts alike, whose baseline is left out, not $0.
    moment = bursar.now - timedelta(hours=4)
    at = lambda seconds: (moment + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    frontier, fast = MODELS["frontier"], MODELS["fast"]
    bursar.post_events([
        {"id": "base-1", "time": at(0), "provider": fast[0], "model": fast[1], "tier": "fast", "input_tokens": 5000, "output_tokens": 500,
         "status": "error", "request_id": "base-priced", "attempt": 1, "feature": "baseline-test"},
        {"id": "base-2", "time": at(5), "provider": frontier[0], "model": frontier[1], "tier": "frontier", "input_tokens": 5000,
         "output_tokens": 500, "reason": "fallback", "request_id": "base-priced", "attempt": 2, "feature": "baseline-test"},
        {"id": "base-3", "time": at(10), "provider": fast[0], "model": "unpriced-experimental-model", "tier": "fast", "input_tokens": 5000,
         "output_tokens": 500, "request_id": "base-unpriced", "attempt": 1, "feature": "baseline-test"},
    ])
    browser.set_window_size(width, 844)
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "explore", "range=7d&f_feature=baseline-test")
    settle(browser)
    start, end = page_range(browser)
    events = {event["id"]: event for event in bursar.json(f"/v1/events?feature=baseline-test&from={start}&to={end}", "viewer")["events"]}
    assert set(events) == {"base-1", "base-2", "base-3"}
    assert events["base-3"]["cost_basis"] == "unpriced" and events["base-2"]["baseline_cost_usd"] == "0.000000000"
    assert events["base-1"]["baseline_cost_usd"] > "0.000000000"

    def baseline(event_id):
        row = browser.find_element(By.CSS_SELECTOR, f"#explore-table tr[data-id='{event_id}']")
        row.find_element(By.CSS_SELECTOR, "button.why").click()
        return browser.find_element(By.CSS_SELECTOR, f"#explore-table tr[data-detail-for='{event_id}'] .baseline-explanation").text

    assert baseline("base-1") == f"{money(events['base-1']['baseline_cost_usd'])}: the same tokens at the baseline model's price then in force."
    assert baseline("base-2").startswith("none for this attempt (2): a request is compared with the baseline once, at its first attempt")
    assert baseline("base-3").startswith("left out: this request has no price, so savings leave it out on both sides")


def test_the_explorer_looks_further_back_without_repeating_an_event(browser, bursar):
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "explore", "range=30d&f_tier=fast")
    first = len(browser.find_elements(By.CSS_SELECTOR, "#explore-table tbody tr[data-id]"))
    assert first == 100
    assert text(browser, "#explore-status").startswith("100 events so far, most recently received first (")
    browser.find_element(By.ID, "explore-more").click()
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#explore-table tbody tr[data-id]")) > first)
    ids = [row.get_attribute("data-id") for row in browser.find_elements(By.CSS_SELECTOR, "#explore-table tbody tr[data-id]")]
    assert len(ids) == len(set(ids)) == 200
    # Older pages asked for are not taken away by the automatic refresh.
    assert browser.execute_script("return import('/js/freshness.js').then((module) => module.busy());") is True
    tiers = {cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#explore-table tbody tr[data-id] td:nth-child(6)")}
    assert tiers == {"fast"}
