import pytest

from marops.celery import app
from tests.webhooks.receiver import Receiver


@pytest.fixture(autouse=True)
def eager_retries_honoured():
    """The test settings run tasks eagerly and re-raise what a task raises, Celery's Retry included,
    which would end the chain at its first retry. Here a retry runs at once (without its wait), as
    Celery's eager apply() does when it does not propagate."""
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


@pytest.fixture
def receiver():
    """A receiver answering 200 to everything; tests that need another script make their own."""
    with Receiver(200) as running:
        yield running
