"""A selection with no findings says so and offers nothing to download."""

from __future__ import annotations

from django.urls import reverse


def test_preview_of_an_audit_without_findings_says_so_and_offers_no_download(
    client, manager, audit
):
    client.force_login(manager)
    response = client.get(reverse("report_preview"), {"audit": audit.pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert "条件に合う指摘事項はありません" in html
    assert 'aria-label="ダウンロード"' not in html
    assert reverse("report_export", args=["pdf"]) not in html


def test_preview_with_findings_still_offers_the_downloads(client, manager, finding):
    client.force_login(manager)
    html = client.get(reverse("report_preview"), {"audit": finding.audit_id}).content.decode()

    assert "条件に合う指摘事項はありません" not in html
    assert "PDFでダウンロード" in html


def test_export_of_an_audit_without_findings_is_refused_in_japanese(client, manager, audit):
    client.force_login(manager)
    for fmt in ("pdf", "xlsx", "csv"):
        response = client.get(reverse("report_export", args=[fmt]), {"audit": audit.pk})
        assert response.status_code == 400
        assert "Content-Disposition" not in response
        assert "条件に合う指摘事項がありません" in response.content.decode()
