#!/usr/bin/env bash
# CI: start the `make serve` configuration (gunicorn, DEBUG off, collected static files)
# on PostgreSQL, fetch the login page, a page after signing in, a static file and a PDF,
# then stop it. Called from .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
DB_NAME="${SERVE_CHECK_DB:-sochi_ci_serve}"
export DATABASE_URL="${SERVE_CHECK_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/$DB_NAME}"
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
WORK="$(mktemp -d)"

psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB_NAME" -c "CREATE DATABASE $DB_NAME"

PY="$PY" PORT="$PORT" EVIDENCE_ROOT="$WORK/evidence" STATIC_ROOT="$WORK/static" \
  bash scripts/serve.sh > "$WORK/serve.log" 2>&1 &
SERVER=$!
stop() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB_NAME" || true
  rm -rf "$WORK"
}
trap stop EXIT

# Signs in as the demo's 所管課担当: `make serve` requires a second factor of auditors,
# managers and administrators (MFA_REQUIRED), and only optionally of department staff.
for _ in $(seq 1 180); do
  if curl -fs -o /dev/null "http://127.0.0.1:$PORT/health/"; then break; fi
  if ! kill -0 "$SERVER" 2>/dev/null; then cat "$WORK/serve.log"; echo "make serve stopped"; exit 1; fi
  sleep 1
done
if ! "$PY" scripts/ci_serve_check.py "http://127.0.0.1:$PORT" ict ict-demo-2026; then
  tail -n 50 "$WORK/serve.log"
  exit 1
fi
echo "serve check passed"
