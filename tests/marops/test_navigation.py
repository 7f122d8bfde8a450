"""The top bar marks the section a page belongs to, once."""

import re

import pytest

from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("/org/", "Org chart"),
        ("/org/charts/", "Charts"),
        ("/org/compare/", "Charts"),
        ("/org/people/", "People"),
        ("/people/import/", "People"),
        ("/workflows/flags/", "Flags"),
        ("/dashboard/", "Dashboard"),
    ],
)
def test_each_page_marks_its_own_section_and_only_that_one(client, demo, path, section):
    client.force_login(make_user("nav-leader", "Leaders"))
    page = client.get(path).content.decode()
    nav = page.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'aria-current="page">([^<]+)<', nav) == [section]
