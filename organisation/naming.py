"""Departments as they were on a day: the one place that answers "what was this
department called then, and which department was this finding addressed to then".

A report of 令和2年度 prints the names true at the end of that year, a report as of
today the names of today. Two queries whatever the number of departments: the
departments, then their past names; a third for the findings moved by reorganisations.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from audits.models import Department
from organisation.models import DepartmentName, FindingTransfer


def fiscal_year_end(fiscal_year: int) -> datetime.date:
    """The last day of a 年度: 令和2年度 (2020) → 2021-03-31."""
    return datetime.date(fiscal_year + 1, 3, 31)


def naming_date(
    as_of: datetime.date | None, fiscal_year: int | None, today: datetime.date | None = None
) -> datetime.date:
    """The day whose names a report prints: its 基準日, else the end of its 年度 (not
    later than today), else today."""
    today = today or timezone.localdate()
    if as_of is not None:
        return as_of
    if fiscal_year is not None:
        return min(today, fiscal_year_end(fiscal_year))
    return today


def departments_as_of(day: datetime.date) -> dict[int, Department]:
    """Every department by id, named (and placed under the 部局) as on `day`. The objects
    are unsaved copies for printing only."""
    current = list(Department.objects.all())
    past: dict[int, list[DepartmentName]] = defaultdict(list)
    for row in DepartmentName.objects.filter(valid_to__gte=day).order_by("valid_to", "id"):
        past[row.department_id].append(row)
    then: dict[int, tuple[str, int | None]] = {}
    for dept in current:
        name, parent_id = dept.name, dept.parent_id
        for row in past.get(dept.pk, ()):
            if row.valid_from is None or row.valid_from <= day:
                name, parent_id = row.name, row.parent_id
                break
        then[dept.pk] = (name, parent_id)
    copies = {
        dept.pk: Department(
            pk=dept.pk,
            code=dept.code,
            name=then[dept.pk][0],
            sort_order=dept.sort_order,
            is_active=dept.is_active,
            successor_id=dept.successor_id,
        )
        for dept in current
    }
    for pk, (_, parent_id) in then.items():
        copies[pk].parent = copies.get(parent_id) if parent_id is not None else None
    return copies


def departments_of_findings_as_of(
    links: dict[int, list[int]], of_findings: Q, day: datetime.date
) -> dict[int, list[int]]:
    """`links` (finding id → department ids today) turned back to `day`: every transfer
    after that day is undone, newest first. `of_findings` names the findings
    (a condition on finding_id)."""
    later = FindingTransfer.objects.filter(of_findings, effective_date__gt=day).order_by(
        "-effective_date", "-id"
    )
    result = {finding_id: list(ids) for finding_id, ids in links.items()}
    for finding_id, from_id, to_id, added in later.values_list(
        "finding_id", "from_department_id", "to_department_id", "added_target"
    ):
        ids = result.setdefault(finding_id, [])
        if added and to_id in ids:
            ids.remove(to_id)
        if from_id not in ids:
            ids.append(from_id)
    return result


def names_as_of(day: datetime.date, departments: Iterable[Department]) -> dict[int, str]:
    """The plain names (課 names, without the 部局) `departments` had on `day`, for pages
    that print them from departments already loaded: one query."""
    names = {d.pk: d.name for d in departments}
    past = DepartmentName.objects.filter(department_id__in=list(names), valid_to__gte=day).order_by(
        "valid_to", "id"
    )
    done: set[int] = set()
    for row in past:
        if row.department_id not in done and (row.valid_from is None or row.valid_from <= day):
            names[row.department_id] = row.name
            done.add(row.department_id)
    return names
