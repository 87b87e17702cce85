"""The scheduled sweep: queue snapshots that were never exported, and only those."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from builders import (
    RecordingSqs,
    age_snapshot,
    cluster_snapshot_arn,
    emf_metrics,
    received_records,
    snapshot_notification,
    sqs_event,
    sqs_record,
    stub_error,
    stub_export_tasks,
    stubbed_rds,
)
from conftest import Harness, Queues, automated_cluster_snapshot
from snapshot_export.config import ConfigError
from snapshot_export.exporter import ExportError
from snapshot_export.handler import process_batch
from snapshot_export.naming import export_task_identifier
from snapshot_export.sweep import run_sweep

SWEEP = {"action": "sweep"}


def queued_arns(harness: Harness, queues: Queues) -> list[str]:
    bodies = [json.loads(r["body"]) for r in received_records(harness.sqs, queues.main)]
    assert all(b["kind"] == "export-request" and b["origin"] == "sweep" for b in bodies)
    return sorted(b["snapshot_arn"] for b in bodies)


def test_sweep_queues_a_snapshot_whose_event_was_missed_and_it_then_exports(
    harness: Harness, cluster_snapshot: dict[str, Any], queues: Queues
) -> None:
    runtime = harness.runtime(event_ids=("RDS-EVENT-0075",))
    summary = process_batch(SWEEP, runtime).sweep

    assert summary is not None
    assert summary["queued"] == 1
    assert summary["queued_snapshot_arns"] == [cluster_snapshot["DBClusterSnapshotArn"]]
    assert summary["other_type"] == 1  # the automated snapshot moto made with the cluster
    assert emf_metrics(harness.metric_lines) == ["SweepQueued"]
    [record] = received_records(harness.sqs, queues.main)
    result = process_batch(sqs_event(record), runtime)
    assert result.outcomes[0].decision == "exported"
    assert result.outcomes[0].snapshot_arn == cluster_snapshot["DBClusterSnapshotArn"]


def test_sweep_skips_snapshots_that_already_have_an_export(
    harness: Harness, cluster_snapshot: dict[str, Any], queues: Queues
) -> None:
    arn = cluster_snapshot["DBClusterSnapshotArn"]
    runtime = harness.runtime(event_ids=("RDS-EVENT-0169", "RDS-EVENT-0075"))
    process_batch(sqs_event(sqs_record(snapshot_notification(arn, "RDS-EVENT-0075"))), runtime)

    summary = run_sweep(runtime)

    assert summary.already_exported == 1
    automated = automated_cluster_snapshot(harness.rds)["DBClusterSnapshotArn"]
    assert summary.queued_snapshot_arns == [automated]
    assert queued_arns(harness, queues) == [automated]


def test_sweep_treats_an_export_started_elsewhere_as_done(
    harness: Harness, cluster_snapshot: dict[str, Any]
) -> None:
    arn = cluster_snapshot["DBClusterSnapshotArn"]
    harness.rds.start_export_task(
        ExportTaskIdentifier="console-export",
        SourceArn=arn,
        S3BucketName="exports",
        IamRoleArn=harness.config.iam_role_arn,
        KmsKeyId=harness.config.kms_arn,
    )
    summary = run_sweep(harness.runtime(event_ids=("RDS-EVENT-0075",)))
    assert (summary.already_exported, summary.queued) == (1, 0)


def test_sweep_leaves_out_snapshots_older_than_the_look_back_window(
    harness: Harness, cluster_snapshot: dict[str, Any]
) -> None:
    age_snapshot("orders-before-migration", hours=80)
    summary = run_sweep(harness.runtime(event_ids=("RDS-EVENT-0075",), sweep_lookback_hours=72))
    assert (summary.outside_window, summary.queued) == (1, 0)
    wider = run_sweep(harness.runtime(event_ids=("RDS-EVENT-0075",), sweep_lookback_hours=96))
    assert wider.queued_snapshot_arns == [cluster_snapshot["DBClusterSnapshotArn"]]


def test_sweep_honours_db_identifiers(
    harness: Harness, cluster_snapshot: dict[str, Any], instance_snapshot: dict[str, Any]
) -> None:
    runtime = harness.runtime(
        event_ids=("RDS-EVENT-0075", "RDS-EVENT-0042"), db_identifiers=frozenset({"inventory"})
    )
    summary = run_sweep(runtime)
    assert summary.queued_snapshot_arns == [instance_snapshot["DBSnapshotArn"]]
    assert summary.filtered_out == 1


def test_sweep_does_not_queue_snapshots_of_an_engine_rds_cannot_export(
    harness: Harness, instance_snapshot: dict[str, Any], queues: Queues
) -> None:
    harness.rds.create_db_instance(
        DBInstanceIdentifier="legacy",
        Engine="oracle-ee",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="admin_user",
        MasterUserPassword="not-a-real-password",
    )
    harness.rds.create_db_snapshot(
        DBInstanceIdentifier="legacy", DBSnapshotIdentifier="legacy-weekly"
    )
    summary = run_sweep(harness.runtime(event_ids=("RDS-EVENT-0042",)))
    assert summary.unexportable_engine == 1
    assert summary.queued_snapshot_arns == [instance_snapshot["DBSnapshotArn"]]
    assert queued_arns(harness, queues) == [instance_snapshot["DBSnapshotArn"]]


def test_sweep_does_not_queue_aurora_serverless_v1_cluster_snapshots(harness: Harness) -> None:
    """Stubber: moto reports no EngineMode on cluster snapshots."""
    rds, stubber = stubbed_rds()
    stub_export_tasks(stubber)
    serverless = {
        "DBClusterSnapshotArn": cluster_snapshot_arn("reports-weekly"),
        "DBClusterIdentifier": "reports",
        "SnapshotCreateTime": datetime.now(UTC),
        "Status": "available",
        "SnapshotType": "manual",
        "Engine": "aurora-mysql",
        "EngineMode": "serverless",
    }
    provisioned = {
        **serverless,
        "DBClusterSnapshotArn": cluster_snapshot_arn("orders-weekly"),
        "EngineMode": "provisioned",
    }
    stubber.add_response(
        "describe_db_cluster_snapshots", {"DBClusterSnapshots": [serverless, provisioned]}, {}
    )
    queue = RecordingSqs()
    with stubber:
        summary = run_sweep(harness.runtime(rds=rds, sqs=queue, event_ids=("RDS-EVENT-0075",)))
    assert summary.unexportable_engine == 1
    assert summary.queued_snapshot_arns == [provisioned["DBClusterSnapshotArn"]]


def test_sweep_looks_only_at_the_snapshot_types_event_ids_asks_for(
    harness: Harness,
    aurora_cluster: dict[str, Any],
    rds_instance: dict[str, Any],
    cluster_snapshot: dict[str, Any],
    instance_snapshot: dict[str, Any],
) -> None:
    # The defaults export automated snapshots only, of clusters and instances.
    summary = run_sweep(harness.runtime(event_ids=("RDS-EVENT-0169", "RDS-EVENT-0091")))
    queued = sorted(summary.queued_snapshot_arns)
    assert len(queued) == 2
    assert all(":rds:" in arn for arn in queued)
    assert summary.other_type == 2
    only_clusters = run_sweep(harness.runtime(event_ids=("RDS-EVENT-0169",)))
    assert [":cluster-snapshot:rds:orders-" in a for a in only_clusters.queued_snapshot_arns] == [
        True
    ]


def test_sweep_for_copy_events_only_does_not_queue_every_manual_snapshot(
    harness: Harness, instance_snapshot: dict[str, Any], queues: Queues
) -> None:
    summary = run_sweep(harness.runtime(event_ids=("RDS-EVENT-0197", "RDS-EVENT-0060")))
    assert (summary.examined, summary.queued) == (0, 0)
    assert queued_arns(harness, queues) == []


def test_sweep_sends_many_snapshots_in_batches_of_ten(
    harness: Harness, aurora_cluster: dict[str, Any]
) -> None:
    """RecordingSqs: to count the SendMessageBatch calls; moto lists the snapshots."""
    for index in range(23):
        harness.rds.create_db_cluster_snapshot(
            DBClusterIdentifier="orders", DBClusterSnapshotIdentifier=f"orders-{index:02d}"
        )
    queue = RecordingSqs()
    summary = run_sweep(harness.runtime(event_ids=("RDS-EVENT-0075",), sqs=queue))
    assert summary.queued == 23
    assert [len(batch["Entries"]) for batch in queue.batches] == [10, 10, 3]
    bodies = [json.loads(e["MessageBody"]) for b in queue.batches for e in b["Entries"]]
    assert len({b["snapshot_arn"] for b in bodies}) == 23


def test_sweep_follows_the_marker_to_every_page_of_snapshots_and_tasks(harness: Harness) -> None:
    """Stubber: moto returns everything on one page, so two pages are scripted."""
    rds, stubber = stubbed_rds()
    now = datetime.now(UTC)
    first, second = cluster_snapshot_arn("orders-a"), cluster_snapshot_arn("orders-b")
    done = cluster_snapshot_arn("orders-c")
    stubber.add_response("describe_export_tasks", {"ExportTasks": [], "Marker": "tasks-2"}, {})
    stubber.add_response(
        "describe_export_tasks",
        {
            "ExportTasks": [
                {"ExportTaskIdentifier": export_task_identifier(done), "Status": "COMPLETE"}
            ]
        },
        {"Marker": "tasks-2"},
    )
    for arn, marker, expected in ((first, "page-2", {}), (second, None, {"Marker": "page-2"})):
        page: dict[str, Any] = {
            "DBClusterSnapshots": [
                {
                    "DBClusterSnapshotArn": arn,
                    "DBClusterIdentifier": "orders",
                    "SnapshotCreateTime": now,
                    "Status": "available",
                    "SnapshotType": "manual",
                },
                {
                    "DBClusterSnapshotArn": done,
                    "DBClusterIdentifier": "orders",
                    "SnapshotCreateTime": now,
                    "Status": "available",
                    "SnapshotType": "manual",
                },
            ]
        }
        if marker:
            page["Marker"] = marker
        stubber.add_response("describe_db_cluster_snapshots", page, expected)
    queue = RecordingSqs()
    with stubber:
        summary = run_sweep(harness.runtime(rds=rds, sqs=queue, event_ids=("RDS-EVENT-0075",)))
    stubber.assert_no_pending_responses()
    assert summary.queued_snapshot_arns == [first, second]
    assert summary.already_exported == 2


def test_sweep_summary_is_returned_by_the_handler_and_logged(
    harness: Harness, cluster_snapshot: dict[str, Any], json_logs: pytest.LogCaptureFixture
) -> None:
    result = process_batch(SWEEP, harness.runtime(event_ids=("RDS-EVENT-0075",)))
    assert result.failures == [] and result.outcomes == []
    [line] = [r for r in json_logs.records if r.getMessage() == "sweep finished"]
    assert line.queued == 1
    assert line.queued_snapshot_arns == [cluster_snapshot["DBClusterSnapshotArn"]]


def test_sweep_needs_queue_url(harness: Harness) -> None:
    with pytest.raises(ConfigError, match="QUEUE_URL"):
        run_sweep(harness.runtime(queue_url=""))


def test_the_sweep_and_the_event_path_agree_on_the_identifier(
    harness: Harness, cluster_snapshot: dict[str, Any]
) -> None:
    arn = cluster_snapshot["DBClusterSnapshotArn"]
    runtime = harness.runtime(event_ids=("RDS-EVENT-0075",))
    process_batch(sqs_event(sqs_record(snapshot_notification(arn, "RDS-EVENT-0075"))), runtime)
    [task] = harness.rds.describe_export_tasks()["ExportTasks"]
    assert task["ExportTaskIdentifier"] == export_task_identifier(arn)
    assert run_sweep(runtime).queued == 0


def test_a_sweep_that_cannot_list_fails_the_invocation_with_an_error_log(
    harness: Harness, json_logs: pytest.LogCaptureFixture
) -> None:
    """Stubber: moto does not throttle; failing lets the schedule retry the sweep."""
    rds, stubber = stubbed_rds()
    stub_error(stubber, "describe_export_tasks", "Throttling", "Rate exceeded")
    with stubber, pytest.raises(ExportError):
        process_batch(SWEEP, harness.runtime(rds=rds))
    [error] = [r for r in json_logs.records if r.levelno == logging.ERROR]
    assert (error.getMessage(), error.error_code) == ("sweep failed", "Throttling")
