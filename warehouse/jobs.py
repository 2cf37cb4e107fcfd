"""The scheduled build (``ingest.jobs`` runs ``build_job`` after an ingest that loaded rows)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from warehouse.publish import publish


class BuildSettings(Protocol):
    """What the build job reads of the schedule configuration (``ingest.jobs.ScheduleConfig``)."""

    ingest_db: Path
    warehouse_db: Path
    ops_db: Path  # the operational store (QA, risk), copied in when it exists
    timezone: str  # the site's zone, also the center's: days and intervals are cut in it


def build_job(settings: BuildSettings) -> int:
    """Build and publish the warehouse; returns the rows of all models built.

    Raises like ``warehouse.publish.publish``: a failing data test fails the job and leaves
    the published warehouse as it was.
    """
    result = publish(
        settings.warehouse_db,
        settings.ingest_db,
        {"timezone": settings.timezone},
        ops_db=settings.ops_db,
    )
    return sum(model.rows for model in result.build.models)
