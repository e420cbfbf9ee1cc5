"""At phone width (390 px): every view reachable from a menu, wide tables scroll with their key
column pinned, nothing wider than the screen."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard import open_view, settle, sign_in, wait


def phone(browser):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})


def test_every_view_is_reachable_from_the_menu_at_phone_width(browser, bursar):
    phone(browser)
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "overview", "range=30d")
    toggle = browser.find_element(By.ID, "menu-toggle")
    assert toggle.is_displayed() and toggle.text == "☰ Overview"
    links = browser.find_elements(By.CSS_SELECTOR, "#nav a")
    assert len(links) == 9 and not any(link.is_displayed() for link in links)
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    for link in links:
        assert link.is_displayed(), link.text
        box = link.rect
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (link.text, box)
        assert "…" not in link.text
    browser.find_element(By.CSS_SELECTOR, "#nav a[data-view=activity]").click()
    wait(browser, lambda d: "#/activity" in d.current_url)
    settle(browser)
    assert browser.find_element(By.ID, "menu-toggle").text == "☰ Alerts & audit"
    assert not browser.find_element(By.CSS_SELECTOR, "#nav a[data-view=overview]").is_displayed(), "the menu closes after a choice"
    # By keyboard alone: the menu button takes focus and opens with Enter.
    browser.execute_script("document.getElementById('menu-toggle').focus()")
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#nav a[data-view=budgets]").is_displayed())


def test_a_wide_table_scrolls_sideways_with_its_key_column_pinned(browser, bursar):
    phone(browser)
    sign_in(browser, bursar, "viewer")
    # By feature: a few rows (by user, another test's ten thousand users make a windowed table
    # whose rows are rebuilt as it scrolls).
    open_view(browser, bursar, "breakdown", "range=30d&group=feature")
    scroller = browser.find_element(By.CSS_SELECTOR, "#breakdown-table").find_element(By.XPATH, "..")
    assert browser.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", scroller)
    key = browser.find_element(By.CSS_SELECTOR, "#breakdown-table tbody tr td:first-child")
    before = key.rect["x"]
    browser.execute_script("arguments[0].scrollLeft = 300", scroller)
    wait(browser, lambda d: d.execute_script("return arguments[0].scrollLeft", scroller) > 0)
    assert abs(key.rect["x"] - before) < 1, "the key column moved with the scroll"
    cost = browser.find_element(By.CSS_SELECTOR, "#breakdown-table tbody tr td[data-column=cost_usd]")
    assert cost.rect["x"] < 390, "the scrolled columns come into view"
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390


def test_every_control_of_the_overview_is_reached_by_keyboard_with_a_visible_focus(browser, bursar):
    sign_in(browser, bursar, "viewer")
    open_view(browser, bursar, "overview", "range=30d")
    reached = []
    outlines = set()
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    for _ in range(80):
        active = browser.switch_to.active_element
        reached.append(active.get_attribute("id") or active.get_attribute("class") or active.tag_name)
        if reached[-1] != "body" and not browser.execute_script("const style = getComputedStyle(document.activeElement);"
                                      "return style.outlineStyle !== 'none' && style.outlineWidth !== '0px';"):
            outlines.add(reached[-1])
        active.send_keys(Keys.TAB)
    for control in ["range", "refresh", "auto-refresh", "rate-escalation", "rate-fallback", "rate-error", "rate-shadow", "display-zone", "sign-out"]:
        assert control in reached, (control, reached)
    # The charts' tables open from the keyboard, and a bucket opens from its row.
    summaries = browser.find_elements(By.CSS_SELECTOR, ".chart-table summary")
    assert summaries and all(summary.get_attribute("tabindex") is None for summary in summaries)
    summaries[0].send_keys(Keys.ENTER)
    link = browser.find_element(By.CSS_SELECTOR, "#spend-chart-table button.bucket-link")
    link.send_keys(Keys.ENTER)
    wait(browser, lambda d: "#/breakdown" in d.current_url and "range=custom" in d.current_url)
    assert outlines == set(), f"focused without a visible focus: {outlines}"
