"""A real browser on the investor page: headless Chromium (Debian's `chromium` and
`chromium-driver`) driven by Selenium against `peizi-guard serve` on 127.0.0.1.

CI (.ci/run sets PEIZI_GUARD_CI=1 and installs the browser) always runs it; elsewhere it is
skipped, with the reason, when the browser is missing. Screenshots of the three states go to
$PEIZI_GUARD_SCREENSHOTS when set (docs/screenshots/ was made that way), else to a temporary folder.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .webhelper import Server, corpus_text

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
IN_CI = os.environ.get("PEIZI_GUARD_CI") == "1"

if not (CHROMIUM and DRIVER) and not IN_CI:
    pytest.skip("headless Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
                allow_module_level=True)


@pytest.fixture()
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert CHROMIUM and DRIVER, "CI must have chromium and chromium-driver (see .ci/run)"
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=900,1200",
                "--lang=zh-CN"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_investor_page_in_a_browser(db, browser, tmp_path):
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    shots = Path(os.environ.get("PEIZI_GUARD_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    server = Server(db, "--rate-limit", "0")
    # a new page replaces the old one's nodes while a wait reads them: Chrome may then say "Node
    # with given id does not belong to the document" (a WebDriverException), which only means "not yet"
    wait = WebDriverWait(browser, 20, ignored_exceptions=(StaleElementReferenceException, WebDriverException))
    try:
        # 1. a platform name: listed, with the entry
        browser.get(server.url + "/")
        box = browser.find_element(By.NAME, "q")
        box.send_keys("杜德配资")
        browser.find_element(By.ID, "check").click()
        verdict = wait.until(ec.presence_of_element_located((By.ID, "verdict")))
        assert "listed" in verdict.get_attribute("class") and verdict.text == "已列入官方名单"
        evidence = browser.find_element(By.ID, "evidence").text
        assert "#3 杜德配资" in evidence and "非法从事场外配资平台名单" in evidence
        browser.save_screenshot(str(shots / "1-listed.png"))

        # 2. a pasted ad (a real SMS from the corpus): suspicious, with its phrases
        sms = corpus_text("st-0001")["text"]
        box = browser.find_element(By.NAME, "q")
        box.clear()
        box.send_keys(sms)
        browser.find_element(By.ID, "check").click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "verdict"), "可疑"))
        phrases = browser.find_element(By.ID, "phrases").text
        assert "配资" in phrases
        browser.save_screenshot(str(shots / "2-ad-text.png"))

        # 3. the calculator: 1:9 at 1.5 % a month, the chart with its lines
        for name, value in (("own", "10万"), ("leverage", ""), ("ratio", "1:9"), ("monthly", "1.5%")):
            field = browser.find_element(By.NAME, name)
            field.clear()
            if value:
                field.send_keys(value)
        browser.find_element(By.ID, "run").click()
        result = wait.until(ec.presence_of_element_located((By.ID, "calc-result")))
        assert "-10.00%" in result.text and "-5.50%" in result.text
        chart = browser.find_element(By.CSS_SELECTOR, "svg.chart")
        assert chart.find_elements(By.TAG_NAME, "polyline")
        assert "平仓线" in chart.text and "预警线" in chart.text
        browser.execute_script("arguments[0].scrollIntoView()", browser.find_element(By.ID, "calc"))
        browser.save_screenshot(str(shots / "3-calculator.png"))
    finally:
        server.stop()
    assert all((shots / n).stat().st_size > 10_000 for n in ("1-listed.png", "2-ad-text.png", "3-calculator.png"))
