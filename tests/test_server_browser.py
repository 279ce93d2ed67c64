"""The pages in a real browser: headless Chromium driven by Playwright.

Skipped where Playwright or Debian's ``chromium`` is not installed (no browser is
ever downloaded).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import CHROMIUM, COURSE_ID

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
PAGES = [
    "/",
    f"/doc/news/{COURSE_ID}",
    "/doc/country/SR",
    "/news",
    "/def/theme/protection",
    "/dataset",
]


@pytest.mark.parametrize("width", [1200, 400])
def test_pages_fit_the_screen_and_carry_json_ld(browser: Any, live_server: str, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    for path in PAGES:
        page.goto(live_server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is wider than a {width}px screen"
        scripts = page.eval_on_selector_all(
            'script[type="application/ld+json"]', "nodes => nodes.map(n => n.textContent)"
        )
        if path not in ("/", "/news"):
            assert len(scripts) == 1 and json.loads(scripts[0])["@id"], path
    page.close()


def test_a_reader_switches_language_and_follows_links(browser: Any, live_server: str) -> None:
    page = browser.new_page()
    page.goto(f"{live_server}/doc/news/{COURSE_ID}")
    assert page.locator("h1").inner_text().startswith("Online course")
    page.click("text=Español")
    assert page.locator("html").get_attribute("lang") == "es"
    page.click("text=Panamá")
    assert page.url.endswith("/doc/country/PA?lang=es") or page.url.endswith("/doc/country/PA")
    assert page.locator("h1").inner_text() in ("Panamá", "Panama")
    page.close()
