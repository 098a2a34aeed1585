"""Every change to the tree's structure goes through these functions."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from .models import Jurisdiction

log = logging.getLogger(__name__)


@transaction.atomic
def create_jurisdiction(
    *, code: str, name: str, level: str, kind: str, parent: Jurisdiction | None
) -> Jurisdiction:
    node = Jurisdiction(code=code, name=name, level=level, kind=kind, parent=parent)
    node.path = (parent.path if parent else "") + code
    node.depth = parent.depth + 1 if parent else 0
    node.full_clean()
    node.save()
    log.info("jurisdiction created code=%s parent=%s", code, parent.code if parent else "-")
    return node


@transaction.atomic
def move_jurisdiction(node: Jurisdiction, new_parent: Jurisdiction, *, acting_user=None) -> None:
    """Re-parent a node and rewrite the paths of its whole subtree in one UPDATE.

    Raises ValidationError when the move would make a cycle (new parent inside the
    subtree) or break the level order.
    """
    node = Jurisdiction.objects.select_for_update().get(pk=node.pk)
    old_path = node.path
    node.parent = new_parent
    node.clean()  # cycle and level checks
    new_path = new_parent.path + node.code
    depth_shift = new_parent.depth + 1 - node.depth
    Jurisdiction.objects.subtree(node).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_shift,
    )
    Jurisdiction.objects.filter(pk=node.pk).update(parent=new_parent)
    log.info(
        "jurisdiction moved code=%s to parent=%s by=%s",
        node.code,
        new_parent.code,
        getattr(acting_user, "username", "-"),
    )


def validate_unique_sibling_name(node: Jurisdiction) -> None:
    """Raise ValidationError when a sibling already has this name (checked before save
    so the message is clear; the database constraint is the final guard)."""
    siblings = Jurisdiction.objects.filter(parent=node.parent, name=node.name).exclude(pk=node.pk)
    if siblings.exists():
        raise ValidationError({"name": f"同一上级下已有名为“{node.name}”的辖区"})
