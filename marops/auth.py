from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, Permission
from django.db.models import Q


def load_permissions(user: AbstractBaseUser | AnonymousUser) -> None:
    """Load a user's permissions (own and through groups) in one query instead of Django's two,
    into the cache ModelBackend.has_perm reads. Pages with a query budget call it first."""
    if not user.is_authenticated or hasattr(user, "_perm_cache"):
        return
    rows = (
        Permission.objects.filter(Q(group__user=user) | Q(user=user))
        .values_list("content_type__app_label", "codename")
        .distinct()
    )
    user._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}  # type: ignore[attr-defined]  # ModelBackend's own cache
