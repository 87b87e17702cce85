"""Describe a snapshot, count running exports and start one, classifying what RDS answers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from . import settings
from .config import Config
from .naming import as_utc, parse_snapshot_arn

ACTIVE_STATUSES = frozenset({"starting", "in_progress"})
ALREADY_EXISTS_CODES = frozenset({"ExportTaskAlreadyExists", "ExportTaskAlreadyExistsFault"})
TASK_NOT_FOUND_CODES = frozenset({"ExportTaskNotFound", "ExportTaskNotFoundFault"})
# Errors that the same request will hit again however long it waits; a person has to fix the
# role, key, bucket, ExportOnly list or snapshot first. These are the errors botocore's model
# declares for StartExportTask (shape names and their error codes) and the generic
# InvalidParameterValue / InvalidParameterCombination; AccessDenied* is matched by prefix.
PERMANENT_CODES = frozenset(
    {
        "DBSnapshotNotFound",
        "DBSnapshotNotFoundFault",
        "DBClusterSnapshotNotFoundFault",
        "DBClusterNotFoundFault",
        "InvalidS3BucketFault",
        "IamRoleNotFound",
        "IamRoleNotFoundFault",
        "IamRoleMissingPermissions",
        "IamRoleMissingPermissionsFault",
        "KMSKeyNotAccessibleFault",
        "InvalidExportOnly",
        "InvalidExportOnlyFault",
        "InvalidParameterValue",
        "InvalidParameterCombination",
    }
)
# The code RDS returns for the five-export quota is not in botocore's model, so quota and
# throttling are recognised by the words their codes and messages use. The words only decide
# for codes that are neither permanent nor already-exists: a permanent code stays permanent
# whatever its message says.
_DEFER_CODE_WORDS = ("Throttl", "Limit", "Quota", "TooMany")
_QUOTA_MESSAGE_WORDS = ("maximum number", "quota", "too many")
# Snapshot states that end in "available" if one waits.
WAITABLE_SNAPSHOT_STATUSES = frozenset({"creating", "copying", "pending", "modifying", "upgrading"})


class ErrorKind(StrEnum):
    ALREADY_EXISTS = "already_exists"
    DEFER = "defer"
    PERMANENT = "permanent"
    TRANSIENT = "transient"


def classify_error(code: str, message: str = "") -> ErrorKind:
    """Map an RDS error code (and message) to what the function should do about it."""
    lowered = message.lower()
    if code in ALREADY_EXISTS_CODES:
        return ErrorKind.ALREADY_EXISTS
    if code in ("InvalidExportSourceState", "InvalidExportSourceStateFault"):
        return ErrorKind.DEFER
    if code in PERMANENT_CODES or code.startswith("AccessDenied"):
        return ErrorKind.PERMANENT
    if "export task" in lowered and any(word in lowered for word in _QUOTA_MESSAGE_WORDS):
        return ErrorKind.DEFER
    if any(word in code for word in _DEFER_CODE_WORDS):
        return ErrorKind.DEFER
    return ErrorKind.TRANSIENT


class ExportError(Exception):
    """An AWS error translated into an error code, message and what to do about it."""

    def __init__(self, code: str, message: str, kind: ErrorKind | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.kind = kind if kind is not None else classify_error(code, message)

    @classmethod
    def from_client_error(cls, err: ClientError) -> ExportError:
        error = err.response.get("Error", {})
        code = str(error.get("Code") or "Unknown")
        message = str(error.get("Message") or err)
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        kind = classify_error(code, message)
        # A server-side fault is worth retrying even if its code looks like a permanent one.
        if isinstance(status, int) and status >= 500 and kind is ErrorKind.PERMANENT:
            kind = ErrorKind.TRANSIENT
        return cls(code, message, kind)

    @classmethod
    def from_botocore_error(cls, err: BotoCoreError) -> ExportError:
        return cls(type(err).__name__, str(err), ErrorKind.TRANSIENT)


@dataclass(frozen=True)
class SnapshotInfo:
    """What the describe call says about a snapshot."""

    name: str
    db_identifier: str
    created: datetime
    status: str
    engine: str = ""
    engine_mode: str = ""


def unexportable_reason(engine: str, engine_mode: str = "") -> str | None:
    """Why RDS cannot export a snapshot of this engine, or None if it can.

    An empty engine (a describe that did not say) is left for StartExportTask to judge.
    """
    engine, engine_mode = engine.lower(), engine_mode.lower()
    if engine_mode in settings.unexportable_engine_modes():
        return (
            f"engine {engine or 'unknown'} in engine mode {engine_mode} (Aurora Serverless v1) "
            "cannot be exported to S3"
        )
    if engine and engine not in settings.exportable_engines():
        return f"engine {engine} cannot be exported to S3"
    return None


def _snapshot_type_for(name: str) -> str | None:
    # DescribeDBSnapshots and DescribeDBClusterSnapshots only find an automated (or AWS Backup)
    # snapshot by identifier when SnapshotType says which kind it is.
    if name.startswith("rds:"):
        return "automated"
    if name.startswith("awsbackup:"):
        return "awsbackup"
    return None


def describe_snapshot(rds: Any, snapshot_arn: str, fallback_time: datetime) -> SnapshotInfo:
    """Describe a DB or DB cluster snapshot, chosen by the ARN's resource type."""
    ref = parse_snapshot_arn(snapshot_arn)
    request: dict[str, Any] = {}
    snapshot_type = _snapshot_type_for(ref.name)
    if snapshot_type:
        request["SnapshotType"] = snapshot_type
    with aws_errors():
        if ref.is_cluster:
            request["DBClusterSnapshotIdentifier"] = ref.name
            items = rds.describe_db_cluster_snapshots(**request).get("DBClusterSnapshots", [])
        else:
            request["DBSnapshotIdentifier"] = ref.name
            items = rds.describe_db_snapshots(**request).get("DBSnapshots", [])
    if not items:
        code = "DBClusterSnapshotNotFoundFault" if ref.is_cluster else "DBSnapshotNotFound"
        raise ExportError(code, f"snapshot {ref.name} not found", ErrorKind.PERMANENT)
    item = items[0]
    created = item.get("SnapshotCreateTime") or item.get("OriginalSnapshotCreateTime")
    if not isinstance(created, datetime):
        created = fallback_time
    return SnapshotInfo(
        name=ref.name,
        db_identifier=str(
            item.get("DBClusterIdentifier" if ref.is_cluster else "DBInstanceIdentifier") or ""
        ),
        created=as_utc(created),
        status=str(item.get("Status") or "").lower(),
        engine=str(item.get("Engine") or ""),
        engine_mode=str(item.get("EngineMode") or ""),
    )


