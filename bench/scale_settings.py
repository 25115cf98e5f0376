"""Settings for bench/scale.py's gunicorn: the app's own, plus a hello-world URL.

Only the benchmark's server loads this module (DJANGO_SETTINGS_MODULE), so the
/bench/hello/ page is never part of the app's URLs.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.scale_urls"
