import pytest
from django.core.exceptions import ValidationError

from jiceng.accounts.actions import create_user
from jiceng.accounts.choices import Role
from jiceng.jurisdictions.selectors import dual_role_holders
from jiceng.lib.masking import mask_id_number, mask_name, mask_phone

pytestmark = pytest.mark.django_db


def test_a_role_needs_a_jurisdiction_of_its_own_level(cast):
    with pytest.raises(ValidationError, match="层级与角色不符"):
        create_user(username="x", role=Role.SUBDISTRICT_DISPATCHER, jurisdiction=cast.community)


def test_a_clerk_needs_a_department(cast):
    with pytest.raises(ValidationError, match="部门"):
        create_user(username="y", role=Role.DEPARTMENT_CLERK)


def test_leaders_and_dispatchers_get_the_scoped_admin_group(cast):
    assert cast.dispatcher.is_staff
    assert cast.dispatcher.has_perm("jurisdictions.view_grid")
    assert not cast.dispatcher.is_superuser
    assert not cast.grid_worker.is_staff


def test_one_person_as_secretary_and_chair_is_reported_as_dual_role(cast):
    assert list(dual_role_holders(cast.community)) == [cast.secretary]
    assert not dual_role_holders(cast.other_community)


def test_personal_data_is_masked():
    assert mask_phone("13802200101") == "138****0101"
    assert mask_name("张桂英") == "张*英"
    assert mask_name("韩梅") == "韩*"
    assert mask_id_number("12010119900101123X") == "120***********123X"
