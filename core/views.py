"""View helpers every app uses."""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property
from django_htmx.middleware import HtmxDetails

PAGE_SIZE = 100  # long lists (incidents, workflows, the Test, flags; the API's default) come this many a page
LAST_PAGE_ASKED = 10**9  # a larger ?page= is read as this one (it is past the end of any list either way)

# GET pages read only: they need no transaction (nor its savepoints) under ATOMIC_REQUESTS.
read_only = transaction.non_atomic_requests


class PageRequest(HttpRequest):
    """The request a page gets: every page needs a login (marops.middleware), so its user is a real
    User, and django-htmx's middleware says whether htmx sent it."""

    user: User
    htmx: HtmxDetails


class CountedPaginator(Paginator):  # type: ignore[type-arg]  # generic in django-stubs only, not at run time
    """A Paginator that counts no further than it must (issue 18): at most `counted_to` rows, plus one
    to know whether there are more. Below that the count is exact; above it `more` is true and the
    count is `counted_to` ("more than 10,000", "Page 3 of 100+"). Counting a million open incidents for
    "Page 1 of N" would read all of them; the page itself reads 100."""

    def __init__(self, object_list: QuerySet[Any] | Sequence[Any], per_page: int, *, counted_to: int) -> None:
        super().__init__(object_list, per_page)
        self.counted_to = counted_to

    @cached_property
    def _counted(self) -> int:
        items = self.object_list
        if isinstance(items, QuerySet):  # SELECT count(*) FROM (SELECT … LIMIT counted_to + 1)
            return items.order_by()[: self.counted_to + 1].count()  # no ORDER BY: it would sort every row
        return len(items[: self.counted_to + 1])

    @cached_property
    def more(self) -> bool:
        """There are more rows than were counted."""
        return self._counted > self.counted_to

    @cached_property
    def count(self) -> int:
        """The rows counted: every row, or `counted_to` when there are `more`."""
        return min(self._counted, self.counted_to)

    @cached_property
    def num_pages(self) -> int:
        """The pages counted; one more when there are `more` rows, so "next" reaches them."""
        return super().num_pages + (1 if self.more else 0)

    def page(self, number: int | str) -> Page[Any]:
        """Past the rows counted, a page is the next `per_page` rows (Paginator would end it at `count`)."""
        if not self.more:
            return super().page(number)
        valid = self.validate_number(number)
        bottom = (valid - 1) * self.per_page
        return Page(self.object_list[bottom : bottom + self.per_page], valid, self)

    @property
    def pages_shown(self) -> str:
        """ "7", or "100+" when there are more rows than were counted."""
        return f"{self.count // self.per_page}+" if self.more else str(self.num_pages)

    @property
    def count_shown(self) -> str:
        """ "8,314", or "more than 10,000" when there are more rows than were counted."""
        return f"more than {self.count:,}" if self.more else f"{self.count:,}"


def page_number(request: HttpRequest) -> int:
    """The page `?page=` asks for, from 1 (anything that is not a whole number, or below 1, asks for the first)."""
    try:
        return max(1, min(int(request.GET.get("page", "1")), LAST_PAGE_ASKED))
    except ValueError:
        return 1


def page_of(items: QuerySet[Any] | Sequence[Any], request: HttpRequest) -> Page[Any]:
    """The page of `items` that `?page=` asks for (the last one if it is past the end, the first if
    it is not a number). The rows are counted up to MAROPS_PAGES_COUNTED pages, or to the end of the
    page asked for if it is further: below that the pager's total is exact, above it "100+"."""
    number = page_number(request)
    counted_to = PAGE_SIZE * max(settings.MAROPS_PAGES_COUNTED, number)
    return CountedPaginator(items, PAGE_SIZE, counted_to=counted_to).get_page(number)
