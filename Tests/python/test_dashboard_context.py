"""Comparisons and context on the Overview: each headline figure against the previous period,
policy activations and budget changes marked on the spend chart, tooltips with the bucket's
total, a bar (or its row in the chart's table) opening its bucket; every chart as a table, tiers
told apart by pattern, axis ticks that never repeat, negative savings explained."""

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from selenium.webdriver.common.by import By

from dashboard import money, open_view, page_range, settle, sign_in, text, wait


def change_text(current, previous, label):
    now, then = Decimal(current), Decimal(previous)
    if then == 0:
        return f"no change vs {label} ($0.00)" if now == 0 else f"new: nothing vs {label}"
    difference = now - then
    basis_points = int(difference * 10000 / abs(then))  # truncated toward zero, as BigInt division
    arrow = "▲" if difference > 0 else "▼" if difference < 0 else "="
    sign = "−" if difference < 0 else "+"
    return f"{arrow} {abs(basis_points) / 100:.1f}% ({sign}{money(str(abs(difference)))}) vs {label} ({money(previous)})"


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_each_headline_figure_shows_its_change_against_the_previous_period(browser, bursar):
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "overview", "range=7d")
    start, end = page_range(browser)
    first = datetime.fromisoformat(start.replace("Z", "+00:00"))
    current = bursar.json(f"/v1/spend/summary?from={start}&to={end}", "viewer")
    before = bursar.json(f"/v1/spend/summary?from={iso(first - timedelta(days=7))}&to={start}", "viewer")
    assert text(browser, "#change-cost") == change_text(current["cost_usd"], before["cost_usd"], "the previous 7 days")
    assert text(browser, "#change-savings") == change_text(current["savings_usd"], before["savings_usd"], "the previous 7 days")
    now = datetime.now(timezone.utc)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    hour_end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    yesterday = bursar.json(f"/v1/spend/summary?from={iso(today - timedelta(days=1))}&to={iso(hour_end - timedelta(days=1))}", "viewer")
    today_summary = bursar.json(f"/v1/spend/summary?from={iso(today)}&to={iso(today + timedelta(days=1))}", "viewer")
    assert text(browser, "#change-today") == change_text(today_summary["cost_usd"], yesterday["cost_usd"], "yesterday by this hour")
    assert "vs last month by this day" in text(browser, "#change-month")


def test_policy_activations_and_budget_changes_are_marked_on_the_spend_chart(browser, bursar):
    policies = bursar.json("/v1/policies")["policies"]
    active = next(policy for policy in policies if policy["active"])
    source = bursar.json(f"/v1/policies/{active['revision']}")["source"]
    marked = source.replace(f"name: {active['name']}", "name: marked-on-the-chart", 1)
    status, body = bursar.request("POST", "/v1/policies", "admin", marked.encode(), "application/yaml")
    assert status in (200, 201), body
    candidate = json.loads(body)["revision"]
    assert bursar.request("POST", f"/v1/policies/{candidate}/activate", "admin", {"reason": "chart marker test"})[0] == 200
    assert bursar.request("POST", f"/v1/policies/{active['revision']}/activate", "admin", {"reason": "back again"})[0] == 200
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "overview", "range=7d")
    listed = text(browser, "#chart-markers")
    assert f"policy marked-on-the-chart {candidate[:12]} activated by admin-key: chart marker test" in listed
    assert f"policy {active['name']} {active['revision'][:12]} activated by admin-key: back again" in listed
    drawn = browser.execute_script("return Chart.getChart(document.getElementById('spend-chart')).options.plugins.bursarMarkers.markers"
                                   ".map((marker) => [marker.symbol, marker.index])")
    labels = browser.execute_script("return Chart.getChart(document.getElementById('spend-chart')).data.labels")
    today = datetime.now(timezone.utc).strftime("%m-%d")
    assert ["P", labels.index(today)] in drawn


