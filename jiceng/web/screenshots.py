"""`python -m jiceng.web.screenshots` (`make screenshots`): each role's main page of the
demo, saved as docs/screenshots/*.png for the README.

It serves the demo database that `make run` builds (var/jiceng.sqlite3) with runserver on
a free port, signs in as each demo account in Debian's chromium through Playwright (never
a downloaded browser), waits until the maps and charts have drawn, saves the page and
stops the server. The demo must be built first (`make demo` and `jiceng seed-demo-cases`).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = os.environ.get("JICENG_CHROMIUM", "/usr/bin/chromium")
# Without these, chromium keeps trying to reach Google's hosts on a closed network.
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
BIG_SCREEN = {"width": 1920, "height": 1080}  # the command centre's big screen
ROOT = Path(__file__).resolve().parents[2]
# Drawn: the trend lines, the map's cases and its child areas (dashboard.js).
DASHBOARD = (".spark.drawn svg", "#dash-map.loaded", "#dash-map[data-children-drawn]")


@dataclass(frozen=True)
class Shot:
    """One picture: whose page, where, on which screen, and what shows it has drawn."""

    name: str
    user: str | None  # a demo account; None: not signed in
    path: str  # {case}: the demo's whistled case; {community}: 花园路社区's code
    phone: bool = False
    ready: tuple[str, ...] = ()
    height: int = 1300  # a long page is cut here (px), so the README's tables stay even
    screen: dict | None = None  # DESKTOP (or PHONE) unless named
    prepare: Callable | None = None  # what the person does before the picture

    @property
    def viewport(self) -> dict:
        return self.screen or (PHONE if self.phone else DESKTOP)


def report_a_problem(page, places: dict) -> None:
    """The grid worker has taken the GPS position and is searching the catalogue."""
    page.click("#use-gps")
    page.wait_for_function("document.querySelector('[name=lng]').value !== ''")
    page.fill("#category-search", "井盖")
    page.wait_for_selector("#category-results button")


SHOTS = [
    Shot("grid-worker-today", "qyc_gridworker", "/", phone=True, ready=("#to-verify",)),
    Shot(
        "grid-worker-report",
        "qyc_gridworker",
        "/cases/new/",
        phone=True,
        ready=("#report-map.loaded",),
        prepare=report_a_problem,
    ),
    Shot("community-secretary-home", "qyc_secretary", "/", ready=("#map.loaded",)),
    Shot("dispatcher-queue", "qyc_dispatcher", "/cases/"),
    Shot(
        "case-whistle",
        "qyc_dispatcher",
        "/cases/{case}/",
        ready=("#map.loaded", ".summons .countdown[data-deadline]"),
    ),
    Shot("department-desk", "heping_cgw_clerk", "/", ready=("#summons",)),
    Shot("resident-home", "qyc_resident", "/", phone=True, ready=(".requests",)),
    Shot("public-community", None, "/public/{community}/", phone=True),
    *[
        # Down to the map's legend: the cards, the map and 每月一题.
        Shot(name, user, "/", ready=DASHBOARD, screen=BIG_SCREEN, height=1180)
        for name, user in [
            ("district-leader-dashboard", "heping_leader"),
            ("city-leader-dashboard", "city_leader"),
        ]
    ],
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", nargs="*", help="names of the shots to take (default: all)")
    args = parser.parse_args(argv)
    database = Path(os.environ.get("JICENG_VAR_DIR", ROOT / "var")) / "jiceng.sqlite3"
    missing = not os.environ.get("DATABASE_URL") and not database.exists()
    if missing or not Path(CHROMIUM).exists():
        print(f"需要演示数据库 {database}（make demo，再 jiceng seed-demo-cases）", file=sys.stderr)
        print(f"和 Debian 的 chromium：{CHROMIUM}（make browser）", file=sys.stderr)
        return 1
    shots = [s for s in SHOTS if not args.only or s.name in args.only]
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from .demo import HUAYUANLU

    places = {"case": whistled_case(), "community": HUAYUANLU, "gps": grid_workers_spot()}
    with demo_server() as url:
        for saved in take(url, shots, args.out, places):
            print(saved)
    return 0


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def demo_server():
    """runserver over the demo database, as `make run` serves it, without map tiles (the
    machine may have no network: the maps draw their polygons on a blank background)."""
    port = free_port()
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "jiceng.settings",
        "DEBUG": "true",
        "MAP_TILE_URL": "",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "django", "runserver", "--noreload", f"127.0.0.1:{port}"]
    url = f"http://127.0.0.1:{port}"
    # The request log goes to a file, shown only when something went wrong.
    with tempfile.TemporaryFile("w+") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
        try:
            wait_for(url + "/login/", server)
            yield url
        except BaseException:
            output.seek(0)
            sys.stderr.write(output.read()[-4000:])
            raise
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def wait_for(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    """Until the server answers (it loads the city's locate index first)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"runserver stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"runserver did not answer {url} within {seconds:.0f} s")


def whistled_case() -> str:
    """The number of the demo's case whose whistle has one department reported in and one
    still on its way (jiceng/web/showcase.py), read from the demo database."""
    from jiceng.cases.models import Whistle

    whistles = Whistle.objects.filter(blown_by__username="qyc_dispatcher").order_by("-blown_at")
    for whistle in whistles.prefetch_related("summons")[:20]:
        reported = {s.reported_at is not None for s in whistle.summons.all()}
        if reported == {True, False}:
            return whistle.case.number
    raise RuntimeError("演示数据中没有吹哨事件：请先运行 jiceng seed-demo-cases")


def grid_workers_spot() -> dict[str, float]:
    """A point inside the demo grid worker's first grid, where their phone's GPS is."""
    from jiceng.jurisdictions.models import Grid

    grid = Grid.objects.filter(posts__user__username="qyc_gridworker").order_by("code").first()
    point = grid.geometry.representative_point()
    return {"longitude": point.x, "latitude": point.y, "accuracy": 8}


# --- the pictures -------------------------------------------------------------------------


def take(url: str, shots: list[Shot], out: Path, places: dict[str, str]):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for shot in shots:
                yield shoot(browser, url, shot, out, places)
        finally:
            browser.close()


def shoot(browser, url: str, shot: Shot, out: Path, places: dict[str, str]) -> Path:
    context = browser.new_context(
        viewport=shot.viewport,
        is_mobile=shot.phone,
        has_touch=shot.phone,
        locale="zh-CN",
        geolocation=places["gps"],
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        if shot.user:
            sign_in(page, url, shot.user)
        page.goto(url + shot.path.format(**places))
        for selector in shot.ready:
            page.wait_for_selector(selector, timeout=30000)
        if shot.prepare:
            shot.prepare(page, places)
        page.wait_for_load_state("networkidle")
        page.evaluate("document.fonts.ready")
        height = min(shot.height, page.evaluate("document.documentElement.scrollHeight"))
        path = out / f"{shot.name}.png"
        clip = {"x": 0, "y": 0, "width": shot.viewport["width"], "height": height}
        page.screenshot(path=str(path), full_page=True, clip=clip)
        return path
    finally:
        context.close()


def sign_in(page, url: str, username: str) -> None:
    from .demo import DEMO_PASSWORD

    page.goto(url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url + "/")


if __name__ == "__main__":
    sys.exit(main())
