"""Times shown in a chosen zone (UTC by default); a budget's period in the budget's own zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from dashboard import open_view, settle, sign_in, text, wait


def shown(moment, zone):
    local = datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    return f"{local:%Y-%m-%d %H:%M} {zone}"


def test_times_follow_the_chosen_zone_and_a_budget_shows_its_own(browser, bursar):
    budget = {"scope": {"team": "zone-check"}, "period": "month", "timezone": "Asia/Tokyo", "limit_usd": "10.00", "action": "alert"}
    assert bursar.request("PUT", "/v1/budgets/zone-check", "admin", budget)[0] in (200, 201)
    try:
        sign_in(browser, bursar, "viewer")
        open_view(browser, bursar, "activity", "range=7d")
        entry = bursar.json("/v1/audit?target=budgets/zone-check", "viewer")["entries"][0]
        cell = lambda: text(browser, f"#audit-table tr[data-key='{entry['id']}'] td[data-column=time]")  # noqa: E731
        assert cell() == f"{entry['time'][:10]} {entry['time'][11:16]} UTC"
        Select(browser.find_element(By.ID, "display-zone")).select_by_value("America/New_York")
        wait(browser, lambda d: cell().endswith("America/New_York"))
        assert cell() == shown(entry["time"], "America/New_York")
        # Kept from view to view in this tab; a budget's period is in its own zone whatever is chosen.
        open_view(browser, bursar, "budgets")
        status = bursar.json("/v1/budgets/zone-check/status", "viewer")
        period = text(browser, "article.budget[data-id='zone-check'] .budget-period")
        assert period == f"This month: {shown(status['period_start'], 'Asia/Tokyo')} → {shown(status['period_end'], 'Asia/Tokyo')}"
        assert period.startswith("This month: ") and " 00:00 Asia/Tokyo" in period
        assert Select(browser.find_element(By.ID, "display-zone")).first_selected_option.get_attribute("value") == "America/New_York"
    finally:
        Select(browser.find_element(By.ID, "display-zone")).select_by_value("UTC")
        settle(browser)
        bursar.request("DELETE", "/v1/budgets/zone-check", "admin")
