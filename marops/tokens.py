"""API tokens: created for a user, shown once, stored as a hash."""

import datetime
import hashlib
import secrets

from django.contrib.auth.models import User
from django.utils import timezone

from .models import ApiToken

LAST_USED_EVERY = datetime.timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its key; the key cannot be read again later."""
    key = f"mo_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name.strip() or "API token", prefix=key[:8], key_hash=_hash(key))
    return token, key


def api_token_user(key: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Recorded at most once a minute: a busy integration should not write on every call.
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
