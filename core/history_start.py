"""For data migrations: the first history record of rows that existed before their history was turned on.

django-simple-history records changes from the moment a model gets `HistoricalRecords`; rows already
there have no record, so "as of a past moment" has no answer for them. This gives each such row one
record ("+", with its values now and the m2m rows it holds now), dated when the row was created where
the model says so and otherwise now: before it, the row did not exist as far as history can tell.
Rows that already have a record are left alone, so running it twice changes nothing.
"""

from collections.abc import Iterable
from typing import Any

from django.apps.registry import Apps
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone

REASON = "recorded when history began"
BATCH = 2_000


def give_first_records(
    apps: Apps, app_label: str, model_name: str, *, dated_by: str | None = None, m2m: Iterable[str] = ()
) -> None:
    """`m2m` names the many-to-many fields the model's history keeps (e.g. ["roles"]); `apps` is the
    migration's registry, so this works on the models as they are at that migration."""
    Model = apps.get_model(app_label, model_name)
    Historical = apps.get_model(app_label, f"Historical{model_name}")
    now = timezone.now()
    kept = {field.attname for field in Historical._meta.concrete_fields}
    names = [field.attname for field in Model._meta.concrete_fields if field.attname in kept]
    unrecorded = Model.objects.filter(~Exists(Historical.objects.filter(id=OuterRef("pk")))).order_by("pk")
    rows = list(unrecorded)
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        records = Historical.objects.bulk_create(
            Historical(
                **{name: getattr(row, name) for name in names},
                history_date=getattr(row, dated_by) if dated_by else now,
                history_type="+",
                history_change_reason=REASON,
            )
            for row in batch
        )
        record_of = {record.id: record for record in records}
        for field_name in m2m:
            _copy_m2m_rows(apps, Model, app_label, model_name, field_name, record_of)


def _copy_m2m_rows(
    apps: Apps,
    Model: type[models.Model],
    app_label: str,
    model_name: str,
    field_name: str,
    record_of: dict[int, models.Model],
) -> None:
    # A many-to-many field (`m2m` names only those), of the migration's registry: its through model
    # is as dynamic as `apps.get_model`'s.
    field: Any = Model._meta.get_field(field_name)
    through = field.remote_field.through
    HistoricalM2M = apps.get_model(app_label, _m2m_history_name(model_name, field_name, through))
    own = next(f for f in through._meta.concrete_fields if f.is_relation and f.related_model == Model)
    names = [f.attname for f in through._meta.concrete_fields]
    HistoricalM2M.objects.bulk_create(
        HistoricalM2M(history=record_of[getattr(row, own.attname)], **{name: getattr(row, name) for name in names})
        for row in through.objects.filter(**{f"{own.attname}__in": list(record_of)}).order_by("pk")
    )


def _m2m_history_name(model_name: str, field_name: str, through: type[models.Model]) -> str:
    """simple-history names an auto-created through's history `Historical<Model>_<field>` and an
    explicit through's `Historical<Through>`."""
    if through._meta.auto_created:
        return f"Historical{model_name}_{field_name}"
    return f"Historical{through._meta.object_name}"
