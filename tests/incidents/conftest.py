"""Small factories for the incident register's tests."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from audits.models import Department, User
from incidents.models import Incident, IncidentType
from incidents.services import IncidentFields, report_incident


@pytest.fixture
def incident_types(db) -> dict[str, IncidentType]:
    return {t.name: t for t in IncidentType.objects.all()}


def incident_fields(
    department: Department, incident_type: IncidentType, **overrides: object
) -> IncidentFields:
    fields = IncidentFields(
        title="申請書の誤送付",
        incident_type=incident_type,
        department=department,
        reported_on=datetime.date(2014, 8, 7),
        occurred_from=datetime.date(2014, 8, 1),
        occurred_to=None,
        record_count=2352,
        record_unit="件",
        confidentiality=False,
        integrity=True,
        availability=False,
        summary="非対象者に申請書を送付した。",
        note="",
        cause="抽出条件の誤り。",
        press_release_on=datetime.date(2014, 8, 7),
        citizen_response="お詫びの文書を送付した。",
    )
    fields.update(overrides)  # type: ignore[typeddict-item]
    return fields


@pytest.fixture
def make_incident(
    ict: Department, incident_types: dict[str, IncidentType], auditor: User
) -> Callable[..., Incident]:
    def make(
        measures: tuple[str, ...] = ("テスト結果の確認作業を徹底する。",),
        user: User | None = None,
        **overrides: object,
    ) -> Incident:
        department = overrides.pop("department", ict)
        incident_type = overrides.pop("incident_type", incident_types["プログラムミス"])
        return report_incident(
            user=user or auditor,
            measures=list(measures),
            **incident_fields(department, incident_type, **overrides),  # type: ignore[arg-type]
        )

    return make
