"""The benchmark's fakes behave like the services they stand in for, and a small burst ends
with every snapshot exported once by this module and not by the original design.

The SQS, SNS and RDS used here are the benchmark's in-memory fakes (bench/fake_*.py) behind
real botocore clients, on a simulated clock; no moto, no network.
"""

from __future__ import annotations

import hashlib
import json
import struct
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError, ParamValidationError

from bench import scenario, simulate
from bench.clock import SimClock
from bench.esm import EventSourceMapping
from bench.fake_rds import FakeRDS, Snapshot
from bench.fake_sns import FakeSNS, matches
from bench.fake_sqs import FakeSQS, md5_of_message_attributes

START = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
REGION = "us-east-1"


@pytest.fixture
def clock() -> SimClock:
    return SimClock(START)


@pytest.fixture
def sqs(clock: SimClock) -> FakeSQS:
    return FakeSQS(clock)


def _queues(sqs: FakeSQS, max_receive_count: int = 3) -> tuple[Any, str, str]:
    client = sqs.client()
    dlq = client.create_queue(QueueName="work-dlq")["QueueUrl"]
    queue = client.create_queue(
        QueueName="work",
        Attributes={
            "VisibilityTimeout": "60",
            "MessageRetentionPeriod": "3600",
            "RedrivePolicy": json.dumps(
                {
                    "deadLetterTargetArn": sqs.queue(dlq).arn,
                    "maxReceiveCount": max_receive_count,
                }
            ),
        },
    )["QueueUrl"]
    return client, queue, dlq


def _receive(client: Any, queue: str, **extra: Any) -> list[dict[str, Any]]:
    return client.receive_message(
        QueueUrl=queue,
        MaxNumberOfMessages=10,
        MessageSystemAttributeNames=["All"],
        MessageAttributeNames=["All"],
        **extra,
    ).get("Messages", [])


# -- SQS ---------------------------------------------------------------------------------


def test_delayed_message_stays_hidden_until_its_delay_has_passed(sqs, clock):
    client, queue, _ = _queues(sqs)
    client.send_message(QueueUrl=queue, MessageBody="later", DelaySeconds=900)
    clock.advance(899)
    assert _receive(client, queue) == []
    clock.advance(1)
    assert [m["Body"] for m in _receive(client, queue)] == ["later"]


def test_delay_above_fifteen_minutes_is_rejected(sqs):
    client, queue, _ = _queues(sqs)
    with pytest.raises(ClientError) as raised:
        client.send_message(QueueUrl=queue, MessageBody="x", DelaySeconds=901)
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_received_message_is_invisible_for_the_visibility_timeout_and_counts_receives(sqs, clock):
    client, queue, _ = _queues(sqs)
    client.send_message(QueueUrl=queue, MessageBody="work")
    first = _receive(client, queue)
    assert first[0]["Attributes"]["ApproximateReceiveCount"] == "1"
    clock.advance(59)
    assert _receive(client, queue) == []
    clock.advance(1)
    second = _receive(client, queue)
    assert second[0]["Attributes"]["ApproximateReceiveCount"] == "2"
    assert second[0]["ReceiptHandle"] != first[0]["ReceiptHandle"]


def test_only_the_latest_receipt_handle_deletes(sqs, clock):
    client, queue, _ = _queues(sqs)
    client.send_message(QueueUrl=queue, MessageBody="work")
    stale = _receive(client, queue)[0]["ReceiptHandle"]
    clock.advance(60)
    current = _receive(client, queue)[0]["ReceiptHandle"]
    client.delete_message(QueueUrl=queue, ReceiptHandle=stale)
    assert sqs.depth(queue) == 1
    client.delete_message(QueueUrl=queue, ReceiptHandle=current)
    assert sqs.depth(queue) == 0


def test_change_message_visibility_to_zero_makes_the_message_receivable_now(sqs):
    client, queue, _ = _queues(sqs)
    client.send_message(QueueUrl=queue, MessageBody="work")
    handle = _receive(client, queue)[0]["ReceiptHandle"]
    client.change_message_visibility(QueueUrl=queue, ReceiptHandle=handle, VisibilityTimeout=0)
    assert len(_receive(client, queue)) == 1


def test_message_moves_to_the_dead_letter_queue_after_max_receive_count(sqs, clock):
    client, queue, dlq = _queues(sqs, max_receive_count=3)
    message_id = client.send_message(QueueUrl=queue, MessageBody="poison")["MessageId"]
    for _ in range(3):
        assert len(_receive(client, queue)) == 1
        clock.advance(60)
    assert _receive(client, queue) == []
    moved = _receive(client, dlq)
    assert [m["MessageId"] for m in moved] == [message_id]


