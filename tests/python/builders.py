"""Event payloads, Lambda SQS records and small fakes for what moto does not emulate."""

from __future__ import annotations

import base64
import itertools
import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto.rds.models import rds_backends

REGION = "us-east-1"
ACCOUNT = "123456789012"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:snapshot-export"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:snapshot-events"
EVENT_URL = "http://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.html#"

_counter = itertools.count(1)

# One attempt per call: retries would hide the error a test stubs and consume its responses.
NO_RETRIES = BotoConfig(retries={"total_max_attempts": 1, "mode": "standard"})
# moto resets boto3's default client factory on every start, and loading the RDS model again for
# each test costs more than the test; clients are still created only after mock_aws starts.
_BOTO = boto3.Session(region_name=REGION)


def client(service: str) -> Any:
    """A boto3 client in the test region; create it only inside mock_aws (or for a Stubber)."""
    return _BOTO.client(service, config=NO_RETRIES)


def cluster_snapshot_arn(name: str) -> str:
    return f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster-snapshot:{name}"


def instance_snapshot_arn(name: str) -> str:
    return f"arn:aws:rds:{REGION}:{ACCOUNT}:snapshot:{name}"


def rds_event(snapshot_arn: str, event_id: str, url: str = EVENT_URL) -> dict[str, Any]:
    """The RDS event JSON as RDS publishes it to SNS."""
    source = "db-cluster-snapshot" if ":cluster-snapshot:" in snapshot_arn else "db-snapshot"
    name = snapshot_arn.split(":", 6)[6]
    return {
        "Event Source": source,
        "Event Time": "2026-12-03 03:09:51.876",
        "Identifier Link": f"https://console.aws.amazon.com/rds/home?region={REGION}#snapshot:id={name}",
        "Source ID": name,
        "Source ARN": snapshot_arn,
        "Event ID": f"{url}{event_id}",
        "Event Message": "Snapshot event",
    }


def sns_notification(
    message: Mapping[str, Any] | str,
    event_id: str | None = None,
    resource: str | None = None,
) -> dict[str, Any]:
    """An SNS notification as SQS stores it for a subscription without raw delivery."""
    attributes: dict[str, Any] = {}
    if event_id is not None:
        attributes["EventID"] = {"Type": "String", "Value": event_id}
    if resource is not None:
        attributes["Resource"] = {"Type": "String", "Value": resource}
    envelope: dict[str, Any] = {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": TOPIC_ARN,
        "Subject": "RDS Notification Message",
        "Message": message if isinstance(message, str) else json.dumps(message),
        "Timestamp": "2026-12-03T03:09:52.000Z",
        "SignatureVersion": "1",
    }
    if attributes:
        envelope["MessageAttributes"] = attributes
    return envelope


def snapshot_notification(snapshot_arn: str, event_id: str) -> dict[str, Any]:
    """The common case: an RDS snapshot event through SNS with its attributes."""
    return sns_notification(rds_event(snapshot_arn, event_id), event_id, snapshot_arn)


def eventbridge_event(snapshot_arn: str, event_id: str) -> dict[str, Any]:
    cluster = ":cluster-snapshot:" in snapshot_arn
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "RDS DB Cluster Snapshot Event" if cluster else "RDS DB Snapshot Event",
        "source": "aws.rds",
        "account": ACCOUNT,
        "region": REGION,
        "resources": [snapshot_arn],
        "detail": {
            "EventCategories": ["backup"],
            "SourceType": "CLUSTER_SNAPSHOT" if cluster else "SNAPSHOT",
            "SourceArn": snapshot_arn,
            "SourceIdentifier": snapshot_arn.split(":", 6)[6],
            "Message": "Snapshot event",
            "EventID": event_id,
        },
    }


