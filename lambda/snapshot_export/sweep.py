"""Find snapshots that were never exported and queue them.

RDS delivers events on a best-effort basis, so an export that depends only on the
snapshot-created event can be lost without anyone noticing. The sweep runs on a schedule, lists
the snapshots of the look-back window and sends an export request for each one that has no
export task yet; the normal queue path then applies the filters, the quota and idempotency.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from . import logs, metrics
from .config import ConfigError
from .events import export_request_body
from .exporter import aws_errors, iter_export_tasks, unexportable_reason
from .naming import as_utc, export_task_identifier
from .runtime import Runtime

# A failed or canceled task does not count as an export of the snapshot, but a new task with
# the same identifier cannot be started either; those stay with the alarm on ExportsFailed.
_ENDED_WITHOUT_EXPORT = frozenset({"failed", "canceled"})
_SEND_BATCH = 10


@dataclass
class SweepSummary:
    window_start: str
    lookback_hours: float
    examined: int = 0
    already_exported: int = 0
    outside_window: int = 0
    filtered_out: int = 0
    not_available: int = 0
    other_type: int = 0
    unexportable_engine: int = 0
    queued_snapshot_arns: list[str] = field(default_factory=list)
    send_failures: list[str] = field(default_factory=list)

    @property
    def queued(self) -> int:
        return len(self.queued_snapshot_arns)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["queued"] = self.queued
        return data


@dataclass(frozen=True)
class _Listed:
    arn: str
    source_type: str
    db_identifier: str
    created: datetime | None
    status: str
    snapshot_type: str
    engine: str
    engine_mode: str


def _listed_snapshots(rds: Any, source_types: Mapping[str, frozenset[str]]) -> Iterator[_Listed]:
    operations = (
        (
            "db-cluster-snapshot",
            "describe_db_cluster_snapshots",
            "DBClusterSnapshots",
            "DBClusterSnapshotArn",
            "DBClusterIdentifier",
        ),
        (
            "db-snapshot",
            "describe_db_snapshots",
            "DBSnapshots",
            "DBSnapshotArn",
            "DBInstanceIdentifier",
        ),
    )
    for source_type, operation, key, arn_key, db_key in operations:
        if source_type not in source_types:
            continue
        with aws_errors():
            # Without SnapshotType both automated and manual snapshots are listed.
            for page in rds.get_paginator(operation).paginate():
                for item in page.get(key, []):
                    created = item.get("SnapshotCreateTime")
                    yield _Listed(
                        arn=str(item.get(arn_key) or ""),
                        source_type=source_type,
                        db_identifier=str(item.get(db_key) or ""),
                        created=created if isinstance(created, datetime) else None,
                        status=str(item.get("Status") or "").lower(),
                        snapshot_type=str(item.get("SnapshotType") or ""),
                        engine=str(item.get("Engine") or ""),
                        engine_mode=str(item.get("EngineMode") or ""),
                    )


def run_sweep(runtime: Runtime) -> SweepSummary:
    config = runtime.config
    if not config.queue_url:
        raise ConfigError("QUEUE_URL", "is required for the sweep")
    now = runtime.now()
    window_start = now - timedelta(hours=config.sweep_lookback_hours)
    summary = SweepSummary(
        window_start=window_start.isoformat(), lookback_hours=config.sweep_lookback_hours
    )
    targets = config.sweep_targets()

    tasks = list(iter_export_tasks(runtime.rds))
    task_ids = {str(t.get("ExportTaskIdentifier")) for t in tasks}
    exported_sources = {
        str(t.get("SourceArn"))
        for t in tasks
        if str(t.get("Status") or "").lower() not in _ENDED_WITHOUT_EXPORT
    }

    for snapshot in _listed_snapshots(runtime.rds, targets):
        summary.examined += 1
        if snapshot.snapshot_type not in targets[snapshot.source_type]:
            summary.other_type += 1
        elif snapshot.created is None or as_utc(snapshot.created) < window_start:
            summary.outside_window += 1
        elif not config.exports_db(snapshot.db_identifier):
            summary.filtered_out += 1
        elif unexportable_reason(snapshot.engine, snapshot.engine_mode):
            summary.unexportable_engine += 1
        elif snapshot.status != "available":
            summary.not_available += 1
        elif export_task_identifier(snapshot.arn) in task_ids or snapshot.arn in exported_sources:
            summary.already_exported += 1
        else:
            summary.queued_snapshot_arns.append(snapshot.arn)

    _enqueue(runtime, summary)
    logs.log(logging.INFO, "sweep finished", decision="sweep", **summary.to_dict())
    if summary.send_failures:
        logs.log(
            logging.ERROR,
            "sweep could not queue some snapshots",
            snapshot_arns=summary.send_failures,
        )
    return summary


def _enqueue(runtime: Runtime, summary: SweepSummary) -> None:
    pending = list(summary.queued_snapshot_arns)
    sent: list[str] = []
    for offset in range(0, len(pending), _SEND_BATCH):
        chunk = pending[offset : offset + _SEND_BATCH]
        entries = [
            {"Id": str(index), "MessageBody": export_request_body(arn, origin="sweep")}
            for index, arn in enumerate(chunk)
        ]
        try:
            response = runtime.sqs.send_message_batch(
                QueueUrl=runtime.config.queue_url, Entries=entries
            )
        except (ClientError, BotoCoreError) as err:
            summary.send_failures.extend(chunk)
            logs.log(logging.ERROR, "sweep send failed", error=str(err))
            continue
        failed = {entry.get("Id") for entry in response.get("Failed", [])}
        for index, arn in enumerate(chunk):
            if str(index) in failed:
                summary.send_failures.append(arn)
            else:
                sent.append(arn)
                runtime.emit(metrics.SWEEP_QUEUED, snapshot_arn=arn)
                logs.log(
                    logging.INFO,
                    "snapshot queued by sweep",
                    snapshot_arn=arn,
                    export_task_id=export_task_identifier(arn),
                    decision="queued",
                )
    summary.queued_snapshot_arns = sent
