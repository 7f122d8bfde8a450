"""List pages count their rows only so far (issue 18): a million open incidents are not read for
"Page 1 of N". Below MAROPS_PAGES_COUNTED pages the total is exact; above it the page says "100+" and
"more than 10,000", and "Next" still goes on to the last row. The limit is made small here (settings),
the rows are real ones in PostgreSQL."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.views import PAGE_SIZE, CountedPaginator
from tests.conftest import make_user
from tests.governance.test_incident_list import many_incidents

pytestmark = pytest.mark.django_db
INCIDENTS = reverse("governance:incident-list")


def summaries(page: str) -> list[str]:
    return re.findall(r">(Incident \d{3})</a>", page)


def next_link(page: str) -> str | None:
    found = re.search(r'<a href="([^"]*)">Older →</a>', page)
    return found[1].replace("&amp;", "&") if found else None


def test_below_the_limit_the_total_and_the_pages_are_exact(client, settings):
    settings.MAROPS_PAGES_COUNTED = 2
    many_incidents(2 * PAGE_SIZE, overdue=False)  # exactly as many as are counted
    client.force_login(make_user("s", "MarOps staff"))
    page = client.get(INCIDENTS).content.decode()
    assert "200 incidents" in page and "Page 1 of 2<" in page and "more than" not in page and "2+" not in page
    last = client.get(INCIDENTS, {"page": 2}).content.decode()
    assert "Page 2 of 2<" in last and next_link(last) is None and len(summaries(last)) == PAGE_SIZE


def test_above_the_limit_the_page_says_so_and_next_reaches_the_last_incident(client, settings):
    settings.MAROPS_PAGES_COUNTED = 2
    many_incidents(2 * PAGE_SIZE + 50, overdue=False)
    client.force_login(make_user("s", "MarOps staff"))
    page = client.get(INCIDENTS).content.decode()
    assert "more than 200 incidents" in page and "Page 1 of 2+" in page and "250 incidents" not in page
    seen, headings, url = [], [], f"{INCIDENTS}?page=1"
    while url:
        page = client.get(url).content.decode()
        seen += summaries(page)
        headings.append(re.search(r"Page \d+ of [\d+]+", page)[0])
        url = next_link(page) and INCIDENTS + next_link(page)
    assert headings == ["Page 1 of 2+", "Page 2 of 2+", "Page 3 of 3"]  # exact once the end is counted
    assert seen == [f"Incident {i:03}" for i in range(250)]  # each once, newest first, none skipped
    assert "250 incidents" in page


def test_a_page_past_the_end_shows_the_last_one_below_1_the_first_and_a_huge_number_fails_nothing(client, settings):
    settings.MAROPS_PAGES_COUNTED = 1
    many_incidents(PAGE_SIZE + 30, overdue=False)
    client.force_login(make_user("s", "MarOps staff"))
    for asked in ("9", "99999999999999999999999", "-3", "x"):
        answer = client.get(INCIDENTS, {"page": asked})
        assert answer.status_code == 200, asked
    assert "Page 2 of 2<" in client.get(INCIDENTS, {"page": 9}).content.decode()
    assert "Page 1 of 1+" in client.get(INCIDENTS, {"page": 0}).content.decode()


def test_the_count_reads_no_further_than_the_limit(client, settings):
    settings.MAROPS_PAGES_COUNTED = 1
    many_incidents(PAGE_SIZE + 30, overdue=False)
    client.force_login(make_user("s", "MarOps staff"))
    with CaptureQueriesContext(connection) as captured:
        client.get(INCIDENTS)
    counts = [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1 and "LIMIT 101" in counts[0] and "ORDER BY" not in counts[0]


def test_a_list_that_is_not_a_queryset_is_counted_the_same_way():
    rows = list(range(25))
    assert CountedPaginator(rows, 10, counted_to=30).count == 25
    capped = CountedPaginator(rows, 10, counted_to=20)
    assert (capped.count, capped.more, capped.pages_shown, capped.count_shown) == (20, True, "2+", "more than 20")
    assert list(capped.page(3)) == [20, 21, 22, 23, 24] and not capped.page(3).has_next()
