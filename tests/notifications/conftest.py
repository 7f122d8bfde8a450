import datetime
import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.utils import timezone

from governance.services import incident_create
from notifications.tasks import deliver_notifications
from tests.factories import (
    ChartFactory,
    PersonFactory,
    PositionFactory,
    StepFactory,
    UserFactory,
    WorkflowFactory,
    role,
)


@pytest.fixture
def org(db):
    """A live chart: the CMO, the Head of MarOps reporting to her, and Tom (a MarOps workflow owner)
    reporting to the Head; Tom owns "Lead routing", whose AI step the incidents happen in."""
    chart = ChartFactory(status="live")
    cmo = PersonFactory(name="Carla Mendes", email="carla@example.com")
    cmo_seat = PositionFactory(chart=chart, person=cmo, team="executive", roles=[role("cmo")])
    head = PersonFactory(name="Dana Whitfield", email="dana@example.com")
    head_seat = PositionFactory(chart=chart, person=head, reports_to=cmo_seat, roles=[role("head-of-marops")])
    tom = PersonFactory(name="Tom Nguyen", email="tom@example.com")
    PositionFactory(chart=chart, person=tom, reports_to=head_seat)
    step = StepFactory(workflow=WorkflowFactory(name="Lead routing", owner=tom))
    return type("Org", (), {"cmo": cmo, "head": head, "tom": tom, "step": step, "chart": chart})


def log_incident(step, *, severity="medium", summary="Wrong price quoted"):
    return incident_create(
        reporter=UserFactory(),
        agent=step.agent,
        step=step,
        summary=summary,
        description="Quoted a retired tier.",
        severity=severity,
        occurred_at=timezone.now(),
    )


def sent_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def deliver(batches):
    for ids in batches:
        deliver_notifications.delay(ids)


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What a real SMTP server (aiosmtpd) on 127.0.0.1 received, parsed."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int):
        self.port, self.inbox, self.controller = port, Inbox(), None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server():
    server = SmtpServer(free_port())
    yield server
    server.stop()


@pytest.fixture
def real_smtp(settings, smtp_server):
    """Django sends through SMTP to `smtp_server` (started by the test, or not: a server that is down)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_TIMEOUT = 5
    return smtp_server
