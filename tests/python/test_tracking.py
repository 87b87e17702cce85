"""Export finished, failed and canceled events: metrics, logs and notifications."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from builders import (
    cluster_snapshot_arn,
    snapshot_notification,
    sqs_event,
    sqs_record,
    stub_error,
    stubbed_rds,
)
from conftest import Harness, Topic
from snapshot_export.handler import process_batch
from snapshot_export.naming import export_task_identifier


def finished(arn: str, event_id: str) -> dict[str, Any]:
    return sqs_event(sqs_record(snapshot_notification(arn, event_id)))


def export_first(harness: Harness, snapshot: dict[str, Any]) -> str:
    arn = snapshot["DBClusterSnapshotArn"]
    result = process_batch(
        sqs_event(sqs_record(snapshot_notification(arn, "RDS-EVENT-0075"))), harness.runtime()
    )
    assert result.outcomes[0].decision == "exported"
    harness.metric_lines.clear()
    return arn


def emf(harness: Harness) -> list[dict[str, Any]]:
    return [json.loads(line) for line in harness.metric_lines]


def test_completed_export_emits_a_metric_and_no_notification_by_default(
    harness: Harness, cluster_snapshot: dict[str, Any], topic: Topic
) -> None:
    arn = export_first(harness, cluster_snapshot)
    result = process_batch(finished(arn, "RDS-EVENT-0164"), harness.runtime())

    assert result.outcomes[0].decision == "tracked"
    assert [m["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"] for m in emf(harness)] == [
        "ExportsCompleted"
    ]
    # The topic is for people; one mail per daily export would bury the failures.
    assert topic.messages() == []


def test_completed_export_emits_a_metric_and_a_notification_with_the_s3_location(
    harness: Harness, cluster_snapshot: dict[str, Any], topic: Topic
) -> None:
    arn = export_first(harness, cluster_snapshot)
    task_id = export_task_identifier(arn)
    # Only the creation events are configured; tracking does not depend on EVENT_IDS.
    runtime = harness.runtime(event_ids=("RDS-EVENT-0169",), notify_on_success=True)
    result = process_batch(finished(arn, "RDS-EVENT-0164"), runtime)

    [outcome] = result.outcomes
    assert (outcome.decision, outcome.export_task_id) == ("tracked", task_id)
    assert outcome.s3_uri and outcome.s3_uri.endswith(f"/{task_id}/")
    [metric] = emf(harness)
    directive = metric["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == harness.config.metrics_namespace
    assert directive["Dimensions"] == [["Exporter"]]
    assert directive["Metrics"] == [{"Name": "ExportsCompleted", "Unit": "Count"}]
    assert metric["Exporter"] == harness.config.exporter_name
    assert metric["ExportsCompleted"] == 1
    assert metric["export_task_id"] == task_id
    [notification] = topic.messages()
    assert notification["Subject"] == "RDS snapshot export completed: orders-before-migration"
    assert f"S3 location: {outcome.s3_uri}" in notification["Message"]
    assert f"Export task: {task_id}" in notification["Message"]
    assert "Status: complete" in notification["Message"]
    assert notification["MessageAttributes"]["status"]["Value"] == "complete"


def test_failed_export_logs_the_failure_cause_at_error_and_notifies(
    harness: Harness, topic: Topic, json_logs: pytest.LogCaptureFixture
) -> None:
    """Stubber: moto's tasks never fail, so describe_export_tasks is scripted."""
    arn = cluster_snapshot_arn("orders-before-migration")
    task_id = export_task_identifier(arn)
    rds, stubber = stubbed_rds()
    stubber.add_response(
        "describe_export_tasks",
        {
            "ExportTasks": [
                {
                    "ExportTaskIdentifier": task_id,
                    "SourceArn": arn,
                    "Status": "FAILED",
                    "FailureCause": "The S3 bucket is in another region.",
                    "S3Bucket": "exports",
                    "S3Prefix": "orders/2026/12/03",
                }
            ]
        },
        {"ExportTaskIdentifier": task_id},
    )
    with stubber:
        result = process_batch(finished(arn, "RDS-EVENT-0162"), harness.runtime(rds=rds))

    [outcome] = result.outcomes
    assert outcome.decision == "tracked"
    assert outcome.reason == "failed: The S3 bucket is in another region."
    assert [m["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"] for m in emf(harness)] == [
        "ExportsFailed"
    ]
    [error] = [r for r in json_logs.records if r.levelno == logging.ERROR]
    assert error.failure_cause == "The S3 bucket is in another region."
    assert (error.snapshot_arn, error.export_task_id) == (arn, task_id)
    [notification] = topic.messages()
    assert "FAILED" in notification["Subject"]
    assert "Failure cause: The S3 bucket is in another region." in notification["Message"]
    assert "S3 location: s3://exports/orders/2026/12/03/" in notification["Message"]


