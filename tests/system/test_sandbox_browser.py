"""The sandbox page in a real browser (Debian's headless chromium through Selenium): Vera reports an
urgent signal on her phone, it arrives on Piet's, he picks it up there, and Vera is told.

Needs /usr/bin/chromium and /usr/bin/chromedriver (`.ci/run` installs them). Without them the test is
skipped locally and fails in CI (CI=true), so a broken CI image cannot pass silently. A screenshot is
saved to tests/artifacts/sandbox-browser.png.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.server import Sandbox
from tests.support.paths import ARTIFACTS

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOT = ARTIFACTS / "sandbox-browser.png"
WAIT = 10.0  # seconds for any one step; the whole test takes a few seconds


def _browser_missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if missing:
        return f"{' and '.join(missing)} missing (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    """The sandbox on its own event loop in a thread: Selenium's calls block, the sandbox must not."""
    loop = asyncio.new_event_loop()
    box = Sandbox(port=0)
    thread = threading.Thread(target=loop.run_forever, name="sandbox", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(box.start(), loop).result(60)
    try:
        yield box.url
    finally:
        asyncio.run_coroutine_threadsafe(box.stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    problem = _browser_missing()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the browser test must run in CI: {problem}")
        pytest.skip(problem)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1500,1150",
        f"--user-data-dir={tmp_path / 'chromium'}",
    ):
        options.add_argument(argument)
    # An explicit driver path: Selenium Manager never runs, so nothing is downloaded.
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


class Phones:
    """Acts on the page like a person with a mouse and keyboard, one phone at a time."""

    def __init__(self, driver: Any) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        self.wait = WebDriverWait(driver, WAIT, poll_frequency=0.05)

    def until(self, condition: Callable[[], Any], what: str) -> Any:
        from selenium.common.exceptions import StaleElementReferenceException, TimeoutException

        def attempt(_: Any) -> Any:
            try:
                return condition()
            except StaleElementReferenceException:  # the chat was redrawn under us: look again
                return None

        try:
            return self.wait.until(attempt)
        except TimeoutException:
            raise AssertionError(f"timed out waiting for {what}") from None

    def bubbles(self, person: str, kind: str = "") -> list[Any]:
        """The chat bubbles on a phone; kind ".me" for the person's own, ".bot" for the bot's."""
        from selenium.webdriver.common.by import By

        return list(self.driver.find_elements(By.CSS_SELECTOR, f'[data-person="{person}"] .msg{kind}'))

    def wait_text(self, person: str, needle: str, kind: str = "") -> Any:
        def found() -> Any:
            return next((b for b in reversed(self.bubbles(person, kind)) if needle in b.text), None)

        return self.until(found, f"{needle!r} on {person}'s phone")

    def tap(self, person: str, label: str, *, in_message: str | None = None) -> None:
        """Tap the newest button whose label contains ``label`` (in the newest message with ``in_message``)."""
        from selenium.webdriver.common.by import By

        def tapped() -> bool:
            for bubble in reversed(self.bubbles(person)):
                if in_message is not None and in_message not in bubble.text:
                    continue
                for button in reversed(bubble.find_elements(By.CSS_SELECTOR, ".kb-btn")):
                    if label in button.text and button.is_enabled():
                        button.click()
                        return True
                if in_message is not None:
                    return False
            return False

        self.until(tapped, f"button {label!r} on {person}'s phone")

    def type(self, person: str, text: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        field = self.driver.find_element(By.CSS_SELECTOR, f'[data-person="{person}"] .composer-input')
        field.send_keys(text + Keys.ENTER)


def test_urgent_signal_from_vera_is_picked_up_on_piets_phone(sandbox_url: str, browser: Any) -> None:
    phones = Phones(browser)
    browser.get(sandbox_url)
    try:
        phones.wait_text("vera", "Welkom bij Buurtteam Overvecht, Vera!")
        phones.wait_text("piet", "Welkom bij Buurtteam Overvecht, Piet!")
        phones.wait_text("vera", "di en do 10-16 uur")  # the last of the seeded notices

        phones.type("vera", "/signal")
        phones.wait_text("vera", "/signal", ".me")  # her own bubble, on the right
        phones.tap("vera", "C-12", in_message="Over wie gaat het?")
        phones.tap("vera", "Gezondheid", in_message="Waar gaat het over?")
        phones.tap("vera", "Dringend", in_message="Hoe dringend")
        phones.wait_text("vera", "eigen woorden")
        phones.type("vera", "Ze is gevallen en durft niet meer naar buiten, koelkast is leeg.")
        phones.tap("vera", "Versturen", in_message="Klopt dit?")
        phones.wait_text("vera", "Verstuurd naar Piet")

        phones.wait_text("piet", "Dringend: signaal van Vera")
        phones.tap("piet", "Ik pak het op", in_message="Dringend: signaal van Vera")
        phones.wait_text("piet", "Opgepakt door jou")  # his alert, edited in place
        told = phones.wait_text("vera", "Piet heeft je signaal over C-12 opgepakt")
        assert "🟢" in told.text
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        browser.execute_script("window.scrollTo(0, 0)")  # typing scrolled the page; show the clock bar too
        browser.save_screenshot(str(SCREENSHOT))
        print(f"\nsandbox screenshot: {SCREENSHOT}")


def test_the_spare_phone_joins_through_an_invite_made_on_annas_phone(sandbox_url: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    phones = Phones(browser)
    browser.get(sandbox_url)
    phones.wait_text("anna", "Welkom bij Buurtteam Overvecht, Anna!")
    browser.find_element(By.CSS_SELECTOR, 'input[data-person="nieuw"]').click()  # show the spare phone
    phones.until(
        lambda: browser.find_elements(By.CSS_SELECTOR, '[data-person="nieuw"] .open-invite'), "the spare phone"
    )

    phones.type("anna", "/invite")
    phones.tap("anna", "Vrijwilliger", in_message="Kies de rol")
    phones.wait_text("anna", "Hoe heet de nieuwe vrijwilliger?")
    phones.type("anna", "Sam")
    phones.tap("anna", "Geen team", in_message="In welk team zit Sam?")
    phones.wait_text("anna", "?start=")
    browser.find_element(By.CSS_SELECTOR, '[data-person="nieuw"] .open-invite').click()
    phones.wait_text("nieuw", "Welkom bij Buurtteam Overvecht, Sam!")
    phones.wait_text("anna", "Sam heeft de uitnodiging geaccepteerd")

    day = browser.find_element(By.ID, "clock-now").text.rsplit(" ", 1)[0]  # "dinsdag 1 december", time cut off
    browser.find_element(By.ID, "clock-1d").click()
    phones.until(lambda: browser.find_element(By.ID, "clock-now").text.rsplit(" ", 1)[0] != day, "the next day")
