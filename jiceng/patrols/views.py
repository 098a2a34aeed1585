"""The grid worker's phone: today's tasks (their home page), the patrol log (民情日志)
and their history (我的记录). Reads go through the selectors, writes through actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiceng.cases.models import Case

from .access import access_patrol_log
from .forms import PatrolLogForm
from .selectors import history_for, history_page, today_for

PAGE_SIZE = 30


@login_required
def today(request):
    """今日任务: the grid worker's home page (ROLE_HOMES in jiceng/web/views.py)."""
    return render(request, "patrols/today.html", {"today": today_for(request.user)})


@login_required
def new_log(request):
    form = PatrolLogForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            entry = form.submit()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("民情日志已保存"))
            return redirect("patrol", log_id=entry.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "patrols/new.html", {"form": form}, status=status)


@login_required
def history(request):
    """我的记录: the user's patrol logs and reported cases, newest first."""
    page = Paginator(history_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "entries": history_page(list(page.object_list))}
    return render(request, "patrols/history.html", context)


@login_required
def detail(request, log_id: int):
    entry = access_patrol_log(request.user, log_id)
    # Linked cases the reader may see: a leader reading a worker's log sees all of them,
    # nobody learns of a case outside their scope through someone else's log.
    linked = Case.objects.visible_to(request.user).filter(patrol_logs=entry)
    context = {"entry": entry, "cases": linked.select_related("category").order_by("received_at")}
    return render(request, "patrols/detail.html", context)
