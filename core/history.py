"""django-simple-history's `HistoricalRecords`, with the history manager's class built once per model.

simple-history's descriptor builds a new manager class (`Manager.from_queryset`, which walks the
queryset's members with `inspect`) on every `instance.history`, and it reads that attribute for every
historical record it writes: about a quarter of a millisecond each time, on the API's hot path. The
class depends only on the model, so this descriptor builds it on first use and keeps it.
"""

from typing import Any

from django.db import models
from simple_history import models as simple_history
from simple_history.manager import HistoryDescriptor

# simple-history has no types, so its classes are Any to mypy: subclassing them is deliberate here.


class _CachedHistoryDescriptor(HistoryDescriptor):  # type: ignore[misc]
    manager: Any = None

    def __get__(self, instance: models.Model | None, owner: type[models.Model]) -> Any:
        if self.manager is None:
            self.manager = self.manager_class.from_queryset(self.queryset_class)
        return self.manager(self.model, instance)


class HistoricalRecords(simple_history.HistoricalRecords):  # type: ignore[misc]
    def finalize(self, sender: type[models.Model], **kwargs: Any) -> None:
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if type(descriptor) is HistoryDescriptor:
            cached = _CachedHistoryDescriptor(descriptor.model, descriptor.manager_class, descriptor.queryset_class)
            setattr(sender, self.manager_name, cached)
