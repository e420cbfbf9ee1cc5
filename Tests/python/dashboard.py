"""What the tests do with the page: sign in, open a view, wait, read values."""

import time
from decimal import ROUND_HALF_EVEN, Decimal

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait


def wait(driver, condition, timeout=15):
    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def sign_in(driver, bursar, role):
    driver.get(bursar.url + "/")
    field = wait(driver, expected_conditions.visibility_of_element_located((By.ID, "login-key")))
    field.send_keys(bursar.keys[role])
    driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
    wait(driver, lambda d: d.find_element(By.ID, "role").text.lower() == role)


def open_view(driver, bursar, view, query=""):
    driver.get(f"{bursar.url}/#/{view}{'?' + query if query else ''}")
    settle(driver, view)


def settle(driver, view=None):
    """Waits until the view (``view``, when named: not the one shown before a new URL is
    rendered) has loaded its data."""
    wait(driver, lambda d: d.execute_script(
        "const body = document.querySelector('.view-body');"
        " return body !== null && body.getAttribute('aria-busy') === 'false' && (arguments[0] === null || body.dataset.view === arguments[0]);",
        view))


def text(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector).text


def value(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector).get_attribute("data-value")


def money(decimal_text):
    """The dashboard's money format: cents from a dollar up; under a dollar three significant
    digits and at least cents, trailing zeros past the cents dropped."""
    amount = Decimal(decimal_text)
    places = 2
    if 0 < abs(amount) < 1:
        first_significant = -abs(amount).adjusted()  # 1 for 0.5, 2 for 0.01
        places = min(9, max(2, first_significant + 2))
    rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    whole, _, fraction = f"{abs(rounded):,.{places}f}".partition(".")
    fraction = fraction[:2] + fraction[2:].rstrip("0")
    sign = "−" if rounded < 0 else ""
    return f"{sign}${whole}.{fraction}"


def page_range(driver):
    """The from/to the page asked the API for (as the range picker resolved them)."""
    return driver.execute_script("""
        return import('/js/range.js').then((module) => {
          const parameters = Object.fromEntries(new URLSearchParams(location.hash.split('?')[1] || ''));
          const range = module.resolveRange(parameters);
          return [range.from, range.to];
        });""")


def chart_data(driver, canvas_id):
    return driver.execute_script(
        "const chart = Chart.getChart(document.getElementById(arguments[0]));"
        "return {labels: chart.data.labels, data: chart.data.datasets.map((set) => set.data)};", canvas_id)


def wait_for_file(directory, suffix=".csv", timeout=15):
    import os
    deadline = time.time() + timeout
    while time.time() < deadline:
        done = [name for name in os.listdir(directory) if name.endswith(suffix)]
        if done:
            return os.path.join(directory, done[0])
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} file was downloaded")
