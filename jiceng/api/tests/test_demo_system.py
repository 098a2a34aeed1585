"""The demo's external system (和平区's 12345 centre): `seed-demo` makes it once through
the real action, `demo-logins` prints the command that rotates in a fresh key, and
that command (`jiceng api-key rotate NAME`) prints a key that works."""

import re
import shlex
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from jiceng.accounts.choices import Role
from jiceng.api import actions
from jiceng.api.choices import Use
from jiceng.api.models import ExternalSystem
from jiceng.jurisdictions.actions import create_jurisdiction
from jiceng.jurisdictions.choices import Kind, Level
from jiceng.web.demo import DEMO_SYSTEM, NANKAI, seed_demo


@pytest.fixture
def demo(cast):
    """The demo on the cast's tree (it has the demo's codes for 和平区 and its streets)."""
    create_jurisdiction(
        code=NANKAI, name="南开区", level=Level.DISTRICT, kind=Kind.DISTRICT, parent=cast.city
    )
    seed_demo()
    return ExternalSystem.objects.get(name=DEMO_SYSTEM)


def run(argv: list[str]) -> str:
    """A printed `jiceng …` command line, run the way jiceng.cli maps it (hyphens to
    underscores), in this process; its stdout."""
    out = StringIO()
    call_command(argv[1].replace("-", "_"), *argv[2:], stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    return client


def test_seed_demo_makes_the_12345_centre_of_the_demo_district_once(demo, cast):
    seed_demo()
    assert ExternalSystem.objects.filter(name=DEMO_SYSTEM).count() == 1
    assert demo.area == cast.district and demo.active
    assert demo.user.role == Role.EXTERNAL_SYSTEM and demo.user.jurisdiction == cast.district
    assert set(demo.use_list()) == set(Use.values)
    assert not demo.user.has_usable_password()  # a service user never signs in


def test_the_command_that_demo_logins_prints_gives_a_working_key(demo, cast):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    printed = out.getvalue()
    assert DEMO_SYSTEM in printed and 'curl -H "X-Api-Key: $KEY"' in printed
    command = re.search(r"KEY=\$\((.+)\)", printed).group(1)
    argv = shlex.split(command)
    assert argv[1:3] == ["api-key", "rotate"]
    key = run(argv)
    assert key.startswith("jck_") and "\n" not in key  # only the key: KEY=$(…) takes it
    response = with_key(key).get("/api/v1/jurisdictions/", {"code": cast.district.code})
    assert response.status_code == 200 and response.json()["results"][0]["name"] == "和平区"
    assert with_key(run(argv)).get("/api/v1/cases/").status_code == 200
    assert with_key(key).get("/api/v1/cases/").status_code == 401  # the old key stops


def test_the_demo_system_sees_its_district_but_not_the_neighbouring_one(demo):
    key = actions.rotate_key(demo)
    listed = with_key(key).get("/api/v1/jurisdictions/", {"level": "district"}).json()
    assert [row["code"] for row in listed["results"]] == ["120101000000"]
    assert with_key(key).get(f"/api/v1/jurisdictions/{NANKAI}/").status_code == 404


def test_api_key_lists_the_systems_and_refuses_unknown_or_revoked_ones(cast, centre):
    system, _key = centre
    out = StringIO()
    call_command("api_key", "list", stdout=out)
    assert f"{system.name}\t劝业场街道\t{system.prefix}…" in out.getvalue()
    with pytest.raises(CommandError, match="没有名为"):
        call_command("api_key", "rotate", "没有这个系统", stdout=StringIO())
    call_command("api_key", "revoke", system.name, stdout=StringIO())
    with pytest.raises(CommandError, match="已撤销"):
        call_command("api_key", "rotate", system.name, stdout=StringIO())
