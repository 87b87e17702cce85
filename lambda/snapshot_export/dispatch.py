"""The decision for one SQS record: export, skip, defer, track, fail or retry."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from . import logs, metrics, notify
from .backoff import deferral_delay
from .deferral import (
    DeferralState,
    QueueUnknownError,
    deferral_state,
    queue_url_for,
    resend,
    send_to_dead_letter,
)
from .events import (
    ExportFinished,
    ExportRequest,
    Ignored,
    Malformed,
    SnapshotCreated,
    parse_record,
)
from .exporter import (
    WAITABLE_SNAPSHOT_STATUSES,
    ErrorKind,
    ExportError,
    ExportSlots,
    describe_snapshot,
    find_export_task,
    start_export,
    unexportable_reason,
)
from .naming import export_task_identifier, render_prefix, s3_uri, snapshot_name_from_arn
from .outcome import Decision, Outcome
from .runtime import Runtime
from .tracking import track_export

MAX_WAIT_EXCEEDED = "MaxWaitExceeded"
MALFORMED = "MalformedMessage"
# A record due within a second is treated as due: re-sending it would only add a round trip.
_NOT_BEFORE_TOLERANCE_SECONDS = 1.0
_REDRIVE_HINT = "then redrive the dead-letter queue to export the snapshot."
_NEXT_STEPS = {
    "IamRoleNotFound": (
        "IAM_ROLE_ARN must name an existing role trusted by export.rds.amazonaws.com; "
    ),
    "IamRoleMissingPermissions": "give the export role the S3 permissions on the bucket; ",
    "KMSKeyNotAccessibleFault": (
        "KMS_ARN must be a symmetric customer managed key on which the function may "
        "kms:CreateGrant and kms:DescribeKey; "
    ),
    "InvalidS3BucketFault": "the bucket must exist in the snapshot's region; ",
    "InvalidExportOnly": "fix EXPORT_ONLY (database, database.table or database.schema.table); ",
    MAX_WAIT_EXCEEDED: "check the exports in progress (aws rds describe-export-tasks); ",
    MALFORMED: "the message is not an RDS snapshot event; nothing can be exported from it.",
}


@dataclass(frozen=True)
class RecordResult:
    outcome: Outcome
    redeliver: bool = False


class BatchContext:
    """State shared by the records of one invocation."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.slots = ExportSlots(runtime.rds, runtime.config.max_concurrent_exports)


def message_id_of(record: Any) -> str:
    if isinstance(record, Mapping):
        return str(record.get("messageId") or "")
    return ""


def process_record(ctx: BatchContext, record: Mapping[str, Any]) -> RecordResult:
    message_id = message_id_of(record)
    if not isinstance(record, Mapping):
        record = {"body": str(record)}
    message = parse_record(record, ctx.runtime.config.event_ids)
    if isinstance(message, Malformed):
        outcome = Outcome(message_id=message_id, decision=Decision.FAILED, reason=message.reason)
        return fail_permanently(ctx, record, outcome, MALFORMED, message.reason)
    if isinstance(message, Ignored):
        return skip(
            ctx,
            Outcome(
                message_id=message_id,
                decision=Decision.SKIPPED,
                snapshot_arn=message.snapshot_arn,
                reason=message.reason,
            ),
            event_id=message.event_id,
        )
    if isinstance(message, ExportFinished):
        try:
            return RecordResult(track_export(ctx.runtime, message, message_id))
        except ExportError as failure:
            outcome = Outcome(
                message_id=message_id,
                decision=Decision.RETRY,
                snapshot_arn=message.snapshot_arn,
                export_task_id=export_task_identifier(message.snapshot_arn),
            )
            return retry(outcome, failure)
    if isinstance(message, SnapshotCreated | ExportRequest):
        return export(ctx, record, message_id, message.snapshot_arn)
    raise TypeError(f"unhandled message type {type(message).__name__}")


