"""Follow an export to its end: metrics, an ERROR line on failure, a notification."""

from __future__ import annotations

import logging

from . import logs, metrics, notify
from .events import ExportFinished
from .exporter import find_export_task
from .naming import export_task_identifier, s3_uri, snapshot_name_from_arn
from .outcome import Decision, Outcome
from .runtime import Runtime

FINAL_STATUSES = frozenset({"complete", "failed", "canceled"})


def track_export(runtime: Runtime, message: ExportFinished, message_id: str) -> Outcome:
    """Handle an export completed, failed or canceled event; skip exports started elsewhere."""
    config = runtime.config
    export_task_id = export_task_identifier(message.snapshot_arn)
    # Only the task with this exporter's identifier is ours; an export of the snapshot started
    # from the console or by another tool is not this module's to count or alarm on.
    task = find_export_task(runtime.rds, export_task_id)
    if task is None:
        reason = "the finished export was not started by this exporter"
        logs.log(
            logging.INFO,
            "finished export was not started by this exporter",
            snapshot_arn=message.snapshot_arn,
            export_task_id=export_task_id,
            decision=str(Decision.SKIPPED),
            status=message.status,
            event_id=message.event_id,
        )
        return Outcome(
            message_id=message_id,
            decision=Decision.SKIPPED,
            snapshot_arn=message.snapshot_arn,
            export_task_id=export_task_id,
            reason=reason,
        )
    status = message.status
    task_status = str(task.get("Status") or "").lower()
    # The event is the news; the task is the record. Prefer the task when it has ended.
    if task_status in FINAL_STATUSES:
        status = task_status
    cause = task.get("FailureCause") or None
    uri = None
    if task.get("S3Bucket"):
        uri = s3_uri(str(task["S3Bucket"]), str(task.get("S3Prefix") or ""), export_task_id)

    succeeded = status == "complete"
    metric = metrics.EXPORTS_COMPLETED if succeeded else metrics.EXPORTS_FAILED
    runtime.emit(
        metric, snapshot_arn=message.snapshot_arn, export_task_id=export_task_id, status=status
    )
    fields = {
        "snapshot_arn": message.snapshot_arn,
        "export_task_id": export_task_id,
        "decision": str(Decision.TRACKED),
        "status": status,
        "event_id": message.event_id,
        "s3_uri": uri,
    }
    if succeeded:
        logs.log(logging.INFO, "export complete", **fields)
    else:
        logs.log(
            logging.ERROR,
            "export did not complete",
            failure_cause=cause or "not reported",
            error_code=f"Export{status.capitalize()}",
            **fields,
        )

    if succeeded and not config.notify_on_success:
        return _outcome(
            message, message_id, export_task_id=export_task_id, uri=uri, status=status, cause=cause
        )

    snapshot = snapshot_name_from_arn(message.snapshot_arn)
    verb = {"complete": "completed", "failed": "FAILED", "canceled": "CANCELED"}.get(status, status)
    notify.publish(
        runtime.sns,
        config.notification_topic_arn,
        subject=f"RDS snapshot export {verb}: {snapshot}",
        lines={
            "Snapshot": message.snapshot_arn,
            "Export task": export_task_id,
            "Status": status,
            "Failure cause": cause if not succeeded else None,
            "S3 location": uri,
            "Exporter": config.exporter_name,
            "Event": message.event_id,
        },
        attributes={"status": status, "exporter": config.exporter_name},
    )
    return _outcome(
        message, message_id, export_task_id=export_task_id, uri=uri, status=status, cause=cause
    )


def _outcome(
    message: ExportFinished,
    message_id: str,
    *,
    export_task_id: str,
    uri: str | None,
    status: str,
    cause: str | None,
) -> Outcome:
    return Outcome(
        message_id=message_id,
        decision=Decision.TRACKED,
        snapshot_arn=message.snapshot_arn,
        export_task_id=export_task_id,
        s3_uri=uri,
        reason=status if cause is None else f"{status}: {cause}",
    )
