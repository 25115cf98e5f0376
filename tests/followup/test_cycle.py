"""The follow-up cycle: a round asks, departments submit after a confirmation step,
the audit office accepts or returns, and only accepted entries count."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from findings.models import Finding, StatusBasis
from followup.progress import RoundState, finding_states, round_progress
from followup.services import open_round
from remediation.models import EntryReview, RemediationEntry, ReviewDecision
from remediation.services import EntryNotAllowed, ReviewNotAllowed, record_entry, review_entry
from reports.builder import Selection, build_report

BASE = datetime.date(2021, 9, 30)
DEADLINE = datetime.date(2021, 10, 15)


@pytest.fixture
def round_(audit, auditor, make_finding):
    make_finding(label="①", title="サーバ室")
    make_finding(label="②", title="持出し")
    return open_round(
        name="令和3年9月30日現在の照会",
        audit=audit,
        base_date=BASE,
        deadline=DEADLINE,
        user=auditor,
    )


def _submit(finding: Finding, user, statuses, status: str = "keizoku") -> RemediationEntry:
    return record_entry(
        finding,
        status=statuses[status],
        entry_date=datetime.date(2021, 9, 30),
        content="対応した。",
        user=user,
    )


def test_round_asks_about_open_findings_that_take_entries(round_, make_finding, audit):
    assert round_.findings.count() == 2


def test_round_needs_an_audit_or_fiscal_year_and_a_deadline_after_the_base_date(auditor):
    with pytest.raises(ValidationError) as info:
        open_round(name="照会", base_date=DEADLINE, deadline=BASE, user=auditor)
    assert set(info.value.message_dict) == {"audit", "deadline"}


def test_staff_cannot_open_a_round(ict_staff, audit):
    with pytest.raises(PermissionDenied):
        open_round(name="照会", audit=audit, base_date=BASE, deadline=DEADLINE, user=ict_staff)


def test_states_follow_submission_and_review(round_, ict_staff, statuses, auditor):
    first, second = round_.findings.order_by("sort_order")
    entry = _submit(first, ict_staff, statuses)
    assert finding_states(round_) == {
        first.pk: RoundState.SUBMITTED,
        second.pk: RoundState.UNREPORTED,
    }

    review_entry(
        entry, decision=ReviewDecision.RETURNED, reason="根拠を添えてください。", user=auditor
    )
    assert finding_states(round_)[first.pk] == RoundState.RETURNED

    again = _submit(first, ict_staff, statuses)
    review_entry(again, decision=ReviewDecision.ACCEPTED, user=auditor)
    assert finding_states(round_)[first.pk] == RoundState.ACCEPTED


def test_progress_counts_per_department_and_overdue_after_the_deadline(round_, ict_staff, statuses):
    first = round_.findings.order_by("sort_order").first()
    assert first is not None
    _submit(first, ict_staff, statuses)

    before = round_progress(round_, today=DEADLINE)
    after = round_progress(round_, today=DEADLINE + datetime.timedelta(days=1))

    assert [(d.department.code, d.counts) for d in before.departments] == [("ict", (1, 1, 0, 0))]
    assert [(d.department.code, d.counts) for d in after.departments] == [("ict", (1, 1, 0, 1))]


def test_claimed_sochizumi_closes_a_finding_only_once_accepted(
    make_finding, ict_staff, statuses, auditor
):
    finding = make_finding(label="③")
    entry = _submit(finding, ict_staff, statuses, "sochizumi")

    assert Finding.objects.with_status().open().filter(pk=finding.pk).exists()
    assert (
        not Finding.objects.with_status(basis=StatusBasis.SUBMITTED)
        .open()
        .filter(pk=finding.pk)
        .exists()
    )

    review_entry(entry, decision=ReviewDecision.ACCEPTED, user=auditor)
    assert not Finding.objects.with_status().open().filter(pk=finding.pk).exists()


def test_an_entry_is_reviewed_once(make_finding, ict_staff, statuses, auditor):
    entry = _submit(make_finding(label="④"), ict_staff, statuses)
    review_entry(entry, decision=ReviewDecision.ACCEPTED, user=auditor)

    with pytest.raises(ReviewNotAllowed):
        review_entry(entry, decision=ReviewDecision.RETURNED, reason="やはり差戻し", user=auditor)
    assert EntryReview.objects.filter(entry=entry).count() == 1


def test_a_return_needs_a_reason_and_staff_cannot_review(
    make_finding, ict_staff, statuses, auditor
):
    entry = _submit(make_finding(label="⑤"), ict_staff, statuses)
    with pytest.raises(ReviewNotAllowed):
        review_entry(entry, decision=ReviewDecision.RETURNED, reason="  ", user=auditor)
    with pytest.raises(PermissionDenied):
        review_entry(entry, decision=ReviewDecision.ACCEPTED, user=ict_staff)


def test_a_parent_of_sub_items_takes_no_entries_in_the_service(make_finding, ict_staff, statuses):
    parent = make_finding(label="⑥")
    make_finding(label="ア", parent=parent)
    with pytest.raises(EntryNotAllowed):
        _submit(parent, ict_staff, statuses)


def test_published_report_shows_accepted_entries_and_working_version_all(
    audit, make_finding, make_entry, manager
):
    finding = make_finding(label="⑦")
    make_entry(finding, "keizoku", content="受理された報告。")
    make_entry(
        finding,
        "sochizumi",
        day=datetime.date(2021, 10, 1),
        content="審査待ちの報告。",
        review=None,
    )
    make_entry(
        finding,
        "sochizumi",
        day=datetime.date(2021, 10, 2),
        content="差し戻された報告。",
        review="returned",
    )

    def contents(basis: str) -> list[str]:
        report = build_report(manager, Selection(audit_id=audit.pk, basis=basis))
        rows = [r for k in report.audits[0].kinds for s in k.sections for r in s.rows]
        return [e.content for r in rows if r.finding_id == finding.pk for e in r.entries]

    assert contents(StatusBasis.ACCEPTED) == ["受理された報告。"]
    assert contents(StatusBasis.SUBMITTED) == ["受理された報告。", "審査待ちの報告。"]
    published = build_report(manager, Selection(audit_id=audit.pk))
    assert published.selection.basis_label == "公表版（受理済みの報告のみ）"


# --- pages ------------------------------------------------------------------------------


def test_entry_is_recorded_only_after_the_confirmation_step(
    client, ict_staff, make_finding, statuses
):
    finding = make_finding(label="⑧")
    client.force_login(ict_staff)
    url = reverse("entry_create", args=[finding.pk])
    data = {
        "status": statuses["keizoku"].pk,
        "entry_date": "2021-09-30",
        "content": "確認して提出する。",
    }

    confirm = client.post(url, data)
    assert confirm.status_code == 200
    assert "提出内容の確認" in confirm.content.decode()
    assert not RemediationEntry.objects.filter(finding=finding).exists()
    token = confirm.context["draft"].token

    client.post(url, {"token": token, "action": "submit"})
    entry = RemediationEntry.objects.get(finding=finding)
    assert entry.content == "確認して提出する。"
    assert entry.review_or_none is None

    # The same confirmation cannot be sent twice.
    again = client.post(url, {"token": token, "action": "submit"}, follow=True)
    assert RemediationEntry.objects.filter(finding=finding).count() == 1
    assert "有効期限が切れたか、既に提出済み" in again.content.decode()


def test_edit_from_the_confirmation_step_keeps_the_text(client, ict_staff, make_finding, statuses):
    finding = make_finding(label="⑨")
    client.force_login(ict_staff)
    url = reverse("entry_create", args=[finding.pk])
    confirm = client.post(
        url,
        {"status": statuses["kentou"].pk, "entry_date": "2021-09-30", "content": "下書きの文。"},
    )
    back = client.post(url, {"token": confirm.context["draft"].token, "action": "edit"})

    assert back.context["form"]["content"].value() == "下書きの文。"
    assert not RemediationEntry.objects.filter(finding=finding).exists()


@pytest.mark.parametrize("token", ["", "nonsense", "x" * 500])
def test_a_forged_or_missing_token_records_nothing(client, ict_staff, make_finding, token):
    finding = make_finding(label="⑩")
    client.force_login(ict_staff)
    response = client.post(
        reverse("entry_create", args=[finding.pk]), {"token": token, "action": "submit"}
    )
    assert response.status_code == 302
    assert not RemediationEntry.objects.filter(finding=finding).exists()


def test_auditor_returns_an_entry_with_a_reason_the_staff_then_see(
    client, auditor, ict_staff, make_finding, statuses
):
    finding = make_finding(label="⑪")
    entry = _submit(finding, ict_staff, statuses)
    client.force_login(auditor)
    queue = client.get(reverse("review_queue"))
    assert entry in queue.context["entries"]

    missing = client.post(reverse("review_submit", args=[entry.pk]), {"decision": "returned"})
    assert missing.status_code == 400
    assert "差戻しの理由を入力してください" in missing.content.decode()

    client.post(
        reverse("review_submit", args=[entry.pk]),
        {"decision": "returned", "reason": "写真を添付してください。"},
    )
    client.force_login(ict_staff)
    page = client.get(reverse("finding_detail", args=[finding.pk])).content.decode()
    assert "写真を添付してください。" in page
    assert "差戻し" in page


@pytest.mark.parametrize("decision", ["", "maybe", "accepted\x00"])
def test_malformed_review_is_a_field_error(
    client, auditor, ict_staff, make_finding, statuses, decision
):
    entry = _submit(make_finding(label="⑫"), ict_staff, statuses)
    client.force_login(auditor)
    response = client.post(reverse("review_submit", args=[entry.pk]), {"decision": decision})
    assert response.status_code == 400
    assert "受理か差戻しを選んでください" in response.content.decode()
    assert not EntryReview.objects.filter(entry=entry).exists()


def test_round_pages_scope_departments(client, round_, ict_staff, jinji_staff, manager, auditor):
    client.force_login(ict_staff)
    assert client.get(reverse("round_detail", args=[round_.pk])).status_code == 200
    client.force_login(jinji_staff)
    assert client.get(reverse("round_detail", args=[round_.pk])).status_code == 404
    assert client.get(reverse("round_create")).status_code == 404
    assert client.get(reverse("review_queue")).status_code == 404
    client.force_login(manager)
    assert client.get(reverse("round_detail", args=[round_.pk])).status_code == 200


def test_auditor_opens_a_round_in_the_browser_form(client, auditor, audit, make_finding):
    make_finding(label="⑬")
    client.force_login(auditor)
    bad = client.post(
        reverse("round_create"),
        {"name": "", "audit": "", "fiscal_year": "", "base_date": "2021-09-31", "deadline": ""},
    )
    assert bad.status_code == 200
    errors = bad.context["form"].errors
    assert set(errors) >= {"name", "base_date", "deadline"}

    response = client.post(
        reverse("round_create"),
        {
            "name": "令和3年9月30日現在",
            "audit": audit.pk,
            "base_date": "2021-09-30",
            "deadline": "2021-10-15",
        },
    )
    assert response.status_code == 302


def test_dashboard_shows_the_round_per_department(client, round_, ict_staff, jinji_staff, manager):
    client.force_login(manager)
    rounds = client.get(reverse("dashboard")).context["rounds"]
    assert [(p.round, [d.department.code for d in p.departments]) for p in rounds] == [
        (round_, ["ict"])
    ]
    client.force_login(jinji_staff)
    assert client.get(reverse("dashboard")).context["rounds"] == []