def export(
    ctx: BatchContext, record: Mapping[str, Any], message_id: str, snapshot_arn: str
) -> RecordResult:
    runtime = ctx.runtime
    config = runtime.config
    now = runtime.now()
    state = deferral_state(record, now)
    outcome = Outcome(
        message_id=message_id,
        decision=Decision.EXPORTED,
        snapshot_arn=snapshot_arn,
        export_task_id=export_task_identifier(snapshot_arn),
    )

    if state.not_before is not None:
        remaining = state.not_before - now.timestamp()
        if remaining >= _NOT_BEFORE_TOLERANCE_SECONDS:
            return wait_longer(ctx, record, state, outcome, remaining)

    try:
        snapshot = describe_snapshot(runtime.rds, snapshot_arn, fallback_time=now)
    except ExportError as failure:
        return handle_failure(ctx, record, state, outcome, failure)

    if not config.exports_db(snapshot.db_identifier):
        reason = f"{snapshot.db_identifier or 'unknown DB'} is not in DB_IDENTIFIERS"
        return skip(ctx, replace(outcome, decision=Decision.SKIPPED, reason=reason))
    unexportable = unexportable_reason(snapshot.engine, snapshot.engine_mode)
    if unexportable:
        return skip(ctx, replace(outcome, decision=Decision.SKIPPED, reason=unexportable))
    if snapshot.status != "available":
        reason = f"snapshot status is {snapshot.status or 'unknown'}"
        if snapshot.status in WAITABLE_SNAPSHOT_STATUSES:
            return defer(ctx, record, state, outcome, reason, waiting_for="the snapshot")
        return skip(
            ctx,
            replace(outcome, decision=Decision.SKIPPED, reason=f"{reason}; it cannot be exported"),
            level=logging.WARNING,
        )

    prefix = render_prefix(
        config.s3_prefix_template, snapshot.db_identifier, snapshot.name, snapshot.created
    )
    outcome = replace(
        outcome, s3_uri=s3_uri(config.s3_bucket_name, prefix, outcome.export_task_id or "")
    )
    try:
        if not ctx.slots.available():
            if find_export_task(runtime.rds, outcome.export_task_id or "") is not None:
                return already_exported(outcome)
            reason = (
                f"{ctx.slots.in_use} exports starting or in progress, "
                f"MAX_CONCURRENT_EXPORTS is {ctx.slots.ceiling}"
            )
            return defer(ctx, record, state, outcome, reason, waiting_for="an export slot")
        start_export(runtime.rds, config, snapshot_arn, outcome.export_task_id or "", prefix)
    except ExportError as failure:
        if failure.kind is ErrorKind.DEFER and "SourceState" not in failure.code:
            ctx.slots.mark_full()
        return handle_failure(ctx, record, state, outcome, failure)

    ctx.slots.record_start(outcome.export_task_id or "")
    runtime.emit(
        metrics.EXPORTS_STARTED, snapshot_arn=snapshot_arn, export_task_id=outcome.export_task_id
    )
    logs.log(
        logging.INFO,
        "export started",
        snapshot_arn=snapshot_arn,
        export_task_id=outcome.export_task_id,
        decision=str(Decision.EXPORTED),
        s3_uri=outcome.s3_uri,
        db_identifier=snapshot.db_identifier,
        snapshot_created=snapshot.created.isoformat(),
    )
    return RecordResult(outcome)


def handle_failure(
    ctx: BatchContext,
    record: Mapping[str, Any],
    state: DeferralState,
    outcome: Outcome,
    failure: ExportError,
) -> RecordResult:
    if failure.kind is ErrorKind.ALREADY_EXISTS:
        return already_exported(outcome)
    if failure.kind is ErrorKind.DEFER:
        waiting_for = "the snapshot" if "SourceState" in failure.code else "an export slot"
        return defer(
            ctx,
            record,
            state,
            replace(outcome, error_code=failure.code),
            f"{failure.code}: {failure.message}",
            waiting_for=waiting_for,
        )
    if failure.kind is ErrorKind.PERMANENT:
        return fail_permanently(
            ctx, record, replace(outcome, decision=Decision.FAILED), failure.code, failure.message
        )
    return retry(outcome, failure)


def already_exported(outcome: Outcome) -> RecordResult:
    outcome = replace(
        outcome,
        decision=Decision.ALREADY_EXPORTED,
        reason="an export task with this identifier already exists",
    )
    logs.log(
        logging.INFO,
        "export already exists",
        snapshot_arn=outcome.snapshot_arn,
        export_task_id=outcome.export_task_id,
        decision=str(outcome.decision),
    )
    return RecordResult(outcome)


