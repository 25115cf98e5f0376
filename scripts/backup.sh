#!/usr/bin/env bash
# Back up the database and every evidence file into one archive (see README "Backup").
#   scripts/backup.sh [ARCHIVE]      default: var/backups/sochi-YYYYmmdd-HHMMSS.tar
# Runs with the same environment as the app (DATABASE_URL, EVIDENCE_*, SECRET_KEY …).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
if [ ! -x "$PY" ]; then PY=python3; fi
ARCHIVE="${1:-var/backups/sochi-$(date +%Y%m%d-%H%M%S).tar}"
mkdir -p "$(dirname "$ARCHIVE")"
exec "$PY" manage.py backup -o "$ARCHIVE"
