import datetime

import factory
from django.utils import timezone

from governance.models import Incident, Review
from roles.models import Chart, Person, Position, Role
from workflows.models import Agent, Platform, Step, Workflow


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    level = "specialist"


class ChartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chart

    name = factory.Sequence(lambda n: f"Chart {n}")
    status = "scenario"


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position
        skip_postgeneration_save = True

    chart = factory.SubFactory(ChartFactory)
    title = factory.Sequence(lambda n: f"Position {n}")
    team = "marops"
    level = "specialist"

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """A position holds at least one role; by default a MarOps specialist's."""
        if create:
            self.roles.set(extracted if extracted is not None else [role("marops-specialist")])


def marops_person(**kwargs) -> Person:
    """Someone who can be accountable: an active person with a MarOps seat in the live chart
    (the live chart is made if there is none yet)."""
    person = PersonFactory(**kwargs)
    chart = Chart.objects.filter(status="live").first() or ChartFactory(status="live")
    root = chart.positions.filter(reports_to=None).first()
    PositionFactory(chart=chart, person=person, team="marops", reports_to=root)
    return person


def role(key: str) -> Role:
    return Role.objects.get(key=key)


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform

    name = factory.Sequence(lambda n: f"Platform {n}")
    category = "marketing_automation"


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent

    name = factory.Sequence(lambda n: f"Agent {n}")
    allowed_mode = "autonomous"


class WorkflowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workflow

    name = factory.Sequence(lambda n: f"Workflow {n}")
    owner = factory.SubFactory(PersonFactory)


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step

    workflow = factory.SubFactory(WorkflowFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Step {n}")
    platform = factory.SubFactory(PlatformFactory)
    mode = "ai_autonomous"
    agent = factory.SubFactory(AgentFactory)
    is_buyer_facing = True


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    summary = factory.Sequence(lambda n: f"Incident {n}")
    step = factory.SubFactory(StepFactory)
    agent = factory.SelfAttribute("step.agent")
    occurred_at = factory.LazyFunction(timezone.now)
    severity = "medium"
    description = "Something went wrong."
    reporter = factory.SubFactory("tests.factories.UserFactory")


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    incident = factory.SubFactory(IncidentFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
