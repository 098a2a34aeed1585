import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from jiceng.jurisdictions.actions import create_jurisdiction, move_jurisdiction
from jiceng.jurisdictions.choices import Kind, Level
from jiceng.jurisdictions.models import Jurisdiction

pytestmark = pytest.mark.django_db


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_subtree_is_the_node_and_all_its_descendants_only(cast):
    assert codes(Jurisdiction.objects.subtree(cast.street)) == [
        "120101001000",
        "120101001001",
    ]
    assert Jurisdiction.objects.subtree(cast.city).count() == 6


def test_descendants_exclude_the_node_itself(cast):
    assert codes(cast.district.descendants()) == sorted(
        ["120101001000", "120101001001", "120101002000", "120101002002"]
    )


def test_ancestors_run_from_the_city_down(cast):
    assert [a.code for a in cast.community.ancestors()] == [
        "120000000000",
        "120101000000",
        "120101001000",
    ]


def test_subtree_query_uses_an_index_range(cast):
    plan = Jurisdiction.objects.subtree(cast.district).explain()
    assert "path" in plan
    assert "SCAN jurisdictions_jurisdiction" not in plan  # SQLite: no full scan


def test_moving_a_node_rewrites_the_paths_of_its_subtree(cast):
    move_jurisdiction(cast.community, cast.other_street)
    cast.community.refresh_from_db()
    assert cast.community.parent == cast.other_street
    assert cast.community.path == cast.other_street.path + cast.community.code
    assert codes(Jurisdiction.objects.subtree(cast.other_street)) == [
        "120101001001",
        "120101002000",
        "120101002002",
    ]


def test_a_node_cannot_move_under_its_own_descendant(cast):
    with pytest.raises(ValidationError, match="自己或它的下级"):
        move_jurisdiction(cast.district, cast.street)
    cast.district.refresh_from_db()
    assert cast.district.parent == cast.city


def test_a_node_cannot_move_to_a_parent_of_the_wrong_level(cast):
    with pytest.raises(ValidationError, match="层级"):
        move_jurisdiction(cast.community, cast.district)


def test_two_children_of_one_parent_cannot_share_a_name(cast):
    with pytest.raises(ValidationError):
        create_jurisdiction(
            code="120101001099",
            name="花园路社区居委会",
            level=Level.COMMUNITY,
            kind=Kind.COMMUNITY,
            parent=cast.street,
        )
    duplicate = Jurisdiction(
        code="120101001098",
        name="花园路社区居委会",
        level=Level.COMMUNITY,
        kind=Kind.COMMUNITY,
        parent=cast.street,
        path=cast.street.path + "120101001098",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_the_same_name_is_allowed_under_different_parents(cast):
    node = create_jurisdiction(
        code="120101002099",
        name="花园路社区居委会",
        level=Level.COMMUNITY,
        kind=Kind.COMMUNITY,
        parent=cast.other_street,
    )
    assert node.pk


def test_a_kind_must_match_its_level(cast):
    with pytest.raises(ValidationError, match="类型与层级不符"):
        create_jurisdiction(
            code="120101001097",
            name="某街道",
            level=Level.COMMUNITY,
            kind=Kind.STREET,
            parent=cast.street,
        )
