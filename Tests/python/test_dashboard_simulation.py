"""Simulation in the dashboard: a stored or uploaded policy replayed over the chosen range
beside the active one and beside what the requests were charged, the difference explained."""

import json
import re
import shutil
from datetime import timedelta
from decimal import Decimal

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from bursar import MODELS, Bursar, traffic, utc_now
from dashboard import money, open_view, page_range, settle, sign_in, text, wait


def test_a_candidate_is_simulated_beside_the_active_policy_and_actual_spend(browser, bursar):
    provider, model = MODELS["fast"]
    moment = bursar.now - timedelta(hours=5)
    bursar.post_events([{"id": f"simulate-{index}", "time": (moment + timedelta(seconds=index)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                         "provider": provider, "model": model, "tier": "fast", "input_tokens": 2000, "output_tokens": 300,
                         "complexity": 0.8, "intent": "chat", "request_id": f"simulate-{index}", "feature": "simulated"}
                        for index in range(20)])
    active = next(policy for policy in bursar.json("/v1/policies")["policies"] if policy["active"])
    source = bursar.json(f"/v1/policies/{active['revision']}")["source"]
    candidate_source = source.replace("at_least: 0.7}", "at_least: 0.9}").replace(f"name: {active['name']}", "name: simulated-candidate", 1)
    assert candidate_source != source

    sign_in(browser, bursar, "admin")
    open_view(browser, bursar, "policies", "range=7d")
    browser.execute_script("arguments[0].value = arguments[1];", browser.find_element(By.ID, "policy-source"), candidate_source)
    Select(browser.find_element(By.ID, "simulate-candidate")).select_by_value("upload")
    browser.find_element(By.ID, "simulate-run").click()
    wait(browser, lambda d: d.find_elements(By.ID, "simulation-explained"))
    start, end = page_range(browser)
    status, body = bursar.request("POST", f"/v1/policies/simulate?from={start}&to={end}", "admin", candidate_source.encode(), "application/yaml")
    assert status == 200
    expected = json.loads(body)
    summary = bursar.json(f"/v1/spend/summary?from={start}&to={end}", "viewer")

    cell = lambda row, column: text(browser, f"#simulation-table tr[data-row='{row}'] td[data-column={column}]")  # noqa: E731
    for column in ("recorded", "active", "candidate"):
        assert cell("cost", column) == money(expected[column]["cost_usd"])
        assert cell("savings", column) == money(expected[column]["savings_usd"])
    assert expected["requests"] - expected["not_simulated"] >= 20
    moves = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "#simulation-moves tbody tr")]
    assert any(line.startswith("(default) standard fast") for line in moves), moves

    # The explanation adds up to actual spend, to the nano-dollar.
    later = Decimal(summary["cost_usd"]) - Decimal(expected["recorded"]["cost_usd"]) - Decimal(expected["not_simulated_cost_usd"])
    explained = text(browser, "#simulation-explained")
    assert f"Actual spend in this range: {money(summary['cost_usd'])}." in explained
    assert f"{money(str(later))} went to later attempts" in explained
    assert f"{money(expected['not_simulated_cost_usd'])} went to {expected['not_simulated']:,} first attempts without routing inputs" in explained
    assert f"{money(expected['recorded']['cost_usd'])} went to the {expected['requests'] - expected['not_simulated']:,} replayed requests" in explained
    assert f"The active policy's replay of those {expected['requests'] - expected['not_simulated']:,} requests costs {money(expected['active']['cost_usd'])}" in explained
    assert re.search(r"Where routing differs most \(routers then → replay\): [\w-]+ \d+\.\d% → \d+\.\d%", explained), explained


def test_a_stored_revision_can_be_simulated_and_viewers_see_no_simulation(browser, bursar):
    sign_in(browser, bursar, "admin")
    open_view(browser, bursar, "policies", "range=7d")
    choice = Select(browser.find_element(By.ID, "simulate-candidate"))
    active = next(option for option in choice.options if option.text.endswith("(active)"))
    choice.select_by_value(active.get_attribute("value"))
    browser.find_element(By.ID, "simulate-run").click()
    wait(browser, lambda d: d.find_elements(By.ID, "simulation-moves"))
    assert text(browser, "#simulation-moves") == "The candidate routes every replayed request to the same tier as the active policy."
    assert text(browser, "#simulation-table tr[data-row=cost] td[data-column=active]") == \
        text(browser, "#simulation-table tr[data-row=cost] td[data-column=candidate]")
    browser.find_element(By.ID, "sign-out").click()
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "policies", "range=7d")
    settle(browser)
    assert not browser.find_elements(By.ID, "simulation")


def test_a_range_older_than_the_raw_events_kept_is_replayed_from_their_start_and_says_so(browser):
    server = Bursar("--retain-raw-days", "1")
    try:
        server.post_events(traffic(utc_now(), days=3, count=300))
        sign_in(browser, server, "admin")
        open_view(browser, server, "policies", "range=7d")
        browser.find_element(By.ID, "simulate-run").click()
        wait(browser, lambda d: d.find_elements(By.ID, "simulation-explained"))
        start, end = page_range(browser)
        status, body = server.request("POST", f"/v1/policies/simulate?from={start}&to={end}&revision="
                                      + Select(browser.find_element(By.ID, "simulate-candidate")).first_selected_option.get_attribute("value"), "admin")
        assert status == 200
        simulation = json.loads(body)
        kept = simulation["raw_events_kept_from"]
        assert simulation["from"] == kept and kept > start
        span = text(browser, "#simulation-span")
        assert f"from {kept[:10]} {kept[11:16]} UTC to" in span, span
        assert f"Raw events before {kept[:10]} {kept[11:16]} UTC are no longer kept" in span, span
        # Actual spend is read over the span replayed, so the explanation still adds up.
        summary = server.json(f"/v1/spend/summary?from={simulation['from']}&to={simulation['to']}", "viewer")
        assert f"Actual spend in this range: {money(summary['cost_usd'])}." in text(browser, "#simulation-explained")
    finally:
        server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)