def skip(
    ctx: BatchContext, outcome: Outcome, level: int = logging.INFO, event_id: str | None = None
) -> RecordResult:
    if outcome.snapshot_arn:
        ctx.runtime.emit(metrics.SNAPSHOTS_SKIPPED, snapshot_arn=outcome.snapshot_arn)
    logs.log(
        level,
        "record skipped",
        snapshot_arn=outcome.snapshot_arn,
        export_task_id=outcome.export_task_id,
        decision=str(Decision.SKIPPED),
        reason=outcome.reason,
        event_id=event_id,
    )
    return RecordResult(outcome)


def retry(outcome: Outcome, failure: ExportError) -> RecordResult:
    outcome = replace(
        outcome,
        decision=Decision.RETRY,
        error_code=failure.code,
        reason=failure.message,
    )
    logs.log(
        logging.WARNING,
        "transient error, record will be delivered again",
        snapshot_arn=outcome.snapshot_arn,
        export_task_id=outcome.export_task_id,
        decision=str(outcome.decision),
        error_code=failure.code,
        error_message=failure.message,
    )
    return RecordResult(outcome, redeliver=True)


def defer(
    ctx: BatchContext,
    record: Mapping[str, Any],
    state: DeferralState,
    outcome: Outcome,
    reason: str,
    *,
    waiting_for: str,
) -> RecordResult:
    runtime = ctx.runtime
    config = runtime.config
    now = runtime.now()
    gave_up = _give_up_after_max_wait(ctx, record, state, outcome, reason, waiting_for=waiting_for)
    if gave_up is not None:
        return gave_up
    delay = deferral_delay(
        state.deferrals,
        state.origin_message_id,
        config.backoff_base_seconds,
        config.backoff_max_seconds,
    )
    not_before = now.timestamp() + delay
    failed = _send_again(
        ctx, record, state, outcome, deferrals=state.deferrals + 1, not_before=not_before
    )
    if failed is not None:
        return failed
    outcome = replace(outcome, decision=Decision.DEFERRED, reason=reason, delay_seconds=delay)
    runtime.emit(
        metrics.EXPORTS_DEFERRED,
        snapshot_arn=outcome.snapshot_arn,
        export_task_id=outcome.export_task_id,
        deferrals=state.deferrals + 1,
    )
    logs.log(
        logging.INFO,
        "export deferred",
        snapshot_arn=outcome.snapshot_arn,
        export_task_id=outcome.export_task_id,
        decision=str(outcome.decision),
        error_code=outcome.error_code,
        reason=reason,
        delay_seconds=delay,
        deferrals=state.deferrals + 1,
        not_before=_iso(not_before),
    )
    return RecordResult(outcome)


def _give_up_after_max_wait(
    ctx: BatchContext,
    record: Mapping[str, Any],
    state: DeferralState,
    outcome: Outcome,
    reason: str,
    *,
    waiting_for: str,
) -> RecordResult | None:
    """Move the record to the dead-letter queue once it has waited MAX_WAIT_HOURS, else None."""
    config = ctx.runtime.config
    waited_hours = (ctx.runtime.now().timestamp() - state.first_seen) / 3600
    if waited_hours <= config.max_wait_hours:
        return None
    message = (
        f"gave up waiting for {waiting_for} after {waited_hours:.1f} hours "
        f"(MAX_WAIT_HOURS is {config.max_wait_hours:g}); last reason: {reason}"
    )
    return fail_permanently(
        ctx, record, replace(outcome, decision=Decision.FAILED), MAX_WAIT_EXCEEDED, message
    )


def wait_longer(
    ctx: BatchContext,
    record: Mapping[str, Any],
    state: DeferralState,
    outcome: Outcome,
    remaining: float,
) -> RecordResult:
    """A deferral longer than SQS's 15-minute delay arrives early: send it on again without
    counting another deferral."""
    runtime = ctx.runtime
    now = runtime.now()
    # No deferral waits longer than BACKOFF_MAX_SECONDS; a not-before further away is garbled
    # (or the setting was lowered since) and would keep the record circling.
    remaining = min(remaining, runtime.config.backoff_max_seconds)
    not_before = now.timestamp() + remaining
    reason = f"not before {_iso(not_before)}"
    gave_up = _give_up_after_max_wait(
        ctx, record, state, outcome, reason, waiting_for="the deferred export to be due"
    )
    if gave_up is not None:
        return gave_up
    failed = _send_again(
        ctx, record, state, outcome, deferrals=state.deferrals, not_before=not_before
    )
    if failed is not None:
        return failed
    outcome = replace(
        outcome, decision=Decision.DEFERRED, reason=reason, delay_seconds=int(remaining)
    )
    logs.log(
        logging.INFO,
        "export still waiting",
        snapshot_arn=outcome.snapshot_arn,
        export_task_id=outcome.export_task_id,
        decision=str(outcome.decision),
        reason=reason,
        delay_seconds=int(remaining),
        deferrals=state.deferrals,
    )
    return RecordResult(outcome)


