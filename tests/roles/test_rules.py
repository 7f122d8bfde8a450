"""Each reporting rule: the chart that trips it and the chart that does not."""

import pytest

from roles import rules
from roles.rules import chart_facts, chart_findings
from tests.factories import ChartFactory, PersonFactory, PositionFactory, role

pytestmark = pytest.mark.django_db


def build(spec, status="scenario"):
    """spec: title -> (manager title or None, team, level, role keys, vacancy?)."""
    chart = ChartFactory(status=status)
    made = {}
    pending = dict(spec)
    while pending:  # managers first, whatever the order of the spec
        title = next(t for t, v in pending.items() if v[0] is None or v[0] in made)
        manager, team, level, keys, vacant = pending.pop(title)
        made[title] = PositionFactory(
            chart=chart,
            title=title,
            reports_to=made.get(manager),
            team=team,
            level=level,
            person=None if vacant else PersonFactory(name=f"{title} holder"),
            roles=[role(k) for k in keys],
        )
    return chart, made


MODEL_2026 = {
    "CEO": (None, "executive", "c_level", ["ceo"], False),
    "CMO": ("CEO", "executive", "c_level", ["cmo"], False),
    "CDO": ("CEO", "data", "c_level", ["cdo"], False),
    "Head of MarOps": ("CMO", "marops", "director", ["head-of-marops"], False),
    "Workflow Architect": ("Head of MarOps", "marops", "senior_manager", ["workflow-architect"], False),
    "Data Steward": ("Head of MarOps", "marops", "manager", ["data-steward"], False),
    "PKD": ("Head of MarOps", "marops", "specialist", ["prompt-knowledge-designer"], True),
    "Demand gen lead": ("CMO", "demand_gen", "director", ["demand-gen-lead"], False),
    "Coordinator": ("Demand gen lead", "demand_gen", "coordinator", ["marketing-coordinator"], True),
}


def keys(findings):
    return sorted(f.rule for f in findings)


def model_chart(**changes):
    spec = dict(MODEL_2026)
    for title, value in changes.items():
        if value is None:
            spec.pop(title)
        else:
            spec[title] = value
    chart, made = build(spec)
    if "Data Steward" in made and "CDO" in made:
        made["Data Steward"].dotted_lines.add(made["CDO"])
    return chart, made


def test_the_2026_model_has_no_findings():
    chart, _ = model_chart()
    assert chart_findings(chart) == []


def test_head_reporting_through_demand_gen_trips_head_reports_to_cmo():
    chart, made = model_chart(
        **{"Head of MarOps": ("Demand gen lead", "marops", "director", ["head-of-marops"], False)}
    )
    [finding] = rules.head_reports_to_cmo(chart_facts(chart))
    assert finding.severity == "high"
    assert finding.positions == (made["Head of MarOps"], made["Demand gen lead"])
    assert "reports to Demand gen lead, not directly to the CMO" in finding.message


def test_steward_without_dotted_line_trips_only_when_there_is_a_cdo():
    chart, made = build(dict(MODEL_2026.items()))  # no dotted line added
    [finding] = rules.steward_dotted_to_cdo(chart_facts(chart))
    assert finding.positions == (made["Data Steward"], made["CDO"])
    chart, _ = build({k: v for k, v in MODEL_2026.items() if k != "CDO"})
    assert rules.steward_dotted_to_cdo(chart_facts(chart)) == []


def test_pkd_under_content_trips_pkd_inside_marops():
    chart, made = model_chart(
        **{
            "Content lead": ("CMO", "content", "manager", ["content-lead"], False),
            "PKD": ("Content lead", "content", "specialist", ["prompt-knowledge-designer"], False),
        }
    )
    [finding] = rules.pkd_inside_marops(chart_facts(chart))
    assert "reports to Content lead (Content), outside MarOps" in finding.message


def test_a_manager_level_head_trips_head_level():
    chart, _ = model_chart(**{"Head of MarOps": ("CMO", "marops", "manager", ["head-of-marops"], False)})
    assert keys(rules.head_level(chart_facts(chart))) == ["head-level"]
    chart, _ = model_chart(**{"Head of MarOps": ("CMO", "marops", "vp", ["head-of-marops"], False)})
    assert rules.head_level(chart_facts(chart)) == []


def test_a_missing_core_role_trips_missing_role_but_a_vacancy_does_not():
    chart, _ = model_chart(PKD=None)
    [finding] = rules.missing_role(chart_facts(chart))
    assert finding.message == "No position holds the Prompt and Knowledge Designer role."
    chart, _ = model_chart()  # the PKD seat is a vacancy: a planned hire
    assert rules.missing_role(chart_facts(chart)) == []


def test_a_coordinator_vacancy_while_a_core_role_is_missing_trips_hiring_order():
    chart, made = model_chart(PKD=None)
    [finding] = rules.hiring_order(chart_facts(chart))
    assert finding.positions == (made["Coordinator"],)
    chart, _ = model_chart()  # no core role missing: hiring coordinators is fine
    assert rules.hiring_order(chart_facts(chart)) == []


def test_an_active_person_outside_the_live_chart_trips_unplaced_person():
    chart, _ = build({"CEO": (None, "executive", "c_level", ["ceo"], False)}, status="live")
    PersonFactory(name="Sam Okafor")
    PersonFactory(name="Gone Person", is_active=False)
    [finding] = rules.unplaced_person(chart_facts(chart))
    assert finding.message == "Sam Okafor is active but holds no position in the live chart."


def test_rule_checks_take_a_fixed_number_of_queries(django_assert_max_num_queries):
    small, _ = model_chart()
    big, made = model_chart()
    for _i in range(150):
        PositionFactory(chart=big, reports_to=made["Demand gen lead"], roles=[role("campaign-manager")])
    for chart in (small, big):
        with django_assert_max_num_queries(6):
            chart_findings(chart)
