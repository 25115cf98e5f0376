"""The report builder never prints a finding the user may not see, even as context."""

import datetime

from reports.builder import Selection, build_report


def test_sub_item_stands_in_for_a_parent_the_staff_may_not_see(
    make_finding, make_entry, jinji, ict_staff, audit
):
    parent = make_finding(label="③", title="人事課だけの親項目", departments=[jinji])
    child = make_finding(label="ア", title="", body="ICT戦略課あての小項目", parent=parent)
    make_entry(child, "keizoku", datetime.date(2021, 9, 30))
    report = build_report(ict_staff, Selection(audit_id=audit.pk))
    rows = [row for _, _, row in report.audits[0].rows()]
    assert [(r.path, r.depth, r.body) for r in rows] == [("(3)③ア", 0, "ICT戦略課あての小項目")]
    assert all("人事課だけの親項目" not in r.heading for r in rows)


def test_auditor_sees_the_sub_item_under_its_parent(make_finding, jinji, auditor, audit):
    parent = make_finding(label="③", title="人事課だけの親項目", departments=[jinji])
    make_finding(label="ア", title="", body="ICT戦略課あての小項目", parent=parent)
    rows = [
        row for _, _, row in build_report(auditor, Selection(audit_id=audit.pk)).audits[0].rows()
    ]
    assert [(r.path, r.depth) for r in rows] == [("(3)③", 0), ("(3)③ア", 1)]
