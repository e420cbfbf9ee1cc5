"""Settings (admins): keys made with the secret shown once, listed and revoked; price versions
viewed and a new catalog uploaded with its problems shown by field; the alert webhooks."""

import json

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from dashboard import money, open_view, settle, sign_in, text, wait


def test_an_admin_makes_a_key_sees_its_secret_once_and_revokes_it(browser, bursar):
    sign_in(browser, bursar, "admin")
    open_view(browser, bursar, "settings")
    form = browser.find_element(By.ID, "key-form")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    assert text(browser, "#key-form [data-error-for=name]").startswith("Name the key")
    form.find_element(By.NAME, "name").send_keys("dashboard-finance")
    Select(form.find_element(By.NAME, "role")).select_by_value("viewer")
    assert not form.find_element(By.NAME, "sources").is_displayed(), "a viewer key takes no sources"
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    secret = wait(browser, lambda d: d.find_element(By.ID, "new-key-secret").text)
    assert secret.startswith("bsr_")
    assert "shown only this once" in text(browser, "#new-key")
    # The new key works as a viewer at once.
    bursar.keys["made-here"] = secret
    assert bursar.request("GET", "/v1/spend/summary", "made-here")[0] == 200
    # Listed without its secret; gone from the page on the next visit.
    keys = bursar.json("/v1/keys")["keys"]
    assert any(key["name"] == "dashboard-finance" and key["role"] == "viewer" for key in keys)
    open_view(browser, bursar, "budgets")
    open_view(browser, bursar, "settings")
    assert secret not in browser.page_source
    row = next(row for row in browser.find_elements(By.CSS_SELECTOR, "#key-table tbody tr")
               if row.find_element(By.CSS_SELECTOR, "td[data-column=name]").text == "dashboard-finance")
    revoke = row.find_element(By.CSS_SELECTOR, "button.danger")
    revoke.click()
    assert revoke.text == "Confirm"
    revoke.click()
    wait(browser, lambda d: bursar.request("GET", "/v1/spend/summary", "made-here")[0] == 401)

    def states(driver):
        return {row.find_element(By.CSS_SELECTOR, "td[data-column=name]").text: row.find_element(By.CSS_SELECTOR, "td[data-column=state]").text
                for row in driver.find_elements(By.CSS_SELECTOR, "#key-table tbody tr")}
    # The view reloads after the revoke: wait for the reloaded table (reading the old one races the reload).
    wait(browser, lambda d: states(d).get("dashboard-finance", "").startswith("revoked "))
    entries = bursar.json("/v1/audit?target=keys/dashboard-finance")["entries"]
    assert {entry["action"] for entry in entries} == {"key.create", "key.revoke"}


def test_prices_show_every_version_and_a_new_catalog_is_validated_by_field(browser, bursar):
    sign_in(browser, bursar, "admin")
    open_view(browser, bursar, "settings")
    current = bursar.json("/v1/prices")
    shown = {(row.find_element(By.CSS_SELECTOR, "td[data-column=provider]").text, row.find_element(By.CSS_SELECTOR, "td[data-column=model]").text):
             row.find_element(By.CSS_SELECTOR, "td[data-column=input]").text
             for row in browser.find_elements(By.CSS_SELECTOR, "#price-table tbody tr")}
    assert shown == {(price["provider"], price["model"]): money(price["input"]) for price in current["prices"]}

    catalog = json.loads(browser.find_element(By.ID, "price-json").get_attribute("value"))
    catalog["prices"][0]["input"] = "-1"
    textarea = browser.find_element(By.ID, "price-json")
    browser.execute_script("arguments[0].value = arguments[1];", textarea, json.dumps(catalog))
    browser.find_element(By.CSS_SELECTOR, "#price-form button[type=submit]").click()
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#price-form [data-error-for=prices]").text)
    assert "prices[0].input" in text(browser, "#price-form [data-error-for=prices]")
    assert bursar.json("/v1/prices")["version"] == current["version"], "nothing saved"

    catalog["prices"][0]["input"] = "0.07"
    browser.execute_script("arguments[0].value = arguments[1];", textarea, json.dumps(catalog))
    browser.find_element(By.CSS_SELECTOR, "#price-form button[type=submit]").click()
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, f"#price-version option[value='{current['version'] + 1}']"))
    settle(browser)
    options = [option.text for option in Select(browser.find_element(By.ID, "price-version")).options]
    assert options[0].startswith(f"v{current['version'] + 1} ") and options[0].endswith("(in force)")
    Select(browser.find_element(By.ID, "price-version")).select_by_value(str(current["version"]))
    wait(browser, lambda d: f"prices={current['version']}" in d.current_url)
    settle(browser)
    first = catalog["prices"][0]
    row = next(row for row in browser.find_elements(By.CSS_SELECTOR, "#price-table tbody tr")
               if row.find_element(By.CSS_SELECTOR, "td[data-column=model]").text == first["model"]
               and row.find_element(By.CSS_SELECTOR, "td[data-column=provider]").text == first["provider"])
    old = next(price for price in current["prices"] if price["model"] == first["model"] and price["provider"] == first["provider"])
    assert row.find_element(By.CSS_SELECTOR, "td[data-column=input]").text == money(old["input"])
    # Back to what it was, for the other tests.
    restored = bursar.request("PUT", "/v1/prices", "admin", {"prices": [{key: price[key] for key in ("provider", "model", "effective_from", "input", "cached_input", "output", "reasoning")}
                                                             for price in current["prices"]]})
    assert restored[0] == 200, restored


def test_settings_list_the_alert_webhooks_and_are_for_admins_only(browser, bursar):
    sign_in(browser, bursar, "admin")
    open_view(browser, bursar, "settings")
    assert "--alert-webhook" in text(browser, "#view")
    browser.find_element(By.ID, "sign-out").click()
    sign_in(browser, bursar, "viewer")
    assert not browser.find_elements(By.CSS_SELECTOR, "#nav a[data-view=settings]")
    open_view(browser, bursar, "settings")
    assert "Settings are for admin keys." in text(browser, "#view")
