"""The app's settings plus `bench.urls`: gunicorn serves the API and the bare endpoint side by side."""

from marops.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
