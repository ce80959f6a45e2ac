"""The served dashboard in a real headless Chromium: every page renders without an exception, and
a file uploaded through the Upload page is stored.

Runs `riskboard demo --no-serve` and `riskboard serve` as a user would, on a free port, against a
temporary database. Uses Debian's Chromium (/usr/bin/chromium); never `playwright install`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FIXTURES = Path(__file__).parent / "fixtures"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# url path -> the page's title (on screen once it runs) and an element its content must include
PAGES = {
    "": ("Release readiness", "stDataFrame"),
    "scorecard": ("Scorecard", "stDataFrame"),
    "refusals": ("Refusals", "stPlotlyChart"),
    "capability": ("Capability retention", "stPlotlyChart"),
    "cost": ("Fine-tuning cost", "stPlotlyChart"),
    "samples": ("Samples", "stDataFrame"),
    "upload": ("Upload results", "stFileUploader"),
}
EXCEPTION = '[data-testid="stException"]'
FINISHED = '[data-testid="stApp"][data-test-script-state="notRunning"]'

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def riskboard(*args: str) -> list[str]:
    return [sys.executable, "-m", "evals.cli", *args]


def wait_until_healthy(url: str, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"riskboard serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the dashboard did not answer at {url} within {seconds} s")


@pytest.fixture
def served(db_url: str, tmp_path: Path) -> Iterator[str]:
    """The demo database served by `riskboard serve` on a free port; stopped afterwards."""
    subprocess.run(riskboard("demo", "--no-serve", "--db", db_url), check=True, cwd=tmp_path)
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        riskboard("serve", "--port", str(port), "--host", "127.0.0.1", "--db", db_url),
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so Streamlit stops with it
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@pytest.fixture
def page():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1400, "height": 1000})
        finally:
            browser.close()


def open_and_wait(page, url: str, title: str) -> None:
    """Open a page and wait until its script has run to the end."""
    page.goto(url)
    page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
    wait_for_script(page)


def wait_for_script(page) -> None:
    """Wait until Streamlit reports the page's script as finished."""
    page.locator(FINISHED).wait_for(timeout=60_000)


def test_every_page_renders_in_a_real_browser_and_an_upload_is_stored(served: str, page):
    for path, (title, content) in PAGES.items():
        open_and_wait(page, f"{served}/{path}", title)
        # Charts and tables load their components after the script ends.
        page.locator(f'[data-testid="{content}"]').first.wait_for(timeout=30_000)
        assert page.locator(EXCEPTION).count() == 0, f"/{path} shows an exception"

    open_and_wait(page, f"{served}/upload", "Upload results")
    chooser = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    chooser.set_input_files(str(FIXTURES / "native" / "good.json"))
    page.get_by_text("good.json").first.wait_for(timeout=30_000)
    import_button = page.get_by_role("button", name="Import")
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')]"
        ".some(b => b.innerText.trim() === 'Import' && !b.disabled)",
        timeout=30_000,
    )
    import_button.click()
    stored = page.get_by_text("good.json: stored (native): 2 checkpoints")
    stored.wait_for(timeout=60_000)
    assert page.locator(EXCEPTION).count() == 0

    open_and_wait(page, f"{served}/", PAGES[""][0])  # the upload cleared the caches
    page.get_by_text("Safety removed for $1.00").first.wait_for(
        timeout=10_000
    )  # good.json's adapter
