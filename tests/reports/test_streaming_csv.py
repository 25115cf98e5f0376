"""The CSV written in parts (ReportStream): the same bytes as the built report's, with
only a few audits in memory at a time; the download is streamed."""

from __future__ import annotations

import datetime
from urllib.parse import unquote

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from audits.models import Audit, User
from reports.builder import Selection, build_report, stream_report
from reports.csv_export import csv_chunks, render_csv


@pytest.mark.parametrize("as_of", [None, datetime.date(2021, 9, 30)])
def test_a_csv_in_parts_of_one_audit_is_the_built_reports_csv_byte_for_byte(
    seed_report_user, as_of
):
    selection = Selection(as_of=as_of)
    whole = render_csv(build_report(seed_report_user, selection))

    stream = stream_report(seed_report_user, selection, batch=1)

    assert b"".join(csv_chunks(stream.parts())) == whole
    assert len(list(stream.parts())) == Audit.objects.count()  # one audit per part


def test_each_part_holds_only_its_audits(seed_report_user):
    stream = stream_report(seed_report_user, Selection(), batch=1)

    ids = [[audit.audit_id for audit in part] for part in stream.parts()]

    assert all(len(part) == 1 for part in ids)
    assert len({i for part in ids for i in part}) == len(ids)


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
