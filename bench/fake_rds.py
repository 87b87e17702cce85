"""A fake of the RDS snapshot and export API, driven by the simulated clock.

This is a fake, not an emulator: it answers the five calls the export pipeline makes
(StartExportTask, DescribeExportTasks, DescribeDBSnapshots, DescribeDBClusterSnapshots,
CancelExportTask) in botocore's response shapes, and it enforces what moto does not:

- at most ``max_in_progress`` (five in AWS) tasks in STARTING or IN_PROGRESS per account;
  the next StartExportTask fails with a quota-style error code (AWS's code for it is not in
  botocore's model, so the code is a constructor argument);
- a task goes STARTING -> IN_PROGRESS -> COMPLETE over a simulated duration and then stays
  listed; its identifier can never be used again (ExportTaskAlreadyExists);
- identifiers are checked the way the service checks them (letter first, letters, digits
  and hyphens, no trailing or doubled hyphen, at most 60 characters: InvalidParameterValue);
- DescribeExportTasks applies its filters (status values lowercase) and pages with Marker.

Status values in responses are upper case (``COMPLETE``), as botocore documents them.
What it leaves out: engines, option groups, real S3 writes, task failures other than an
optional failure rate, and the per-snapshot "one task at a time" rule (a second task for a
snapshot is allowed and counted, so duplicates show up in the figures instead of hiding).
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.clock import SimClock
from bench.wire import FakeServiceError, wired_client

IDENTIFIER = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|-(?!-))*$")
MAX_IDENTIFIER_LENGTH = 60
RUNNING = ("STARTING", "IN_PROGRESS")
FINAL = ("COMPLETE", "FAILED", "CANCELED")
DEFAULT_QUOTA_CODE = "ExportTaskLimitReachedFault"


@dataclass
class Snapshot:
    kind: str  # "cluster" or "instance"
    identifier: str
    db_identifier: str
    created_at: datetime
    account_id: str
    region: str
    snapshot_type: str = "automated"
    engine: str = "postgres"
    engine_version: str = "16.4"
    status: str = "available"
    allocated_storage: int = 100

    @property
    def arn(self) -> str:
        resource = "cluster-snapshot" if self.kind == "cluster" else "snapshot"
        return f"arn:aws:rds:{self.region}:{self.account_id}:{resource}:{self.identifier}"

    def describe(self) -> dict[str, Any]:
        common = {
            "SnapshotCreateTime": self.created_at,
            "Engine": self.engine,
            "EngineVersion": self.engine_version,
            "AllocatedStorage": self.allocated_storage,
            "Status": self.status,
            "Port": 5432 if "postgres" in self.engine else 3306,
            "VpcId": "vpc-0fake0000000000000",
            "MasterUsername": "admin",
            "LicenseModel": "postgresql-license" if "postgres" in self.engine else "general",
            "SnapshotType": self.snapshot_type,
            "PercentProgress": 100,
            "KmsKeyId": f"arn:aws:kms:{self.region}:{self.account_id}:key/fake-storage-key",
            "TagList": [],
        }
        if self.kind == "cluster":
            return {
                **common,
                "DBClusterSnapshotIdentifier": self.identifier,
                "DBClusterIdentifier": self.db_identifier,
                "ClusterCreateTime": self.created_at - timedelta(days=30),
                "StorageEncrypted": True,
                "DBClusterSnapshotArn": self.arn,
                "IAMDatabaseAuthenticationEnabled": False,
                "EngineMode": "provisioned",
                "AvailabilityZones": [f"{self.region}a", f"{self.region}b"],
            }
        return {
            **common,
            "DBSnapshotIdentifier": self.identifier,
            "DBInstanceIdentifier": self.db_identifier,
            "InstanceCreateTime": self.created_at - timedelta(days=30),
            "AvailabilityZone": f"{self.region}a",
            "StorageType": "gp3",
            "Encrypted": True,
            "DBSnapshotArn": self.arn,
            "IAMDatabaseAuthenticationEnabled": False,
            "DbiResourceId": f"db-{zlib.crc32(self.db_identifier.encode()):08X}FAKE",
            "OriginalSnapshotCreateTime": self.created_at,
            "SnapshotTarget": "region",
        }


@dataclass
class ExportTask:
    identifier: str
    snapshot: Snapshot
    bucket: str
    prefix: str
    role_arn: str
    kms_key_id: str
    export_only: list[str]
    started_at: float
    in_progress_at: float
    ends_at: float
    fails: bool = False
    status: str = "STARTING"
    ended_at: float | None = None

    def describe(self, now: float) -> dict[str, Any]:
        span = max(self.ends_at - self.started_at, 1.0)
        progress = 100 if self.status in FINAL else int(100 * (now - self.started_at) / span)
        task: dict[str, Any] = {
            "ExportTaskIdentifier": self.identifier,
            "SourceArn": self.snapshot.arn,
            "SnapshotTime": self.snapshot.created_at,
            "TaskStartTime": datetime.fromtimestamp(self.started_at, UTC),
            "S3Bucket": self.bucket,
            "S3Prefix": self.prefix,
            "IamRoleArn": self.role_arn,
            "KmsKeyId": self.kms_key_id,
            "Status": self.status,
            "PercentProgress": max(0, min(progress, 100)),
            "TotalExtractedDataInGB": self.snapshot.allocated_storage // 10
            if self.status == "COMPLETE"
            else 0,
            "SourceType": "CLUSTER" if self.snapshot.kind == "cluster" else "SNAPSHOT",
        }
        if self.export_only:
            task["ExportOnly"] = list(self.export_only)
        if self.ended_at is not None:
            task["TaskEndTime"] = datetime.fromtimestamp(self.ended_at, UTC)
        if self.status == "FAILED":
            task["FailureCause"] = "The export failed in the simulated run."
        return task


@dataclass
class StartAttempt:
    at: float
    identifier: str
    source_arn: str
    outcome: str  # "started" or the error code


@dataclass
class FakeRDS:
    """In-memory fake of the RDS export API; ``client()`` gives a real botocore client onto it."""

    clock: SimClock
    export_seconds: Callable[[Snapshot], float]
    account_id: str = "123456789012"
    region: str = "us-east-1"
    max_in_progress: int = 5
    quota_error_code: str = DEFAULT_QUOTA_CODE
    starting_seconds: float = 120.0
    # DescribeExportTasks may not list a task RDS accepted a moment ago; with a lag, two
    # invocations running side by side can both see a free slot, as they could in AWS.
    listing_lag_seconds: float = 0.0
    fails: Callable[[Snapshot], bool] = lambda _snapshot: False
    on_task_finished: Callable[[ExportTask], None] | None = None
    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    tasks: dict[str, ExportTask] = field(default_factory=dict)
    attempts: list[StartAttempt] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    peak_running: int = 0

    def client(self) -> Any:
        return wired_client("rds", self, region=self.region, on_call=lambda _op: self.advance())

    # -- set-up and inspection for the simulation ----------------------------------------

    def add_snapshot(self, snapshot: Snapshot) -> Snapshot:
        self.snapshots[snapshot.arn] = snapshot
        return snapshot

    def running(self) -> list[ExportTask]:
        return [t for t in self.tasks.values() if t.status in RUNNING]

    def tasks_per_snapshot(self) -> Counter[str]:
        return Counter(t.snapshot.arn for t in self.tasks.values())

    def next_transition_at(self) -> float | None:
        times = []
        for task in self.running():
            times.append(task.in_progress_at if task.status == "STARTING" else task.ends_at)
        return min(times, default=None)

    def advance(self) -> None:
        """Move every task to the state it has reached by now, in time order."""
        now = self.clock.epoch
        for task in sorted(self.running(), key=lambda t: t.ends_at):
            if task.status == "STARTING" and now >= task.in_progress_at:
                task.status = "IN_PROGRESS"
            if now >= task.ends_at:
                task.status = "FAILED" if task.fails else "COMPLETE"
                task.ended_at = task.ends_at
                if self.on_task_finished is not None:
                    self.on_task_finished(task)

    # -- API -----------------------------------------------------------------------------

    def start_export_task(self, params: dict[str, Any]) -> dict[str, Any]:
        identifier = params["ExportTaskIdentifier"]
        arn = params["SourceArn"]
        try:
            task = self._start(identifier, arn, params)
        except FakeServiceError as error:
            self.attempts.append(StartAttempt(self.clock.epoch, identifier, arn, error.code))
            raise
        self.attempts.append(StartAttempt(self.clock.epoch, identifier, arn, "started"))
        return task.describe(self.clock.epoch)

    def describe_export_tasks(self, params: dict[str, Any]) -> dict[str, Any]:
        listed_before = self.clock.epoch - self.listing_lag_seconds
        tasks = [
            t
            for t in self.tasks.values()
            if self.listing_lag_seconds <= 0 or t.started_at <= listed_before
        ]
        if "ExportTaskIdentifier" in params:
            wanted = params["ExportTaskIdentifier"]
            tasks = [t for t in tasks if t.identifier == wanted]
            if not tasks:
                raise FakeServiceError(
                    "ExportTaskNotFound", f"Export task {wanted} not found.", 404
                )
        if "SourceArn" in params:
            tasks = [t for t in tasks if t.snapshot.arn == params["SourceArn"]]
        if "SourceType" in params:
            kind = "cluster" if params["SourceType"] == "CLUSTER" else "instance"
            tasks = [t for t in tasks if t.snapshot.kind == kind]
        for name, values in _filters(params):
            if name == "export-task-identifier":
                tasks = [t for t in tasks if t.identifier in values]
            elif name == "s3-bucket":
                tasks = [t for t in tasks if t.bucket in values]
            elif name == "source-arn":
                tasks = [t for t in tasks if t.snapshot.arn in values]
            elif name == "status":
                # The service documents these values as lowercase and case-sensitive.
                tasks = [t for t in tasks if t.status.lower() in values]
            else:
                raise FakeServiceError("InvalidParameterValue", f"Unrecognized filter {name}.")
        now = self.clock.epoch
        return _page(params, [t.describe(now) for t in tasks], "ExportTasks")

    def cancel_export_task(self, params: dict[str, Any]) -> dict[str, Any]:
        identifier = params["ExportTaskIdentifier"]
        task = self.tasks.get(identifier)
        if task is None:
            raise FakeServiceError("ExportTaskNotFound", f"Export task {identifier} not found.")
        if task.status not in RUNNING:
            raise FakeServiceError(
                "InvalidExportTaskStateFault", f"Export task {identifier} is {task.status}."
            )
        task.status = "CANCELED"
        task.ended_at = self.clock.epoch
        return task.describe(self.clock.epoch)

    def describe_db_snapshots(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._describe_snapshots(
            params,
            kind="instance",
            id_param="DBSnapshotIdentifier",
            db_param="DBInstanceIdentifier",
            filter_names={"db-snapshot-id": "id", "db-instance-id": "db"},
            not_found="DBSnapshotNotFound",
            result_key="DBSnapshots",
        )

    def describe_db_cluster_snapshots(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._describe_snapshots(
            params,
            kind="cluster",
            id_param="DBClusterSnapshotIdentifier",
            db_param="DBClusterIdentifier",
            filter_names={"db-cluster-snapshot-id": "id", "db-cluster-id": "db"},
            not_found="DBClusterSnapshotNotFoundFault",
            result_key="DBClusterSnapshots",
        )

    # -- internals -----------------------------------------------------------------------

    def _start(self, identifier: str, arn: str, params: dict[str, Any]) -> ExportTask:
        if (
            len(identifier) > MAX_IDENTIFIER_LENGTH
            or not IDENTIFIER.match(identifier)
            or identifier.endswith("-")
        ):
            raise FakeServiceError(
                "InvalidParameterValue",
                f"The parameter ExportTaskIdentifier is not a valid identifier: {identifier!r}. "
                "Identifiers must begin with a letter; must contain only ASCII letters, digits, "
                "and hyphens; and must not end with a hyphen or contain two consecutive hyphens.",
            )
        prefix = params.get("S3Prefix", "")
        if ":" in prefix:
            raise FakeServiceError(
                "InvalidParameterValue", f"The S3 prefix {prefix!r} must not contain ':'."
            )
        if identifier in self.tasks:
            raise FakeServiceError(
                "ExportTaskAlreadyExists",
                f"Cannot start export task because a task with the identifier {identifier} "
                "already exists.",
            )
        snapshot = self.snapshots.get(arn)
        if snapshot is None:
            if ":cluster-snapshot:" in arn:
                raise FakeServiceError(
                    "DBClusterSnapshotNotFoundFault", f"DBClusterSnapshot {arn} not found.", 404
                )
            raise FakeServiceError("DBSnapshotNotFound", f"DBSnapshot {arn} not found.", 404)
        if snapshot.status != "available":
            raise FakeServiceError(
                "InvalidExportSourceState", f"Snapshot {arn} is {snapshot.status}."
            )
        if len(self.running()) >= self.max_in_progress:
            raise FakeServiceError(
                self.quota_error_code,
                f"You have reached the maximum number of export tasks in progress "
                f"({self.max_in_progress}) for this account.",
            )
        now = self.clock.epoch
        duration = self.export_seconds(snapshot)
        task = ExportTask(
            identifier=identifier,
            snapshot=snapshot,
            bucket=params["S3BucketName"],
            prefix=prefix,
            role_arn=params["IamRoleArn"],
            kms_key_id=params["KmsKeyId"],
            export_only=list(params.get("ExportOnly", [])),
            started_at=now,
            in_progress_at=now + min(self.starting_seconds, duration / 2),
            ends_at=now + duration,
            fails=self.fails(snapshot),
        )
        self.tasks[identifier] = task
        self.peak_running = max(self.peak_running, len(self.running()))
        return task

    def _describe_snapshots(
        self,
        params: dict[str, Any],
        *,
        kind: str,
        id_param: str,
        db_param: str,
        filter_names: dict[str, str],
        not_found: str,
        result_key: str,
    ) -> dict[str, Any]:
        snapshots = [s for s in self.snapshots.values() if s.kind == kind]
        wanted = params.get(id_param)
        if wanted is not None:
            # Own snapshots are looked up by identifier; the ARN form is accepted too.
            snapshots = [s for s in snapshots if wanted in (s.identifier, s.arn)]
            if not snapshots:
                raise FakeServiceError(not_found, f"Snapshot {wanted} not found.", 404)
        if db_param in params:
            snapshots = [s for s in snapshots if s.db_identifier == params[db_param]]
        if "SnapshotType" in params:
            snapshots = [s for s in snapshots if s.snapshot_type == params["SnapshotType"]]
        for name, values in _filters(params):
            if name == "snapshot-type":
                snapshots = [s for s in snapshots if s.snapshot_type in values]
            elif name == "engine":
                snapshots = [s for s in snapshots if s.engine in values]
            elif filter_names.get(name) == "id":
                snapshots = [s for s in snapshots if s.identifier in values or s.arn in values]
            elif filter_names.get(name) == "db":
                snapshots = [s for s in snapshots if s.db_identifier in values]
            else:
                raise FakeServiceError("InvalidParameterValue", f"Unrecognized filter {name}.")
        return _page(params, [s.describe() for s in snapshots], result_key)


def _filters(params: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(f["Name"], list(f["Values"])) for f in params.get("Filters", [])]


def _page(params: dict[str, Any], items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    limit = params.get("MaxRecords", 100)
    if not 20 <= limit <= 100:
        raise FakeServiceError("InvalidParameterValue", "MaxRecords must be between 20 and 100.")
    start = int(params.get("Marker") or 0)
    page: dict[str, Any] = {key: items[start : start + limit]}
    if start + limit < len(items):
        page["Marker"] = str(start + limit)
    return page
