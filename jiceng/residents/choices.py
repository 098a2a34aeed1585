"""The words a resident and the public see for a case's life: five plain progress steps
instead of the eleven internal states, and the timeline rows that may be shown publicly."""

from django.utils.translation import gettext_lazy as _

from jiceng.cases.choices import Status

PROGRESS = [_("已受理"), _("已派单"), _("办理中"), _("已办结"), _("已评价")]

# How far along each status is, as an index into PROGRESS. A returned case waits to be
# dispatched again; a parked one is still being handled (just not on the clock).
STEP_OF_STATUS = {
    Status.RECEIVED: 0,
    Status.RETURNED: 0,
    Status.MERGED: 0,  # shown with the progress of the case it joined, when known
    Status.DISPATCHED: 1,
    Status.ACCEPTED: 2,
    Status.IN_PROGRESS: 2,
    Status.REPLIED: 2,
    Status.VERIFIED: 2,
    Status.PARKED: 2,
    Status.CLOSED: 3,
    Status.FOLLOWED_UP: 4,
}

# Timeline rows the public may see, in public words. Everything else (urging, supervision,
# whistles, warnings, internal requests) stays inside; notes and actors are never shown.
PUBLIC_STEPS = {
    "receive": _("诉求已受理"),
    "queue": _("等待人工派单"),
    "self_resolve": _("网格员现场解决"),
    "dispatch": _("已派单"),
    "overrule": _("重新派单"),
    "escalate": _("转上级单位办理"),
    "return": _("承办单位申请改派"),
    "accept": _("承办单位已签收"),
    "start": _("开始办理"),
    "approve_extension": _("延长办理时限"),
    "approve_park": _("暂缓办理"),
    "resume": _("恢复办理"),
    "reply": _("承办单位已反馈"),
    "verify": _("现场核查通过"),
    "reject": _("现场核查未通过，继续办理"),
    "close": _("已办结"),
    "follow_up": _("已回访"),
    "rate": _("群众已评价"),
    "reopen": _("重新办理"),
    "merge": _("与同一问题的诉求合并办理"),
}

# Rows done by the unit the case is assigned to: the public sees that unit's name.
UNIT_STEPS = {"dispatch", "overrule", "escalate", "return", "accept", "start", "reply", "reopen"}
