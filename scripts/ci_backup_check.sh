#!/usr/bin/env bash
# CI: back up the demo (database + evidence) on PostgreSQL, restore it into a new
# database and a new evidence folder, and check that the CSV export is identical and
# every evidence file downloads with its recorded checksum. Called from .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
PREFIX="${BACKUP_CHECK_DB:-sochi_ci_backup}"
SOURCE_DB="${PREFIX}_source"
TARGET_DB="${PREFIX}_restored"
PG="postgres://postgres@127.0.0.1:5432"
WORK="$(mktemp -d)"
# The downloads go through the app's view as the demo auditor, signed in by the test
# client: no second factor here (as in `make run`), this check is about the data.
export DEBUG=1 ALLOWED_HOSTS=testserver,localhost MFA_REQUIRED=0

dropdbs() {
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $SOURCE_DB" \
    -c "DROP DATABASE IF EXISTS $TARGET_DB"
}
cleanup() { dropdbs || true; rm -rf "$WORK"; }
trap cleanup EXIT
dropdbs
psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $SOURCE_DB" -c "CREATE DATABASE $TARGET_DB"

source_env=(env DATABASE_URL="$PG/$SOURCE_DB" EVIDENCE_ROOT="$WORK/evidence")
target_env=(env DATABASE_URL="$PG/$TARGET_DB" EVIDENCE_ROOT="$WORK/restored-evidence")

"${source_env[@]}" "$PY" manage.py migrate --no-input -v 0
"${source_env[@]}" "$PY" manage.py load_demo > /dev/null
"${source_env[@]}" "$PY" scripts/ci_backup_check.py attach
"${source_env[@]}" "$PY" manage.py export_report --format csv -o "$WORK/before.csv"

"${source_env[@]}" bash scripts/backup.sh "$WORK/backup.tar"
"${source_env[@]}" "$PY" manage.py restore "$WORK/backup.tar" --check
"${source_env[@]}" bash scripts/restore.sh "$WORK/backup.tar" "$PG/$TARGET_DB" "$WORK/restored-evidence"

"${target_env[@]}" "$PY" manage.py migrate --check --no-input -v 0
"${target_env[@]}" "$PY" manage.py export_report --format csv -o "$WORK/after.csv"
cmp "$WORK/before.csv" "$WORK/after.csv"
echo "CSV export identical after restore ($(wc -c < "$WORK/after.csv") bytes)"
"${target_env[@]}" "$PY" manage.py verify_evidence
"${target_env[@]}" "$PY" scripts/ci_backup_check.py download
echo "backup/restore check passed"
