"""The resident's home ("我的诉求"), tracking a case by number, and the public community
pages. The public views read only through the allowlisted records of selectors.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from jiceng.cases.forms import FORMS
from jiceng.jurisdictions.choices import Level

from . import actions, selectors
from .forms import CommunitySearchForm, TrackForm

PAGE_SIZE = 20


@login_required
def home(request):
    """Drawn at "/" for residents (web.views.ROLE_HOMES)."""
    user = request.user
    page = Paginator(selectors.mine(user), PAGE_SIZE).get_page(request.GET.get("page"))
    community = user.jurisdiction
    context = {
        "page": page,
        "rows": [(case, selectors.progress(case)) for case in page],
        "awaiting": [(case, _rate_form(case, user)) for case in selectors.awaiting_rating(user)],
        "community": community if community and community.level == Level.COMMUNITY else None,
    }
    return render(request, "residents/home.html", context)


def _rate_form(case, user):
    return FORMS["rate"](case=case, user=user, auto_id=f"id_rate_{case.pk}_%s")


@never_cache  # the answer belongs to whoever knew the digits, not to a shared cache
def track(request):
    form = TrackForm(request.POST or None)
    if request.method != "POST":
        return render(request, "residents/track.html", {"form": form})
    if not form.is_valid():
        return render(request, "residents/track.html", {"form": form}, status=400)
    answer = _track(request, form)
    status = 429 if "refused" in answer else 200
    return render(request, "residents/track.html", answer | {"form": form}, status=status)


def _track(request, form: TrackForm) -> dict:
    data = form.cleaned_data
    try:
        case = actions.track(data["number"], data["digits"], client=client_address(request))
    except actions.TooManyAttempts as refused:
        return {"refused": str(refused)}
    if case is None:
        return {"no_match": _("没有找到与编号和手机号后4位都相符的诉求，请核对后再试")}
    return {"result": selectors.track_result(case)}


def client_address(request) -> str:
    """The visitor's address. Behind JICENG_TRUSTED_PROXIES proxies (nginx: 1) it is the
    entry the nearest trusted proxy appended to X-Forwarded-For; anything to its left is
    the client's own claim and could be changed at will to dodge the limit."""
    proxies = settings.JICENG_TRUSTED_PROXIES
    forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def public_index(request):
    """Nothing but a search box; results only for a name searched for."""
    form = CommunitySearchForm(request.GET or None)
    found = selectors.communities_named(form.cleaned_data["q"]) if form.is_valid() else []
    return render(request, "residents/public_index.html", {"form": form, "found": found})


def public_community(request, code: str):
    community = selectors.public_community(code)
    if community is None:
        raise Http404("没有这个社区/村")
    cases = Paginator(selectors.closed_cases(community), PAGE_SIZE)
    page = cases.get_page(request.GET.get("page"))
    context = {
        "community": community,
        "grids": selectors.grid_count(community),
        "page": page,
        "cases": [selectors.public_case(row, community) for row in page],
        "months": selectors.monthly_counts(community),
    }
    return render(request, "residents/public_community.html", context)
