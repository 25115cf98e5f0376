from django.core.management.base import BaseCommand

from audits.demo import load_demo
from audits.models import User
from followup.demo import load_followup_demo
from organisation.demo import load_organisation_demo


class Command(BaseCommand):
    help = "デモデータ（所属・各ロールの利用者・シードの監査・措置状況の照会）を読み込みます（何度実行しても重複しません）。"

    def handle(self, *args: object, **options: object) -> None:
        users = load_demo()
        load_followup_demo(User.objects.get(username="kansa"))
        committee, committee_password, committee_role = load_organisation_demo()
        self.stdout.write("デモ用ログイン (demo logins):")
        for demo in users:
            self.stdout.write(f"  {demo.role.label:<8} {demo.username:<8} / {demo.password}")
        self.stdout.write(f"  {committee_role.label:<8} {committee:<8} / {committee_password}")
