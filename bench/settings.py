"""The app's settings plus `bench.urls`: gunicorn serves the API and the bare endpoints side by side.

Only `make bench` may load it (bench/run.py sets MAROPS_BENCH=1): the bare endpoints have no login.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from marops.settings import *  # noqa: F403

if os.environ.get("MAROPS_BENCH") != "1":
    raise ImproperlyConfigured("bench.settings serves endpoints without login: only make bench may use it.")

ROOT_URLCONF = "bench.urls"

# What the measured requests queue (webhook deliveries, notifications) goes to an in-process broker that
# nobody reads, as in production it goes to Redis for a worker: the bench measures the request itself.
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = "memory://"
