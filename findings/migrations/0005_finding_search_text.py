"""Finding.search_text: the normalised text the keyword filter searches, filled for the
findings already there, and on PostgreSQL a pg_trgm GIN index that serves
`search_text LIKE '%term%'`.

The normaliser and the text's layout are frozen here (as findings.search had them when
this was written): a data migration never calls today's code.
"""

import re
import unicodedata

from django.db import migrations, models

INDEX_NAME = "finding_search_text_trgm"
_LONG_VOWEL_AT_WORD_END = re.compile(
    "(?<=[\u30a1-\u30fa])\u30fc+(?![\u30a1-\u30fa\u30fc])"
    "|(?<=[\u3041-\u3096])\u30fc+(?![\u3041-\u3096\u30fc])"
)
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)} | {
    0x30FD: 0x309D,
    0x30FE: 0x309E,
}


def _normalise(text):
    text = unicodedata.normalize("NFKC", text).casefold()
    return _LONG_VOWEL_AT_WORD_END.sub("", text).translate(_KATAKANA_TO_HIRAGANA)


def fill_search_text(apps, schema_editor):
    Finding = apps.get_model("findings", "Finding")
    FindingViewpoint = apps.get_model("findings", "FindingViewpoint")
    RemediationEntry = apps.get_model("remediation", "RemediationEntry")
    ids = list(Finding.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        parts = {
            pk: [title, body, vt, kr]
            for pk, title, body, vt, kr in Finding.objects.filter(pk__in=chunk).values_list(
                "pk", "title", "body", "viewpoint__text", "viewpoint__key_risk__title"
            )
        }
        links = (
            FindingViewpoint.objects.filter(finding_id__in=chunk)
            .order_by("finding_id", "position", "id")
            .values_list("finding_id", "viewpoint__text", "viewpoint__key_risk__title")
        )
        for finding_id, text, key_risk in links:
            parts[finding_id] += [text, key_risk]
        entries = (
            RemediationEntry.objects.filter(finding_id__in=chunk)
            .order_by("finding_id", "id")
            .values_list("finding_id", "content")
        )
        for finding_id, content in entries:
            parts[finding_id].append(content)
        rows = [
            Finding(pk=pk, search_text="\n".join(_normalise(p) for p in texts if p))
            for pk, texts in parts.items()
        ]
        Finding.objects.bulk_update(rows, ["search_text"])


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON findings_finding "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other databases objects may use it, and it costs nothing.
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("findings", "0004_remove_finding_request_type"),
        ("remediation", "0005_refuse_delete_and_truncate"),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="search_text",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="検索用テキスト"
            ),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
