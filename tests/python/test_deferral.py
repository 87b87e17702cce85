"""The five-export ceiling: waiting through the queue without burning receive counts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from builders import (
    QUEUE_ARN,
    RecordingSqs,
    RunningExportsRds,
    cluster_snapshot_arn,
    emf_metrics,
    lambda_attributes,
    received_records,
    snapshot_notification,
    sqs_event,
    sqs_record,
    stub_describe_snapshot,
    stub_error,
    stub_export_tasks,
    stubbed_rds,
)
from conftest import Harness, Queues, Topic
from hypothesis import given
from hypothesis import strategies as st
from snapshot_export.backoff import MAX_SQS_DELAY_SECONDS, deferral_delay, jitter_fraction
from snapshot_export.handler import process_batch
from snapshot_export.naming import export_task_identifier

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def at(moment: datetime) -> Any:
    return lambda: moment


def make_snapshots(rds: Any, count: int) -> list[str]:
    return [
        rds.create_db_cluster_snapshot(
            DBClusterIdentifier="orders", DBClusterSnapshotIdentifier=f"orders-manual-{index}"
        )["DBClusterSnapshot"]["DBClusterSnapshotArn"]
        for index in range(count)
    ]


def created(arn: str, **kwargs: Any) -> dict[str, Any]:
    return sqs_record(snapshot_notification(arn, "RDS-EVENT-0075"), **kwargs)


def attributes(
    deferrals: int, first_seen: datetime, not_before: datetime, origin: str
) -> dict[str, Any]:
    return lambda_attributes(
        {
            "export-deferrals": {"DataType": "Number", "StringValue": str(deferrals)},
            "export-first-seen": {
                "DataType": "Number",
                "StringValue": str(int(first_seen.timestamp())),
            },
            "export-not-before": {
                "DataType": "Number",
                "StringValue": str(int(not_before.timestamp())),
            },
            "export-origin-message-id": {"DataType": "String", "StringValue": origin},
        }
    )


# Backoff


def test_delay_doubles_per_deferral_until_the_maximum() -> None:
    expected_ceilings = [60, 120, 240, 480, 960, 1920, 3600, 3600]
    for n, ceiling in enumerate(expected_ceilings):
        factor = 0.5 + 0.5 * jitter_fraction("m", n)
        assert deferral_delay(n, "m", 60, 3600) == int(ceiling * factor)


@given(st.text(min_size=1, max_size=40), st.integers(min_value=0, max_value=60))
def test_delay_stays_between_half_and_all_of_the_capped_backoff(message_id: str, n: int) -> None:
    ceiling = min(3600, 60 * 2**n)
    delay = deferral_delay(n, message_id, 60, 3600)
    assert ceiling * 0.5 - 1 <= delay <= ceiling
    assert 0 <= jitter_fraction(message_id, n) < 1


def test_jitter_is_fixed_per_message_and_count_and_spreads_across_messages() -> None:
    assert deferral_delay(2, "same", 60, 3600) == deferral_delay(2, "same", 60, 3600)
    spread = {deferral_delay(2, f"message-{i}", 60, 3600) for i in range(50)}
    assert len(spread) > 25
    assert min(spread) >= 120 and max(spread) <= 240


# At the ceiling


def test_at_the_ceiling_the_record_is_resent_with_a_delay_and_reported_processed(
    harness: Harness, aurora_cluster: dict[str, Any]
) -> None:
    """RunningExportsRds: moto creates tasks complete, so five running ones are added."""
    [arn] = make_snapshots(harness.rds, 1)
    rds = RunningExportsRds(harness.rds, running=5)
    queue = RecordingSqs()
    sent = NOW - timedelta(minutes=3)
    record = created(arn, sent=sent)

    result = process_batch(sqs_event(record), harness.runtime(rds=rds, sqs=queue, clock=at(NOW)))

    [outcome] = result.outcomes
    assert outcome.decision == "deferred"
    assert "5 exports starting or in progress" in (outcome.reason or "")
    assert result.failures == []
    assert rds.started == []
    [copy] = queue.sent
    assert copy["QueueUrl"] == harness.config.queue_url
    assert copy["MessageBody"] == record["body"]
    assert outcome.delay_seconds is not None
    assert 30 <= outcome.delay_seconds <= 60
    assert copy["DelaySeconds"] == outcome.delay_seconds
    assert queue.attribute("export-deferrals") == "1"
    assert queue.attribute("export-first-seen") == str(int(sent.timestamp()))
    assert queue.attribute("export-not-before") == str(int(NOW.timestamp()) + outcome.delay_seconds)
    assert queue.attribute("export-origin-message-id") == record["messageId"]
    assert emf_metrics(harness.metric_lines) == ["ExportsDeferred"]


def test_one_batch_never_starts_more_exports_than_the_ceiling_allows(
    harness: Harness, aurora_cluster: dict[str, Any]
) -> None:
    """RunningExportsRds: three running tasks that moto would otherwise report complete."""
    arns = make_snapshots(harness.rds, 4)
    rds = RunningExportsRds(harness.rds, running=3)
    queue = RecordingSqs()
    result = process_batch(
        sqs_event(*(created(arn) for arn in arns)), harness.runtime(rds=rds, sqs=queue)
    )
    assert [o.decision for o in result.outcomes] == ["exported", "exported", "deferred", "deferred"]
    assert len(rds.started) == 2
    assert len(queue.sent) == 2
    # Counted before each of the four, and the two that wait are looked up.
    assert rds.calls.count("paginate:describe_export_tasks") == 4 + 2


class OtherInvocationRds(RunningExportsRds):
    """RunningExportsRds that lists the tasks it starts as in progress and, on the first start,
    also lists one started by a concurrent invocation; moto lists every task as complete."""

    def start_export_task(self, **request: Any) -> Any:
        response = super().start_export_task(**request)
        ids = [request["ExportTaskIdentifier"]] + (["other-invocation"] if not self.running else [])
        self.running.extend(
            {"ExportTaskIdentifier": task_id, "Status": "IN_PROGRESS"} for task_id in ids
        )
        return response


def test_exports_started_by_a_concurrent_invocation_count_against_the_ceiling(
    harness: Harness, aurora_cluster: dict[str, Any]
) -> None:
    """OtherInvocationRds: moto has no concurrent invocations and no running tasks."""
    arns = make_snapshots(harness.rds, 3)
    rds = OtherInvocationRds(harness.rds, running=0)
    queue = RecordingSqs()
    result = process_batch(
        sqs_event(*(created(arn) for arn in arns)),
        harness.runtime(rds=rds, sqs=queue, max_concurrent_exports=3),
    )
    # The first start leaves two running (ours and the other's), so one more fits: the tasks
    # this batch started and RDS lists are counted once.
    assert [o.decision for o in result.outcomes] == ["exported", "exported", "deferred"]
    assert "3 exports starting or in progress" in (result.outcomes[2].reason or "")
    assert len(rds.running) == 3


def test_a_snapshot_already_exported_is_not_deferred_at_the_ceiling(
    harness: Harness, cluster_snapshot: dict[str, Any]
) -> None:
    """RunningExportsRds: five running tasks on top of the moto task for this snapshot."""
    arn = cluster_snapshot["DBClusterSnapshotArn"]
    process_batch(sqs_event(created(arn)), harness.runtime())
    rds = RunningExportsRds(harness.rds, running=5)
    queue = RecordingSqs()
    result = process_batch(sqs_event(created(arn)), harness.runtime(rds=rds, sqs=queue))
    assert result.outcomes[0].decision == "already_exported"
    assert queue.sent == []


def test_a_deferred_copy_is_exported_once_a_slot_is_free(
    harness: Harness, aurora_cluster: dict[str, Any]
) -> None:
    """RunningExportsRds: the running tasks are dropped to free the slots."""
    [arn] = make_snapshots(harness.rds, 1)
    rds = RunningExportsRds(harness.rds, running=5)
    queue = RecordingSqs()
    process_batch(sqs_event(created(arn)), harness.runtime(rds=rds, sqs=queue, clock=at(NOW)))
    rds.running.clear()
    later = NOW + timedelta(minutes=2)
    result = process_batch(
        sqs_event(queue.as_record()), harness.runtime(rds=rds, sqs=queue, clock=at(later))
    )
    assert result.outcomes[0].decision == "exported"
    assert result.outcomes[0].export_task_id == export_task_identifier(arn)


def test_each_deferral_counts_up_and_keeps_the_first_seen_time_and_origin(
    harness: Harness, aurora_cluster: dict[str, Any]
) -> None:
    """RunningExportsRds: the ceiling stays full across both deliveries."""
    [arn] = make_snapshots(harness.rds, 1)
    rds = RunningExportsRds(harness.rds, running=5)
    queue = RecordingSqs()
    first = created(arn, sent=NOW)
    process_batch(sqs_event(first), harness.runtime(rds=rds, sqs=queue, clock=at(NOW)))
    later = NOW + timedelta(seconds=61)
    result = process_batch(
        sqs_event(queue.as_record()), harness.runtime(rds=rds, sqs=queue, clock=at(later))
    )
    assert queue.attribute("export-deferrals") == "2"
    assert queue.attribute("export-first-seen") == str(int(NOW.timestamp()))
    assert queue.attribute("export-origin-message-id") == first["messageId"]
    delay = result.outcomes[0].delay_seconds
    assert delay == deferral_delay(1, first["messageId"], 60, 3600)
    assert 60 <= delay <= 120


def test_a_record_arriving_before_its_not_before_is_resent_without_counting_a_deferral(
    harness: Harness,
) -> None:
    """RunningExportsRds: used here only to prove RDS is not called at all."""
    arn = cluster_snapshot_arn("orders-manual-0")
    rds = RunningExportsRds(harness.rds, running=5)
    queue = RecordingSqs()
    not_before = NOW + timedelta(seconds=2000)
    record = created(
        arn, message_attributes=attributes(3, NOW - timedelta(hours=2), not_before, "origin-1")
    )

    result = process_batch(
        sqs_event(record),
        harness.runtime(rds=rds, sqs=queue, clock=at(NOW), backoff_max_seconds=3600),
    )

    [outcome] = result.outcomes
    assert outcome.decision == "deferred"
    assert outcome.delay_seconds == 2000
    assert queue.sent[0]["DelaySeconds"] == MAX_SQS_DELAY_SECONDS
    assert queue.attribute("export-deferrals") == "3"
    assert queue.attribute("export-not-before") == str(int(not_before.timestamp()))
    assert queue.attribute("export-origin-message-id") == "origin-1"
    assert rds.calls == []
    assert harness.metric_lines == []

    closer = NOW + timedelta(seconds=1700)
    process_batch(
        sqs_event(queue.as_record()),
        harness.runtime(rds=rds, sqs=queue, clock=at(closer), backoff_max_seconds=3600),
    )
    assert queue.sent[1]["DelaySeconds"] == 300
    assert queue.attribute("export-deferrals") == "3"


@pytest.mark.parametrize("not_before", ["4102444800", "1e300", "inf"])
def test_a_not_before_beyond_the_longest_backoff_is_cut_to_backoff_max_seconds(
    not_before: str, harness: Harness
) -> None:
    """RecordingSqs: to read the re-sent copy; RDS is never asked."""
    arn = cluster_snapshot_arn("orders-manual-0")
    queue = RecordingSqs()
    record = created(arn, message_attributes=attributes(3, NOW, NOW, "origin-1"))
    record["messageAttributes"]["export-not-before"]["stringValue"] = not_before

    result = process_batch(sqs_event(record), harness.runtime(sqs=queue, clock=at(NOW)))

    [outcome] = result.outcomes
    assert (outcome.decision, outcome.delay_seconds) == ("deferred", 900)
    assert queue.sent[0]["DelaySeconds"] == 900
    assert queue.attribute("export-not-before") == str(int(NOW.timestamp()) + 900)
    assert queue.attribute("export-deferrals") == "3"


def test_a_record_still_waiting_after_max_wait_hours_goes_to_the_dead_letter_queue(
    harness: Harness, queues: Queues
) -> None:
    """RecordingSqs would hide the dead letter, so moto's queues take it; RDS is never asked."""
    arn = cluster_snapshot_arn("orders-manual-0")
    first_seen = NOW - timedelta(hours=73)
    record = created(
        arn,
        message_attributes=attributes(12, first_seen, NOW + timedelta(seconds=600), "origin-1"),
    )

    result = process_batch(sqs_event(record), harness.runtime(clock=at(NOW)))

    [outcome] = result.outcomes
    assert (outcome.decision, outcome.error_code) == ("failed", "MaxWaitExceeded")
    assert "gave up waiting" in (outcome.reason or "")
    [dead] = harness.sqs.receive_message(
        QueueUrl=queues.dead_letter, MessageAttributeNames=["All"]
    )["Messages"]
    assert dead["MessageAttributes"]["ErrorCode"]["StringValue"] == "MaxWaitExceeded"
    main = harness.sqs.get_queue_attributes(QueueUrl=queues.main, AttributeNames=["All"])
    assert main["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "0"


def test_after_max_wait_hours_the_record_goes_to_the_dead_letter_queue(
    harness: Harness, aurora_cluster: dict[str, Any], queues: Queues, topic: Topic
) -> None:
    """RunningExportsRds: the ceiling is still full 73 hours after the snapshot event."""
    [arn] = make_snapshots(harness.rds, 1)
    rds = RunningExportsRds(harness.rds, running=5)
    now = datetime.now(UTC)
    first_seen = now - timedelta(hours=73)
    record = created(
        arn, message_attributes=attributes(12, first_seen, now - timedelta(seconds=5), "o")
    )

    result = process_batch(sqs_event(record), harness.runtime(rds=rds))

    [outcome] = result.outcomes
    assert (outcome.decision, outcome.error_code) == ("failed", "MaxWaitExceeded")
    assert "gave up waiting for an export slot" in (outcome.reason or "")
    assert result.failures == []
    [dead] = harness.sqs.receive_message(
        QueueUrl=queues.dead_letter, MessageAttributeNames=["All"]
    )["Messages"]
    assert dead["MessageAttributes"]["ErrorCode"]["StringValue"] == "MaxWaitExceeded"
    assert dead["Body"] == record["body"]
    assert "gave up waiting" in topic.messages()[0]["Message"]
    main = harness.sqs.get_queue_attributes(QueueUrl=queues.main, AttributeNames=["All"])
    assert main["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "0"


def test_a_dead_lettered_record_starts_a_fresh_wait_when_redriven(
    harness: Harness, aurora_cluster: dict[str, Any], queues: Queues
) -> None:
    """RunningExportsRds: the ceiling is still full when the record comes back; moto's queues
    carry the dead letter, and receiving it stands in for the redrive."""
    [arn] = make_snapshots(harness.rds, 1)
    rds = RunningExportsRds(harness.rds, running=5)
    now = datetime.now(UTC)
    record = created(
        arn,
        message_attributes=attributes(12, now - timedelta(hours=73), now, "o"),
    )
    assert process_batch(sqs_event(record), harness.runtime(rds=rds)).outcomes[0].error_code == (
        "MaxWaitExceeded"
    )

    [redriven] = received_records(harness.sqs, queues.dead_letter)
    assert not any(name.startswith("export-") for name in redriven["messageAttributes"])
    assert redriven["messageAttributes"]["ErrorCode"]["stringValue"] == "MaxWaitExceeded"
    queue = RecordingSqs()
    result = process_batch(sqs_event(redriven), harness.runtime(rds=rds, sqs=queue))
    assert result.outcomes[0].decision == "deferred"
    assert queue.attribute("export-deferrals") == "1"
    assert float(queue.attribute("export-first-seen")) >= now.timestamp() - 1


def test_max_wait_hours_is_measured_from_when_the_first_copy_was_sent(
    harness: Harness, aurora_cluster: dict[str, Any]
) -> None:
    """RunningExportsRds: a fresh record sent two hours ago, with MAX_WAIT_HOURS at one."""
    [arn] = make_snapshots(harness.rds, 1)
    rds = RunningExportsRds(harness.rds, running=5)
    record = created(arn, sent=NOW - timedelta(hours=2))
    result = process_batch(
        sqs_event(record), harness.runtime(rds=rds, clock=at(NOW), max_wait_hours=1)
    )
    assert result.outcomes[0].error_code == "MaxWaitExceeded"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ThrottlingException", "Rate exceeded"),
        ("Throttling", "Rate exceeded"),
        ("LimitExceededFault", "export limit"),
        ("ExportTaskQuotaExceeded", "quota"),
        ("TooManyRequestsException", "slow down"),
        ("ExportTaskLimitReachedFault", "You have reached the maximum number of export tasks"),
        ("SomethingNew", "You have reached the maximum number of export tasks"),
    ],
)
def test_a_quota_or_throttling_error_from_start_export_task_defers_the_export(
    code: str, message: str, harness: Harness
) -> None:
    """Stubber: moto enforces no quota. AWS does not model the quota error code, so these
    codes and messages pin the classifier's rule, not AWS's wording."""
    arn = cluster_snapshot_arn("orders-manual-0")
    rds, stubber = stubbed_rds()
    stub_describe_snapshot(stubber, arn)
    stub_export_tasks(stubber)
    stub_error(stubber, "start_export_task", code, message)
    queue = RecordingSqs()
    with stubber:
        result = process_batch(sqs_event(created(arn)), harness.runtime(rds=rds, sqs=queue))
    [outcome] = result.outcomes
    assert (outcome.decision, outcome.error_code) == ("deferred", code)
    assert result.failures == []
    assert queue.attribute("export-deferrals") == "1"


