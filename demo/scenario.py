"""What the demo does, step by step, and what each step must lead to.

Each step makes RDS (or SNS, or a person) do something, then the queue is drained the way the
event source mapping drains it: up to ten records per invocation of the real process_batch,
successes deleted, reported failures left on the queue.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bench.esm import sqs_event_record
from bench.fake_sns import notification
from bench.rds_events import SUBJECT, SUBSCRIPTION_CONFIRMATION_TEXT, publish_params
from demo.infrastructure import Deployment
from demo.moto_server import REGION, Clients

PASSWORD = "demo-password-1"  # moto's databases hold no data

# Databases of the demo account; the long name needs identifier truncation, "legacy-reports"
# is left out of DB_IDENTIFIERS, and "inventory"'s snapshot event never arrives.
AURORA_ORDERS = "orders"
AURORA_LONG = "analytics-reporting-warehouse-replica-eu-central-1"
INSTANCE_BILLING = "billing"
INSTANCE_LEGACY = "legacy-reports"
INSTANCE_INVENTORY = "inventory"
DB_IDENTIFIERS = [AURORA_ORDERS, AURORA_LONG, INSTANCE_BILLING, INSTANCE_INVENTORY]
MANUAL_INSTANCE_SNAPSHOT = "billing-before-migration"
MANUAL_CLUSTER_SNAPSHOT = "orders-before-upgrade"


def event_ids(settings: dict[str, Any]) -> list[str]:
    """The module's default snapshot-created events plus the two manual ones, opted into."""
    manual = [
        event_id
        for event_id, entry in settings["snapshot_created_events"].items()
        if entry["category"] in ("backup", "creation") and entry["snapshot_type"] == "manual"
    ]
    return list(dict.fromkeys([*settings["defaults"]["event_ids"], *manual]))


@dataclass(frozen=True)
class Expected:
    step: str
    subject: str  # a snapshot label, or "-" for a record that names no snapshot
    decision: str
    reason: str = ""  # a fragment the outcome's reason must contain


EXPECTATIONS: tuple[Expected, ...] = (
    Expected("first message", "-", "skipped", "plain-text"),
    Expected("snapshots created", "orders (automated)", "exported"),
    Expected("snapshots created", "analytics-... (automated)", "exported"),
    Expected("snapshots created", "billing (automated)", "exported"),
    Expected("snapshots created", "legacy-reports (automated)", "skipped", "DB_IDENTIFIERS"),
    Expected("snapshots created", "billing (manual)", "exported"),
    Expected("snapshots created", "orders (manual)", "exported"),
    Expected("duplicate delivery", "orders (automated)", "already_exported"),
    Expected("not an RDS event", "-", "failed", "not an SNS notification"),
    Expected("exports finished", "orders (automated)", "tracked", "complete"),
    Expected("exports finished", "billing (manual)", "tracked", "failed"),
    Expected("daily sweep", "inventory (automated)", "exported"),
)
# Messages published to the topic that the subscription's filter policy must hold back.
EXPECTED_FILTERED = {"first message": 1, "snapshots created": 1}


@dataclass
class Row:
    step: str
    arrived: str
    subject: str
    decision: str
    reason: str
    export_task_id: str
    s3_uri: str


@dataclass
class Run:
    rows: list[Row] = field(default_factory=list)
    filtered: dict[str, int] = field(default_factory=dict)
    published: dict[str, tuple[int, int]] = field(default_factory=dict)
    left_on_queue: int = 0
    sweep: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    snapshot_names: dict[str, str] = field(default_factory=dict)
    metrics: Counter[str] = field(default_factory=Counter)
    notifications: list[str] = field(default_factory=list)
    dead_letter: list[dict[str, str]] = field(default_factory=list)
    log_lines: list[str] = field(default_factory=list)