def test_canceled_export_counts_as_failed(
    harness: Harness, cluster_snapshot: dict[str, Any], topic: Topic
) -> None:
    arn = export_first(harness, cluster_snapshot)
    harness.rds.cancel_export_task(ExportTaskIdentifier=export_task_identifier(arn))
    result = process_batch(finished(arn, "RDS-EVENT-0163"), harness.runtime())
    assert result.outcomes[0].reason == "canceled"
    assert emf(harness)[0]["ExportsFailed"] == 1
    assert "CANCELED" in topic.messages()[0]["Subject"]


def test_the_task_status_wins_over_the_event_when_the_task_has_ended(
    harness: Harness, cluster_snapshot: dict[str, Any]
) -> None:
    arn = export_first(harness, cluster_snapshot)  # moto's task is complete
    result = process_batch(finished(arn, "RDS-EVENT-0162"), harness.runtime())
    assert result.outcomes[0].reason == "complete"
    assert "ExportsCompleted" in emf(harness)[0]


def test_an_export_started_elsewhere_is_skipped_without_a_metric_or_notification(
    harness: Harness,
    cluster_snapshot: dict[str, Any],
    topic: Topic,
    json_logs: pytest.LogCaptureFixture,
) -> None:
    arn = cluster_snapshot["DBClusterSnapshotArn"]
    harness.rds.start_export_task(
        ExportTaskIdentifier="console-export",
        SourceArn=arn,
        S3BucketName="exports",
        IamRoleArn=harness.config.iam_role_arn,
        KmsKeyId=harness.config.kms_arn,
        S3Prefix="manual",
    )
    result = process_batch(finished(arn, "RDS-EVENT-0162"), harness.runtime(notify_on_success=True))
    [outcome] = result.outcomes
    assert (outcome.decision, outcome.export_task_id) == ("skipped", export_task_identifier(arn))
    assert outcome.reason == "the finished export was not started by this exporter"
    assert result.failures == []
    assert harness.metric_lines == []
    assert topic.messages() == []
    [line] = [r for r in json_logs.records if "not started by this exporter" in r.getMessage()]
    assert (line.levelno, line.snapshot_arn) == (logging.INFO, arn)


def test_a_finished_event_for_an_unknown_task_is_skipped_without_an_alarm(
    harness: Harness, topic: Topic
) -> None:
    arn = cluster_snapshot_arn("never-seen")
    result = process_batch(finished(arn, "RDS-EVENT-0162"), harness.runtime())
    assert result.outcomes[0].decision == "skipped"
    assert harness.metric_lines == []
    assert topic.messages() == []


def test_metric_timestamps_follow_the_runtime_clock(
    harness: Harness, cluster_snapshot: dict[str, Any]
) -> None:
    arn = export_first(harness, cluster_snapshot)
    moment = datetime(2027, 1, 1, 6, 30, tzinfo=UTC)
    process_batch(finished(arn, "RDS-EVENT-0164"), harness.runtime(clock=lambda: moment))
    assert emf(harness)[0]["_aws"]["Timestamp"] == int(moment.timestamp() * 1000)


def test_no_notification_is_published_without_a_topic(
    harness: Harness, cluster_snapshot: dict[str, Any], topic: Topic
) -> None:
    arn = export_first(harness, cluster_snapshot)
    process_batch(finished(arn, "RDS-EVENT-0164"), harness.runtime(notification_topic_arn=""))
    assert topic.messages() == []
    assert emf(harness)[0]["ExportsCompleted"] == 1


def test_a_throttled_lookup_is_retried_without_counting_the_export(harness: Harness) -> None:
    """Stubber: moto does not throttle."""
    arn = cluster_snapshot_arn("orders-before-migration")
    rds, stubber = stubbed_rds()
    stub_error(stubber, "describe_export_tasks", "Throttling", "Rate exceeded", status=400)
    event = finished(arn, "RDS-EVENT-0164")
    with stubber:
        result = process_batch(event, harness.runtime(rds=rds))
    assert result.outcomes[0].decision == "retry"
    assert result.failures == [event["Records"][0]["messageId"]]
    assert harness.metric_lines == []