def _send_again(
    ctx: BatchContext,
    record: Mapping[str, Any],
    state: DeferralState,
    outcome: Outcome,
    *,
    deferrals: int,
    not_before: float,
) -> RecordResult | None:
    """Put a copy of the record back on the queue, due at not_before; None once it is sent.

    When the copy cannot be sent, the original is left for redelivery so nothing is lost.
    """
    runtime = ctx.runtime
    try:
        queue_url = queue_url_for(runtime.config.queue_url, record, runtime.sqs)
        resend(
            runtime.sqs,
            queue_url,
            record,
            state,
            deferrals=deferrals,
            not_before=not_before,
            now=runtime.now(),
        )
    except QueueUnknownError as err:
        return retry(outcome, ExportError("QueueUrlUnknown", str(err), ErrorKind.TRANSIENT))
    except ExportError as failure:
        return retry(outcome, failure)
    return None


def fail_permanently(
    ctx: BatchContext, record: Mapping[str, Any], outcome: Outcome, code: str, message: str
) -> RecordResult:
    """Log for a person, count it, notify, and move the record to the dead-letter queue."""
    runtime = ctx.runtime
    config = runtime.config
    outcome = replace(outcome, decision=Decision.FAILED, error_code=code, reason=message)
    runtime.emit(
        metrics.PERMANENT_ERRORS,
        snapshot_arn=outcome.snapshot_arn,
        export_task_id=outcome.export_task_id,
        error_code=code,
    )
    logs.log(
        logging.ERROR,
        "export failed permanently",
        snapshot_arn=outcome.snapshot_arn,
        export_task_id=outcome.export_task_id,
        decision=str(outcome.decision),
        error_code=code,
        error_message=message,
        message_id=outcome.message_id or None,
    )

    redeliver = True
    where = "the dead-letter queue, by redrive after the queue's maxReceiveCount"
    if config.dead_letter_queue_url:
        try:
            send_to_dead_letter(runtime.sqs, config.dead_letter_queue_url, record, code, message)
            redeliver = False
            where = f"the dead-letter queue {config.dead_letter_queue_url}"
        except ExportError as failure:
            logs.log(
                logging.ERROR,
                "could not move record to the dead-letter queue",
                snapshot_arn=outcome.snapshot_arn,
                error_code=failure.code,
                error_message=failure.message,
            )

    # Without DEAD_LETTER_QUEUE_URL the record comes back until redrive moves it; tell people
    # on the first delivery only.
    if not redeliver or _receive_count(record) <= 1:
        _notify_permanent(runtime, outcome, code, message, where)
    return RecordResult(outcome, redeliver=redeliver)


def _notify_permanent(
    runtime: Runtime, outcome: Outcome, code: str, message: str, where: str
) -> None:
    config = runtime.config
    try:
        name = snapshot_name_from_arn(outcome.snapshot_arn or "")
    except ValueError:
        name = "unreadable message"
    notify.publish(
        runtime.sns,
        config.notification_topic_arn,
        subject=f"RDS snapshot export needs attention: {name}",
        lines={
            "Snapshot": outcome.snapshot_arn,
            "Export task": outcome.export_task_id,
            "Error code": code,
            "Error": message,
            "Message ID": outcome.message_id,
            "Record moved to": where,
            "Next step": _next_step(code),
            "Exporter": config.exporter_name,
        },
        attributes={"status": "error", "exporter": config.exporter_name},
    )


def _next_step(code: str) -> str:
    step = _NEXT_STEPS.get(code)
    if step is None:
        return f"fix the cause of {code}, {_REDRIVE_HINT}"
    return step if step.endswith(".") else step + _REDRIVE_HINT


def _receive_count(record: Mapping[str, Any]) -> int:
    try:
        return int((record.get("attributes") or {}).get("ApproximateReceiveCount", 1))
    except (TypeError, ValueError, AttributeError):
        return 1


def _iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat()