def create_databases(aws: Clients) -> None:
    for cluster, engine in ((AURORA_ORDERS, "aurora-postgresql"), (AURORA_LONG, "aurora-mysql")):
        aws.rds.create_db_cluster(
            DBClusterIdentifier=cluster,
            Engine=engine,
            MasterUsername="admin",
            MasterUserPassword=PASSWORD,
            BackupRetentionPeriod=7,
        )
    for instance, engine in (
        (INSTANCE_BILLING, "postgres"),
        (INSTANCE_LEGACY, "mysql"),
        (INSTANCE_INVENTORY, "postgres"),
    ):
        aws.rds.create_db_instance(
            DBInstanceIdentifier=instance,
            Engine=engine,
            DBInstanceClass="db.t4g.micro",
            AllocatedStorage=20,
            MasterUsername="admin",
            MasterUserPassword=PASSWORD,
            BackupRetentionPeriod=7,
        )
    aws.rds.create_db_snapshot(
        DBSnapshotIdentifier=MANUAL_INSTANCE_SNAPSHOT, DBInstanceIdentifier=INSTANCE_BILLING
    )
    aws.rds.create_db_cluster_snapshot(
        DBClusterSnapshotIdentifier=MANUAL_CLUSTER_SNAPSHOT, DBClusterIdentifier=AURORA_ORDERS
    )


def snapshot_arns(aws: Clients, run: Run) -> dict[str, str]:
    """Label -> ARN of every snapshot in the account, e.g. "orders (automated)"."""
    found: dict[str, str] = {}
    for item in aws.rds.describe_db_cluster_snapshots()["DBClusterSnapshots"]:
        found[_label(item["DBClusterIdentifier"], item["SnapshotType"])] = item[
            "DBClusterSnapshotArn"
        ]
        run.snapshot_names[item["DBClusterSnapshotArn"]] = item["DBClusterSnapshotIdentifier"]
    for item in aws.rds.describe_db_snapshots()["DBSnapshots"]:
        found[_label(item["DBInstanceIdentifier"], item["SnapshotType"])] = item["DBSnapshotArn"]
        run.snapshot_names[item["DBSnapshotArn"]] = item["DBSnapshotIdentifier"]
    run.labels = {arn: label for label, arn in found.items()}
    return found


def _label(db_identifier: str, snapshot_type: str) -> str:
    if len(db_identifier) > 20:
        db_identifier = db_identifier.split("-", maxsplit=1)[0] + "-..."
    return f"{db_identifier} ({snapshot_type})"


