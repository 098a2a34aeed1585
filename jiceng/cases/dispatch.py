"""Finding who must handle a case: the responsibility list (权责清单) and skip-level rules."""

from __future__ import annotations

from dataclasses import dataclass

from jiceng.jurisdictions.models import SEGMENT, Department, Jurisdiction

from . import policy
from .choices import Handler, ResolvedLevel
from .models import Case, Responsibility, SkipLevelRule


@dataclass(frozen=True)
class Target:
    """The unit a case goes to: a jurisdiction (community or subdistrict) or a department."""

    jurisdiction: Jurisdiction | None = None
    department: Department | None = None
    rule: Responsibility | None = None

    @property
    def level(self) -> str:
        if self.department is not None:
            home = self.department.jurisdiction
            return ResolvedLevel.CITY if home.depth == 0 else ResolvedLevel.DISTRICT
        if self.jurisdiction is not None and self.jurisdiction.level == "subdistrict":
            return ResolvedLevel.SUBDISTRICT
        return ResolvedLevel.COMMUNITY


def ancestor_codes(path: str) -> list[str]:
    """Codes in a path, deepest first (the order in which rules are most specific)."""
    return [path[i : i + SEGMENT] for i in range(len(path) - SEGMENT, -1, -SEGMENT)]


def _categories(case: Case) -> list[int]:
    """The case's 小类 and then its 大类: a rule for the 小类 is the more specific."""
    parent = case.category.parent_id
    return [case.category_id] + ([parent] if parent else [])


def find_rule(case: Case) -> Responsibility | None:
    """The most specific rule: the deepest jurisdiction on the case's path, and at equal
    depth a rule for the 小类 before one for its 大类."""
    if not case.path:
        return None
    rules = policy.current().rules
    categories = _categories(case)
    for code in ancestor_codes(case.path):
        for category_id in categories:
            rule = rules.get((category_id, code))
            if rule is not None:
                return rule
    return None


def target_of(case: Case, rule: Responsibility) -> Target:
    if rule.handler == Handler.DEPARTMENT:
        return Target(department=rule.department, rule=rule)
    if rule.handler == Handler.SUBDISTRICT:
        return Target(jurisdiction=case.subdistrict, rule=rule)
    return Target(jurisdiction=case.community, rule=rule)


def find_target(case: Case) -> Target | None:
    rule = find_rule(case)
    return target_of(case, rule) if rule else None


def skip_level_rule(case: Case) -> SkipLevelRule | None:
    skip = policy.current().skip
    for category_id in _categories(case):
        rule = skip.get((category_id, case.urgency))
        if rule is not None:
            return rule
    return None


def district_department(case: Case, kind: str) -> Department | None:
    """The case's district department of a kind (城管, 应急…), else the city's."""
    current = policy.current()
    found = current.departments.get((case.district_id, kind)) if case.district_id else None
    return found or current.city_departments.get(kind)


def escalation_target(case: Case) -> Target | None:
    """One level up: community → its subdistrict; subdistrict → the responsible district
    department (by the rule at district level, else the category's urban-management
    default); a department has nowhere further to go inside jiceng."""
    if case.assigned_department_id:
        return None
    unit = case.assigned_jurisdiction
    if unit is not None and unit.level == "community" and case.subdistrict:
        return Target(jurisdiction=case.subdistrict)
    rule = _district_rule(case)
    if rule is not None and rule.department is not None:
        return Target(department=rule.department, rule=rule)
    department = district_department(case, "urban_management")
    return Target(department=department) if department else None


def _district_rule(case: Case) -> Responsibility | None:
    """A department rule for the case's category at its district, else at the city."""
    if len(case.path) < 2 * SEGMENT:
        return None
    rules = policy.current().rules
    for code in (case.path[SEGMENT : 2 * SEGMENT], case.path[:SEGMENT]):
        for category_id in _categories(case):
            rule = rules.get((category_id, code))
            if rule is not None and rule.handler == Handler.DEPARTMENT:
                return rule
    return None