def sqs_record(
    body: Mapping[str, Any] | str,
    message_id: str | None = None,
    *,
    message_attributes: Mapping[str, Mapping[str, str]] | None = None,
    sent: datetime | None = None,
    receive_count: int = 1,
    event_source_arn: str = QUEUE_ARN,
) -> dict[str, Any]:
    """One record of a Lambda SQS event."""
    sent_ms = int((sent or datetime.now(UTC)).timestamp() * 1000)
    return {
        "messageId": message_id or f"message-{next(_counter)}",
        "receiptHandle": "handle",
        "body": body if isinstance(body, str) else json.dumps(body),
        "attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": str(sent_ms),
            "SenderId": ACCOUNT,
            "ApproximateFirstReceiveTimestamp": str(sent_ms),
        },
        "messageAttributes": dict(message_attributes or {}),
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": event_source_arn,
        "awsRegion": REGION,
    }


def sqs_event(*records: Mapping[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}


def lambda_attributes(sqs_attributes: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """SendMessage/ReceiveMessage attributes in the shape Lambda passes them to the handler."""
    converted: dict[str, Any] = {}
    for name, item in sqs_attributes.items():
        entry: dict[str, Any] = {
            "dataType": item["DataType"],
            "stringListValues": [],
            "binaryListValues": [],
        }
        if "StringValue" in item:
            entry["stringValue"] = item["StringValue"]
        if "BinaryValue" in item:
            entry["binaryValue"] = base64.b64encode(item["BinaryValue"]).decode()
        converted[name] = entry
    return converted


def received_records(sqs: Any, queue_url: str, wait_seconds: int = 0) -> list[dict[str, Any]]:
    """Receive what is visible on a moto queue and shape it as Lambda SQS records."""
    response = sqs.receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=10,
        MessageAttributeNames=["All"],
        AttributeNames=["All"],
        WaitTimeSeconds=wait_seconds,
    )
    records = []
    for message in response.get("Messages", []):
        record = sqs_record(message["Body"], message_id=message["MessageId"])
        record["messageAttributes"] = lambda_attributes(message.get("MessageAttributes", {}))
        record["attributes"].update(message.get("Attributes", {}))
        records.append(record)
    return records


class RecordingSqs:
    """An SQS client fake that keeps what is sent instead of delivering it.

    moto honours DelaySeconds in real time, so a deferred copy would stay invisible for a
    minute; recording the call lets a test look at the copy (and feed it back) at once.
    """

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.batches: list[dict[str, Any]] = []

        class _Meta:
            endpoint_url = f"https://sqs.{REGION}.amazonaws.com"

        self.meta = _Meta()

    def send_message(self, **request: Any) -> dict[str, Any]:
        self.sent.append(request)
        return {"MessageId": str(uuid.uuid4())}

    def send_message_batch(self, **request: Any) -> dict[str, Any]:
        self.batches.append(request)
        return {"Successful": [{"Id": e["Id"]} for e in request["Entries"]], "Failed": []}

    def as_record(self, index: int = -1, sent: datetime | None = None) -> dict[str, Any]:
        """The sent message as SQS would hand it to the function later."""
        request = self.sent[index]
        record = sqs_record(request["MessageBody"], sent=sent)
        record["messageAttributes"] = lambda_attributes(request.get("MessageAttributes", {}))
        return record

    def attribute(self, name: str, index: int = -1) -> str:
        return self.sent[index]["MessageAttributes"][name]["StringValue"]


class RunningExportsRds:
    """A moto RDS client that also reports `running` export tasks as in progress.

    moto creates every export task with status "complete" and enforces no quota, so the
    concurrency ceiling can only be reached by adding tasks that claim to be running.
    """

    def __init__(self, client: Any, running: int) -> None:
        self._client = client
        self.running = [
            {
                "ExportTaskIdentifier": f"elsewhere-{index}",
                "SourceArn": cluster_snapshot_arn(f"elsewhere-{index}"),
                "Status": "IN_PROGRESS",
                "S3Bucket": "other-bucket",
            }
            for index in range(running)
        ]
        self.started: list[dict[str, Any]] = []
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        self.calls.append(name)
        return getattr(self._client, name)

    def start_export_task(self, **request: Any) -> Any:
        self.calls.append("start_export_task")
        self.started.append(request)
        return self._client.start_export_task(**request)

    def get_paginator(self, operation: str) -> Any:
        self.calls.append(f"paginate:{operation}")
        paginator = self._client.get_paginator(operation)
        if operation != "describe_export_tasks":
            return paginator
        running = self.running

        class _Paginator:
            def paginate(self, **request: Any) -> list[dict[str, Any]]:
                wanted = request.get("ExportTaskIdentifier")
                extra = [t for t in running if wanted in (None, t["ExportTaskIdentifier"])]
                try:
                    pages = list(paginator.paginate(**request))
                except ClientError:
                    pages = [{"ExportTasks": []}]
                pages[0] = {**pages[0], "ExportTasks": extra + pages[0].get("ExportTasks", [])}
                return pages

        return _Paginator()


def age_snapshot(name: str, hours: float, cluster: bool = True) -> None:
    """Move a moto snapshot's creation time into the past.

    moto stamps snapshots with the current time and the RDS API cannot change it.
    """
    backend = rds_backends[ACCOUNT][REGION]
    store = backend.cluster_snapshots if cluster else backend.database_snapshots
    store[name].created = datetime.now(UTC) - timedelta(hours=hours)


def emf_metrics(lines: Iterable[str]) -> list[str]:
    """Metric names in captured EMF lines."""
    names = []
    for line in lines:
        document = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            names.extend(metric["Name"] for metric in directive["Metrics"])
    return names


SNAPSHOT_TIME = datetime(2026, 12, 3, 3, 9, tzinfo=UTC)


def stubbed_rds() -> tuple[Any, Stubber]:
    """A real botocore RDS client whose answers the test scripts (botocore's Stubber)."""
    rds = client("rds")
    return rds, Stubber(rds)


def stub_describe_snapshot(
    stubber: Stubber,
    snapshot_arn: str,
    *,
    db_identifier: str = "orders",
    status: str = "available",
    created: datetime = SNAPSHOT_TIME,
    engine: str | None = None,
    engine_mode: str | None = None,
) -> None:
    name = snapshot_arn.split(":", 6)[6]
    snapshot_type = "automated" if name.startswith("rds:") else "manual"
    expected: dict[str, Any] = {}
    if snapshot_type == "automated":
        expected["SnapshotType"] = "automated"
    if ":cluster-snapshot:" in snapshot_arn:
        expected["DBClusterSnapshotIdentifier"] = name
        response = {
            "DBClusterSnapshots": [
                {
                    "DBClusterSnapshotIdentifier": name,
                    "DBClusterIdentifier": db_identifier,
                    "DBClusterSnapshotArn": snapshot_arn,
                    "SnapshotCreateTime": created,
                    "Status": status,
                    "SnapshotType": snapshot_type,
                    "Engine": engine or "aurora-postgresql",
                    "EngineMode": engine_mode or "provisioned",
                }
            ]
        }
        stubber.add_response("describe_db_cluster_snapshots", response, expected)
    else:
        expected["DBSnapshotIdentifier"] = name
        response = {
            "DBSnapshots": [
                {
                    "DBSnapshotIdentifier": name,
                    "DBInstanceIdentifier": db_identifier,
                    "DBSnapshotArn": snapshot_arn,
                    "SnapshotCreateTime": created,
                    "Status": status,
                    "SnapshotType": snapshot_type,
                    "Engine": engine or "postgres",
                }
            ]
        }
        stubber.add_response("describe_db_snapshots", response, expected)


def stub_export_tasks(stubber: Stubber, tasks: list[dict[str, Any]] | None = None) -> None:
    stubber.add_response("describe_export_tasks", {"ExportTasks": tasks or []}, None)


def stub_start_export(stubber: Stubber, expected: Mapping[str, Any] | None = None) -> None:
    stubber.add_response(
        "start_export_task", {"ExportTaskIdentifier": "x", "Status": "STARTING"}, expected
    )


def stub_error(
    stubber: Stubber, operation: str, code: str, message: str = "stubbed", status: int = 400
) -> None:
    stubber.add_client_error(
        operation, service_error_code=code, service_message=message, http_status_code=status
    )