class Driver:
    """Publishes as RDS does and drains the queue as the event source mapping does."""

    def __init__(self, aws: Clients, deployment: Deployment, runtime: Any, run: Run) -> None:
        from snapshot_export.handler import process_batch  # noqa: PLC0415 - the function

        self.aws = aws
        self.deployment = deployment
        self.runtime = runtime
        self.run = run
        self._process_batch = process_batch
        self.bodies: dict[str, str] = {}

    def publish_event(self, event_id: str, snapshot_arn: str) -> None:
        params = publish_params(
            self.deployment.event_topic_arn, event_id, snapshot_arn, datetime.now(UTC), REGION
        )
        self.aws.sns.publish(**params)

    def publish_plain_text(self) -> None:
        # RDS's first message on a new subscription is plain text; published here without
        # message attributes, so the attribute filter policy holds it back.
        self.aws.sns.publish(
            TopicArn=self.deployment.event_topic_arn,
            Subject=SUBJECT,
            Message=SUBSCRIPTION_CONFIRMATION_TEXT,
        )

    def put_on_queue(self, body: str) -> None:
        self.aws.sqs.send_message(QueueUrl=self.deployment.queue_url, MessageBody=body)

    def plain_text_notification(self) -> str:
        """The notification SNS would deliver for that message to a subscriber without a filter."""
        envelope = notification(
            self.deployment.event_topic_arn,
            str(uuid.uuid4()),
            SUBSCRIPTION_CONFIRMATION_TEXT,
            datetime.now(UTC),
            subject=SUBJECT,
            attributes={},
            region=REGION,
        )
        return json.dumps(envelope)

    def queued(self) -> int:
        attributes = self.aws.sqs.get_queue_attributes(
            QueueUrl=self.deployment.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])

    def step(
        self, name: str, act: Callable[[], int], direct: Callable[[], None] | None = None
    ) -> None:
        """Publish, note what the subscription filter held back, put anything that bypasses
        the topic on the queue, then drain it."""
        before = self.queued()
        published = act()
        delivered = self.queued() - before
        if published:
            self.run.published[name] = (published, delivered)
            self.run.filtered[name] = published - delivered
        if direct is not None:
            direct()
        self.drain(name)

    def drain(self, step: str) -> None:
        sqs = self.aws.sqs
        while True:
            messages = sqs.receive_message(
                QueueUrl=self.deployment.queue_url,
                MaxNumberOfMessages=10,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if not messages:
                return
            records = [sqs_event_record(m, self.deployment.queue_arn, REGION) for m in messages]
            result = self._process_batch({"Records": records}, self.runtime)
            failed = set(result.failures)
            self.run.left_on_queue += len(failed)
            done = [m for m in messages if m["MessageId"] not in failed]
            if done:
                sqs.delete_message_batch(
                    QueueUrl=self.deployment.queue_url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(done)
                    ],
                )
            for record, outcome in zip(records, result.outcomes, strict=True):
                self._row(step, record, outcome)

    def _row(self, step: str, record: dict[str, Any], outcome: Any) -> None:
        arn = outcome.snapshot_arn or ""
        if arn:
            self.bodies.setdefault(f"{arn}|{_arrival(record)}", record["body"])
        self.run.rows.append(
            Row(
                step=step,
                arrived=_arrival(record),
                subject=self.run.labels.get(arn, "-"),
                decision=str(outcome.decision),
                reason=outcome.reason or "",
                export_task_id=outcome.export_task_id or "",
                s3_uri=outcome.s3_uri or "",
            )
        )

    def sweep(self) -> None:
        result = self._process_batch({"action": "sweep"}, self.runtime)
        self.run.sweep = result.sweep or {}


def _arrival(record: dict[str, Any]) -> str:
    """What the record is, in the words of the table."""
    try:
        body = json.loads(record["body"])
    except json.JSONDecodeError:
        return "unreadable body"
    if not isinstance(body, dict):
        return "unreadable body"
    if body.get("kind") == "export-request":
        return f"export request ({body.get('origin', '?')})"
    attributes = body.get("MessageAttributes") or {}
    event_id = attributes.get("EventID", {}).get("Value")
    if event_id:
        return event_id
    if "Message" in body:
        return "plain-text notification"
    return "unknown JSON"


