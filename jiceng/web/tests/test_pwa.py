"""The installable app: the manifest, the service worker at the site's root and the
icons, linked from every page."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_app_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "jiceng 基层治理"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])


def test_every_icon_is_served(client):
    manifest = client.get("/manifest.webmanifest").json()
    for icon in manifest["icons"]:
        path = icon["src"].removeprefix("/static/")
        found = finders.find(path)
        assert found, icon["src"]
        if icon["type"] == "image/png":
            with open(found, "rb") as handle:
                head = handle.read(24)
            width = int.from_bytes(head[16:20], "big")
            assert head.startswith(b"\x89PNG") and f"{width}x{width}" == icon["sizes"]


def test_the_service_worker_is_served_at_the_root_for_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    config = json.loads(body.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert reverse("case-new") in config["pages"] and reverse("case-new") in config["warm"]
    assert "/static/leaflet/leaflet.js" in config["precache"]
    assert "/static/cases/report.js" in config["precache"]
    assert len(config["version"]) == 12


def test_every_file_of_the_app_shell_exists(client):
    from jiceng.web.pwa import SHELL_STATIC

    for path in SHELL_STATIC:
        assert finders.find(path), path


def test_the_worker_changes_its_version_when_a_shell_file_changes(
    client, settings, tmp_path, monkeypatch
):
    from jiceng.web import pwa

    settings.DEBUG = True  # versions are recomputed per request only in development
    shell_file = tmp_path / "report.js"
    shell_file.write_text("// one")
    real_find = finders.find
    monkeypatch.setattr(
        pwa.finders,
        "find",
        lambda path: str(shell_file) if path == "cases/report.js" else real_find(path),
    )

    def version() -> str:
        body = client.get("/sw.js").content.decode()
        return json.loads(body.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])["version"]

    before = version()
    assert version() == before
    shell_file.write_text("// two")
    assert version() != before


def test_every_page_links_the_manifest_and_registers_the_worker(login, cast):
    body = login(cast.grid_worker).get(reverse("home")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in body
    assert '<meta name="theme-color"' in body
    assert 'src="/static/jiceng/pwa.js" data-sw="/sw.js"' in body
    assert 'data-user="gridworker"' in body
    login_page = Client().get(reverse("login"))
    assert 'data-user=""' in login_page.content.decode()  # nobody: cached pages forgotten
