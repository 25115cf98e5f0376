"""gunicorn settings for production and `make serve`, read from the environment.

Start with: gunicorn -c config/gunicorn.conf.py config.wsgi
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# A PDF of a large audit keeps a worker busy for seconds: several processes, each with
# a few threads for the quick pages.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# Uploads up to EVIDENCE_MAX_MB are buffered by Django, not by gunicorn.
limit_request_line = 8190
accesslog = "-"
errorlog = "-"
# Only the TLS proxy in front may set X-Forwarded-*; it runs on the same host by default.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
wsgi_app = "config.wsgi:application"
