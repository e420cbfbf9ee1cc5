"""Overrides: edited in place (id kept, expiry kept unless changed, Cancel to leave), and a
warning when one repeats or overrules a rule of the active policy."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from dashboard import open_view, settle, sign_in, text, wait


def covering_rule(bursar):
    """A rule of the active policy whose only condition is on team (default.yaml's executives)."""
    policy = bursar.json("/v1/bundle", "router")["policy"]
    return next(rule for rule in policy["rules"] if list(rule["when"]) == ["team"])


def test_an_override_that_repeats_or_overrules_a_rule_says_so(browser, bursar):
    rule = covering_rule(bursar)
    team = rule["when"]["team"][0]
    sign_in(browser, bursar, "admin")
    open_view(browser, bursar, "overrides")
    form = browser.find_element(By.ID, "override-form")
    form.find_element(By.NAME, "id").send_keys("exec-check")
    form.find_element(By.NAME, "match.team").send_keys(team)
    Select(form.find_element(By.NAME, "effect")).select_by_value("force_tier")
    Select(form.find_element(By.NAME, "tier")).select_by_value(rule["tier"])
    assert text(browser, "#override-warnings") == f"Rule {rule['id']} already sends team {team} to {rule['tier']}: this override repeats it."
    Select(form.find_element(By.NAME, "tier")).select_by_value("fast")
    assert text(browser, "#override-warnings") == f"Rule {rule['id']} sends team {team} to {rule['tier']}: this override overrules it while it lasts."
    form.find_element(By.NAME, "match.team").clear()
    form.find_element(By.NAME, "match.team").send_keys("nobody-has-a-rule")
    assert text(browser, "#override-warnings") == ""


def test_an_override_is_edited_in_place_keeping_its_id_and_expiry(browser, bursar):
    rule = covering_rule(bursar)
    team = rule["when"]["team"][0]
    created = {"match": {"team": team}, "effect": "force_tier", "tier": "fast", "reason": "first try", "expires_at": "2099-01-01T00:00:00Z"}
    assert bursar.request("PUT", "/v1/overrides/exec-edit", "admin", created)[0] in (200, 201)
    try:
        sign_in(browser, bursar, "admin")
        open_view(browser, bursar, "overrides")
        row = browser.find_element(By.CSS_SELECTOR, "#override-table tr[data-key='exec-edit']")
        assert "overrules it while it lasts" in row.find_element(By.CSS_SELECTOR, "td[data-column=rules]").text
        row.find_element(By.CSS_SELECTOR, "button.edit").click()
        form = browser.find_element(By.ID, "override-form")
        assert form.find_element(By.TAG_NAME, "h2").text == "Edit override exec-edit"
        assert form.find_element(By.NAME, "id").get_attribute("readonly") is not None
        assert form.find_element(By.NAME, "match.team").get_attribute("value") == team
        assert Select(form.find_element(By.NAME, "expires_at")).first_selected_option.text == "as it is (2099-01-01 00:00 UTC)"
        assert "overrules" in text(browser, "#override-warnings")
        Select(form.find_element(By.NAME, "tier")).select_by_value("standard")
        reason = form.find_element(By.NAME, "reason")
        reason.clear()
        reason.send_keys("second thoughts")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait(browser, lambda d: bursar.json("/v1/overrides/exec-edit")["reason"] == "second thoughts")
        stored = bursar.json("/v1/overrides/exec-edit")
        assert stored["tier"] == "standard" and stored["expires_at"] == "2099-01-01T00:00:00Z" and stored["match"] == {"team": team}
        # The view reloads after saving: wait for the reloaded row (reading the old one races the reload).
        wait(browser, lambda d: "second thoughts" in d.find_element(By.CSS_SELECTOR, "#override-table tr[data-key='exec-edit']").text)
        settle(browser)
        # Cancel leaves edit mode with nothing saved.
        wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#override-table tr[data-key='exec-edit'] button.edit").click() or True)
        browser.find_element(By.ID, "override-cancel").click()
        wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#override-form h2").text == "New override")
        assert bursar.json("/v1/overrides/exec-edit")["reason"] == "second thoughts"
    finally:
        bursar.request("DELETE", "/v1/overrides/exec-edit", "admin")
