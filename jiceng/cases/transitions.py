"""The lifecycle as data: which action moves a case from which states to which, and who
may take it. Views show exactly the buttons this table allows; actions refuse the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .choices import DONE_STATUSES, OPEN_STATUSES, Status

# Relations a user can have to a case (computed in roles.py).
DISPATCHER = "dispatcher"  # the case's subdistrict dispatcher, or a leader above it
SUBDISTRICT = "subdistrict"  # the case's subdistrict dispatcher only (吹哨, 下考上)
HANDLER = "handler"  # a member of the unit the case is assigned to
VERIFIER = "verifier"  # the grid worker of the case's grid (or its community staff)
SUPERVISOR = "supervisor"  # a district or city leader over the case
SUMMONED = "summoned"  # a clerk of a department whistled on this case
REQUESTER = "requester"  # the resident whose request it is: rates the result

WORKING = {Status.ACCEPTED, Status.IN_PROGRESS}
ACTIVE = OPEN_STATUSES | {Status.PARKED}


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str | None  # None: the status stays; the action only writes the timeline
    actors: frozenset[str]
    label: str


def _t(name, sources, target, actors, label) -> Transition:
    return Transition(name, frozenset(sources), target, frozenset(actors), label)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t(
            "dispatch",
            {Status.RECEIVED, Status.RETURNED},
            Status.DISPATCHED,
            {DISPATCHER},
            _("派单"),
        ),
        _t("accept", {Status.DISPATCHED}, Status.ACCEPTED, {HANDLER}, _("签收")),
        _t("start", {Status.ACCEPTED}, Status.IN_PROGRESS, {HANDLER}, _("开始办理")),
        _t("reply", WORKING, Status.REPLIED, {HANDLER}, _("反馈结果")),
        _t("verify", {Status.REPLIED}, Status.VERIFIED, {VERIFIER}, _("核查通过")),
        _t("reject", {Status.REPLIED}, Status.IN_PROGRESS, {VERIFIER}, _("核查不通过")),
        _t("close", {Status.VERIFIED}, Status.CLOSED, {DISPATCHER}, _("结案")),
        _t("follow_up", {Status.CLOSED}, Status.FOLLOWED_UP, {DISPATCHER}, _("回访")),
        _t("rate", {Status.CLOSED}, Status.FOLLOWED_UP, {REQUESTER}, _("评价")),
        _t("return", {Status.DISPATCHED, Status.ACCEPTED}, Status.RETURNED, {HANDLER}, _("退单")),
        _t("overrule", {Status.RETURNED}, Status.DISPATCHED, {DISPATCHER}, _("驳回退单")),
        _t("request_extension", WORKING, None, {HANDLER}, _("申请延期")),
        _t("approve_extension", WORKING, None, {DISPATCHER}, _("批准延期")),
        _t("request_park", WORKING, None, {HANDLER}, _("申请挂账")),
        _t("approve_park", WORKING, Status.PARKED, {DISPATCHER}, _("批准挂账")),
        _t("resume", {Status.PARKED}, Status.IN_PROGRESS, {DISPATCHER}, _("恢复办理")),
        _t("reopen", DONE_STATUSES, Status.DISPATCHED, {DISPATCHER}, _("重办")),
        _t(
            "merge",
            {Status.RECEIVED, Status.DISPATCHED, Status.RETURNED},
            Status.MERGED,
            {DISPATCHER},
            _("合并到原件"),
        ),
        _t(
            "escalate",
            {Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS, Status.RETURNED},
            Status.DISPATCHED,
            {HANDLER, DISPATCHER},
            _("上报上级"),
        ),
        _t("urge", ACTIVE - {Status.RECEIVED}, None, {DISPATCHER, SUPERVISOR}, _("催办")),
        _t("supervise", ACTIVE, None, {SUPERVISOR}, _("督办")),
        _t("whistle", ACTIVE, None, {SUBDISTRICT}, _("吹哨")),
        _t("report_in", ACTIVE | DONE_STATUSES, None, {SUMMONED}, _("报到")),
        _t("rate_department", DONE_STATUSES, None, {SUBDISTRICT}, _("评价部门")),
    ]
}


class CaseError(Exception):
    """A request about a case that cannot be carried out; `status` is the HTTP answer."""

    status = 400


class IllegalTransition(CaseError):
    """The action is not possible from the case's current state (HTTP 409)."""

    status = 409


class Conflict(CaseError):
    """Someone else changed the case first (HTTP 409)."""

    status = 409


class NotAllowed(CaseError):
    """The user has no part in this step of this case (HTTP 403)."""

    status = 403


def check(name: str, status: str, relations: set[str]) -> Transition:
    """Return the transition, or raise NotAllowed (the user has no part in this step)
    before IllegalTransition (the step is impossible now), so that an outsider learns
    nothing about the case's state."""
    t = TRANSITIONS[name]
    if not (t.actors & relations):
        raise NotAllowed(f"您无权对该事件执行“{t.label}”")
    if status not in t.sources:
        raise IllegalTransition(f"事件当前状态为“{Status(status).label}”，不能{t.label}")
    return t


def available(status: str, relations: set[str]) -> list[Transition]:
    """The actions this user may take now, in table order (the page's buttons)."""
    return [t for t in TRANSITIONS.values() if status in t.sources and t.actors & relations]
