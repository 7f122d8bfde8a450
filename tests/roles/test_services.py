import pytest
from django.core.exceptions import ValidationError

from roles.models import Chart, Position
from roles.services import (
    PositionData,
    chart_adopt,
    chart_clone,
    chart_delete,
    position_data,
    position_delete,
    position_save,
)
from tests.factories import ChartFactory, PersonFactory, PlatformFactory, PositionFactory, role

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_chart():
    chart = ChartFactory(status="live", name="Live")
    cmo = PositionFactory(chart=chart, title="CMO", roles=[role("cmo")], person=PersonFactory(name="Claire"))
    cdo = PositionFactory(chart=chart, title="CDO", roles=[role("cdo")], reports_to=cmo)
    head = PositionFactory(chart=chart, title="Head", roles=[role("head-of-marops")], reports_to=cmo, salary=90_000)
    steward = PositionFactory(chart=chart, title="Steward", roles=[role("data-steward")], reports_to=head)
    steward.dotted_lines.add(cdo)
    PlatformFactory(name="Marketo").experts.add(head)
    return chart


def test_saving_needs_a_title_and_changes_nothing_when_refused(small_chart):
    head = small_chart.positions.get(title="Head")
    data = position_data(head)
    data.title, data.roles = " ", []
    with pytest.raises(ValidationError) as refused:
        position_save(chart=small_chart, data=data, position=head)
    assert set(refused.value.message_dict) == {"title"}
    head.refresh_from_db()
    assert head.title == "Head" and head.roles.count() == 1


def test_a_seat_outside_marketing_may_hold_no_role(small_chart):
    """Issue 14: a CEO, a sales director or an engineer holds no catalogue role."""
    head = small_chart.positions.get(title="Head")
    data = position_data(head)
    data.title, data.roles = "VP Sales", []
    position_save(chart=small_chart, data=data, position=head)
    head.refresh_from_db()
    assert head.title == "VP Sales" and head.roles.count() == 0


def test_a_dotted_line_to_itself_or_to_the_solid_line_manager_is_refused(small_chart):
    head = small_chart.positions.get(title="Head")
    data = position_data(head)
    data.dotted_lines = [head]
    with pytest.raises(ValidationError, match="to itself"):
        position_save(chart=small_chart, data=data, position=head)
    data.dotted_lines = [head.reports_to]
    with pytest.raises(ValidationError, match="already the solid-line manager"):
        position_save(chart=small_chart, data=data, position=head)


def test_a_new_position_under_a_manager_is_saved_with_its_roles(small_chart):
    head = small_chart.positions.get(title="Head")
    data = PositionData("PKD", "marops", "specialist", [role("prompt-knowledge-designer")], reports_to=head)
    pkd = position_save(chart=small_chart, data=data)
    assert pkd.reports_to == head and pkd.is_vacancy
    assert [r.key for r in pkd.roles.all()] == ["prompt-knowledge-designer"]


def test_cloning_copies_every_seat_line_role_and_expertise_and_keeps_keys(small_chart):
    clone = chart_clone(chart=small_chart, name="2027 plan")
    assert clone.status == "scenario" and clone.based_on == small_chart

    def shape(chart):
        positions = Position.objects.filter(chart=chart).prefetch_related("roles", "dotted_lines", "platform_expertise")
        return sorted(
            (
                p.key,
                p.title,
                p.person_id,
                p.salary,
                p.reports_to.key if p.reports_to else None,
                sorted(r.key for r in p.roles.all()),
                sorted(d.key for d in p.dotted_lines.all()),
                sorted(x.name for x in p.platform_expertise.all()),
            )
            for p in positions
        )

    assert shape(clone) == shape(small_chart)
    assert not set(clone.positions.values_list("pk", flat=True)) & set(
        small_chart.positions.values_list("pk", flat=True)
    )


def test_a_clone_needs_a_new_name(small_chart):
    with pytest.raises(ValidationError, match="already exists"):
        chart_clone(chart=small_chart, name="live")


def test_adopting_a_scenario_archives_the_old_live_chart(small_chart):
    scenario = chart_clone(chart=small_chart, name="Target")
    chart_adopt(chart=scenario)
    assert Chart.objects.get(status="live") == scenario
    small_chart.refresh_from_db()
    assert small_chart.status == "archived" and not small_chart.is_editable
    with pytest.raises(ValidationError, match="Only a scenario"):
        chart_adopt(chart=small_chart)


def test_only_scenarios_can_be_deleted(small_chart):
    with pytest.raises(ValidationError, match="Only scenarios"):
        chart_delete(chart=small_chart)
    scenario = chart_clone(chart=small_chart, name="Throwaway")
    chart_delete(chart=scenario)
    assert not Chart.objects.filter(pk=scenario.pk).exists()
    assert small_chart.positions.count() == 4


def test_a_position_with_reports_or_the_top_cannot_be_removed(small_chart):
    with pytest.raises(ValidationError, match="still has 1 direct report"):
        position_delete(position=small_chart.positions.get(title="Head"))
    with pytest.raises(ValidationError, match="top position"):
        position_delete(position=small_chart.positions.get(title="CMO"))
    position_delete(position=small_chart.positions.get(title="Steward"))
    assert small_chart.positions.count() == 3