def test_a_tooltip_gives_the_buckets_total_and_a_bucket_opens_in_the_breakdown(browser, bursar):
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "overview", "range=7d")
    start, end = page_range(browser)
    rows = bursar.json(f"/v1/spend?interval=day&from={start}&to={end}", "viewer")["rows"]
    busiest = max(rows, key=lambda row: Decimal(row["cost_usd"]))
    labels = browser.execute_script("return Chart.getChart(document.getElementById('spend-chart')).data.labels")
    position = labels.index(busiest["bucket"][5:10])
    footer = browser.execute_script(
        "const chart = Chart.getChart(document.getElementById('spend-chart'));"
        "return chart.options.plugins.tooltip.callbacks.footer([{dataIndex: arguments[0]}]);", position)
    assert footer == f"Total: {money(busiest['cost_usd'])}"
    # The chart's table: a row per bucket, its total, and a link into the bucket (keyboard reachable).
    browser.find_element(By.CSS_SELECTOR, "#spend-chart-table summary").click()
    table_rows = browser.find_elements(By.CSS_SELECTOR, "#spend-chart-table tbody tr")
    assert len(table_rows) == len(labels)
    assert table_rows[position].find_elements(By.TAG_NAME, "td")[-1].text == money(busiest["cost_usd"])
    table_rows[position].find_element(By.CSS_SELECTOR, "button.bucket-link").click()
    day = busiest["bucket"][:10]
    wait(browser, lambda d: "#/breakdown" in d.current_url and f"from={day}" in d.current_url and f"to={day}" in d.current_url)
    settle(browser)
    assert browser.find_element(By.ID, "breakdown-total").get_attribute("data-requests") == str(busiest["requests"])
    # A bar of one tier opens that tier's part of the bucket.
    open_view(browser, bursar, "overview", "range=7d")
    browser.execute_script("const chart = Chart.getChart(document.getElementById('spend-chart'));"
                           "const tier = chart.data.datasets.findIndex((set) => set.label === 'frontier');"
                           "chart.options.onClick(null, [{index: arguments[0], datasetIndex: tier}]);", position)
    wait(browser, lambda d: "#/breakdown" in d.current_url and "f_tier=frontier" in d.current_url)


def test_every_chart_has_a_table_tiers_differ_by_pattern_and_ticks_never_repeat(browser, bursar):
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "overview", "range=30d")
    for chart in ["spend-chart", "mix-chart", "latency-chart"]:
        assert browser.find_elements(By.CSS_SELECTOR, f"#{chart}-table tbody tr"), chart
        ticks = browser.execute_script(
            "const chart = Chart.getChart(document.getElementById(arguments[0]));"
            "const scale = chart.options.indexAxis === 'y' ? chart.scales.x : chart.scales.y;"
            "return scale.ticks.map((tick) => scale.options.ticks.callback.call(scale, tick.value, 0, scale.ticks));", chart)
        assert len(ticks) == len(set(ticks)), (chart, ticks)
    latency = browser.execute_script(
        "const scale = Chart.getChart(document.getElementById('latency-chart')).scales.y;"
        "return scale.ticks.map((tick) => scale.options.ticks.callback.call(scale, tick.value, 0, scale.ticks));")
    assert all(tick.endswith(" s") for tick in latency) or all(tick.endswith(" ms") for tick in latency), latency
    fills = browser.execute_script("return Chart.getChart(document.getElementById('spend-chart')).data.datasets"
                                   ".map((set) => [set.label, typeof set.backgroundColor])")
    kinds = dict(fills)
    assert kinds["fast"] == "string" and kinds["frontier"] == "object" and kinds["standard"] == "object", fills
    # Small amounts: ticks a cent apart on a $0.05 axis read $0.01, $0.02, … never $0.01 twice.
    small = browser.execute_script(
        "return import('/js/charts.js').then((charts) => { const ticks = [0, 0.005, 0.01, 0.015, 0.02].map((value) => ({value}));"
        "return ticks.map((tick) => charts.moneyTick(tick.value, 0, ticks)); });")
    assert small == ["$0.000", "$0.005", "$0.010", "$0.015", "$0.020"], small


def test_negative_savings_are_explained(browser, bursar):
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "overview", "range=7d")
    explained = browser.execute_script(
        "return import('/js/views/overview.js').then((overview) => overview.savingsDetail("
        "{savings_usd: '-1.250000000', baseline_cost_usd: '3.000000000', savings_ratio: -0.4167}));")
    assert explained.startswith("Routing cost $1.25 more than sending every request to the baseline tier would have ($3.00)")
