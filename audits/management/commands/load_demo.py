from django.core.management.base import BaseCommand

from audits.demo import load_demo
from audits.models import User
from followup.demo import load_followup_demo
from incidents.demo import load_incident_demo
from inspections.demo import load_inspection_demo
from organisation.demo import load_organisation_demo


class Command(BaseCommand):
    help = "デモデータ（所属・各ロールの利用者・シードの監査・措置状況の照会・セキュリティ障害・自己点検と調査・組織の管理）を読み込みます（何度実行しても重複しません）。"

    def handle(self, *args: object, **options: object) -> None:
        users = load_demo()
        auditor = User.objects.get(username="kansa")
        load_followup_demo(auditor)
        load_incident_demo(auditor)
        load_inspection_demo(auditor)
        committee, committee_password, committee_role = load_organisation_demo()
        self.stdout.write("デモ用ログイン (demo logins):")
        for demo in users:
            self.stdout.write(f"  {demo.role.label:<8} {demo.username:<8} / {demo.password}")
        self.stdout.write(f"  {committee_role.label:<8} {committee:<8} / {committee_password}")
