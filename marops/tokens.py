"""API tokens: created for a user, shown once, stored as a hash."""

import datetime
import functools
import hashlib
import secrets
from typing import TYPE_CHECKING, TypedDict, cast

from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.ids import is_id
from core.validators import field_message, text_problem

from .models import ApiToken

if TYPE_CHECKING:  # django-stubs is a dev dependency
    from django_stubs_ext import WithAnnotations

LAST_USED_EVERY = datetime.timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its key; the key cannot be read again later. Its name is one line (the
    rule every name follows): anything else is a ValidationError keyed by "name" and creates nothing."""
    if problem := text_problem(name):
        raise ValidationError({"name": field_message("Name", problem)})
    key = f"mo_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name.strip() or "API token", prefix=key[:8], key_hash=_hash(key))
    return token, key


def api_token_revoke(*, user: User, token_id: str | None) -> int:
    """Revoke one of the user's own tokens (another user's id, or no id, revokes nothing)."""
    return ApiToken.objects.filter(user=user, pk=token_id if is_id(token_id) else 0).delete()[0]


@functools.cache
def _token_user_sql() -> str:
    """Every API call runs this, so it is one hand-written statement: the token's active user, whether
    the token's last use needs recording, and whether the user holds the permission asked for, own or
    through a group. The ORM's version (joins, and an EXISTS with an OR) took longer to build and plan
    than to run."""
    through = lambda field: field.remote_field.through._meta.db_table  # noqa: E731
    user_perms, group_perms = through(User.user_permissions.field), through(Group.permissions.field)
    user_groups = through(User.groups.field)
    return f"""
        SELECT u.*, t.id AS token_id,
          (t.last_used_at IS NULL OR t.last_used_at < %s) AS token_use_unrecorded,
          EXISTS (
            SELECT 1 FROM {Permission._meta.db_table} p
            JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id
            WHERE ct.app_label = %s AND p.codename = %s AND (
              p.id IN (SELECT permission_id FROM {user_perms} WHERE user_id = u.id)
              OR p.id IN (SELECT gp.permission_id FROM {group_perms} gp
                          JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = u.id))
          ) AS holds_perm
        FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id
        WHERE t.key_hash = %s AND u.is_active"""


class _TokenUserRow(TypedDict):
    """The columns `_token_user_sql` adds to the user's."""

    token_id: int
    token_use_unrecorded: bool
    holds_perm: bool


def api_token_user(key: str, *, perm: str | None = None) -> tuple[User | None, bool]:
    """The active user the key belongs to, and whether they hold `perm` ("app_label.codename"), own or
    through a group, or are a superuser: one query, where the ORM and `user.has_perm` take three."""
    now = timezone.now()
    app_label, codename = perm.split(".") if perm else ("", "")
    params = [now - LAST_USED_EVERY, app_label, codename, _hash(key)]
    rows = User.objects.raw(_token_user_sql(), params)
    user = cast("WithAnnotations[User, _TokenUserRow] | None", next(iter(rows), None))
    if user is None:
        return None, False
    # Recorded at most once a minute: a busy integration should not write on every call.
    if user.token_use_unrecorded:
        ApiToken.objects.filter(pk=user.token_id).update(last_used_at=now)
    return user, not perm or user.is_superuser or bool(user.holds_perm)
