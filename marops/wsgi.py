import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marops.settings")


def freeze_startup() -> None:
    """What a worker holds once it has started (Django, the apps, the URL patterns, the templates read so
    far) lives as long as the worker: moved out of the cycle collector's sight (`gc.freeze`), so its full
    collections, which a request building thousands of objects (the chart page) sets off, walk only what
    requests made. The bench calls it too (bench/chart.py), so it measures what a worker runs."""
    gc.collect()
    gc.freeze()


application = get_wsgi_application()
freeze_startup()
