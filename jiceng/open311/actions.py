"""POST requests: a resident's request relayed by an external system becomes a case
through the case intake action, placed and checked against the system's area first."""

from __future__ import annotations

from dataclasses import dataclass, replace

from jiceng.accounts.scope import scope_for
from jiceng.cases import actions as case_actions
from jiceng.cases.actions import Place, place_of
from jiceng.cases.models import Case, Category
from jiceng.jurisdictions.choices import GridKind, Level
from jiceng.jurisdictions.models import Grid, Jurisdiction

from .attributes import DETAIL


class Refused(Exception):
    """A request that cannot be taken (400): the message names what is wrong."""


@dataclass(frozen=True)
class Submission:
    """A POST requests body, checked by forms.SubmissionForm."""

    category: Category
    description: str
    lat: float | None
    lng: float | None
    address_string: str
    address_id: str
    caller_name: str
    caller_phone: str
    media_url: str
    account_id: str
    attributes: dict[str, str]


def submit_request(submission: Submission, *, acting_user) -> Case:
    """Place the request, check it lies in the system's area and relay it as a resident
    request; the caller's name and phone become the case's (masked) caller fields."""
    place = place_for(submission, acting_user)
    attrs = submission.attributes
    receipt = {"channel": "open311", "attributes": attrs}
    if submission.media_url:
        receipt["media_url"] = submission.media_url
    return case_actions.relay_resident_request(
        acting_user=acting_user,
        category=submission.category,
        description=_description(submission),
        place=place,
        address=submission.address_string[:200],
        caller_name=submission.caller_name[:50],
        caller_phone=submission.caller_phone[:20],
        urgency=attrs.get("urgency"),
        receipt=receipt,
    )


def _description(s: Submission) -> str:
    """The description, the detail attribute after it; a request with neither is named
    by its service, as a 12345 operator would write it down."""
    parts = [s.description.strip()]
    if s.attributes.get("detail"):
        parts.append(f"{DETAIL.description.split('：')[0]}：{s.attributes['detail']}")
    if s.attributes.get("component_id"):
        parts.append(f"部件编号：{s.attributes['component_id']}")
    return "\n".join(p for p in parts if p) or s.category.name


def place_for(s: Submission, user) -> Place:
    """The point (lat/long), else the grid or community named by address_id, else the
    system's own street or community for a bare address_string."""
    if s.lat is not None and s.lng is not None:
        place = place_of(s.lng, s.lat)
        if place.grid_id is None:
            raise Refused(f"位置（lat={s.lat}, long={s.lng}）不在本市任何网格内")
    elif s.address_id:
        place = _place_of_code(s.address_id)
    else:
        place = _place_of_area(user)
    if not _inside(place, user):
        raise Refused("该位置不在本接口密钥的服务区域内")
    return place


def _place_of_code(code: str) -> Place:
    grid = Grid.objects.filter(code=code, kind=GridKind.GENERAL).select_related("community")
    grid = grid.only("id", "community__code").first()
    if grid is not None:
        return replace(place_of(None, None, hint=grid.community.code), grid_id=grid.pk)
    levels = [Level.COMMUNITY, Level.SUBDISTRICT]
    if Jurisdiction.objects.filter(code=code, level__in=levels).exists():
        return place_of(None, None, hint=code)
    raise Refused(f"address_id“{code}”不是本市的网格、社区或街道编码")


def _place_of_area(user) -> Place:
    area = user.jurisdiction
    if area is None or area.level not in (Level.COMMUNITY, Level.SUBDISTRICT):
        raise Refused(
            "仅凭 address_string 无法定位：请同时提供经纬度（lat、long）"
            "或 address_id（网格、社区或街道编码）"
        )
    return place_of(None, None, hint=area.code)


def _inside(place: Place, user) -> bool:
    scope = scope_for(user)
    if scope.everything:
        return True
    return bool(scope.path and place.path.startswith(scope.path))
