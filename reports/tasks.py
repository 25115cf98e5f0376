"""Background tasks (django-tasks): run by `manage.py db_worker` from the database queue."""

from __future__ import annotations

from django_tasks import task

from reports.jobs import delete_expired, run_export


@task()
def run_export_job(job_pk: int) -> str:
    """Make the file of one export job, then delete the files past their expiry (the
    worker is the one place that runs anyway; cron may also call
    `manage.py delete_expired_exports`). Returns the job's state."""
    job = run_export(job_pk)
    delete_expired()
    return str(job.state)