def test_retention_counts_from_the_first_enqueue_even_in_the_dead_letter_queue(sqs, clock):
    client, queue, dlq = _queues(sqs, max_receive_count=1)
    client.send_message(QueueUrl=queue, MessageBody="old")
    _receive(client, queue)
    clock.advance(60)
    _receive(client, queue)  # moves it
    assert sqs.depth(dlq) == 1
    clock.advance(3600)  # past the main queue's retention, not the dead-letter queue's default
    assert sqs.depth(queue) == 0
    assert sqs.depth(dlq) == 1
    assert sqs.queue(dlq).expired == 0


def test_message_attributes_keep_their_types_and_digest(sqs):
    client, queue, _ = _queues(sqs)
    attributes = {
        "export-deferrals": {"DataType": "Number", "StringValue": "3"},
        "origin": {"DataType": "String", "StringValue": "sweep"},
    }
    sent = client.send_message(QueueUrl=queue, MessageBody="x", MessageAttributes=attributes)
    message = _receive(client, queue)[0]
    assert message["MessageAttributes"] == attributes
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]


def test_attribute_digest_matches_the_published_sqs_algorithm():
    # Reference value computed with the algorithm the SQS developer guide describes
    # (length-prefixed name, type, transport byte 1 and value, names sorted), by hand.
    def prefixed(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + data

    expected = hashlib.md5(
        prefixed(b"a")
        + prefixed(b"Number")
        + b"\x01"
        + prefixed(b"1")
        + prefixed(b"b")
        + prefixed(b"String")
        + b"\x01"
        + prefixed(b"x"),
        usedforsecurity=False,
    ).hexdigest()
    attributes = {
        "b": {"DataType": "String", "StringValue": "x"},
        "a": {"DataType": "Number", "StringValue": "1"},
    }
    assert md5_of_message_attributes(attributes) == expected


def test_non_numeric_number_attribute_is_rejected(sqs):
    client, queue, _ = _queues(sqs)
    with pytest.raises(ClientError) as raised:
        client.send_message(
            QueueUrl=queue,
            MessageBody="x",
            MessageAttributes={"n": {"DataType": "Number", "StringValue": "soon"}},
        )
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_botocore_validates_parameters_before_the_fake_sees_them(sqs):
    client, queue, _ = _queues(sqs)
    with pytest.raises(ParamValidationError):
        client.send_message(QueueUrl=queue, MessageBody="x", DelaySeconds="ten")


# -- event source mapping ------------------------------------------------------------------


def test_event_source_mapping_deletes_successes_and_leaves_reported_failures(sqs, clock):
    client, queue, _ = _queues(sqs)
    for body in ("ok", "bad", "ok"):
        client.send_message(
            QueueUrl=queue,
            MessageBody=body,
            MessageAttributes={"kind": {"DataType": "String", "StringValue": body}},
        )
    seen: list[dict[str, Any]] = []

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        seen.extend(event["Records"])
        failed = [r["messageId"] for r in event["Records"] if r["body"] == "bad"]
        return {"batchItemFailures": [{"itemIdentifier": i} for i in failed]}

    esm = EventSourceMapping(sqs=sqs, queue_url=queue, invoke=invoke, batching_window_seconds=5)
    esm.step(clock.epoch)
    assert not seen, "a partial batch waits for the batching window"
    clock.advance(5)
    esm.step(clock.epoch)
    assert len(seen) == 3
    record = seen[0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == sqs.queue(queue).arn
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["kind"]["stringValue"] == record["body"]
    assert record["messageAttributes"]["kind"]["dataType"] == "String"
    assert [m.body for m in sqs.queue(queue).messages.values()] == ["bad"]


def test_a_function_error_leaves_the_whole_batch_on_the_queue(sqs, clock):
    client, queue, _ = _queues(sqs)
    client.send_message(QueueUrl=queue, MessageBody="a")
    client.send_message(QueueUrl=queue, MessageBody="b")

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("boom")

    esm = EventSourceMapping(sqs=sqs, queue_url=queue, invoke=invoke)
    esm.step(clock.epoch)
    assert esm.function_errors == 1
    assert sqs.depth(queue) == 2


# -- SNS -----------------------------------------------------------------------------------


def test_filter_policy_delivers_only_the_listed_event_ids(sqs, clock):
    sns = FakeSNS(clock, sqs)
    client = sqs.client()
    queue = client.create_queue(QueueName="events")["QueueUrl"]
    topic = sns.create_topic({"Name": "rds"})["TopicArn"]
    sns.subscribe(
        {
            "TopicArn": topic,
            "Protocol": "sqs",
            "Endpoint": sqs.queue(queue).arn,
            "Attributes": {"FilterPolicy": json.dumps({"EventID": ["RDS-EVENT-0169"]})},
        }
    )
    for event_id in ("RDS-EVENT-0169", "RDS-EVENT-0001"):
        sns.publish(
            {
                "TopicArn": topic,
                "Message": "{}",
                "MessageAttributes": {"EventID": {"DataType": "String", "StringValue": event_id}},
            }
        )
    sns.publish({"TopicArn": topic, "Message": "no attributes"})
    bodies = [json.loads(m["Body"]) for m in _receive(client, queue)]
    assert [b["MessageAttributes"]["EventID"]["Value"] for b in bodies] == ["RDS-EVENT-0169"]
    assert bodies[0]["Type"] == "Notification"
    assert not matches({"EventID": [{"prefix": "RDS-"}]}, {})


# -- RDS -----------------------------------------------------------------------------------


def _rds(clock: SimClock, minutes: float = 30, **kwargs: Any) -> tuple[FakeRDS, Any, list[str]]:
    rds = FakeRDS(clock, export_seconds=lambda _s: minutes * 60, **kwargs)
    arns = []
    for index in range(8):
        snapshot = Snapshot(
            kind="cluster" if index % 2 else "instance",
            identifier=f"rds:db{index}-2026-03-02-03-00",
            db_identifier=f"db{index}",
            created_at=START,
            account_id=ACCOUNT,
            region=REGION,
        )
        arns.append(rds.add_snapshot(snapshot).arn)
    return rds, rds.client(), arns


def _start(client: Any, arn: str, identifier: str) -> dict[str, Any]:
    return client.start_export_task(
        ExportTaskIdentifier=identifier,
        SourceArn=arn,
        S3BucketName="bucket",
        IamRoleArn=f"arn:aws:iam::{ACCOUNT}:role/export",
        KmsKeyId=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k",
        S3Prefix="db/2026/03/02",
    )


def test_sixth_export_is_refused_while_five_are_running(clock):
    """AWS does not model the quota error code: the fake's code and message are chosen to
    match the classifier, so this pins the classifier's rule, not AWS's wording."""
    _, client, arns = _rds(clock)
    for index in range(5):
        assert _start(client, arns[index], f"task-{index}")["Status"] == "STARTING"
    with pytest.raises(ClientError) as raised:
        _start(client, arns[5], "task-5")
    assert "maximum number of export tasks" in raised.value.response["Error"]["Message"]
    assert raised.value.response["Error"]["Code"] == "ExportTaskLimitReachedFault"


def test_finished_export_frees_its_slot_and_reports_complete(clock):
    rds, client, arns = _rds(clock)
    finished = []
    rds.on_task_finished = finished.append
    for index in range(5):
        _start(client, arns[index], f"task-{index}")
    clock.advance(10 * 60)
    statuses = {t["Status"] for t in client.describe_export_tasks()["ExportTasks"]}
    assert statuses == {"IN_PROGRESS"}
    clock.advance(20 * 60)
    rds.advance()
    assert len(finished) == 5
    assert _start(client, arns[5], "task-5")["Status"] == "STARTING"
    task = client.describe_export_tasks(ExportTaskIdentifier="task-0")["ExportTasks"][0]
    assert task["Status"] == "COMPLETE"
    assert task["TaskEndTime"] == START + timedelta(minutes=30)


def test_a_used_identifier_raises_export_task_already_exists(clock):
    _, client, arns = _rds(clock)
    _start(client, arns[0], "task-0")
    clock.advance(3600)
    with pytest.raises(client.exceptions.ExportTaskAlreadyExistsFault):
        _start(client, arns[0], "task-0")


@pytest.mark.parametrize(
    "identifier", ["0starts-with-digit", "ends-with-", "double--hyphen", "has:colon", "a" * 61]
)
def test_identifier_rules_are_enforced(clock, identifier):
    _, client, arns = _rds(clock)
    with pytest.raises(ClientError) as raised:
        _start(client, arns[0], identifier)
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_unknown_snapshots_raise_the_modelled_not_found_faults(clock):
    _, client, _ = _rds(clock)
    with pytest.raises(client.exceptions.DBSnapshotNotFoundFault):
        _start(client, f"arn:aws:rds:{REGION}:{ACCOUNT}:snapshot:rds:gone-1", "t1")
    with pytest.raises(client.exceptions.DBClusterSnapshotNotFoundFault):
        _start(client, f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster-snapshot:gone-2", "t2")


def test_describe_export_tasks_applies_status_filter_and_pages(clock):
    _, client, arns = _rds(clock, max_in_progress=500, minutes=1)
    for index in range(120):
        _start(client, arns[index % len(arns)], f"old-{index}")
    clock.advance(120)
    _start(client, arns[0], "fresh")
    pages = list(
        client.get_paginator("describe_export_tasks").paginate(
            Filters=[{"Name": "status", "Values": ["starting", "in_progress"]}]
        )
    )
    running = [t["ExportTaskIdentifier"] for page in pages for t in page["ExportTasks"]]
    assert running == ["fresh"]
    everything = list(client.get_paginator("describe_export_tasks").paginate())
    assert len(everything) == 2
    assert sum(len(p["ExportTasks"]) for p in everything) == 121


def test_automated_snapshots_are_described_by_identifier(clock):
    _, client, _ = _rds(clock)
    found = client.describe_db_snapshots(
        DBSnapshotIdentifier="rds:db0-2026-03-02-03-00", SnapshotType="automated"
    )["DBSnapshots"]
    assert found[0]["DBInstanceIdentifier"] == "db0"
    with pytest.raises(client.exceptions.DBClusterSnapshotNotFoundFault):
        client.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="rds:nope")


def _conforms(shape: Any, value: Any, path: str = "") -> list[str]:
    """Where a response value does not fit botocore's output shape."""
    kind = shape.type_name
    python = {
        "string": str,
        "integer": int,
        "long": int,
        "boolean": bool,
        "timestamp": datetime,
        "double": float,
        "float": float,
    }
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        problems = []
        for key, item in value.items():
            if key == "ResponseMetadata":
                continue
            if key not in shape.members:
                problems.append(f"{path}.{key}: not in the model")
            else:
                problems += _conforms(shape.members[key], item, f"{path}.{key}")
        return problems
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        return [
            p for i, item in enumerate(value) for p in _conforms(shape.member, item, f"{path}[{i}]")
        ]
    expected = python.get(kind)
    if expected is not None and not isinstance(value, expected):
        return [f"{path}: expected {kind}, got {type(value).__name__}"]
    return []


def test_rds_responses_fit_botocore_output_shapes(clock):
    _, client, arns = _rds(clock)
    model = botocore.session.get_session().get_service_model("rds")
    _start(client, arns[0], "task-0")
    responses = {
        "StartExportTask": _start(client, arns[1], "task-1"),
        "DescribeExportTasks": client.describe_export_tasks(),
        "DescribeDBSnapshots": client.describe_db_snapshots(),
        "DescribeDBClusterSnapshots": client.describe_db_cluster_snapshots(),
    }
    for operation, response in responses.items():
        problems = _conforms(model.operation_model(operation).output_shape, response)
        assert problems == [], operation


# -- the burst -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def burst() -> tuple[scenario.Scenario, simulate.Figures, simulate.Figures]:
    plan = scenario.build(30, export_minutes=30, duplicates=0.2, lost=2, seed=3)
    return plan, simulate.run_ours(plan), simulate.run_baseline(plan)


def test_burst_exports_every_snapshot_once_with_nothing_left_in_the_dead_letter_queue(burst):
    plan, ours, _ = burst
    assert plan.lost == 2
    assert plan.duplicated == 6
    assert ours.exported == plan.count
    assert ours.not_exported == []
    assert ours.duplicate_task_snapshots == 0
    assert ours.dead_letter_messages == 0
    assert ours.expired_messages == 0
    assert ours.peak_running <= 5
    assert ours.deferrals > 0
    assert any(sweep["queued"] for sweep in ours.sweeps), "the lost events come from the sweep"


def test_burst_through_the_original_design_loses_exports(burst):
    plan, _, baseline = burst
    assert baseline.exported < plan.count
    assert baseline.dropped_events > 0
    assert baseline.quota_rejections > 0
    assert baseline.drain_seconds is None


def test_same_seed_gives_the_same_figures():
    plan = scenario.build(8, export_minutes=5, duplicates=0.25, lost=1, seed=11)
    first = simulate.run_ours(plan)
    second = simulate.run_ours(plan)
    assert first.to_dict() == second.to_dict()


def test_quota_refusals_from_a_lagging_listing_are_deferred_not_lost():
    """With DescribeExportTasks lagging, concurrent invocations see free slots that are not
    there and RDS refuses the start; the refusal must become a deferral. AWS does not model
    the quota error code, so the fake's refusal pins the classifier's rule, not AWS's
    wording."""
    plan = scenario.build(20, export_minutes=10, duplicates=0, lost=0, seed=5)
    figures = simulate.run_ours(plan, simulate.Knobs(listing_lag_seconds=300))
    assert figures.quota_rejections > 0
    assert figures.exported == plan.count
    assert figures.duplicate_task_snapshots == 0
    assert figures.dead_letter_messages == 0
    assert figures.decisions.get("retry", 0) == 0
