"""View helpers every app uses."""

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

PAGE_SIZE = 100  # long lists (incidents, workflows, the Test, flags; the API's default) come this many a page

# GET pages read only: they need no transaction (nor its savepoints) under ATOMIC_REQUESTS.
read_only = transaction.non_atomic_requests


class PageRequest(HttpRequest):
    """The request a page gets: every page needs a login (marops.middleware), so its user is a real
    User, and django-htmx's middleware says whether htmx sent it."""

    user: User
    htmx: HtmxDetails


def page_of(items: QuerySet[Any] | Sequence[Any], request: HttpRequest) -> Page[Any]:
    """The page of `items` that `?page=` asks for (the last one if it is past the end, the first if
    it is not a number)."""
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
