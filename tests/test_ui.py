"""Opt-in (DVC766_UI_TEST=1): the Dagster UI, started as the README says, loads the asset
graph in headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = [
    pytest.mark.ui,
    pytest.mark.skipif(
        os.environ.get("DVC766_UI_TEST") != "1", reason="opt-in: set DVC766_UI_TEST=1"
    ),
]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PROJECT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dagster_ui(tmp_path: Path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not installed: apt-get install chromium")
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path),
        "DVC766_WAREHOUSE": str(tmp_path / "w.duckdb"),
        "DVC766_RAW_STORE": str(tmp_path / "raw"),
    }
    shutil.copyfile(PROJECT / "dagster.yaml", tmp_path / "dagster.yaml")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dagster",
            "dev",
            "-m",
            "pipelines.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/server_info", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        else:
            pytest.fail("the Dagster UI did not start within 120 s")
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_asset_graph_loads_in_chromium(dagster_ui: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    screenshot = tmp_path / "asset-graph.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{dagster_ui}/asset-groups", wait_until="networkidle", timeout=90_000)
        skip = page.get_by_role("button", name="Skip")  # the first-visit newsletter dialog
        if skip.count():
            skip.first.click()
        for group in ("raw", "core", "mart", "publish"):
            page.get_by_text(group, exact=True).first.wait_for(timeout=60_000)
        page.screenshot(path=str(screenshot))
        for name in (
            "raw_portal__captures",
            "core_portal__group_scores",
            "mart_portal__score_changes",
            "published_warehouse",
        ):
            page.goto(f"{dagster_ui}/assets/{name}", wait_until="networkidle", timeout=90_000)
            page.get_by_text(name, exact=True).last.wait_for(state="attached", timeout=60_000)
            page.get_by_text("Definition", exact=True).first.wait_for(timeout=60_000)
        browser.close()
    assert screenshot.stat().st_size > 10_000
