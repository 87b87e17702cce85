"""The Lambda entry point: batches, partial failures, the cached runtime, JSON logs."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from builders import (
    cluster_snapshot_arn,
    snapshot_notification,
    sqs_event,
    sqs_record,
)
from conftest import Harness, Queues
from snapshot_export import handler as handler_module
from snapshot_export import logs
from snapshot_export.config import ConfigError
from snapshot_export.handler import handler, process_batch
from snapshot_export.runtime import LazyClient, Runtime


class FailingDescribe:
    """Wraps the moto RDS client and breaks one snapshot's describe call like a bug would."""

    def __init__(self, client: Any, broken_arn: str) -> None:
        self._client = client
        self._broken = broken_arn.split(":", 6)[6]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def describe_db_cluster_snapshots(self, **request: Any) -> Any:
        if request.get("DBClusterSnapshotIdentifier") == self._broken:
            raise RuntimeError("unexpected response shape")
        return self._client.describe_db_cluster_snapshots(**request)


def good_record(snapshot: dict[str, Any]) -> dict[str, Any]:
    return sqs_record(snapshot_notification(snapshot["DBClusterSnapshotArn"], "RDS-EVENT-0075"))


def test_a_malformed_record_fails_alone_and_the_rest_of_the_batch_exports(
    harness: Harness, cluster_snapshot: dict[str, Any]
) -> None:
    second = harness.rds.create_db_cluster_snapshot(
        DBClusterIdentifier="orders", DBClusterSnapshotIdentifier="orders-second"
    )["DBClusterSnapshot"]
    junk = sqs_record("{not json")
    event = sqs_event(good_record(cluster_snapshot), junk, good_record(second))

    result = process_batch(event, harness.runtime(dead_letter_queue_url=""))

    assert [o.decision for o in result.outcomes] == ["exported", "failed", "exported"]
    assert result.failures == [junk["messageId"]]
    assert result.outcomes[1].error_code == "MalformedMessage"
    assert result.response() == {"batchItemFailures": [{"itemIdentifier": junk["messageId"]}]}


def test_a_malformed_record_goes_straight_to_the_dead_letter_queue_when_it_is_known(
    harness: Harness, cluster_snapshot: dict[str, Any], queues: Queues
) -> None:
    junk = sqs_record("{not json")
    result = process_batch(sqs_event(junk, good_record(cluster_snapshot)), harness.runtime())
    assert result.failures == []
    [dead] = harness.sqs.receive_message(
        QueueUrl=queues.dead_letter, MessageAttributeNames=["All"]
    )["Messages"]
    assert dead["Body"] == "{not json"
    assert dead["MessageAttributes"]["ErrorCode"]["StringValue"] == "MalformedMessage"


def test_an_unexpected_error_in_one_record_fails_only_that_record(
    harness: Harness, cluster_snapshot: dict[str, Any]
) -> None:
    """FailingDescribe: a stand-in for a bug or an answer boto3 cannot parse."""
    broken = harness.rds.create_db_cluster_snapshot(
        DBClusterIdentifier="orders", DBClusterSnapshotIdentifier="orders-broken"
    )["DBClusterSnapshot"]
    rds = FailingDescribe(harness.rds, broken["DBClusterSnapshotArn"])
    bad = good_record(broken)
    result = process_batch(sqs_event(bad, good_record(cluster_snapshot)), harness.runtime(rds=rds))
    assert [o.decision for o in result.outcomes] == ["retry", "exported"]
    assert result.failures == [bad["messageId"]]
    assert result.outcomes[0].error_code == "RuntimeError"


def test_a_record_that_is_not_even_an_object_does_not_break_the_batch(
    harness: Harness, cluster_snapshot: dict[str, Any]
) -> None:
    event = {"Records": ["garbage", good_record(cluster_snapshot)]}
    result = process_batch(event, harness.runtime(dead_letter_queue_url=""))
    assert [o.decision for o in result.outcomes] == ["failed", "exported"]
    assert result.failures == []  # no message ID to report


def test_an_event_that_is_neither_sqs_nor_sweep_is_refused(harness: Harness) -> None:
    with pytest.raises(ValueError, match="Records"):
        process_batch({"detail": {}}, harness.runtime())


@pytest.fixture
def function_env(monkeypatch: pytest.MonkeyPatch, harness: Harness) -> None:
    config = harness.config
    for name, value in {
        "S3_BUCKET_NAME": config.s3_bucket_name,
        "IAM_ROLE_ARN": config.iam_role_arn,
        "KMS_ARN": config.kms_arn,
        "EVENT_IDS": ",".join(config.event_ids),
        "QUEUE_URL": config.queue_url,
        "DEAD_LETTER_QUEUE_URL": config.dead_letter_queue_url,
        "LOG_LEVEL": "INFO",
    }.items():
        monkeypatch.setenv(name, value)


def test_handler_builds_the_runtime_once_and_answers_with_batch_item_failures(
    function_env: None, cluster_snapshot: dict[str, Any], harness: Harness
) -> None:
    junk = sqs_record("[]")
    first = handler(sqs_event(good_record(cluster_snapshot), junk), None)
    runtime = handler_module._runtime
    second = handler(sqs_event(good_record(cluster_snapshot)), None)

    assert first == {"batchItemFailures": []}  # junk went to the dead-letter queue
    assert second == {"batchItemFailures": []}
    assert runtime is not None and handler_module._runtime is runtime
    assert len(harness.rds.describe_export_tasks()["ExportTasks"]) == 1


def test_handler_runs_the_sweep_for_the_schedule(
    function_env: None, cluster_snapshot: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENT_IDS", "RDS-EVENT-0075")
    response = handler({"action": "sweep"}, None)
    assert response["batchItemFailures"] == []
    assert response["sweep"]["queued_snapshot_arns"] == [cluster_snapshot["DBClusterSnapshotArn"]]


def test_handler_refuses_to_start_without_a_required_variable_and_logs_which(
    function_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("IAM_ROLE_ARN")
    with pytest.raises(ConfigError, match="IAM_ROLE_ARN"):
        handler(sqs_event(), None)
    assert handler_module._runtime is None
    [line] = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert (line["level"], line["variable"]) == ("ERROR", "IAM_ROLE_ARN")


def test_runtime_from_env_creates_no_client_until_one_is_used(function_env: None) -> None:
    runtime = Runtime.from_env()
    assert isinstance(runtime.rds, LazyClient) and runtime.rds._client is None
    assert runtime.sqs.meta.service_model.service_name == "sqs"
    assert runtime.rds._client is None and runtime.sqs._client is not None


def test_logs_are_one_json_object_per_line_with_the_decision_fields(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stdout", stream)
    logs.configure("INFO")
    arn = cluster_snapshot_arn("orders")
    logs.log(logging.INFO, "export started", snapshot_arn=arn, decision="exported", reason=None)
    logs.log(logging.DEBUG, "not shown")
    [line] = stream.getvalue().splitlines()
    document = json.loads(line)
    assert document["message"] == "export started"
    assert document["level"] == "INFO"
    assert (document["snapshot_arn"], document["decision"]) == (arn, "exported")
    assert "reason" not in document


def test_with_lambda_json_logging_the_message_is_not_encoded_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_LOG_FORMAT", "JSON")
    logs.configure("INFO")
    logger = logs.get_logger()
    assert not any(isinstance(h.formatter, logs.JsonFormatter) for h in logger.handlers)
    assert logger.propagate  # the runtime's own JSON handler on the root logger formats it
