"""The self-service token page (/account/tokens/): a signed-in person lists, creates
and revokes their own API tokens, through the actions that write the audit log.

A person only ever reaches their own tokens (another's id answers 404, like a missing
one). A new token's raw key is in the answer to the POST that made it and nowhere else:
not in the session, not in a message, not in the list (docs/api.md).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from . import actions
from .forms import TokenForm
from .models import ApiToken


def access_own_token(user, token_id: int) -> ApiToken:
    """One of the user's own tokens; another's answers like a missing one (404)."""
    token = ApiToken.objects.filter(pk=token_id, user_id=user.pk).first()
    if token is None:
        raise Http404("没有这个令牌")
    return token


@login_required
def tokens(request):
    """The user's tokens and a form for a new one; a valid POST answers with the new
    token's raw key, shown this once."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return _created(request, form.cleaned_data["name"])
    own = ApiToken.objects.filter(user_id=request.user.pk)
    status = 400 if form.is_bound else 200
    return render(request, "api/tokens.html", {"tokens": own, "form": form}, status=status)


def _created(request, name: str):
    token, raw = actions.create_token(request.user, name=name, acting_user=request.user)
    response = render(request, "api/token_created.html", {"token": token, "raw": raw})
    add_never_cache_headers(response)  # no cache, the browser's or a proxy's, keeps it
    return response


@login_required
def revoke(request, token_id: int):
    """GET asks to confirm; POST revokes (the action is a no-op on a revoked token)."""
    token = access_own_token(request.user, token_id)
    if request.method != "POST":
        return render(request, "api/token_revoke.html", {"token": token})
    actions.revoke_token(token, acting_user=request.user)
    messages.success(request, _("已撤销令牌“%(name)s”") % {"name": token.name})
    return redirect("account-tokens")
