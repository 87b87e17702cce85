"""Starting exports: identifiers, prefixes, filters, idempotency and error handling."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest
from builders import (
    RecordingSqs,
    cluster_snapshot_arn,
    emf_metrics,
    instance_snapshot_arn,
    snapshot_notification,
    sqs_event,
    sqs_record,
    stub_describe_snapshot,
    stub_error,
    stub_export_tasks,
    stub_start_export,
    stubbed_rds,
)
from conftest import Harness, Queues, Topic
from snapshot_export.exporter import ALREADY_EXISTS_CODES, PERMANENT_CODES
from snapshot_export.handler import process_batch
from snapshot_export.naming import export_task_identifier


def created_event(snapshot: dict[str, Any], event_id: str = "RDS-EVENT-0075") -> dict[str, Any]:
    arn = snapshot.get("DBClusterSnapshotArn") or snapshot["DBSnapshotArn"]
    return sqs_event(sqs_record(snapshot_notification(arn, event_id)))


def dead_letters(harness: Harness, queues: Queues) -> list[dict[str, Any]]:
    response = harness.sqs.receive_message(
        QueueUrl=queues.dead_letter, MessageAttributeNames=["All"], MaxNumberOfMessages=10
    )
    return response.get("Messages", [])


def test_cluster_snapshot_event_starts_one_export_with_its_identifier_and_prefix(
    harness: Harness, cluster_snapshot: dict[str, Any], json_logs: pytest.LogCaptureFixture
) -> None:
    arn = cluster_snapshot["DBClusterSnapshotArn"]
    result = process_batch(created_event(cluster_snapshot), harness.runtime())

    [outcome] = result.outcomes
    expected_id = export_task_identifier(arn)
    created = cluster_snapshot["SnapshotCreateTime"].astimezone(UTC)
    prefix = f"orders/{created:%Y}/{created:%m}/{created:%d}"
    assert (outcome.decision, outcome.export_task_id) == ("exported", expected_id)
    assert outcome.s3_uri == f"s3://{harness.config.s3_bucket_name}/{prefix}/{expected_id}/"
    assert result.failures == []
    [task] = harness.rds.describe_export_tasks()["ExportTasks"]
    assert task["ExportTaskIdentifier"] == expected_id
    assert task["SourceArn"] == arn
    assert task["S3Bucket"] == harness.config.s3_bucket_name
    assert task["S3Prefix"] == prefix
    assert task["IamRoleArn"] == harness.config.iam_role_arn
    assert task["KmsKeyId"] == harness.config.kms_arn
    assert emf_metrics(harness.metric_lines) == ["ExportsStarted"]
    [started] = [r for r in json_logs.records if r.getMessage() == "export started"]
    assert (started.snapshot_arn, started.export_task_id, started.decision) == (
        arn,
        expected_id,
        "exported",
    )


def test_instance_snapshot_event_starts_an_export_of_the_instance_snapshot(
    harness: Harness, instance_snapshot: dict[str, Any]
) -> None:
    result = process_batch(created_event(instance_snapshot, "RDS-EVENT-0042"), harness.runtime())
    assert [o.decision for o in result.outcomes] == ["exported"]
    [task] = harness.rds.describe_export_tasks()["ExportTasks"]
    assert task["SourceArn"] == instance_snapshot["DBSnapshotArn"]
    assert task["S3Prefix"].startswith("inventory/")


def test_the_same_message_twice_starts_one_export_and_fails_nothing(
    harness: Harness, cluster_snapshot: dict[str, Any]
) -> None:
    event = created_event(cluster_snapshot)
    first = process_batch(event, harness.runtime())
    second = process_batch(event, harness.runtime())
    assert [o.decision for o in first.outcomes + second.outcomes] == [
        "exported",
        "already_exported",
    ]
    assert first.failures == second.failures == []
    assert len(harness.rds.describe_export_tasks()["ExportTasks"]) == 1


def test_two_deliveries_in_one_batch_start_one_export(
    harness: Harness, cluster_snapshot: dict[str, Any]
) -> None:
    body = snapshot_notification(cluster_snapshot["DBClusterSnapshotArn"], "RDS-EVENT-0075")
    result = process_batch(sqs_event(sqs_record(body), sqs_record(body)), harness.runtime())
    assert [o.decision for o in result.outcomes] == ["exported", "already_exported"]
    assert len(harness.rds.describe_export_tasks()["ExportTasks"]) == 1


def test_the_prefix_date_comes_from_the_snapshot_not_from_the_clock(
    harness: Harness, cluster_snapshot: dict[str, Any]
) -> None:
    runtime = harness.runtime(
        clock=lambda: datetime(2031, 7, 9, tzinfo=UTC),
        s3_prefix_template="{db}/{snapshot}/{yyyy}-{mm}-{dd}",
    )
    result = process_batch(created_event(cluster_snapshot), runtime)
    created = cluster_snapshot["SnapshotCreateTime"].astimezone(UTC)
    [task] = harness.rds.describe_export_tasks()["ExportTasks"]
    assert task["S3Prefix"] == f"orders/orders-before-migration/{created:%Y-%m-%d}"
    assert "2031" not in (result.outcomes[0].s3_uri or "")


def test_export_only_is_passed_to_the_export_when_set(
    harness: Harness, cluster_snapshot: dict[str, Any]
) -> None:
    runtime = harness.runtime(export_only=("app", "app.public.orders"))
    process_batch(created_event(cluster_snapshot), runtime)
    [task] = harness.rds.describe_export_tasks()["ExportTasks"]
    assert task["ExportOnly"] == ["app", "app.public.orders"]


def test_snapshot_of_a_db_not_in_db_identifiers_is_skipped_with_a_reason(
    harness: Harness, cluster_snapshot: dict[str, Any]
) -> None:
    runtime = harness.runtime(db_identifiers=frozenset({"inventory"}))
    result = process_batch(created_event(cluster_snapshot), runtime)
    [outcome] = result.outcomes
    assert outcome.decision == "skipped"
    assert outcome.reason == "orders is not in DB_IDENTIFIERS"
    assert result.failures == []
    assert harness.rds.describe_export_tasks()["ExportTasks"] == []
    assert emf_metrics(harness.metric_lines) == ["SnapshotsSkipped"]


def test_snapshot_of_a_listed_db_is_exported(
    harness: Harness, cluster_snapshot: dict[str, Any]
) -> None:
    runtime = harness.runtime(db_identifiers=frozenset({"orders", "inventory"}))
    result = process_batch(created_event(cluster_snapshot), runtime)
    assert [o.decision for o in result.outcomes] == ["exported"]


@pytest.mark.parametrize("engine", ["oracle-ee", "sqlserver-se"])
def test_snapshot_of_an_engine_rds_cannot_export_is_skipped_naming_the_engine(
    engine: str, harness: Harness, queues: Queues
) -> None:
    harness.rds.create_db_instance(
        DBInstanceIdentifier="legacy",
        Engine=engine,
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="admin_user",
        MasterUserPassword="not-a-real-password",
    )
    snapshot = harness.rds.create_db_snapshot(
        DBInstanceIdentifier="legacy", DBSnapshotIdentifier="legacy-weekly"
    )["DBSnapshot"]
    result = process_batch(created_event(snapshot, "RDS-EVENT-0042"), harness.runtime())
    [outcome] = result.outcomes
    assert outcome.decision == "skipped"
    assert outcome.reason == f"engine {engine} cannot be exported to S3"
    assert result.failures == []
    assert harness.rds.describe_export_tasks()["ExportTasks"] == []
    assert emf_metrics(harness.metric_lines) == ["SnapshotsSkipped"]
    assert dead_letters(harness, queues) == []


@pytest.mark.parametrize(
    ("arn", "engine", "engine_mode", "reason"),
    [
        (instance_snapshot_arn("ledger-weekly"), "db2-se", None, "engine db2-se"),
        (instance_snapshot_arn("erp-weekly"), "custom-oracle-ee", None, "engine custom-oracle-ee"),
        (
            cluster_snapshot_arn("reports-weekly"),
            "aurora-mysql",
            "serverless",
            "engine aurora-mysql in engine mode serverless",
        ),
    ],
)
def test_db2_rds_custom_and_aurora_serverless_v1_snapshots_are_skipped_without_an_export(
    arn: str, engine: str, engine_mode: str | None, reason: str, harness: Harness
) -> None:
    """Stubber: moto creates no Db2 or RDS Custom instances and reports no EngineMode on
    cluster snapshots; a stray StartExportTask call would fail the stubber."""
    rds, stubber = stubbed_rds()
    stub_describe_snapshot(stubber, arn, engine=engine, engine_mode=engine_mode)
    event = "RDS-EVENT-0075" if ":cluster-snapshot:" in arn else "RDS-EVENT-0042"
    with stubber:
        result = process_batch(
            sqs_event(sqs_record(snapshot_notification(arn, event))), harness.runtime(rds=rds)
        )
    stubber.assert_no_pending_responses()
    [outcome] = result.outcomes
    assert outcome.decision == "skipped"
    assert (outcome.reason or "").startswith(reason)
    assert emf_metrics(harness.metric_lines) == ["SnapshotsSkipped"]


def test_unconfigured_event_and_plain_text_message_are_skipped_without_failing(
    harness: Harness, cluster_snapshot: dict[str, Any]
) -> None:
    arn = cluster_snapshot["DBClusterSnapshotArn"]
    runtime = harness.runtime(event_ids=("RDS-EVENT-0169",))
    plain = {"Type": "Notification", "TopicArn": "t", "Message": "Subscription created"}
    result = process_batch(
        sqs_event(
            sqs_record(snapshot_notification(arn, "RDS-EVENT-0075")), sqs_record(json.dumps(plain))
        ),
        runtime,
    )
    assert [o.decision for o in result.outcomes] == ["skipped", "skipped"]
    assert "EVENT_IDS" in (result.outcomes[0].reason or "")
    assert "plain-text" in (result.outcomes[1].reason or "")
    assert result.failures == []
    assert harness.rds.describe_export_tasks()["ExportTasks"] == []


def test_automated_snapshot_is_described_by_name_with_its_snapshot_type(
    harness: Harness,
) -> None:
    """Stubber: moto cannot export an automated snapshot (it looks the ARN up by the text
    after its last colon), so the calls RDS would see are scripted."""
    arn = cluster_snapshot_arn("rds:orders-2026-12-03-03-09")
    rds, stubber = stubbed_rds()
    stub_describe_snapshot(stubber, arn)
    stub_export_tasks(stubber)
    stub_start_export(
        stubber,
        {
            "ExportTaskIdentifier": export_task_identifier(arn),
            "SourceArn": arn,
            "S3BucketName": harness.config.s3_bucket_name,
            "IamRoleArn": harness.config.iam_role_arn,
            "KmsKeyId": harness.config.kms_arn,
            "S3Prefix": "orders/2026/12/03",
        },
    )
    with stubber:
        result = process_batch(
            sqs_event(sqs_record(snapshot_notification(arn, "RDS-EVENT-0169"))),
            harness.runtime(rds=rds),
        )
    stubber.assert_no_pending_responses()
    assert [o.decision for o in result.outcomes] == ["exported"]
    assert result.outcomes[0].export_task_id.startswith("orders-2026-12-03-03-09-")


PERMANENT_START_ERRORS = [
    "IamRoleNotFound",
    "IamRoleMissingPermissions",
    "KMSKeyNotAccessibleFault",
    "InvalidS3BucketFault",
    "InvalidExportOnly",
    "InvalidParameterValue",
    "InvalidParameterCombination",
    "AccessDenied",
    "AccessDeniedException",
]


# Not in StartExportTask's model, but RDS answers them for any operation.
GENERIC_CODES = {"InvalidParameterValue", "InvalidParameterCombination"}


def test_every_classified_start_error_is_one_botocore_models_for_start_export_task() -> None:
    model = botocore.session.get_session().get_service_model("rds")
    modelled = set()
    for shape in model.operation_model("StartExportTask").error_shapes:
        modelled |= {shape.name, shape.metadata.get("error", {}).get("code", shape.name)}
    assert (PERMANENT_CODES | ALREADY_EXISTS_CODES) - modelled == GENERIC_CODES


@pytest.mark.parametrize("code", PERMANENT_START_ERRORS)
def test_permanent_start_error_goes_to_the_dead_letter_queue_with_an_error_log_and_alert(
    code: str,
    harness: Harness,
    queues: Queues,
    topic: Topic,
    json_logs: pytest.LogCaptureFixture,
) -> None:
    """Stubber: moto checks no role, key, bucket or ExportOnly list, so it never raises these."""
    arn = instance_snapshot_arn("inventory-weekly")
    rds, stubber = stubbed_rds()
    stub_describe_snapshot(stubber, arn, db_identifier="inventory")
    stub_export_tasks(stubber)
    stub_error(stubber, "start_export_task", code, f"{code} for this export")
    record = sqs_record(snapshot_notification(arn, "RDS-EVENT-0042"))
    with stubber:
        result = process_batch(sqs_event(record), harness.runtime(rds=rds))

    [outcome] = result.outcomes
    assert (outcome.decision, outcome.error_code) == ("failed", code)
    assert result.failures == []
    [dead] = dead_letters(harness, queues)
    assert dead["Body"] == record["body"]
    assert dead["MessageAttributes"]["ErrorCode"]["StringValue"] == code
    assert code in dead["MessageAttributes"]["ErrorMessage"]["StringValue"]
    [error] = [r for r in json_logs.records if r.levelno == logging.ERROR]
    assert (error.snapshot_arn, error.error_code) == (arn, code)
    assert "PermanentErrors" in emf_metrics(harness.metric_lines)
    [alert] = topic.messages()
    assert "needs attention" in alert["Subject"]
    assert code in alert["Message"] and arn in alert["Message"]


@pytest.mark.parametrize(
    ("arn", "code"),
    [
        (cluster_snapshot_arn("gone"), "DBClusterSnapshotNotFoundFault"),
        (instance_snapshot_arn("gone"), "DBSnapshotNotFound"),
    ],
)
def test_snapshot_that_no_longer_exists_is_a_permanent_error(
    arn: str, code: str, harness: Harness, queues: Queues
) -> None:
    """moto raises these too; through moto, for both kinds of snapshot."""
    event = "RDS-EVENT-0075" if "cluster" in arn else "RDS-EVENT-0042"
    result = process_batch(
        sqs_event(sqs_record(snapshot_notification(arn, event))), harness.runtime()
    )
    [outcome] = result.outcomes
    assert (outcome.decision, outcome.error_code) == ("failed", code)
    [dead] = dead_letters(harness, queues)
    assert dead["MessageAttributes"]["ErrorCode"]["StringValue"] == code


def test_permanent_error_without_a_dead_letter_queue_url_is_reported_for_redrive(
    harness: Harness, topic: Topic
) -> None:
    """Stubber: moto never raises IamRoleNotFound."""
    arn = instance_snapshot_arn("inventory-weekly")
    rds, stubber = stubbed_rds()
    stub_describe_snapshot(stubber, arn, db_identifier="inventory")
    stub_export_tasks(stubber)
    stub_error(stubber, "start_export_task", "IamRoleNotFound")
    record = sqs_record(snapshot_notification(arn, "RDS-EVENT-0042"), receive_count=1)
    with stubber:
        result = process_batch(
            sqs_event(record), harness.runtime(rds=rds, dead_letter_queue_url="")
        )
    assert result.failures == [record["messageId"]]
    assert result.outcomes[0].decision == "failed"
    [alert] = topic.messages()
    assert "maxReceiveCount" in alert["Message"]
    assert "Next step: IAM_ROLE_ARN must name an existing role" in alert["Message"]


def test_an_unknown_error_is_retried_through_the_queue_not_dead_lettered(
    harness: Harness, queues: Queues
) -> None:
    """Stubber: an error code RDS might add later; moto has no way to raise it."""
    arn = instance_snapshot_arn("inventory-weekly")
    rds, stubber = stubbed_rds()
    stub_describe_snapshot(stubber, arn, db_identifier="inventory")
    stub_export_tasks(stubber)
    stub_error(stubber, "start_export_task", "SomethingNew", status=400)
    record = sqs_record(snapshot_notification(arn, "RDS-EVENT-0042"))
    with stubber:
        result = process_batch(sqs_event(record), harness.runtime(rds=rds))
    assert result.failures == [record["messageId"]]
    assert (result.outcomes[0].decision, result.outcomes[0].error_code) == ("retry", "SomethingNew")
    assert dead_letters(harness, queues) == []


def test_a_server_error_is_retried_even_with_a_permanent_looking_code(harness: Harness) -> None:
    """Stubber: moto does not fail with a 5xx."""
    arn = instance_snapshot_arn("inventory-weekly")
    rds, stubber = stubbed_rds()
    stub_error(stubber, "describe_db_snapshots", "InvalidParameterValue", status=503)
    record = sqs_record(snapshot_notification(arn, "RDS-EVENT-0042"))
    with stubber:
        result = process_batch(sqs_event(record), harness.runtime(rds=rds))
    assert result.outcomes[0].decision == "retry"
    assert result.failures == [record["messageId"]]


def test_snapshot_still_being_created_is_deferred_without_starting_an_export(
    harness: Harness,
) -> None:
    """Stubber: moto creates snapshots already available."""
    arn = cluster_snapshot_arn("orders-copy")
    rds, stubber = stubbed_rds()
    stub_describe_snapshot(stubber, arn, status="creating")
    queue = RecordingSqs()
    with stubber:
        result = process_batch(
            sqs_event(sqs_record(snapshot_notification(arn, "RDS-EVENT-0075"))),
            harness.runtime(rds=rds, sqs=queue),
        )
    stubber.assert_no_pending_responses()
    assert result.outcomes[0].decision == "deferred"
    assert "creating" in (result.outcomes[0].reason or "")
    assert len(queue.sent) == 1


def test_invalid_export_source_state_defers_the_export(harness: Harness) -> None:
    """Stubber: moto raises InvalidExportSourceState only for snapshots it never creates."""
    arn = cluster_snapshot_arn("orders-copy")
    rds, stubber = stubbed_rds()
    stub_describe_snapshot(stubber, arn)
    stub_export_tasks(stubber)
    stub_error(stubber, "start_export_task", "InvalidExportSourceState", "not available")
    queue = RecordingSqs()
    with stubber:
        result = process_batch(
            sqs_event(sqs_record(snapshot_notification(arn, "RDS-EVENT-0075"))),
            harness.runtime(rds=rds, sqs=queue),
        )
    [outcome] = result.outcomes
    assert (outcome.decision, outcome.error_code) == ("deferred", "InvalidExportSourceState")
    assert result.failures == []
    assert queue.attribute("export-deferrals") == "1"


def test_snapshot_that_can_never_become_available_is_skipped_with_a_warning(
    harness: Harness, json_logs: pytest.LogCaptureFixture
) -> None:
    """Stubber: moto has no failed snapshots."""
    arn = cluster_snapshot_arn("orders-broken")
    rds, stubber = stubbed_rds()
    stub_describe_snapshot(stubber, arn, status="failed")
    with stubber:
        result = process_batch(
            sqs_event(sqs_record(snapshot_notification(arn, "RDS-EVENT-0075"))),
            harness.runtime(rds=rds),
        )
    assert result.outcomes[0].decision == "skipped"
    assert "cannot be exported" in (result.outcomes[0].reason or "")
    assert any(r.levelno == logging.WARNING for r in json_logs.records)
