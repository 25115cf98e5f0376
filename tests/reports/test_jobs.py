"""Report downloads made in the background (reports.jobs): the service, the task and
the pages around it."""

from __future__ import annotations

import datetime
from urllib.parse import unquote

import pytest
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils import timezone

from accounts import security_log
from history.models import LogEntry
from reports import jobs
from reports.forms import ReportSelectionForm
from reports.jobs import run_export_job
from reports.models import ExportJob, ExportState

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def small_thresholds(settings):
    """Two findings are "large": the background path without building a large report."""
    settings.EXPORT_IN_BACKGROUND_FROM = {"pdf": 2, "xlsx": 2, "table": 2, "csv": 2}
    settings.TASKS = IMMEDIATE


@pytest.fixture
def two_findings(make_finding):
    return [make_finding(), make_finding(label="②", title="鍵の管理について")]


def _job(user, fmt: str, audit_id: int) -> ExportJob:
    query = f"audit={audit_id}"
    form = ReportSelectionForm(QueryDict(query), user=user)
    assert form.is_valid()
    return jobs.start_export(user, fmt, form, query)


def test_a_large_export_lands_on_the_job_page_and_runs_on_the_queue(
    client, manager, two_findings, small_thresholds, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            reverse("report_export", args=["csv"]), {"audit": two_findings[0].audit_id}
        )

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("download_detail", args=[job.pk])
    assert (job.user, job.format, job.state) == (manager, "csv", ExportState.DONE)
    assert (job.done, job.total) == (2, 2)
    assert job.file.read().startswith("\ufeff".encode())
    assert job.expires_at is not None and job.finished_at is not None
    assert job.expires_at - job.finished_at == datetime.timedelta(days=7)


def test_a_small_export_is_still_sent_at_once(client, manager, finding, small_thresholds):
    client.force_login(manager)
    response = client.get(reverse("report_export", args=["csv"]), {"audit": finding.audit_id})

    assert response.status_code == 200
    assert not ExportJob.objects.exists()


