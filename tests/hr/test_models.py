"""The database keeps the hr tables' invariants, and the new teams, even against raw writes."""

import pytest
from django.db import IntegrityError, connection, transaction

from hr.models import PeopleImport
from roles.choices import Team
from tests.factories import PositionFactory


def test_an_import_cannot_have_an_unknown_status_or_target_or_more_done_than_total(db, leader):
    people_import = PeopleImport.objects.create(created_by=leader, filename="x.csv", content=b"a", fmt="generic")
    for change in ({"status": "lost"}, {"target": "elsewhere"}, {"done": 5, "total": 2}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PeopleImport.objects.filter(pk=people_import.pk).update(**change)


@pytest.mark.postgres
def test_seats_outside_marketing_have_their_teams_and_nothing_else(db):
    seat = PositionFactory()
    for team in (Team.SALES, Team.FINANCE, Team.PEOPLE, Team.OTHER, Team.MARKETING):
        seat.team = team
        seat.save(update_fields=["team"])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE roles_position SET team = 'procurement' WHERE id = %s", [seat.pk])
