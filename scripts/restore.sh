#!/usr/bin/env bash
# Restore a backup into a NEW database and a NEW evidence folder (see README "Backup").
#   scripts/restore.sh ARCHIVE postgres://user@host:5432/NEW_DB  /srv/sochi/evidence-new
#   scripts/restore.sh ARCHIVE /srv/sochi/new.sqlite3            /srv/sochi/evidence-new
# The PostgreSQL database must exist and be empty (createdb NEW_DB). Every checksum is
# verified before anything is written.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
if [ ! -x "$PY" ]; then PY=python3; fi
if [ $# -ne 3 ]; then
  sed -n '2,6p' "$0" >&2
  exit 2
fi
case "$2" in
  postgres://*|postgresql://*) target=(--database-url "$2") ;;
  *) target=(--sqlite "$2") ;;
esac
exec "$PY" manage.py restore "$1" "${target[@]}" --evidence-root "$3"
