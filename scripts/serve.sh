#!/usr/bin/env bash
# `make serve`: the production configuration on this machine, to try it out.
# DEBUG off, gunicorn, static files collected (hashed + compressed) and served by
# WhiteNoise, PostgreSQL when DATABASE_URL is set (else SQLite in var/), the demo data
# loaded (SERVE_DEMO=0 to skip). Plain HTTP on 127.0.0.1, so the HTTPS-only settings
# are relaxed unless you set them; production sets them as the README's table says.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
PORT="${PORT:-8000}"

mkdir -p var
# The evidence folder must exist: /health/ reports a missing one (an unmounted share).
if [ "${EVIDENCE_STORAGE:-local}" = "local" ]; then mkdir -p "${EVIDENCE_ROOT:-var/evidence}"; fi
if [ -z "${SECRET_KEY:-}" ]; then
  # A key kept in var/ so sessions survive a restart; never the development key.
  if [ ! -s var/serve_secret_key ]; then
    (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' > var/serve_secret_key)
  fi
  SECRET_KEY="$(cat var/serve_secret_key)"
fi
export SECRET_KEY
export DEBUG=0
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-0}"
export SECURE_COOKIES="${SECURE_COOKIES:-0}"
export GUNICORN_BIND="${GUNICORN_BIND:-127.0.0.1:$PORT}"
# Links in reminder mail point at this local server unless SITE_URL says otherwise.
export SITE_URL="${SITE_URL:-http://$GUNICORN_BIND}"

"$PY" manage.py migrate --no-input -v 0
if [ "${SERVE_DEMO:-1}" = "1" ]; then
  "$PY" manage.py load_demo
fi
"$PY" manage.py collectstatic --no-input -v 0
"$PY" manage.py check --deploy --fail-level ERROR
echo "措置状況管理 (gunicorn, DEBUG off): http://$GUNICORN_BIND/accounts/login/"
exec "$PY" -m gunicorn -c config/gunicorn.conf.py