@pytest.mark.parametrize("code", ["InvalidParameterValue", "IamRoleMissingPermissions"])
def test_a_permanent_code_goes_to_the_dead_letter_queue_even_when_its_message_mentions_a_quota(
    code: str, harness: Harness, queues: Queues
) -> None:
    """Stubber: moto never raises these; a quota-like message must not turn a permanent error
    into 72 hours of deferrals."""
    arn = cluster_snapshot_arn("orders-manual-0")
    rds, stubber = stubbed_rds()
    stub_describe_snapshot(stubber, arn)
    stub_export_tasks(stubber)
    stub_error(stubber, "start_export_task", code, "the maximum number of export tasks is 5")
    with stubber:
        result = process_batch(sqs_event(created(arn)), harness.runtime(rds=rds))
    [outcome] = result.outcomes
    assert (outcome.decision, outcome.error_code) == ("failed", code)
    [dead] = harness.sqs.receive_message(
        QueueUrl=queues.dead_letter, MessageAttributeNames=["All"]
    )["Messages"]
    assert dead["MessageAttributes"]["ErrorCode"]["StringValue"] == code


def test_after_a_quota_error_the_rest_of_the_batch_waits_without_trying(harness: Harness) -> None:
    """Stubber: the second record must not reach start_export_task; a stray call would fail.
    AWS does not model the quota error code, so the code and message here pin the classifier's
    rule, not AWS's wording."""
    first, second = cluster_snapshot_arn("orders-a"), cluster_snapshot_arn("orders-b")
    rds, stubber = stubbed_rds()
    stub_describe_snapshot(stubber, first)
    stub_export_tasks(stubber)
    stub_error(stubber, "start_export_task", "ExportTaskLimitReached", "too many export tasks")
    stub_describe_snapshot(stubber, second)
    stub_export_tasks(stubber)  # is an export of the second snapshot already there?
    queue = RecordingSqs()
    with stubber:
        result = process_batch(
            sqs_event(created(first), created(second)), harness.runtime(rds=rds, sqs=queue)
        )
    stubber.assert_no_pending_responses()
    assert [o.decision for o in result.outcomes] == ["deferred", "deferred"]
    assert len(queue.sent) == 2