def test_the_task_makes_the_pdf_and_the_page_shows_progress_then_the_link(
    client, ict_staff, two_findings
):
    job = _job(ict_staff, "pdf", two_findings[0].audit_id)
    client.force_login(ict_staff)
    waiting = client.get(reverse("download_detail", args=[job.pk]))
    assert "待機中" in waiting.content.decode()
    assert 'hx-trigger="every 2s"' in waiting.content.decode()

    assert run_export_job.call(job.pk) == "done"

    job.refresh_from_db()
    assert (job.state, job.done, job.total) == (ExportState.DONE, 2, 2)
    assert job.file.read().startswith(b"%PDF-")
    polled = client.get(reverse("download_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = polled.content.decode()
    assert "hx-trigger" not in html  # finished: polling stops
    assert "2 / 2 件" in html and 'aria-label="作成の進み具合"' in html
    assert reverse("download_file", args=[job.pk]) in html


def test_the_owner_downloads_the_file_and_the_download_is_logged(client, ict_staff, two_findings):
    job = _job(ict_staff, "xlsx", two_findings[0].audit_id)
    jobs.run_export(job.pk)
    client.force_login(ict_staff)

    response = client.get(reverse("download_file", args=[job.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert unquote(response["Content-Disposition"]).endswith("措置状況_令和2年度_行政監査.xlsx")
    logged = LogEntry.objects.get(activity=security_log.REPORT_DOWNLOADED)
    assert logged.actor == ict_staff
    assert job.filename in logged.additional_data["summary"]


def test_another_users_job_is_not_found_anywhere(client, ict_staff, jinji_staff, manager, finding):
    job = jobs.run_export(_job(ict_staff, "csv", finding.audit_id).pk)
    assert job.filename
    for other in (jinji_staff, manager):
        client.force_login(other)
        for name in ("download_detail", "download_file"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404
        listed = client.get(reverse("download_list")).content.decode()
        assert job.filename not in listed
        assert reverse("download_detail", args=[job.pk]) not in listed
        with pytest.raises(Http404):
            jobs.job_for_user(other, job.pk)


def test_the_download_is_refused_once_the_user_may_no_longer_see_the_audit(
    client, ict_staff, finding
):
    job = _job(ict_staff, "csv", finding.audit_id)
    jobs.run_export(job.pk)
    # Transferred away: the membership ended, so the audit is no longer theirs to read.
    ict_staff.memberships.update(valid_to=datetime.date(2001, 3, 31))
    client.force_login(ict_staff)

    assert client.get(reverse("download_file", args=[job.pk])).status_code == 404


def test_a_job_with_nothing_left_to_export_fails_with_a_reason(client, ict_staff, finding):
    job = _job(ict_staff, "pdf", finding.audit_id)
    ExportJob.objects.filter(pk=job.pk).update(query="audit=999999")

    jobs.run_export(job.pk)

    job.refresh_from_db()
    assert job.state == ExportState.FAILED
    assert job.error == jobs.NOT_READABLE
    client.force_login(ict_staff)
    assert jobs.NOT_READABLE in client.get(reverse("download_list")).content.decode()


def test_an_unexpected_error_fails_the_job_in_japanese(ict_staff, finding, monkeypatch):
    job = _job(ict_staff, "pdf", finding.audit_id)

    def broken(*args, **kwargs):
        raise RuntimeError("weasyprint exploded")

    monkeypatch.setattr("reports.pdf.render_pdf", broken)
    jobs.run_export(job.pk)

    job.refresh_from_db()
    assert (job.state, job.error) == (ExportState.FAILED, jobs.UNEXPECTED)
    assert job.finished_at is not None


def test_a_job_run_twice_makes_one_file(ict_staff, finding):
    job = _job(ict_staff, "csv", finding.audit_id)
    jobs.run_export(job.pk)
    name = ExportJob.objects.get(pk=job.pk).file.name

    jobs.run_export(job.pk)

    assert ExportJob.objects.get(pk=job.pk).file.name == name


def test_expired_files_are_deleted(ict_staff, finding):
    job = _job(ict_staff, "csv", finding.audit_id)
    jobs.run_export(job.pk)
    job.refresh_from_db()
    storage, name = job.file.storage, job.file.name
    assert name is not None and storage.exists(name)

    assert jobs.delete_expired(timezone.now() + datetime.timedelta(days=6)) == 0
    assert jobs.delete_expired(timezone.now() + datetime.timedelta(days=8)) == 1

    assert not storage.exists(name)
    assert not ExportJob.objects.exists()


def test_a_user_without_a_role_has_no_download_pages(client, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x")
    client.force_login(nobody)

    assert client.get(reverse("download_list")).status_code == 404


def test_a_file_removed_from_the_folder_is_not_found_not_an_error(client, ict_staff, finding):
    job = jobs.run_export(_job(ict_staff, "csv", finding.audit_id).pk)
    job.file.storage.delete(job.file.name or "")
    client.force_login(ict_staff)

    assert client.get(reverse("download_file", args=[job.pk])).status_code == 404


def test_my_downloads_takes_as_many_queries_for_one_job_as_for_many(client, ict_staff, finding):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(ict_staff)
    counts = []
    for _ in range(2):
        jobs.run_export(_job(ict_staff, "csv", finding.audit_id).pk)
        _job(ict_staff, "pdf", finding.audit_id)
        client.get(reverse("download_list"))  # the session and role, loaded once
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("download_list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_failed_jobs_page_says_why_and_stops_asking(client, ict_staff, finding):
    job = _job(ict_staff, "pdf", finding.audit_id)
    ExportJob.objects.filter(pk=job.pk).update(query="audit=999999")
    jobs.run_export(job.pk)

    client.force_login(ict_staff)
    html = client.get(reverse("download_detail", args=[job.pk])).content.decode()

    assert "ファイルを作成できませんでした" in html
    assert jobs.NOT_READABLE in html
    assert 'role="alert"' in html
    assert "hx-trigger" not in html  # finished: the page no longer polls


def _progress_written(monkeypatch) -> list[tuple[int, int]]:
    written: list[tuple[int, int]] = []
    real = jobs._set_progress

    def record(job, done, total):
        written.append((done, total))
        real(job, done, total)

    monkeypatch.setattr(jobs, "_set_progress", record)
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)
    return written


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_pdf_and_excel_progress_steps_between_none_and_all(
    fmt, ict_staff, make_finding, monkeypatch
):
    findings = [make_finding(label=label, title=f"指摘{label}") for label in "①②③④⑤⑥⑦⑧"]
    monkeypatch.setattr("reports.excel.PROGRESS_EVERY", 1)
    written = _progress_written(monkeypatch)
    job = _job(ict_staff, fmt, findings[0].audit_id)

    jobs.run_export(job.pk)

    job.refresh_from_db()
    assert job.state == ExportState.DONE
    done = [d for d, _ in written]
    assert done[0] == 0 and done[-1] == len(findings)
    assert any(0 < d < len(findings) for d in done), written
    assert done == sorted(done)


def test_progress_is_written_at_most_once_an_interval_and_never_back(
    ict_staff, finding, monkeypatch
):
    written = _progress_written(monkeypatch)
    job = _job(ict_staff, "pdf", finding.audit_id)
    tell = jobs.progress_writer(job, 100)

    tell(0.5)
    tell(0.2)  # behind what is written: ignored
    tell(0.5)
    assert written == [(50, 100)]
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 3600)
    tell(0.9)  # too soon after the last write
    assert written == [(50, 100)]