def play(aws: Clients, deployment: Deployment, runtime: Any, run: Run) -> None:
    """Every step of the demo, in order."""
    driver = Driver(aws, deployment, runtime, run)
    arns = snapshot_arns(aws, run)

    def first_message() -> int:
        driver.publish_plain_text()
        return 1

    def first_message_unfiltered() -> None:
        # Delivered anyway, as it would be to a subscription without a filter policy, to show
        # what the function does with it.
        driver.put_on_queue(driver.plain_text_notification())

    def snapshots_created() -> int:
        created = [
            ("RDS-EVENT-0169", "orders (automated)"),
            ("RDS-EVENT-0169", "analytics-... (automated)"),
            ("RDS-EVENT-0091", "billing (automated)"),
            ("RDS-EVENT-0091", "legacy-reports (automated)"),
            ("RDS-EVENT-0042", "billing (manual)"),
            ("RDS-EVENT-0075", "orders (manual)"),
            # A copy-finished event: a snapshot-created event the demo did not choose.
            ("RDS-EVENT-0197", "billing (manual)"),
        ]
        # "inventory (automated)" gets no event at all: RDS delivers events best-effort.
        for event_id, label in created:
            driver.publish_event(event_id, arns[label])
        return len(created)

    def duplicate() -> int:
        # SNS delivers at least once: the same notification reaches the queue again.
        driver.put_on_queue(driver.bodies[f"{arns['orders (automated)']}|RDS-EVENT-0169"])
        return 0

    def not_an_event() -> int:
        driver.put_on_queue(json.dumps({"hello": "from a misconfigured publisher"}))
        return 0

    def exports_finished() -> int:
        # moto creates every task as complete; RDS would report a failure like this one, so
        # the demo marks that task failed in moto's memory before publishing the event.
        _mark_task_failed(deployment.account_id, arns["billing (manual)"])
        driver.publish_event("RDS-EVENT-0164", arns["orders (automated)"])
        driver.publish_event("RDS-EVENT-0159", arns["billing (manual)"])
        return 2

    def daily_sweep() -> int:
        driver.sweep()
        return 0

    driver.step("first message", first_message, first_message_unfiltered)
    driver.step("snapshots created", snapshots_created)
    driver.step("duplicate delivery", duplicate)
    driver.step("not an RDS event", not_an_event)
    driver.step("exports finished", exports_finished)
    driver.step("daily sweep", daily_sweep)

    run.notifications = _read_inbox(aws, deployment.alerts_inbox_url)
    run.dead_letter = _read_dead_letter(aws, deployment.dead_letter_queue_url)


def _mark_task_failed(account_id: str, snapshot_arn: str) -> None:
    from moto.rds.models import rds_backends  # noqa: PLC0415 - moto is a dev tool only

    backend = rds_backends[account_id][REGION]
    for task in backend.export_tasks.values():
        if task.source_arn == snapshot_arn:
            task.status = "failed"


def _read_inbox(aws: Clients, url: str) -> list[str]:
    subjects = []
    while True:
        messages = aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return subjects
        for message in messages:
            subjects.append(json.loads(message["Body"]).get("Subject", ""))
            aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _read_dead_letter(aws: Clients, url: str) -> list[dict[str, str]]:
    messages = aws.sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages", [])
    return [
        {
            name: value.get("StringValue", "")
            for name, value in m.get("MessageAttributes", {}).items()
        }
        for m in messages
    ]


def check(run: Run) -> list[str]:
    """Differences between what happened and EXPECTATIONS; empty when all is as expected."""
    problems = []
    remaining = list(run.rows)
    for expected in EXPECTATIONS:
        match = next(
            (
                row
                for row in remaining
                if row.step == expected.step
                and row.subject == expected.subject
                and row.decision == expected.decision
                and expected.reason in row.reason
            ),
            None,
        )
        if match is None:
            problems.append(
                f"{expected.step}: expected {expected.subject} -> {expected.decision}"
                + (f" ({expected.reason})" if expected.reason else "")
            )
        else:
            remaining.remove(match)
    problems += [f"{row.step}: unexpected {row.subject} -> {row.decision}" for row in remaining]
    for step, count in EXPECTED_FILTERED.items():
        if run.filtered.get(step) != count:
            problems.append(
                f"{step}: expected the subscription filter to hold back {count} message(s), "
                f"it held back {run.filtered.get(step, 0)}"
            )
    if run.left_on_queue:
        problems.append(f"{run.left_on_queue} record(s) reported for redelivery")
    if run.sweep.get("queued") != 1:
        problems.append(f"the sweep should queue 1 snapshot, it queued {run.sweep.get('queued')}")
    if [d.get("ErrorCode") for d in run.dead_letter] != ["MalformedMessage"]:
        problems.append(f"dead-letter queue holds {run.dead_letter}, expected one malformed record")
    return problems


class LogCapture(logging.Handler):
    """Keeps the function's JSON log lines for --logs, and counts ERROR lines."""

    def __init__(self, run: Run) -> None:
        from snapshot_export.logs import JsonFormatter  # noqa: PLC0415 - the function

        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.run = run

    def emit(self, record: logging.LogRecord) -> None:
        self.run.log_lines.append(self.format(record))
