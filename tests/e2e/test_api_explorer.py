"""The local stack's API explorer in a real headless browser: sign in as a demo user, call the API once.

Needs Debian's `chromium` and `chromium-driver` packages (.ci/run installs them when missing).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from infra.local_stack import LocalStack
from tests.support.local import demo

# Nothing here reaches the internet: no Selenium Manager download, no Chromium phoning home.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,2000",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    chromium = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    assert chromium, "install Debian's chromium package"
    assert driver, "install Debian's chromium-driver package"
    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile: Path = tmp_path_factory.mktemp("chromium-profile")
    options.add_argument(f"--user-data-dir={profile}")
    running = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    yield running
    running.quit()


def test_the_openapi_document_is_served_with_this_stack_as_its_server(local: LocalStack) -> None:
    with urllib.request.urlopen(local.api_url + "/openapi.json", timeout=15) as response:  # noqa: S310
        document = json.loads(response.read())

    assert document["servers"][0]["url"] == local.api_url
    assert "/users/me" in document["paths"]


def test_a_demo_user_signs_in_and_calls_the_api_from_the_explorer(
    local: LocalStack, browser: WebDriver
) -> None:
    user = demo(local, "students")
    wait = WebDriverWait(browser, 60)
    browser.get(local.api_url + "/explorer/")

    browser.find_element(By.ID, "username").send_keys(user.username)
    browser.find_element(By.ID, "password").send_keys(user.password)
    browser.find_element(By.ID, "sign-in-button").click()
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "signed-in-as"), "Signed in as"))

    operation = wait.until(
        expected_conditions.element_to_be_clickable((By.ID, "operations-profile-GetMyProfile"))
    )
    operation.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    execute = wait.until(
        expected_conditions.element_to_be_clickable(
            (By.CSS_SELECTOR, "#operations-profile-GetMyProfile .execute")
        )
    )
    execute.click()
    answered = "#operations-profile-GetMyProfile .live-responses-table tbody"
    wait.until(
        expected_conditions.text_to_be_present_in_element(
            (By.CSS_SELECTOR, f"{answered} .response-col_status"), "200"
        )
    )
    status = browser.find_element(By.CSS_SELECTOR, f"{answered} .response-col_status").text
    body = browser.find_element(By.CSS_SELECTOR, f"{answered} .microlight").text

    assert status.split()[0] == "200"
    assert user.username in body
