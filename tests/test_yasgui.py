"""YASGUI on the query page: pinned, checked by hash, opt-in, and the form still works without it.

The browser fetches YASGUI from jsDelivr, which serves the files of the npm package
as published. These tests take the same files from the npm registry (``npm pack``),
check that the page's integrity hashes match them, and serve them to a headless
Chromium in place of the CDN, so the real YASGUI runs queries against a real server.
Skipped where npm, the registry, Playwright or Debian's ``chromium`` is missing.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
import tarfile
import urllib.request
from typing import Any

import pytest

from tests.conftest import CHROMIUM

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
PIN = re.compile(
    r'data-(script|style)="(?P<url>https://cdn\.jsdelivr\.net/npm/[^"]+)"\s+'
    r'data-(?:script|style)-integrity="(?P<sri>sha384-[^"]+)"'
)
CDN_FILE = re.compile(
    r"https://cdn\.jsdelivr\.net/npm/(?P<package>@[^/]+/[^@]+)@(?P<version>[^/]+)/(?P<path>.+)"
)


def page_pins(live_server: str) -> dict[str, str]:
    """Return the CDN addresses the query page names, each with its integrity hash."""
    request = urllib.request.Request(live_server + "/sparql", headers={"Accept": "text/html"})
    with urllib.request.urlopen(request) as response:
        html = response.read().decode()
    return {m["url"]: m["sri"] for m in PIN.finditer(html)}


@pytest.fixture(scope="module")
def package_files(tmp_path_factory: pytest.TempPathFactory, live_server: str) -> dict[str, bytes]:
    """Fetch the pinned YASGUI package from the npm registry; map CDN addresses to bytes."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    pins = page_pins(live_server)
    assert len(pins) == 2, "the page pins YASGUI's script and style"
    first = CDN_FILE.match(next(iter(pins)))
    assert first is not None
    spec = f"{first['package']}@{first['version']}"
    where = tmp_path_factory.mktemp("npm")
    done = subprocess.run(
        [npm, "pack", spec, "--silent"], cwd=where, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        pytest.skip(f"the npm registry is not reachable: {done.stderr.strip()[:200]}")
    tarball = where / done.stdout.strip().splitlines()[-1]
    files: dict[str, bytes] = {}
    with tarfile.open(tarball) as archive:
        for url in pins:
            found = CDN_FILE.match(url)
            assert found is not None
            member = archive.extractfile("package/" + found["path"])
            assert member is not None, url
            files[url] = member.read()
    return files


def test_the_pinned_hashes_are_those_of_the_published_files(
    live_server: str, package_files: dict[str, bytes]
) -> None:
    for url, sri in page_pins(live_server).items():
        digest = base64.b64encode(hashlib.sha384(package_files[url]).digest()).decode()
        assert sri == "sha384-" + digest, url


def test_yasgui_opens_on_request_and_answers_from_our_endpoint(
    browser: Any, live_server: str, package_files: dict[str, bytes]
) -> None:
    fetched: list[str] = []

    def from_package(route: Any) -> None:
        url = route.request.url
        fetched.append(url)
        body = package_files.get(url)
        if body is None:
            route.abort()
            return
        kind = "text/css" if url.endswith(".css") else "application/javascript"
        route.fulfill(
            status=200,
            body=body,
            content_type=kind,
            headers={"Access-Control-Allow-Origin": "*"},
        )

    context = browser.new_context()
    context.route("https://cdn.jsdelivr.net/**", from_package)
    page = context.new_page()
    page.goto(live_server + "/sparql")
    assert fetched == [], "nothing is fetched from the CDN until the reader asks"
    assert page.locator("form.query-form").is_visible()
    page.fill(
        "#query",
        "SELECT ?country WHERE { ?country a <https://schema.org/Country> } ORDER BY ?country",
    )
    page.click("#yasgui-open")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=20000)
    assert not page.locator("form.query-form").is_visible()
    editor = page.evaluate("document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()")
    assert "schema.org/Country" in editor
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table tbody tr", timeout=20000)
    cells = page.locator(".yasr table tbody tr").all_inner_texts()
    assert any("country/SR" in text for text in cells), cells
    # The choice is remembered: the next visit opens YASGUI at once.
    page.goto(live_server + "/sparql")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=20000)
    context.close()


def test_the_form_stays_when_yasgui_cannot_be_fetched(browser: Any, live_server: str) -> None:
    context = browser.new_context()
    context.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
    page = context.new_page()
    page.goto(live_server + "/sparql")
    page.click("#yasgui-open")
    page.wait_for_selector("#yasgui-error", state="visible", timeout=10000)
    assert page.locator("form.query-form").is_visible()
    page.fill("#query", "ASK { ?s ?p ?o }")
    page.click("form.query-form button[type=submit]")
    assert "Yes (true)" in page.locator(".answer").inner_text()
    context.close()


def test_a_tampered_copy_is_refused_by_its_hash(
    browser: Any, live_server: str, package_files: dict[str, bytes]
) -> None:
    def tampered(route: Any) -> None:
        body = package_files.get(route.request.url, b"") + b"\n/* changed */"
        route.fulfill(
            status=200,
            body=body,
            content_type="application/javascript",
            headers={"Access-Control-Allow-Origin": "*"},
        )

    context = browser.new_context()
    context.route("https://cdn.jsdelivr.net/**", tampered)
    page = context.new_page()
    page.goto(live_server + "/sparql")
    page.click("#yasgui-open")
    page.wait_for_selector("#yasgui-error", state="visible", timeout=10000)
    assert page.evaluate("typeof window.Yasgui") == "undefined"
    assert page.locator("form.query-form").is_visible()
    context.close()
