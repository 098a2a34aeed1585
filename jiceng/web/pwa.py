"""The installable app: the web app manifest and the service worker (docs/mobile.md).

The service worker is served by Django at /sw.js, not from /static/: a worker controls
only the paths under its own URL, and the report page lives at /cases/new/.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

THEME_COLOR = "#b4232a"
# The app shell: what the report page needs to open and work with no network.
SHELL_STATIC = [
    "jiceng/app.css",
    "jiceng/pwa.js",
    "cases/cases.css",
    "cases/report.css",
    "cases/report.js",
    "patrols/patrols.css",
    "leaflet/leaflet.css",
    "leaflet/leaflet.js",
    "jiceng/icons/icon.svg",
    "jiceng/icons/icon-192.png",
]
ICONS = [
    ("jiceng/icons/icon-192.png", "192x192", "image/png", "any"),
    ("jiceng/icons/icon-512.png", "512x512", "image/png", "any"),
    ("jiceng/icons/maskable-512.png", "512x512", "image/png", "maskable"),
    ("jiceng/icons/icon.svg", "any", "image/svg+xml", "any"),
]


def manifest(request):
    data = {
        "name": "jiceng 基层治理",
        "short_name": "基层治理",
        "description": _("网格员上报问题、写民情日志；没有网络时上报先存在手机上"),
        "lang": "zh-CN",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f6f7f9",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": static(path), "sizes": sizes, "type": kind, "purpose": purpose}
            for path, sizes, kind, purpose in ICONS
        ],
    }
    return JsonResponse(
        data,
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )


def service_worker(request):
    response = HttpResponse(_worker_script(), content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # The browser checks for a new worker on every visit; an HTTP cache in between would
    # keep phones on an old app shell.
    response["Cache-Control"] = "no-cache"
    return response


def _worker_script() -> str:
    config = json.dumps(_worker_config(), ensure_ascii=False)
    return get_template("web/sw.js").render({"config": mark_safe(config)})


def _worker_config() -> dict:
    config = {
        "static_url": settings.STATIC_URL,
        "precache": [static(path) for path in SHELL_STATIC] + [reverse("manifest")],
        # Pages kept for offline use, refreshed whenever they are opened online; the
        # report page is fetched ahead ("warm") as soon as someone is logged in.
        "pages": [reverse("case-new"), reverse("home")],
        "warm": [reverse("case-new")],
        "offline": {
            "title": _("当前没有网络"),
            "text": _("这个页面需要网络。上报问题可以离线填写，联网后自动发送。"),
            "link": _("上报问题"),
            "url": reverse("case-new"),
        },
    }
    # Static files change under a running dev server: hash them on every request there.
    version = _version.__wrapped__ if settings.DEBUG else _version
    config["version"] = version(json.dumps(config))
    return config


@cache
def _version(config_json: str) -> str:
    """Changes whenever the worker or a shell file does, so phones fetch the new shell
    (hashed static names already change the URLs in production)."""
    digest = hashlib.sha256(config_json.encode())
    template = get_template("web/sw.js").template.source
    digest.update(template.encode())
    for path in SHELL_STATIC:
        found = finders.find(path)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]
