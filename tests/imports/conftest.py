"""The seed fixtures of the report tests, shared with the import tests."""

from tests.reports.conftest import seed_audit, seed_report_user

__all__ = ["seed_audit", "seed_report_user"]
