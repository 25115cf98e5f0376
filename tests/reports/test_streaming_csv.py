"""The CSV written in parts (ReportStream): the same bytes as the built report's, with
only a few audits in memory at a time; the download is streamed."""

from __future__ import annotations

import datetime
from urllib.parse import unquote

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import Audit, User
from findings.models import StatusBasis
from reports.builder import Selection, build_report, stream_report
from reports.csv_export import csv_chunks, render_csv


@pytest.mark.parametrize(
    "selection",
    [Selection(), Selection(as_of=datetime.date(2021, 9, 30)), Selection(open_only=True)],
)
@pytest.mark.parametrize("batch", [1, 3, 10_000])
def test_a_csv_in_parts_is_the_built_reports_csv_byte_for_byte(seed_report_user, selection, batch):
    whole = render_csv(build_report(seed_report_user, selection))

    stream = stream_report(seed_report_user, selection, batch=batch)

    assert b"".join(csv_chunks(stream.parts())) == whole


def test_a_large_audit_is_read_a_few_families_at_a_time(seed_report_user, seed_audit):
    stream = stream_report(seed_report_user, Selection(audit_id=seed_audit.pk), batch=3)

    parts = list(stream.parts())

    assert len(parts) > 3
    for part in parts:
        assert [audit.audit_id for audit in part] == [seed_audit.pk]
        rows = [row for audit in part for _, _, row in audit.rows()]
        assert 0 < len(rows) <= 3 or any(row.is_container for row in rows)


def test_small_audits_share_a_part(seed_report_user):
    stream = stream_report(seed_report_user, Selection(), batch=10_000)

    parts = [[audit.audit_id for audit in part] for part in stream.parts()]

    assert len(parts) == 1
    assert len(parts[0]) == Audit.objects.count()


def test_a_staff_members_stream_holds_only_their_departments_findings(
    ict_staff, finding, jinji_finding
):
    stream = stream_report(ict_staff, Selection())
    data = b"".join(csv_chunks(stream.parts())).decode("utf-8-sig")

    assert stream.has_rows
    assert finding.title in data
    assert jinji_finding.title not in data


def test_the_csv_download_is_streamed_with_its_file_name(client, manager, finding):
    client.force_login(manager)
    response = client.get(reverse("report_export", args=["csv"]), {"audit": finding.audit_id})

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    name = unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name == "措置状況_令和2年度_行政監査.csv"
    data = response.getvalue()
    report = build_report(User.objects.get(pk=manager.pk), Selection(audit_id=finding.audit_id))
    assert data == render_csv(report)


def test_a_csv_of_nothing_is_refused_before_streaming(client, jinji_staff, finding):
    client.force_login(jinji_staff)
    response = client.get(reverse("report_export", args=["csv"]), {"audit": finding.audit_id})

    assert response.status_code == 400
    assert "Content-Disposition" not in response


# Per part: 1 its findings (on the working basis without status subqueries: the status
# is its latest entry), 2 their entries, 3 department links, 4 transfers by
# reorganisations, 5 further viewpoints; its audits: 6 the audits, 7 kinds, 8 sections,
# 9 finding kinds, 10 key risks, 11 viewpoints, 12 audited departments, 13 systems.
QUERIES_PER_PART = 13


@pytest.mark.parametrize("count", [1, 30])
def test_a_csv_part_costs_the_same_queries_for_1_finding_and_for_a_large_audits_10(
    manager, make_finding, make_entry, count
):
    for i in range(count):
        made = make_finding(label=f"({i + 1})", title=f"指摘{i}", viewpoint=None)
        make_entry(made, review=None)  # waiting for review: shown on the working basis
    selection = Selection(fiscal_year=2020, basis=StatusBasis.SUBMITTED)
    stream = stream_report(manager, selection, batch=10)

    with CaptureQueriesContext(connection) as queries:
        data = b"".join(csv_chunks(stream.parts()))

    parts = -(-count // 10)  # the audit of 30 is read 10 findings at a time
    assert len(queries) == QUERIES_PER_PART * parts
    assert data == render_csv(build_report(manager, selection))
    assert data.decode("utf-8-sig").count("継続努力") == count