def test_a_deferred_copy_survives_a_round_trip_through_a_real_queue(
    harness: Harness, aurora_cluster: dict[str, Any], queues: Queues
) -> None:
    """RunningExportsRds for the full ceiling; moto's SQS carries the copy (one-second delay)."""
    [arn] = make_snapshots(harness.rds, 1)
    rds = RunningExportsRds(harness.rds, running=5)
    record = created(arn)
    runtime = harness.runtime(rds=rds, backoff_base_seconds=1, backoff_max_seconds=1)
    assert process_batch(sqs_event(record), runtime).outcomes[0].decision == "deferred"

    [copy] = received_records(harness.sqs, queues.main, wait_seconds=3)
    assert copy["messageAttributes"]["export-deferrals"]["stringValue"] == "1"
    assert (
        copy["messageAttributes"]["export-origin-message-id"]["stringValue"] == record["messageId"]
    )
    assert json.loads(copy["body"]) == json.loads(record["body"])
    rds.running.clear()
    assert process_batch(sqs_event(copy), runtime).outcomes[0].decision == "exported"


def test_without_queue_url_the_copy_goes_back_to_the_queue_the_record_came_from(
    harness: Harness, aurora_cluster: dict[str, Any], queues: Queues
) -> None:
    """RunningExportsRds for the ceiling; the copy lands on moto's queue, delayed."""
    [arn] = make_snapshots(harness.rds, 1)
    rds = RunningExportsRds(harness.rds, running=5)
    queue_arn = harness.sqs.get_queue_attributes(QueueUrl=queues.main, AttributeNames=["QueueArn"])
    record = created(arn, event_source_arn=queue_arn["Attributes"]["QueueArn"])
    result = process_batch(sqs_event(record), harness.runtime(rds=rds, queue_url=""))
    assert result.outcomes[0].decision == "deferred"
    main = harness.sqs.get_queue_attributes(QueueUrl=queues.main, AttributeNames=["All"])
    assert main["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"


def test_without_any_queue_to_resend_to_the_record_is_retried(
    harness: Harness, aurora_cluster: dict[str, Any]
) -> None:
    """RunningExportsRds for the ceiling."""
    [arn] = make_snapshots(harness.rds, 1)
    rds = RunningExportsRds(harness.rds, running=5)
    record = created(arn, event_source_arn="")
    result = process_batch(sqs_event(record), harness.runtime(rds=rds, queue_url=""))
    assert (result.outcomes[0].decision, result.outcomes[0].error_code) == (
        "retry",
        "QueueUrlUnknown",
    )
    assert result.failures == [record["messageId"]]


def test_raw_delivery_attributes_are_carried_on_the_deferred_copy(
    harness: Harness, aurora_cluster: dict[str, Any]
) -> None:
    """RunningExportsRds for the ceiling; RecordingSqs to read the copy's attributes."""
    [arn] = make_snapshots(harness.rds, 1)
    rds = RunningExportsRds(harness.rds, running=5)
    queue = RecordingSqs()
    record = sqs_record(
        {"Source ARN": arn, "Event Message": "created"},
        message_attributes=lambda_attributes(
            {"EventID": {"DataType": "String", "StringValue": "RDS-EVENT-0075"}}
        ),
        event_source_arn=QUEUE_ARN,
    )
    process_batch(sqs_event(record), harness.runtime(rds=rds, sqs=queue))
    assert queue.attribute("EventID") == "RDS-EVENT-0075"
    assert queue.attribute("export-deferrals") == "1"
