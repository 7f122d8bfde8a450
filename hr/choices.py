from django.db import models


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    PREVIEWING = "previewing", "Working out what would change"
    PREVIEWED = "previewed", "Ready to apply"
    APPLYING = "applying", "Applying"
    APPLIED = "applied", "Applied"
    FAILED = "failed", "Nothing written"


class ImportTarget(models.TextChoices):
    SCENARIO = "scenario", "A new scenario"
    LIVE = "live", "Sync the live chart"
