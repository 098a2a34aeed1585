"""The questions a service asks beyond the description (the spec's service definition).

Every service asks for a free-text detail; a service whose category is not an emergency by
nature lets the caller say how urgent it is; a component (部件: manhole covers, street
lamps…) asks for the number painted on it, which finds the asset in the component census.
"""

from __future__ import annotations

from dataclasses import dataclass

from jiceng.cases.choices import CategoryKind, Urgency
from jiceng.cases.models import Category


@dataclass(frozen=True)
class Attribute:
    """One question of a service definition, in the spec's terms."""

    code: str
    datatype: str  # string | number | datetime | text | singlevaluelist | multivaluelist
    description: str
    datatype_description: str = ""
    required: bool = False
    values: tuple[tuple[str, str], ...] = ()

    def as_spec(self, order: int) -> dict:
        return {
            "variable": True,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": self.datatype_description or None,
            "order": order,
            "description": self.description,
            "values": [{"key": key, "name": name} for key, name in self.values],
        }


URGENCY = Attribute(
    code="urgency",
    datatype="singlevaluelist",
    description="紧急程度",
    datatype_description="不填按事项类别的默认紧急程度办理",
    values=tuple((str(u.value), str(u.label)) for u in Urgency),
)
DETAIL = Attribute(
    code="detail",
    datatype="text",
    description="补充说明：具体位置（楼号、单元、路口）、持续时间、影响范围",
)
COMPONENT_ID = Attribute(
    code="component_id",
    datatype="string",
    description="部件编号：井盖、路灯、消防栓等设施上喷涂或挂牌的编号",
    datatype_description="最多 40 个字符",
)


def attributes_of(category: Category) -> list[Attribute]:
    """The questions for one 小类, in the order they are asked."""
    found = [] if category.urgency == Urgency.EMERGENCY else [URGENCY]
    found.append(DETAIL)
    if category.kind == CategoryKind.COMPONENT:
        found.append(COMPONENT_ID)
    return found


def definition(category: Category) -> dict:
    """The spec's service definition of a 小类."""
    rows = [a.as_spec(order) for order, a in enumerate(attributes_of(category), start=1)]
    return {"service_code": category.code, "attributes": rows}


def clean_attributes(category: Category, given: dict[str, str]) -> tuple[dict, list[str]]:
    """(the values of the service's own attributes, the problems found). Codes the
    service does not ask are ignored: clients such as FixMyStreet send their own extras."""
    values, problems = {}, []
    for attribute in attributes_of(category):
        value = given.get(attribute.code, "").strip()
        if not value:
            if attribute.required:
                problems.append(f"attribute[{attribute.code}]（{attribute.description}）必填")
            continue
        problem = _problem(attribute, value)
        if problem:
            problems.append(problem)
        else:
            values[attribute.code] = value
    return values, problems


def _problem(attribute: Attribute, value: str) -> str:
    keys = [key for key, _ in attribute.values]
    if keys and value not in keys:
        allowed = "、".join(keys)
        return f"attribute[{attribute.code}] 的值“{value}”无效，可选：{allowed}"
    if attribute.code == "component_id" and len(value) > 40:
        return "attribute[component_id]（部件编号）最多 40 个字符"
    if attribute.code == "detail" and len(value) > 1000:
        return "attribute[detail]（补充说明）最多 1000 个字符"
    return ""
