"""The import's steps as services: a mapping confirmed (and remembered), role corrections (and remembered),
and an applied import that can no longer change."""

import pytest
from django.core.exceptions import ValidationError

from hr.choices import ImportStatus
from hr.models import ColumnMapping, TitleRule
from hr.services import (
    HrMappingError,
    people_import_set_mapping,
    people_import_set_roles,
    people_import_titles,
    start_apply,
    start_preview,
)

from .conftest import sample


def test_a_bad_mapping_is_refused_by_field_and_changes_nothing(db, upload, leader):
    people_import = upload(sample("generic_people.xlsx"), "generic_people.xlsx")
    proposed = dict(people_import.mapping)
    with pytest.raises(HrMappingError) as refused:
        people_import_set_mapping(people_import, proposed | {"email": "", "title": "Name"}, leader)
    assert {p.column for p in refused.value.problems} == {"email", "title"}
    people_import.refresh_from_db()
    assert people_import.mapping == proposed
    assert ColumnMapping.objects.count() == 0


def test_a_corrected_mapping_is_proposed_for_the_next_upload_of_the_same_header_row(db, upload, leader):
    first = upload(sample("generic_people.xlsx"), "generic_people.xlsx")
    people_import_set_mapping(first, first.mapping | {"department": ""}, leader)
    second = upload(sample("generic_people.xlsx"), "again.xlsx")
    assert second.mapping["department"] == ""


def test_role_corrections_are_remembered_for_the_next_import(demo, upload, leader):
    first = upload(sample("bamboohr_employees.csv"), "bamboohr.csv")
    titles = {title: match for title, _, match in people_import_titles(first)}
    assert titles["Brand Manager"].role_key is None
    people_import_set_roles(first, {"Brand Manager": {"role": "content-lead", "platform": ""}}, user=leader)
    assert people_import_titles(first)[0][0] == "Account Executive"  # the most held title first
    assert {t: m.role_key for t, _, m in people_import_titles(first)}["Brand Manager"] == "content-lead"
    second = upload(sample("hibob_people.csv"), "hibob.csv")
    match = {title: match for title, _, match in people_import_titles(second)}["Brand Manager"]
    assert (match.role_key, match.confidence) == ("content-lead", 1.0)
    assert match.reason.startswith("Remembered: test-leader set this on ")
    people_import_set_roles(
        second, {"SEO Manager": {"role": "growth-lead", "platform": ""}}, remember_rules=False, user=leader
    )
    assert not TitleRule.objects.filter(title="seo manager").exists()
    with pytest.raises(ValidationError):
        people_import_set_roles(second, {"SEO Manager": {"role": "no-such-role", "platform": ""}}, user=leader)


def test_an_applied_import_is_a_record(demo, upload, leader, django_capture_on_commit_callbacks):
    people_import = upload(sample("generic_people.csv"), "generic.csv")
    with django_capture_on_commit_callbacks(execute=True):
        start_preview(people_import)
    with django_capture_on_commit_callbacks(execute=True):
        start_apply(people_import, target="live", scenario_name="", user=leader)
    people_import.refresh_from_db()
    assert people_import.status == ImportStatus.APPLIED
    for again in (
        lambda: people_import_set_mapping(people_import, people_import.mapping, leader),
        lambda: people_import_set_roles(people_import, {}, user=leader),
        lambda: start_preview(people_import),
        lambda: start_apply(people_import, target="live", scenario_name="", user=leader),
    ):
        with pytest.raises(ValidationError, match="has been applied"):
            again()
