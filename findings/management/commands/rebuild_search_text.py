from django.core.management.base import BaseCommand

from findings.search import rebuild_search_text


class Command(BaseCommand):
    help = "指摘事項の検索用テキスト（件名・本文・着眼点・措置の正規化）を作り直します（一括投入の後や正規化の規則を変えた後に）。"

    def handle(self, *args: object, **options: object) -> None:
        count = rebuild_search_text()
        self.stdout.write(f"{count} 件の検索用テキストを更新しました。")
