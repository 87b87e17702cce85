"""Parsing every shape an RDS snapshot event can arrive in."""

from __future__ import annotations

import json

import pytest
from builders import (
    cluster_snapshot_arn,
    eventbridge_event,
    instance_snapshot_arn,
    rds_event,
    snapshot_notification,
    sns_notification,
    sqs_record,
)
from hypothesis import given
from hypothesis import strategies as st
from snapshot_export import settings
from snapshot_export.events import (
    ExportFinished,
    ExportRequest,
    Ignored,
    Malformed,
    SnapshotCreated,
    export_request_body,
    parse_record,
)

EVENT_IDS = ("RDS-EVENT-0169", "RDS-EVENT-0091")
CLUSTER_ARN = cluster_snapshot_arn("rds:orders-2026-12-03-03-09")
INSTANCE_ARN = instance_snapshot_arn("rds:inventory-2026-12-03-03-09")
ANY_MESSAGE = SnapshotCreated | ExportFinished | ExportRequest | Ignored | Malformed


def parse(body: object, **kwargs: object) -> object:
    return parse_record(sqs_record(body, **kwargs), EVENT_IDS)  # type: ignore[arg-type]


def test_sns_notification_with_attributes_gives_the_snapshot_and_bare_event_id() -> None:
    message = parse(snapshot_notification(CLUSTER_ARN, "RDS-EVENT-0169"))
    assert message == SnapshotCreated(CLUSTER_ARN, "RDS-EVENT-0169", "db-cluster-snapshot")


def test_sns_notification_without_attributes_reads_the_event_id_url_and_source_arn() -> None:
    event = rds_event(INSTANCE_ARN, "RDS-EVENT-0091", url="https://docs.amazonaws.cn/x.html#")
    message = parse(sns_notification(event))
    assert message == SnapshotCreated(INSTANCE_ARN, "RDS-EVENT-0091", "db-snapshot")


def test_message_attributes_win_over_the_body_when_they_disagree() -> None:
    event = rds_event(cluster_snapshot_arn("stale"), "RDS-EVENT-0075")
    message = parse(sns_notification(event, "RDS-EVENT-0169", CLUSTER_ARN))
    assert isinstance(message, SnapshotCreated)
    assert message.snapshot_arn == CLUSTER_ARN
    assert message.event_id == "RDS-EVENT-0169"


def test_raw_rds_event_body_is_accepted_with_attributes_on_the_sqs_record() -> None:
    record = sqs_record(
        {"Source ARN": CLUSTER_ARN, "Event Message": "created"},
        message_attributes={"EventID": {"stringValue": "RDS-EVENT-0169", "dataType": "String"}},
    )
    assert parse_record(record, EVENT_IDS) == SnapshotCreated(
        CLUSTER_ARN, "RDS-EVENT-0169", "db-cluster-snapshot"
    )


def test_raw_rds_event_body_alone_is_accepted() -> None:
    message = parse(rds_event(INSTANCE_ARN, "RDS-EVENT-0091"))
    assert message == SnapshotCreated(INSTANCE_ARN, "RDS-EVENT-0091", "db-snapshot")


def test_eventbridge_shape_is_accepted() -> None:
    message = parse(eventbridge_event(CLUSTER_ARN, "RDS-EVENT-0169"))
    assert message == SnapshotCreated(CLUSTER_ARN, "RDS-EVENT-0169", "db-cluster-snapshot")


def test_export_request_from_the_sweep_is_accepted() -> None:
    message = parse(export_request_body(INSTANCE_ARN))
    assert message == ExportRequest(snapshot_arn=INSTANCE_ARN)


def test_plain_text_first_message_after_subscribing_is_skipped_with_a_reason() -> None:
    body = sns_notification("This is a test message. Subscription created for snapshot events")
    message = parse(body)
    assert isinstance(message, Ignored)
    assert "plain-text" in message.reason


def test_event_id_not_in_event_ids_is_skipped_with_a_reason() -> None:
    message = parse(snapshot_notification(CLUSTER_ARN, "RDS-EVENT-0075"))
    assert isinstance(message, Ignored)
    assert "RDS-EVENT-0075" in message.reason
    assert "EVENT_IDS" in message.reason
    assert message.snapshot_arn == CLUSTER_ARN


def test_subscription_confirmation_is_skipped() -> None:
    message = parse({"Type": "SubscriptionConfirmation", "Message": "confirm", "TopicArn": "t"})
    assert isinstance(message, Ignored)


@pytest.mark.parametrize(
    ("event_id", "status"),
    [(key, entry["status"]) for key, entry in settings.export_finished_events().items()],
)
def test_export_finished_events_are_recognised_whatever_event_ids_says(
    event_id: str, status: str
) -> None:
    arn = (
        CLUSTER_ARN
        if event_id in ("RDS-EVENT-0162", "RDS-EVENT-0163", "RDS-EVENT-0164")
        else (INSTANCE_ARN)
    )
    message = parse(snapshot_notification(arn, event_id))
    assert message == ExportFinished(snapshot_arn=arn, event_id=event_id, status=status)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json at all", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ({"hello": "world"}, "not an SNS notification"),
        ({"kind": "export-request", "snapshot_arn": "arn:aws:s3:::bucket"}, "snapshot_arn"),
        (
            sns_notification({"Event ID": "#RDS-EVENT-0169", "Source ARN": "db-instance"}),
            "without a snapshot ARN",
        ),
    ],
)
def test_malformed_bodies_are_reported_not_raised(body: object, reason: str) -> None:
    message = parse(body)
    assert isinstance(message, Malformed)
    assert reason in message.reason


def test_record_without_a_body_is_malformed() -> None:
    assert isinstance(parse_record({"messageId": "x"}, EVENT_IDS), Malformed)


@given(st.text(max_size=300))
def test_no_text_body_makes_the_parser_raise(body: str) -> None:
    result = parse_record({"messageId": "m", "body": body}, EVENT_IDS)
    assert isinstance(
        result, SnapshotCreated | ExportFinished | ExportRequest | Ignored | Malformed
    )


@given(
    st.dictionaries(
        st.sampled_from(["Type", "Message", "TopicArn", "source", "detail", "kind", "Event ID"]),
        st.one_of(
            st.text(max_size=40), st.integers(), st.none(), st.dictionaries(st.text(), st.text())
        ),
    )
)
def test_no_json_object_body_makes_the_parser_raise(document: dict[str, object]) -> None:
    result = parse_record({"messageId": "m", "body": json.dumps(document)}, EVENT_IDS)
    assert isinstance(
        result, SnapshotCreated | ExportFinished | ExportRequest | Ignored | Malformed
    )
