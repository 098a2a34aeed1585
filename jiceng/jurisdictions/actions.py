"""Every change to the tree's structure goes through these functions."""

from __future__ import annotations

import logging

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


def replace_grids(community_ids: list[int], grids: list, *, batch_size: int = 500) -> list:
    """Replace every grid of these communities with `grids`, in the caller's transaction.

    Grid workers keep their assignments: a post that covered grid X covers the new grid
    with code X, if there is one. (Grids are recreated, not updated, because a new file
    may split or merge them.)
    """
    from .models import Grid, Post

    through = Post.grids.through
    kept = list(
        through.objects.filter(grid__community_id__in=community_ids).values_list(
            "post_id", "grid__code"
        )
    )
    Grid.objects.filter(community_id__in=community_ids).only("id").delete()
    created = Grid.objects.bulk_create(grids, batch_size=batch_size)
    new_ids = dict(
        Grid.objects.filter(code__in={code for _, code in kept}).values_list("code", "id")
    )
    through.objects.bulk_create(
        [through(post_id=post, grid_id=new_ids[code]) for post, code in kept if code in new_ids]
    )
    lost = sum(1 for _, code in kept if code not in new_ids)
    if lost:
        log.warning("grid replacement dropped %d post assignments to vanished grids", lost)
    return created
