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


def test_an_external_system_never_signs_in_with_a_password_even_if_given_one(cast, client):
    from jiceng.api.actions import create_external_system

    system, _ = create_external_system(name="12345热线", area=cast.secretary.jurisdiction.parent)
    system.user.set_password("given-in-the-admin-1")
    system.user.save()
    assert not client.login(username=system.user.username, password="given-in-the-admin-1")
    cast.secretary.set_password("a-real-person-1")
    cast.secretary.save()
    assert client.login(username=cast.secretary.username, password="a-real-person-1")