@contextmanager
def aws_errors() -> Iterator[None]:
    """Turn botocore's errors inside the block into ExportError, classified by code."""
    try:
        yield
    except ClientError as err:
        raise ExportError.from_client_error(err) from err
    except BotoCoreError as err:
        raise ExportError.from_botocore_error(err) from err


def iter_export_tasks(rds: Any, **request: Any) -> Iterator[Mapping[str, Any]]:
    """All export tasks the call returns, across pages."""
    try:
        for page in rds.get_paginator("describe_export_tasks").paginate(**request):
            yield from page.get("ExportTasks", [])
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in TASK_NOT_FOUND_CODES:
            return
        raise ExportError.from_client_error(err) from err
    except BotoCoreError as err:
        raise ExportError.from_botocore_error(err) from err


def active_export_ids(rds: Any) -> set[str]:
    """Identifiers of the export tasks starting or in progress in this account and region."""
    # The filter saves pages on AWS; the check below is what counts, because emulators (and
    # older API versions) ignore Filters.
    tasks = iter_export_tasks(rds, Filters=[{"Name": "status", "Values": sorted(ACTIVE_STATUSES)}])
    return {
        str(task.get("ExportTaskIdentifier") or "")
        for task in tasks
        if str(task.get("Status", "")).lower() in ACTIVE_STATUSES
    }


def find_export_task(rds: Any, export_task_id: str) -> Mapping[str, Any] | None:
    """The export task with this identifier, or None."""
    for task in iter_export_tasks(rds, ExportTaskIdentifier=export_task_id):
        if task.get("ExportTaskIdentifier") == export_task_id:
            return task
    return None


class ExportSlots:
    """Whether this invocation may start one more export without passing the ceiling.

    The tasks starting or in progress are listed again before every start, so a batch sees the
    exports other invocations started meanwhile; the tasks this invocation started are added
    to the listing, since RDS may not list a task it has just accepted.

    This is best-effort across concurrent invocations (the event source mapping runs at most
    two): two batches can still pass MAX_CONCURRENT_EXPORTS by the starts that fall between
    one's count and its start. RDS's own limit of five tasks is not counted on here; when RDS
    refuses a start for it, the record is deferred like any other wait for a slot.
    """

    def __init__(self, rds: Any, ceiling: int) -> None:
        self._rds = rds
        self.ceiling = ceiling
        self.started: set[str] = set()
        self.in_use = 0
        self._full = False

    def available(self) -> bool:
        if self._full:
            return False
        self.in_use = len(active_export_ids(self._rds) | self.started)
        return self.in_use < self.ceiling

    def record_start(self, export_task_id: str) -> None:
        self.started.add(export_task_id)

    def mark_full(self) -> None:
        """RDS refused a start for quota reasons: stop trying for the rest of the batch."""
        self._full = True
        self.in_use = max(self.in_use, self.ceiling)


def start_export(
    rds: Any, config: Config, snapshot_arn: str, export_task_id: str, prefix: str
) -> Mapping[str, Any]:
    request: dict[str, Any] = {
        "ExportTaskIdentifier": export_task_id,
        "SourceArn": snapshot_arn,
        "S3BucketName": config.s3_bucket_name,
        "IamRoleArn": config.iam_role_arn,
        "KmsKeyId": config.kms_arn,
    }
    if prefix:
        request["S3Prefix"] = prefix
    if config.export_only:
        request["ExportOnly"] = list(config.export_only)
    with aws_errors():
        return rds.start_export_task(**request)
