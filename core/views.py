"""View helpers every app uses."""

from django.core.paginator import Page, Paginator
from django.db import transaction

PAGE_SIZE = 100  # long lists (incidents, workflows, the Test, flags; the API's default) come this many a page

# GET pages read only: they need no transaction (nor its savepoints) under ATOMIC_REQUESTS.
read_only = transaction.non_atomic_requests


def page_of(items, request) -> Page:
    """The page of `items` that `?page=` asks for (the last one if it is past the end, the first if
    it is not a number)."""
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
